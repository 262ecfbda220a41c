// Package queue owns the values that describe a waiting call: who it is, which
// queue it waits in, its priority and when it arrived, the skills it needs
// and the routing steps that relax them as it waits. It knows nothing of SIP,
// agents or storage, so routing and every store can share one notion of order.
package queue

import (
	"slices"
	"time"
)

// CallID identifies one caller leg for its whole life in the ACD; the SIP layer
// uses its dialog's Call-ID so logs and events line up with packet captures.
type CallID string

// Call is one caller waiting for (or being offered to) an agent.
type Call struct {
	ID CallID `json:"id"`
	// Queue is the name of the queue the caller dialled into.
	Queue string `json:"queue"`
	// Caller is the caller's number or URI user, as received.
	Caller string `json:"caller"`
	// Priority orders calls before arrival: a higher value is served first.
	Priority int `json:"priority"`
	// Arrived is when the call entered the queue. A call that rang an agent
	// without answer keeps it, which puts it back at the head of its queue.
	Arrived time.Time `json:"arrived"`
	// Attempts counts the offers made for this call so far.
	Attempts int `json:"attempts"`
	// Missed lists agents who were offered this call and did not answer;
	// routing tries other agents first.
	Missed []string `json:"missed,omitempty"`
	// Requirements are skills this call needs on top of its queue's
	// routing steps (e.g. set from the customer file); both must be met.
	// Treat the map as read-only once the call is queued: stores and
	// routing share it.
	Requirements Requirements `json:"requirements,omitempty"`
	// Preferred is an agent the call should go to, if it can, during its
	// first PreferFor of waiting (the customer file's preferred agent or
	// the one who served the caller last); see Preferring. "" for none.
	Preferred string `json:"preferred,omitempty"`
	// PreferFor is how long, counted from arrival, only Preferred may take
	// the call.
	PreferFor time.Duration `json:"prefer_for,omitempty"`
}

// Preferring reports whether, having waited wait, the call may still go
// only to its preferred agent: there is one, the window is not over, and
// that agent has not already let this call ring out (a preferred agent
// who missed the call gives up the preference, so the caller is not held
// for someone who does not answer).
func (c *Call) Preferring(wait time.Duration) bool {
	return c.Preferred != "" && wait < c.PreferFor && !slices.Contains(c.Missed, c.Preferred)
}

// NextChange is the wait at which what the call needs next changes, after
// wait: the end of its current routing step in steps or of its prefer
// window, whichever comes first; false when neither will ever change. An
// engine arms a timer for it so a call is routed the moment it can go to
// more agents.
func (c *Call) NextChange(steps []Step, wait time.Duration) (time.Duration, bool) {
	end, ok := StepEnd(steps, StepAt(steps, wait))
	if c.Preferring(wait) && (!ok || c.PreferFor < end) {
		return c.PreferFor, true
	}
	return end, ok
}

// Wait is how long the call has waited at now.
func (c Call) Wait(now time.Time) time.Duration { return now.Sub(c.Arrived) }

// Before reports whether a waits ahead of b: higher priority first, then
// earlier arrival, then call id so the order is total and deterministic.
// Stores keep their waiting calls in this order. Routing serves in it too
// unless queues age priorities or weigh against each other, which only
// Route, knowing the time and the queues, can apply.
func Before(a, b Call) bool { return Ahead(&a, &b) }

// Ahead is Before for pointers, which spares copying calls in loops over
// thousands of them.
func Ahead(a, b *Call) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	if c := a.Arrived.Compare(b.Arrived); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}
