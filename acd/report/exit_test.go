package report

import (
	"testing"
	"time"

	"github.com/sme/acd/acd"
)

// Calls sent to voicemail or a message are flow-outs of their queue; the
// "voicemail" event after a call's end is not a queue step: no warning,
// no second call, and Offered = Ans + Ab + flow-outs still holds.
func TestReportVoicemailAndMessageAreFlowOuts(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ds := Build([]acd.Event{
		{Time: t0, Type: acd.EvEntered, CallID: "c1", Queue: "support"},
		{Time: t0, Type: acd.EvOverflowed, CallID: "c1", Queue: "support", Reason: acd.ReasonClosed, Target: acd.ExitVoicemail},
		{Time: t0.Add(20 * time.Second), Type: acd.EvVoicemail, CallID: "c1", Queue: "support", File: "vm/support/a.wav", DurationMS: 12000},
		{Time: t0.Add(time.Second), Type: acd.EvEntered, CallID: "c2", Queue: "support"},
		{Time: t0.Add(31 * time.Second), Type: acd.EvOverflowed, CallID: "c2", Queue: "support", Reason: acd.WhenWaited, Target: acd.ExitMessage, WaitMS: 30000},
		{Time: t0.Add(2 * time.Second), Type: acd.EvEntered, CallID: "c3", Queue: "support"},
		{Time: t0.Add(4 * time.Second), Type: acd.EvAbandoned, CallID: "c3", Queue: "support", WaitMS: 2000},
		// A message lost to a full disk, and one recovered at start-up
		// from a crash's ".part" (its call id from the file name, never
		// entered in this log): on record, not calls.
		{Time: t0.Add(5 * time.Second), Type: acd.EvVoicemail, CallID: "c1", Queue: "support", Reason: "voicemail not recorded: no space left on device"},
		{Time: t0.Add(6 * time.Second), Type: acd.EvVoicemail, CallID: "1-99_pc33", Queue: "support", File: "vm/support/b.wav", DurationMS: 800, Reason: "recovered after a crash"},
	}, BuildOptions{})
	if len(ds.Warnings) != 0 {
		t.Fatalf("warnings: %v", ds.Warnings)
	}
	if len(ds.Calls) != 3 {
		t.Fatalf("calls = %+v", ds.Calls)
	}
	for i, want := range []Outcome{OutcomeOverflowed, OutcomeOverflowed, OutcomeAbandoned} {
		if ds.Calls[i].Outcome != want {
			t.Errorf("call %d outcome %s, want %s", i, ds.Calls[i].Outcome, want)
		}
	}
	totals := 0
	for _, q := range Compute(ds, Options{}).Queues {
		if !q.Start.IsZero() {
			continue
		}
		totals++
		c := q.Counts
		if c.Offered != 3 || c.FlowOuts != 2 || c.Abandoned != 1 || c.Answered != 0 ||
			c.Offered != c.Answered+c.Abandoned+c.FlowOuts {
			t.Errorf("%s = %+v", q.Queue, c)
		}
	}
	if totals != 1 {
		t.Fatalf("%d total rows for support, want 1: the counts were not checked", totals)
	}
}
