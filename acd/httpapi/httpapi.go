// Package httpapi is the ACD's HTTP API: the live picture of queues and
// agents for wallboards, and agents' own commands (login, logout, pause,
// unpause). It speaks JSON over the standard library's ServeMux and talks to
// the engine only through the small Engine interface, so tests can use a
// fake as well as the real engine.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

// Engine is what the API needs of the ACD engine; *acd.Engine implements it.
type Engine interface {
	// Snapshot returns the current queues and agents.
	Snapshot(ctx context.Context) (acd.Snapshot, error)
	// Command applies an agent's own request and returns the agent afterwards.
	Command(ctx context.Context, agentID string, ev agents.Event) (agents.Agent, error)
	// SetSkills replaces an agent's skills, keeping its state, and returns
	// the agent afterwards.
	SetSkills(ctx context.Context, agentID string, skills map[string]int) (agents.Agent, error)
}

var _ Engine = (*acd.Engine)(nil)

const (
	// maxBodyBytes bounds every request body; the largest legitimate one is
	// a pause reason.
	maxBodyBytes = 4 << 10
	// engineTimeout bounds one call into the engine, so a stuck engine or
	// store cannot pile up requests.
	engineTimeout = 10 * time.Second
)

// server holds what the handlers share.
type server struct {
	eng Engine
	log *slog.Logger
	// checkDest is LiveOptions.CheckDestination (nil: the engine's checks
	// only).
	checkDest func(queue string, d acd.Destination) error
}

// New returns the API handler. When token is not empty every /api/ route
// requires "Authorization: Bearer <token>"; /healthz is always open. A nil
// log discards.
func New(eng Engine, token string, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return (&server{eng: eng, log: log}).handler(token)
}

// handler is the API's routes served by s.
func (s *server) handler(token string) http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/queues", s.queues)
	api.HandleFunc("GET /api/agents", s.agents)
	api.HandleFunc("GET /api/agents/{id}", s.agent)
	api.Handle("POST /api/agents/{id}/login", s.command(agents.Login))
	api.Handle("POST /api/agents/{id}/logout", s.command(agents.Logout))
	api.Handle("POST /api/agents/{id}/pause", s.command(agents.Pause))
	api.Handle("POST /api/agents/{id}/unpause", s.command(agents.Unpause))
	api.HandleFunc("PUT /api/agents/{id}/skills", s.putSkills)
	api.HandleFunc("GET /api/queues/{name}/hours", s.getHours)
	api.HandleFunc("PUT /api/queues/{name}/hours", s.putHours)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request refused")
	}))

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", healthz)
	root.Handle("/api/", limitBody(cop.Handler(requireToken(token, api))))
	return root
}

// healthz tells monitoring the process serves HTTP; it does not consult the
// engine or the store.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// limitBody caps the request body at maxBodyBytes.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		next.ServeHTTP(w, r)
	})
}
