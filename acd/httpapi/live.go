package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/live"
)

// LiveOptions tune the live routes; zero values take the defaults.
type LiveOptions struct {
	// Heartbeat is how often an idle event stream gets a comment line, so
	// proxies and browsers keep it open (default 15 s).
	Heartbeat time.Duration
	// WriteTimeout bounds one write to a stream client; a client that does
	// not take a frame in that time is dropped (default 10 s).
	WriteTimeout time.Duration
	// Buffer is how many changes a stream client may lag behind before it
	// is dropped (default 256). Changes are coalesced: a client that keeps
	// up gets one frame per burst, never a backlog.
	Buffer int
	// CheckDestination, when set, checks a closed destination sent to PUT
	// /api/queues/{name}/hours beyond the engine's own checks, e.g. that
	// its prompt is in the prompt library in the queue's language and its
	// URI passes the config file's check; an error is a 400 naming it.
	CheckDestination func(queue string, d acd.Destination) error
}

// Live is the API with the live routes added: New's routes plus
//
//	GET /metrics          Prometheus text format
//	GET /api/live         the live picture as JSON (live.View)
//	GET /api/live/stream  the same as server-sent events, one per change
//	GET /wallboard        the wallboard page (embedded, no CDN)
//
// Auth, when a token is set: /metrics needs "Authorization: Bearer
// <token>" like /api/ (Prometheus sends it with authorization.credentials
// in its scrape config). /api/live and /api/live/stream accept the header
// or ?token=<token>, because a browser's EventSource cannot set headers;
// the query form is accepted on these two read-only routes only, never on
// commands. The wallboard page and its script and style are open: they are
// static files holding no data; the page passes the ?token= it was opened
// with to the stream, and removes it from the address bar.
type Live struct {
	http.Handler
	srv *liveServer
}

// liveServer holds what the live handlers share.
type liveServer struct {
	*server
	tr  *live.Tracker
	opt LiveOptions

	mu       sync.Mutex
	closed   bool
	shutdown chan struct{}
}

// NewLive returns the API handler of New with the live routes. tr must be
// the tracker that wraps the engine's event log.
func NewLive(eng Engine, tr *live.Tracker, token string, log *slog.Logger, opt LiveOptions) *Live {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = 15 * time.Second
	}
	if opt.WriteTimeout <= 0 {
		opt.WriteTimeout = 10 * time.Second
	}
	if opt.Buffer <= 0 {
		opt.Buffer = 256
	}
	s := &liveServer{server: &server{eng: eng, log: log, checkDest: opt.CheckDestination}, tr: tr, opt: opt, shutdown: make(chan struct{})}

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		tr,
		live.NewSnapshotCollector(eng.Snapshot, engineTimeout),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:      promLog{log},
		ErrorHandling: promhttp.ContinueOnError,
	})

	mux := http.NewServeMux()
	mux.Handle("/", s.server.handler(token))
	mux.Handle("GET /metrics", requireToken(token, metrics))
	mux.Handle("GET /api/live", requireTokenOrQuery(token, http.HandlerFunc(s.liveJSON)))
	mux.Handle("GET /api/live/stream", requireTokenOrQuery(token, http.HandlerFunc(s.stream)))
	mux.HandleFunc("GET /wallboard", serveWallboard("index.html"))
	mux.HandleFunc("GET /wallboard/{$}", redirectWallboard)
	mux.HandleFunc("GET /wallboard/{file}", func(w http.ResponseWriter, r *http.Request) {
		serveWallboard(r.PathValue("file"))(w, r)
	})
	return &Live{Handler: mux, srv: s}
}

// Shutdown ends every event stream, so an http.Server's Shutdown does not
// wait for them: register it with the server's RegisterOnShutdown.
// Browsers reconnect to whichever ACD serves next.
func (l *Live) Shutdown() {
	l.srv.mu.Lock()
	defer l.srv.mu.Unlock()
	if !l.srv.closed {
		l.srv.closed = true
		close(l.srv.shutdown)
	}
}

// liveJSON serves GET /api/live.
func (s *liveServer) liveJSON(w http.ResponseWriter, r *http.Request) {
	snap, err := s.snapshot(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.tr.View(snap))
}

// requireTokenOrQuery is requireToken that also takes ?token=, for the
// read-only live routes a browser's EventSource opens.
func requireTokenOrQuery(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			got = r.URL.Query().Get("token")
			ok = got != ""
		}
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 || !ok {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeError(w, http.StatusUnauthorized, "missing or invalid token (Authorization: Bearer, or ?token=)")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// promLog sends promhttp's errors (a failed snapshot at scrape time) to
// the API's log.
type promLog struct{ log *slog.Logger }

func (l promLog) Println(v ...any) {
	l.log.Warn("metrics scrape", "err", fmt.Sprint(v...))
}
