package acd

import "errors"

// ErrOverloaded means the engine is too far behind to take a new call now:
// the SIP side refuses it with 503 and a short Retry-After (RFC 3261
// §21.5.4), so a burst beyond what the node can record and route is turned
// away at the door instead of slowing every call already in the queue
// until timers fire and transactions retransmit.
var ErrOverloaded = errors.New("acd: overloaded")

// Backlog is how many operations wait for the engine goroutine, and how
// many it can hold before submitters block.
func (e *Engine) Backlog() (waiting, capacity int) { return len(e.ops), cap(e.ops) }

// Overloaded reports whether new calls should be refused: more than half
// of the engine's backlog is used. The other half stays for what calls
// already admitted need (answers, hang-ups, agent state), which must never
// be refused. Safe from any goroutine; it reads a channel length, so it is
// cheap enough to ask on every INVITE.
func (e *Engine) Overloaded() bool {
	waiting, capacity := e.Backlog()
	return waiting > capacity/2
}
