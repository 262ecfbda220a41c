package httpapi_test

// Tests of the live server-sent-events stream, and the SSE reader they use.

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/acd/live"
)

// sseReader reads server-sent events from one stream.
type sseReader struct {
	t     *testing.T
	lines chan string
	resp  *http.Response
}

func openStream(t *testing.T, base, query string) *sseReader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/live/stream"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream Content-Type %q", ct)
	}
	r := &sseReader{t: t, lines: make(chan string, 1024), resp: resp}
	go func() {
		defer close(r.lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		resp.Body.Close()
	})
	return r
}

// sseEvent is one event: its type and data, a comment or a retry field.
type sseEvent struct {
	typ, data, comment, retry string
}

// next returns the next event or comment, failing after 10 s; ok is false
// when the stream ended.
func (r *sseReader) next() (sseEvent, bool) {
	r.t.Helper()
	var e sseEvent
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-r.lines:
			if !ok {
				return e, false
			}
			switch {
			case line == "":
				if e != (sseEvent{}) {
					return e, true
				}
			case strings.HasPrefix(line, ":"):
				e.comment = strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "retry: "):
				e.retry = line[len("retry: "):]
			case strings.HasPrefix(line, "event: "):
				e.typ = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				e.data = line[len("data: "):]
			}
		case <-timeout:
			r.t.Fatal("no server-sent event within 10 s")
		}
	}
}

// nextView skips to the next "live" event and decodes it.
func (r *sseReader) nextView() live.View {
	r.t.Helper()
	for {
		e, ok := r.next()
		if !ok {
			r.t.Fatal("stream ended")
		}
		if e.typ != "live" {
			continue
		}
		var v live.View
		if err := json.Unmarshal([]byte(e.data), &v); err != nil {
			r.t.Fatalf("decode %s: %v", e.data, err)
		}
		return v
	}
}

func TestStreamSendsPictureThenEveryChange(t *testing.T) {
	f := &fakeEngine{snap: snapshot(0, 0, map[string]int{"available": 1})}
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	s := serveLive(t, f, tr, "tok", httpapi.LiveOptions{})
	st := openStream(t, s.base, "?token=tok")

	first, _ := st.next()
	if first.retry != "3000" || first.typ != "" || first.data != "" {
		t.Fatalf("first frame %+v, want the reconnect delay", first)
	}
	v := st.nextView()
	if v.Queues[0].Waiting != 0 || v.Queues[0].Today.Offered != 0 {
		t.Fatalf("initial picture %+v", v.Queues[0])
	}

	f.setSnap(snapshot(1, 0, map[string]int{"available": 1}))
	_ = tr.Append(ev("09:59:59", acd.EvEntered, "c9", "support"))
	v = st.nextView()
	if v.Queues[0].Waiting != 1 || v.Queues[0].Today.Offered != 1 {
		t.Fatalf("after a call entered %+v", v.Queues[0])
	}

	f.setSnap(snapshot(1, 0, map[string]int{"paused": 1}))
	_ = tr.Append(acd.Event{Time: fixedNow(), Type: acd.EvAgentState, Agent: "a1", State: "paused", Reason: "lunch"})
	v = st.nextView()
	if v.Queues[0].AgentsByState["paused"] != 1 || v.Queues[0].AgentsByState["available"] != 0 {
		t.Fatalf("after a pause %+v", v.Queues[0])
	}
}

func TestStreamHeartbeatAndShutdown(t *testing.T) {
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	s := serveLive(t, &fakeEngine{snap: snapshot(0, 0, nil)}, tr, "", httpapi.LiveOptions{Heartbeat: 20 * time.Millisecond})
	st := openStream(t, s.base, "")
	st.nextView()
	e, _ := st.next()
	if e.comment != "heartbeat" {
		t.Fatalf("want a heartbeat comment, got %+v", e)
	}
	if tr.Subscribers() != 1 {
		t.Fatalf("%d subscribers", tr.Subscribers())
	}
	s.live.Shutdown()
	for {
		if _, ok := st.next(); !ok {
			break
		}
	}
	waitFor(t, "subscription released", func() bool { return tr.Subscribers() == 0 })
}

func TestStreamTellsWhenSnapshotFails(t *testing.T) {
	f := &fakeEngine{snap: snapshot(0, 0, nil)}
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	s := serveLive(t, f, tr, "", httpapi.LiveOptions{})
	st := openStream(t, s.base, "")
	st.nextView()
	f.mu.Lock()
	f.snapErr = acd.ErrShuttingDown
	f.mu.Unlock()
	_ = tr.Append(ev("09:59:59", acd.EvEntered, "c9", "support"))
	for {
		e, ok := st.next()
		if !ok {
			t.Fatal("stream ended")
		}
		if e.typ == "error" {
			if !strings.Contains(e.data, "shutting down") {
				t.Fatalf("error event %q", e.data)
			}
			break
		}
	}
}

// A stream client that reads nothing never holds up the event log.
func TestStalledStreamClientDoesNotBlockEvents(t *testing.T) {
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	s := serveLive(t, &fakeEngine{snap: snapshot(3, 1000, map[string]int{"busy": 2})}, tr, "",
		httpapi.LiveOptions{Buffer: 1, WriteTimeout: 200 * time.Millisecond})
	req, _ := http.NewRequest("GET", s.base+"/api/live/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close() // never read
	waitFor(t, "stream subscribed", func() bool { return tr.Subscribers() == 1 })
	start := time.Now()
	for i := range 20000 {
		_ = tr.Append(acd.Event{Time: fixedNow(), Type: acd.EvAgentState, Agent: "a1", State: []string{"paused", "available"}[i%2]})
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("20000 events took %v with a stalled stream client", d)
	}
	// Sooner or later the stalled client is dropped (buffer or write timeout).
	waitFor(t, "stalled client dropped", func() bool { return tr.Subscribers() == 0 })
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1))
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
