package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// stream serves GET /api/live/stream as server-sent events: a "live" event
// with the whole picture (live.View) at once and after every change, a
// comment line as heartbeat when idle, and a fresh picture when the day
// turns. Changes that arrive while a frame is being built are coalesced
// into the next frame, so a client that keeps up never lags, and one that
// does not take a frame within WriteTimeout, or falls Buffer changes behind,
// is dropped; its browser reconnects (the "retry" field) and starts afresh.
func (s *liveServer) stream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	changes, cancel := s.tr.Subscribe(s.opt.Buffer)
	defer cancel()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)

	var buf bytes.Buffer
	write := func() error {
		if err := rc.SetWriteDeadline(time.Now().Add(s.opt.WriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
		return rc.Flush()
	}
	day := s.tr.Day()
	frame := func() error {
		buf.Reset()
		snap, err := s.snapshot(r)
		if err != nil {
			// The client keeps its last picture and is told it is stale.
			status, msg := statusOf(err)
			s.log.Warn("live stream snapshot failed", "status", status, "err", err)
			b, _ := json.Marshal(ErrorBody{Error: msg})
			fmt.Fprintf(&buf, "event: error\ndata: %s\n\n", b)
			return write()
		}
		v := s.tr.View(snap)
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode live view: %w", err)
		}
		day = s.tr.Day()
		fmt.Fprintf(&buf, "event: live\ndata: %s\n\n", b)
		return write()
	}

	buf.WriteString("retry: 3000\n\n")
	if err := write(); err != nil {
		return
	}
	if err := frame(); err != nil {
		s.log.Debug("live stream ended", "err", err, "remote", r.RemoteAddr)
		return
	}
	tick := time.NewTicker(s.opt.Heartbeat)
	defer tick.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case <-s.shutdown:
			return
		case _, ok := <-changes:
			if !ok {
				s.log.Info("live stream client too slow; dropped", "remote", r.RemoteAddr)
				return
			}
			if !drain(changes) {
				s.log.Info("live stream client too slow; dropped", "remote", r.RemoteAddr)
				return
			}
			err = frame()
		case <-tick.C:
			if !s.tr.Day().Equal(day) {
				err = frame() // midnight: today's figures start again
			} else {
				buf.Reset()
				buf.WriteString(": heartbeat\n\n")
				err = write()
			}
		}
		if err != nil {
			s.log.Debug("live stream ended", "err", err, "remote", r.RemoteAddr)
			return
		}
	}
}

// drain takes every change already waiting, reporting false when the
// subscription was dropped.
func drain[T any](ch <-chan T) bool {
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return false
			}
		default:
			return true
		}
	}
}
