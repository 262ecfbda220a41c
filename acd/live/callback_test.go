package live_test

import (
	"math"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/live"
	"github.com/sme/acd/acd/report"
)

// Callbacks: the live tally agrees with the report (a flow-out of their
// own, never answered), whether the tracker saw the request or not.
func TestCallbacksAgreeWithReport(t *testing.T) {
	evs := []acd.Event{
		{Time: at("09:00:00"), Type: acd.EvEntered, CallID: "c1", Queue: "support"},
		{Time: at("09:00:30"), Type: acd.EvCallbackRequested, CallID: "c1", Queue: "support", Target: "0612", WaitMS: ms(30 * time.Second)},
		{Time: at("09:01:00"), Type: acd.EvEntered, CallID: "c2", Queue: "support"},
		{Time: at("09:01:05"), Type: acd.EvCallbackRequested, CallID: "c2", Queue: "support", Target: "0613", WaitMS: ms(5 * time.Second)},
		{Time: at("09:02:00"), Type: acd.EvEntered, CallID: "c3", Queue: "support"},
		{Time: at("09:02:10"), Type: acd.EvConnected, CallID: "c3", Queue: "support", Agent: "a1", WaitMS: ms(10 * time.Second)},
		{Time: at("09:05:00"), Type: acd.EvOffered, CallID: "c1", Queue: "support", Agents: []string{"a2"}},
		{Time: at("09:05:01"), Type: acd.EvCallbackAttempt, CallID: "c1", Queue: "support", Agent: "a2", Reason: acd.CallbackAnswered, Attempts: 1},
		{Time: at("09:05:01"), Type: acd.EvConnected, CallID: "c1", Queue: "support", Agent: "a2", Reason: acd.ReasonCallback, WaitMS: ms(301 * time.Second)},
		{Time: at("09:06:01"), Type: acd.EvCompleted, CallID: "c1", Queue: "support", Agent: "a2", WaitMS: ms(301 * time.Second), TalkMS: ms(time.Minute)},
		{Time: at("09:09:00"), Type: acd.EvCallbackFailed, CallID: "c2", Queue: "support", Reason: "busy"},
	}
	for _, from := range []int{0, 2} { // from 2: the tracker started after c1's request
		tr := live.NewTracker(nil, queues, time.UTC, func() time.Time { return at("12:00:00") }, live.WithFormula(report.SLF))
		for _, ev := range evs[from:] {
			_ = tr.Append(ev)
		}
		rep := report.Compute(report.Build(evs[from:], report.BuildOptions{}), report.Options{
			QueueThreshold: map[string]time.Duration{"support": 20 * time.Second}, SL: report.SLF})
		for _, qp := range rep.Queues {
			if !qp.Start.IsZero() {
				continue
			}
			got, c := todayOf(t, tr, qp.Queue), qp.Counts
			if got.Offered != c.Offered || got.Answered != c.Answered || got.Abandoned != c.Abandoned || got.Open != c.Open {
				t.Errorf("from %d: live %+v, report %+v", from, got, c)
			}
			if sl := c.SL(report.SLF); float64(got.ServiceLevel) != sl && !math.IsNaN(sl) {
				t.Errorf("from %d: live sl_f %v, report %v", from, got.ServiceLevel, sl)
			}
		}
	}
}
