package httpapi

import (
	"encoding/json"
	"net/http"
)

// ErrorBody is the body of every error response.
type ErrorBody struct {
	Error string `json:"error"`
	// State is the agent's current state, on 409 when it is known.
	State string `json:"state,omitempty"`
}

// writeJSON sends v with status; encoding happens first so a value that
// cannot be encoded becomes a 500, not half a body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeError sends {"error": msg} with status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, ErrorBody{Error: msg})
}
