package httpapi

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
)

// wallboardFS holds the wallboard page, its script and its style: plain
// HTML, CSS and JavaScript, no framework and nothing fetched from a CDN, so
// the page works on a network without the internet.
//
//go:embed wallboard
var wallboardFS embed.FS

// wallboardCSP lets the page load only its own files and talk only to its
// own origin; the page builds its DOM with textContent, never innerHTML.
const wallboardCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// wallboardTypes fixes the content types, whatever the system's mime.types says.
var wallboardTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// serveWallboard serves one embedded file; unknown names are 404.
func serveWallboard(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		b, err := fs.ReadFile(wallboardFS, path.Join("wallboard", path.Clean("/"+name)))
		if err != nil {
			http.NotFound(w, nil)
			return
		}
		ct, ok := wallboardTypes[path.Ext(name)]
		if !ok {
			ct = "application/octet-stream"
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		// The page may be opened with ?token=: never send it on as a
		// Referer.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", wallboardCSP)
		_, _ = w.Write(b)
	}
}

// redirectWallboard sends /wallboard/ to /wallboard, keeping the query, so
// the page's relative links resolve one way only.
func redirectWallboard(w http.ResponseWriter, r *http.Request) {
	u := "/wallboard"
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u, http.StatusMovedPermanently)
}
