package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
)

// Callbacks are a flow-out of their own (METRICS.md): never answered nor
// abandoned, counted apart as connected, failed or pending, so
// Offered = Ans + Ab + flow-outs + callbacks + dropped + open holds.
func TestReportCallbacks(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	ds := Build([]acd.Event{
		// c1: called back after 101 s, talks 60 s.
		{Time: at(0), Type: acd.EvEntered, CallID: "c1", Queue: "support", Caller: "0612345678"},
		{Time: at(30), Type: acd.EvCallbackRequested, CallID: "c1", Queue: "support", Target: "0612345678", WaitMS: 30000},
		{Time: at(100), Type: acd.EvOffered, CallID: "c1", Queue: "support", Agents: []string{"a1"}, Attempts: 1, WaitMS: 100000},
		{Time: at(101), Type: acd.EvCallbackAttempt, CallID: "c1", Queue: "support", Agent: "a1", Reason: acd.CallbackAnswered, Attempts: 1},
		{Time: at(101), Type: acd.EvConnected, CallID: "c1", Queue: "support", Agent: "a1", Reason: acd.ReasonCallback, WaitMS: 101000},
		{Time: at(161), Type: acd.EvCompleted, CallID: "c1", Queue: "support", Agent: "a1", WaitMS: 101000, TalkMS: 60000},
		// c2: asked after 5 s, never reached.
		{Time: at(1), Type: acd.EvEntered, CallID: "c2", Queue: "support"},
		{Time: at(6), Type: acd.EvCallbackRequested, CallID: "c2", Queue: "support", Target: "123", WaitMS: 5000},
		{Time: at(170), Type: acd.EvOffered, CallID: "c2", Queue: "support", Agents: []string{"a1"}, Attempts: 1},
		{Time: at(171), Type: acd.EvCallbackAttempt, CallID: "c2", Queue: "support", Agent: "a1", Reason: acd.ReasonNoAnswer, Attempts: 1},
		{Time: at(300), Type: acd.EvCallbackFailed, CallID: "c2", Queue: "support", Reason: "busy", WaitMS: 299000},
		// c3: still pending when the log ends.
		{Time: at(2), Type: acd.EvEntered, CallID: "c3", Queue: "support"},
		{Time: at(17), Type: acd.EvCallbackRequested, CallID: "c3", Queue: "support", Target: "456", WaitMS: 15000},
		// c4: answered live after 10 s.
		{Time: at(3), Type: acd.EvEntered, CallID: "c4", Queue: "support"},
		{Time: at(13), Type: acd.EvConnected, CallID: "c4", Queue: "support", Agent: "a1", WaitMS: 10000},
		{Time: at(43), Type: acd.EvCompleted, CallID: "c4", Queue: "support", Agent: "a1", WaitMS: 10000, TalkMS: 30000},
	}, BuildOptions{})
	if len(ds.Warnings) != 0 {
		t.Fatalf("warnings: %v", ds.Warnings)
	}
	want := map[string]Outcome{"c1": OutcomeCallback, "c2": OutcomeCallbackFailed, "c3": OutcomeCallbackPending, "c4": OutcomeAnswered}
	for _, c := range ds.Calls {
		if c.Outcome != want[c.CallID] {
			t.Errorf("%s outcome %s, want %s", c.CallID, c.Outcome, want[c.CallID])
		}
	}
	if c := ds.Calls[0]; c.Wait != 101*time.Second || c.Talk != 60*time.Second || c.CallbackWait != 30*time.Second || c.Ring != time.Second {
		t.Errorf("c1 = wait %s talk %s callback wait %s ring %s", c.Wait, c.Talk, c.CallbackWait, c.Ring)
	}
	r := Compute(ds, Options{Threshold: 20 * time.Second})
	for _, q := range r.Queues {
		c := q.Counts
		if c.Offered != c.Answered+c.Abandoned+c.FlowOuts+c.Callbacks+c.Dropped+c.Open {
			t.Errorf("%s %v: Offered %d is not the sum of outcomes %+v", q.Queue, q.Start, c.Offered, c)
		}
		if !q.Start.IsZero() {
			continue
		}
		if c.Offered != 4 || c.Answered != 1 || c.Callbacks != 3 || c.CallbacksConnected != 1 || c.CallbacksFailed != 1 ||
			c.CallbacksPending() != 1 || c.Abandoned != 0 || c.Open != 0 || c.FlowOuts != 0 {
			t.Errorf("totals %+v", c)
		}
		// Left within 20 s: c4 (answered at 10 s), c2 (asked at 5 s), c3 (15 s).
		if c.LeftWithinT != 3 || c.AnsweredWithinT != 1 || c.Handled != 2 || c.Talk != 90*time.Second || c.LongestWait != 30*time.Second {
			t.Errorf("totals %+v", c)
		}
	}
	for _, a := range r.Agents {
		if a.Start.IsZero() && (a.Counts.Answered != 2 || a.Counts.Handled != 2 || a.Counts.Offered != 2 || a.Counts.Missed != 0) {
			t.Errorf("agent %s = %+v, want 2 answered (one via callback)", a.Agent, a.Counts)
		}
	}
	var csv bytes.Buffer
	if err := r.WriteCSV(&csv, Sections{Queues: true}); err != nil {
		t.Fatal(err)
	}
	if head := strings.SplitN(csv.String(), "\n", 2)[0]; !strings.Contains(head, "callbacks,callbacks_connected,callbacks_failed,callbacks_pending") {
		t.Errorf("csv header %s", head)
	}
	var table bytes.Buffer
	if err := r.WriteTable(&table, Sections{Queues: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "cb failed") || !strings.Contains(table.String(), "answered via callback") {
		t.Errorf("table lacks the callback columns or note:\n%s", table.String())
	}
}
