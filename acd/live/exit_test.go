package live_test

import (
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/live"
)

// A call sent to voicemail is one offered call and one flow-out today;
// its later "voicemail" event counts nothing.
func TestTodayVoicemailIsAFlowOut(t *testing.T) {
	tr := live.NewTracker(nil, queues, time.UTC, func() time.Time { return at("12:00:00") })
	for _, ev := range []acd.Event{
		{Time: at("10:00:00"), Type: acd.EvEntered, CallID: "c1", Queue: "support"},
		{Time: at("10:00:00"), Type: acd.EvOverflowed, CallID: "c1", Queue: "support", Reason: acd.ReasonClosed, Target: acd.ExitVoicemail},
		{Time: at("10:00:30"), Type: acd.EvVoicemail, CallID: "c1", Queue: "support", File: "/vm/support/a.wav", DurationMS: 20000},
	} {
		if err := tr.Append(ev); err != nil {
			t.Fatal(err)
		}
	}
	s := todayOf(t, tr, "support")
	if s.Offered != 1 || s.FlowOuts != 1 || s.Abandoned != 0 || s.Answered != 0 {
		t.Errorf("today %+v, want one offered call, a flow-out", s)
	}
}
