package report

import (
	"time"

	"github.com/sme/acd/acd"
)

// Callback outcomes. METRICS.md counts a call whose caller asked to be
// called back as a flow-out of the queue's live calls, neither answered
// nor abandoned, whatever became of the callback; so these calls are
// tallied apart (QueueCounts.Callbacks) and never in Ans, Ab, SL or ASA.
// A callback that connected is "answered via callback": its talk and
// wrap-up count in the handled calls (AHT) and for the agent.
const (
	// OutcomeCallback: the caller was called back and talked to an agent.
	OutcomeCallback Outcome = "callback"
	// OutcomeCallbackFailed: the caller could not be reached within the
	// queue's attempt limit.
	OutcomeCallbackFailed Outcome = "callback-failed"
	// OutcomeCallbackPending: the callback is still to be made when the
	// log ends (it is in the ACD's callback book).
	OutcomeCallbackPending Outcome = "callback-pending"
)

// isCallback reports whether o is one of the callback outcomes.
func isCallback(o Outcome) bool {
	return o == OutcomeCallback || o == OutcomeCallbackFailed || o == OutcomeCallbackPending
}

// answeredBy reports whether the call was answered by its agent, live or
// via a callback.
func answeredBy(o Outcome) bool { return o == OutcomeAnswered || o == OutcomeCallback }

// applyCallback folds a callback event into the record; false for other
// events.
func (c *CallRecord) applyCallback(ev acd.Event) bool {
	switch ev.Type {
	case acd.EvCallbackRequested:
		c.Callback = true
		c.CallbackWait = time.Duration(ev.WaitMS) * time.Millisecond
		if c.Outcome == "" {
			c.Outcome = OutcomeCallbackPending
		}
		return true
	case acd.EvCallbackAttempt:
		c.Callback = true
		c.stopRing(ev.Time) // the agent rang, then waited for the caller's phone
		return true
	case acd.EvCallbackFailed:
		c.Callback = true
		c.end(ev, OutcomeCallbackFailed)
		return true
	}
	return false
}

// addCallback counts a call whose caller asked for a callback: a flow-out
// at the moment of the request (its wait for sl_f and the longest wait is
// the wait until then), and how the callback ended.
func (q *QueueCounts) addCallback(c *CallRecord, t time.Duration) {
	q.Callbacks++
	switch c.Outcome {
	case OutcomeCallback:
		q.CallbacksConnected++
		if c.handled {
			q.Handled++
			q.Talk += c.Talk
			q.WrapUp += c.WrapUp
		}
	case OutcomeCallbackFailed:
		q.CallbacksFailed++
	}
	q.LongestWait = max(q.LongestWait, c.CallbackWait)
	if c.CallbackWait <= t {
		q.LeftWithinT++
	}
}

// CallbacksPending are callbacks asked for and not yet made.
func (q QueueCounts) CallbacksPending() int {
	return q.Callbacks - q.CallbacksConnected - q.CallbacksFailed
}
