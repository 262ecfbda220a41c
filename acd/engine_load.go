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

// Overloaded reports whether new calls should be refused: it turns true
// when more than half of the engine's backlog is used, and false again only
// once less than a quarter is (hysteresis, so a node at its limit refuses
// in episodes rather than flapping call by call). The rest of the backlog
// stays for what calls already admitted need (answers, hang-ups, agent
// state), which is never refused. Safe from any goroutine and cheap enough
// to ask on every INVITE.
func (e *Engine) Overloaded() bool {
	waiting, capacity := e.Backlog()
	switch {
	case waiting > capacity/2:
		e.overloaded.Store(true)
	case waiting < capacity/4:
		e.overloaded.Store(false)
	}
	return e.overloaded.Load()
}
