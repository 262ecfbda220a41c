package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sme/acd/agents"
)

// maxReasonLen bounds a pause reason, in characters.
const maxReasonLen = 64

// requestError is a request the client must fix (400); its text is shown.
type requestError struct{ msg string }

func (e *requestError) Error() string { return e.msg }

// badRequest builds a requestError from a format.
func badRequest(format string, args ...any) error {
	return &requestError{msg: fmt.Sprintf(format, args...)}
}

// command serves POST /api/agents/{id}/<kind> and replies with the agent
// after the change.
func (s *server) command(kind agents.EventKind) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		ev := agents.Event{Kind: kind}
		if kind == agents.Pause {
			reason, err := pauseReason(r)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			ev.Reason = reason
		}
		ctx, cancel := context.WithTimeout(r.Context(), engineTimeout)
		defer cancel()
		a, err := s.eng.Command(ctx, id, ev)
		if errors.Is(err, agents.ErrInvalidTransition) {
			s.refuse(w, r, id, kind, a, err)
			return
		}
		if err != nil {
			s.fail(w, r, fmt.Errorf("agent %s %s: %w", id, kind, err))
			return
		}
		s.log.Info("agent command", "agent", id, "command", kind.String(), "state", a.State.String(), "reason", a.PauseReason)
		writeJSON(w, http.StatusOK, agentView(a))
	})
}

// refuse answers 409 for a command the agent's state does not allow,
// naming that state when the engine returned the agent.
func (s *server) refuse(w http.ResponseWriter, r *http.Request, id string, kind agents.EventKind, a agents.Agent, err error) {
	s.log.Info("agent command refused", "agent", id, "command", kind.String(), "err", err, "remote", r.RemoteAddr)
	if a.ID == "" {
		writeError(w, http.StatusConflict, fmt.Sprintf("agent %s cannot %s in its current state", id, kind))
		return
	}
	state := a.State.String()
	if a.PauseReason != "" {
		state += " (" + a.PauseReason + ")"
	}
	msg := fmt.Sprintf("agent %s is %s: cannot %s", id, state, kind)
	if a.Pending != nil {
		msg += fmt.Sprintf("; %s already pending until the call ends", a.Pending.Kind)
	}
	writeJSON(w, http.StatusConflict, ErrorBody{Error: msg, State: a.State.String()})
}

// pauseReason reads the reason from a JSON body {"reason": "..."} or, when
// the body is empty or names none, from the query parameter ?reason=.
func pauseReason(r *http.Request) (string, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return "", fmt.Errorf("read pause body: %w", err)
	}
	reason := ""
	if len(bytes.TrimSpace(body)) > 0 {
		var req PauseRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return "", badRequest("decode pause body: %v", err)
		}
		if dec.More() {
			return "", badRequest("decode pause body: data after the JSON object")
		}
		reason = req.Reason
	}
	if reason == "" {
		reason = r.URL.Query().Get("reason")
	}
	return checkReason(reason)
}

// checkReason trims the reason and requires 1 to maxReasonLen printable
// characters: it goes into the event log and onto wallboards.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", badRequest("pause reason required (JSON body {\"reason\":...} or ?reason=)")
	case !utf8.ValidString(reason):
		return "", badRequest("pause reason is not UTF-8")
	case utf8.RuneCountInString(reason) > maxReasonLen:
		return "", badRequest("pause reason longer than %d characters", maxReasonLen)
	case strings.IndexFunc(reason, unicode.IsControl) >= 0:
		return "", badRequest("pause reason has control characters")
	}
	return reason, nil
}
