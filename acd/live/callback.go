package live

import (
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/report"
)

// countCallback folds the callback events into today's tallies like the
// report does (acd/report/callback.go): the request decides the call as a
// callback (a flow-out of its own, counted in Callbacks); its connected
// event is not an answer, but its completed event still adds the handled
// call's talk time; callback-failed settles it. It reports whether ev was
// a callback event, which count must then leave alone.
func (t *Tracker) countCallback(ev acd.Event, c *openCall, entered time.Time, today, live bool) bool {
	switch {
	case ev.Type == acd.EvCallbackRequested:
		wait := time.Duration(ev.WaitMS) * time.Millisecond
		if live {
			t.metrics.calls.WithLabelValues(ev.Queue, string(report.OutcomeCallbackPending)).Inc()
			t.metrics.wait.WithLabelValues(ev.Queue, string(report.OutcomeCallbackPending)).Observe(wait.Seconds())
		}
		if today {
			q := t.counts(ev.Queue)
			if c != nil && c.tallied {
				q.Offered--
				q.Open--
			}
			q.AddCall(&report.CallRecord{Queue: ev.Queue, Outcome: report.OutcomeCallbackPending, CallbackWait: wait},
				t.threshold[ev.Queue], t.short)
		}
		// Decided: answered marks it so its completed event is not an answer.
		t.calls[ev.CallID] = &openCall{queue: ev.Queue, entered: entered, answered: true}
		return true
	case ev.Type == acd.EvConnected && ev.Reason == acd.ReasonCallback:
		if c == nil { // the request was before the tracker started
			t.calls[ev.CallID] = &openCall{queue: ev.Queue, entered: entered, answered: true}
		}
		t.settleCallback(ev.Queue, report.OutcomeCallback, c == nil, today)
		return true
	case ev.Type == acd.EvCallbackFailed:
		delete(t.calls, ev.CallID)
		t.settleCallback(ev.Queue, report.OutcomeCallbackFailed, c == nil, today)
		return true
	case ev.Type == acd.EvCallbackAttempt:
		return true
	}
	return false
}

// settleCallback counts how a callback ended; unseen: the tracker did not
// see the request (it started later), so the call is counted whole now,
// as the report counts a call whose first events it lacks.
func (t *Tracker) settleCallback(queue string, o report.Outcome, unseen, today bool) {
	if !today {
		return
	}
	q := t.counts(queue)
	switch {
	case unseen:
		q.AddCall(&report.CallRecord{Queue: queue, Outcome: o}, t.threshold[queue], t.short)
	case o == report.OutcomeCallback:
		q.CallbacksConnected++
	default:
		q.CallbacksFailed++
	}
}
