package main

// The e2e harness's reading of the acd's event log file.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// event is one line of the event log, as documented in the README.
type event struct {
	Time     time.Time `json:"time"`
	Type     string    `json:"type"`
	Node     string    `json:"node"`
	CallID   string    `json:"call_id"`
	Queue    string    `json:"queue"`
	Agent    string    `json:"agent"`
	Agents   []string  `json:"agents"`
	Caller   string    `json:"caller"`
	Reason   string    `json:"reason"`
	Target   string    `json:"target"`
	State    string    `json:"state"`
	WaitMS   int64     `json:"wait_ms"`
	TalkMS   int64     `json:"talk_ms"`
	Attempts int       `json:"attempts"`
	Menu     string    `json:"menu"`
	Digit    string    `json:"digit"`
	// File and DurationMS on "voicemail"; Position and EstimatedMS on
	// "announced".
	File        string `json:"file"`
	DurationMS  int64  `json:"duration_ms"`
	Position    int    `json:"position"`
	EstimatedMS int64  `json:"estimated_ms"`
}

func (e event) String() string {
	b, _ := json.Marshal(e)
	return string(b)
}

// readEvents parses the event log as it is now; a torn last line (being
// written) is left for the next read.
func (a *acdProc) readEvents() []event {
	a.t.Helper()
	b, err := os.ReadFile(a.events)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		a.t.Fatalf("read event log: %v", err)
	}
	return parseEvents(a.t, "event log", b, true)
}

// parseEvents parses the lines of an event log file named name; with
// tornOK an unparsable last line without its newline (being written) is
// left out, any other bad line fails the test.
func parseEvents(t *testing.T, name string, b []byte, tornOK bool) []event {
	t.Helper()
	var out []event
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			if tornOK && !bytes.HasSuffix(b, []byte("\n")) && bytes.HasSuffix(b, line) {
				break // the line being written
			}
			t.Fatalf("%s: bad line %q: %v", name, line, err)
		}
		out = append(out, e)
	}
	return out
}

// waitEvents re-reads the event log every 25 ms until ok accepts it, for at
// most timeout, and returns the events ok accepted.
func (a *acdProc) waitEvents(what string, timeout time.Duration, ok func([]event) bool) []event {
	a.t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		evs := a.readEvents()
		if ok(evs) {
			return evs
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("waited %v for %s; events:\n%s", timeout, what, formatEvents(evs))
		}
		<-tick.C
	}
}

// waitEvent waits for one event matching match and returns it.
func (a *acdProc) waitEvent(what string, timeout time.Duration, match func(event) bool) event {
	a.t.Helper()
	var found event
	a.waitEvents(what, timeout, func(evs []event) bool {
		for _, e := range evs {
			if match(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

func formatEvents(evs []event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func filterEvents(evs []event, match func(event) bool) []event {
	var out []event
	for _, e := range evs {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}

func ofType(typ string) func(event) bool { return func(e event) bool { return e.Type == typ } }

func countType(evs []event, typ string) int { return len(filterEvents(evs, ofType(typ))) }
