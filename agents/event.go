package agents

import "fmt"

// EventKind is what happened to an agent; Apply turns it into a new state.
type EventKind int

// The events of the agent state machine.
const (
	// Login makes an Offline agent Available.
	Login EventKind = iota
	// Logout takes an agent Offline (deferred to the end of a call in progress).
	Logout
	// Pause stops offers with a reason (deferred while ringing or busy).
	Pause
	// Unpause makes a Paused agent Available again.
	Unpause
	// Offer reserves an Available agent for one call: it rings.
	Offer
	// Answer: the ringing agent picked up.
	Answer
	// Miss: the ringing agent did not answer, was busy or declined.
	Miss
	// Cancel: the offer was withdrawn (caller hung up, another agent answered
	// a ring-all call); unlike Miss it does not count against the agent.
	Cancel
	// Hangup: the call with the agent ended; wrap-up starts.
	Hangup
	// WrapUpDone: the wrap-up time is over.
	WrapUpDone
)

var eventNames = [...]string{"login", "logout", "pause", "unpause", "offer", "answer", "miss", "cancel", "hangup", "wrap-up-done"}

// String names the event for logs and errors.
func (k EventKind) String() string {
	if k < 0 || int(k) >= len(eventNames) {
		return fmt.Sprintf("event(%d)", int(k))
	}
	return eventNames[k]
}

// EventKinds lists every event kind, for tables that must cover them all.
func EventKinds() []EventKind {
	return []EventKind{Login, Logout, Pause, Unpause, Offer, Answer, Miss, Cancel, Hangup, WrapUpDone}
}

// Event is one input to the state machine; Reason goes with Pause.
type Event struct {
	Kind   EventKind
	Reason string
}
