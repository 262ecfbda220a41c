package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

// statusOf maps an error from the engine or from reading the request to an
// HTTP status and the message the client sees. Internal errors are not
// shown to the client; they are logged.
func statusOf(err error) (int, string) {
	var (
		tooBig *http.MaxBytesError
		bad    *requestError
	)
	switch {
	case errors.As(err, &bad):
		return http.StatusBadRequest, bad.msg
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, "request body too large"
	case errors.Is(err, acd.ErrUnknownAgent):
		return http.StatusNotFound, "unknown agent"
	case errors.Is(err, acd.ErrUnknownQueue):
		return http.StatusNotFound, "unknown queue"
	case errors.Is(err, agents.ErrInvalidTransition):
		return http.StatusConflict, err.Error()
	case errors.Is(err, acd.ErrShuttingDown):
		return http.StatusServiceUnavailable, "shutting down"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable, "engine did not answer in time"
	}
	return http.StatusInternalServerError, "internal error"
}

// fail logs err at a level fitting its status and sends the error response.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status == http.StatusNotFound {
		if id := r.PathValue("id"); id != "" {
			msg += " " + id
		}
	}
	attrs := []any{"method", r.Method, "path", r.URL.Path, "status", status, "err", err}
	switch {
	case status >= 500 && status != http.StatusServiceUnavailable:
		s.log.Error("http api request failed", attrs...)
	case status >= 500:
		s.log.Warn("http api request failed", attrs...)
	default:
		s.log.Debug("http api request refused", attrs...)
	}
	writeError(w, status, msg)
}
