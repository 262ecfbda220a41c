// Package agents owns what an agent is to the ACD: identity, queues, skills,
// the counters routing strategies read, and the state machine that decides
// which state changes are legal. It knows nothing of SIP or storage.
package agents

import (
	"errors"
	"fmt"
)

// State is where an agent is in the call cycle; only Available agents are
// offered calls.
type State int

// The agent states. Ringing is the reservation: the store claimed the agent
// for one call and its phone is being rung.
const (
	Offline State = iota
	Available
	Ringing
	Busy
	WrapUp
	Paused
)

var stateNames = [...]string{"offline", "available", "ringing", "busy", "wrap-up", "paused"}

// String gives the lower-case name used in the API, events and metrics.
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("state(%d)", int(s))
	}
	return stateNames[s]
}

// ParseState reads a name produced by String, so stored agents round-trip.
func ParseState(name string) (State, error) {
	for i, n := range stateNames {
		if n == name {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("parse agent state %q: %w", name, ErrUnknownState)
}

// MarshalText writes the state's name so JSON shows "available", not 1.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state name written by MarshalText.
func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// States lists every state, for tables that must cover them all.
func States() []State { return []State{Offline, Available, Ringing, Busy, WrapUp, Paused} }

// ErrUnknownState is returned for a state name that does not exist.
var ErrUnknownState = errors.New("unknown agent state")

// ErrInvalidTransition is returned when an event does not apply in the
// agent's current state (e.g. answering a call that never rang). Callers map
// it to HTTP 409 or ignore a stale event.
var ErrInvalidTransition = errors.New("invalid agent state transition")
