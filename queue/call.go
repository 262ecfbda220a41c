// Package queue owns the values that describe a waiting call: who it is, which
// queue it waits in, its priority and when it arrived. It knows nothing of SIP,
// agents or storage, so routing and every store can share one notion of order.
package queue

import "time"

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
}

// Wait is how long the call has waited at now.
func (c Call) Wait(now time.Time) time.Duration { return now.Sub(c.Arrived) }

// Before reports whether a is served before b: higher priority first, then
// earlier arrival, then call id so the order is total and deterministic.
func Before(a, b Call) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	if !a.Arrived.Equal(b.Arrived) {
		return a.Arrived.Before(b.Arrived)
	}
	return a.ID < b.ID
}
