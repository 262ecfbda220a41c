package sip

// The SIP harness's in-memory event log that tests wait on, and the test
// logger that writes to the test's log.

import (
	"bytes"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sme/acd/acd"
)

// eventLog is an acd.EventLog kept in memory; waiters are woken on every
// append, so tests wait for events instead of sleeping.
type eventLog struct {
	mu      sync.Mutex
	evs     []acd.Event
	changed chan struct{}
}

func newEventLog() *eventLog { return &eventLog{changed: make(chan struct{})} }

func (l *eventLog) Append(ev acd.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev.Agents = slices.Clone(ev.Agents)
	l.evs = append(l.evs, ev)
	close(l.changed)
	l.changed = make(chan struct{})
	return nil
}

func (l *eventLog) snapshot() ([]acd.Event, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.evs), l.changed
}

// waitFor blocks until cond holds over the events written so far.
func (l *eventLog) waitFor(t testing.TB, what string, cond func([]acd.Event) bool) []acd.Event {
	t.Helper()
	timeout := time.NewTimer(waitTimeout)
	defer timeout.Stop()
	for {
		evs, changed := l.snapshot()
		if cond(evs) {
			return evs
		}
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("timed out waiting for %s; events:\n%s", what, formatEvents(evs))
		}
	}
}

// waitCall waits until the call's events (agent-state left out) include
// typ, and returns that call's event types in order.
func (l *eventLog) waitCall(t testing.TB, callID string, typ acd.EventType) []acd.EventType {
	t.Helper()
	evs := l.waitFor(t, fmt.Sprintf("%q event of call %s", typ, callID), func(evs []acd.Event) bool {
		return slices.ContainsFunc(evs, func(ev acd.Event) bool { return ev.CallID == callID && ev.Type == typ })
	})
	return callTypes(evs, callID)
}

func callTypes(evs []acd.Event, callID string) []acd.EventType {
	var out []acd.EventType
	for _, ev := range evs {
		if ev.CallID == callID && ev.Type != acd.EvAgentState {
			out = append(out, ev.Type)
		}
	}
	return out
}

func callEvent(evs []acd.Event, callID string, typ acd.EventType) (acd.Event, bool) {
	for _, ev := range evs {
		if ev.CallID == callID && ev.Type == typ {
			return ev, true
		}
	}
	return acd.Event{}, false
}

func formatEvents(evs []acd.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		fmt.Fprintf(&b, "  %s call=%s agent=%s state=%s reason=%s\n", ev.Type, ev.CallID, ev.Agent, ev.State, ev.Reason)
	}
	return b.String()
}

// logBuffer collects a test's log lines and prints them only if the test
// failed; goroutines that outlive the test may still write to it safely.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(t testing.TB, name string) *slog.Logger {
	b := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() && b.String() != "" {
			t.Logf("%s log:\n%s", name, b.String())
		}
	})
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
