package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/sme/acd/acd"
)

// snapshot asks the engine for the current picture within engineTimeout.
func (s *server) snapshot(r *http.Request) (acd.Snapshot, error) {
	ctx, cancel := context.WithTimeout(r.Context(), engineTimeout)
	defer cancel()
	snap, err := s.eng.Snapshot(ctx)
	if err != nil {
		return snap, fmt.Errorf("read snapshot: %w", err)
	}
	return snap, nil
}

// queues serves GET /api/queues.
func (s *server) queues(w http.ResponseWriter, r *http.Request) {
	snap, err := s.snapshot(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := QueueList{Time: snap.Time, Queues: make([]acd.QueueSnapshot, 0, len(snap.Queues))}
	for _, q := range snap.Queues {
		out.Queues = append(out.Queues, queueView(q))
	}
	writeJSON(w, http.StatusOK, out)
}

// agents serves GET /api/agents.
func (s *server) agents(w http.ResponseWriter, r *http.Request) {
	snap, err := s.snapshot(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := AgentList{Time: snap.Time, Agents: make([]Agent, 0, len(snap.Agents))}
	for _, a := range snap.Agents {
		out.Agents = append(out.Agents, snapshotAgentView(a))
	}
	writeJSON(w, http.StatusOK, out)
}

// agent serves GET /api/agents/{id}.
func (s *server) agent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	snap, err := s.snapshot(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range snap.Agents {
		if a.ID == id {
			writeJSON(w, http.StatusOK, snapshotAgentView(a))
			return
		}
	}
	writeError(w, http.StatusNotFound, "unknown agent "+id)
}
