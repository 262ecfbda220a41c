package acd

import "time"

// EventType names one step in a call's or an agent's life. Measurements are
// computed from these, so their meaning is fixed (see ../shared/METRICS.md).
type EventType string

// The event types written to the event log.
const (
	// EvEntered: the call entered a queue (the start of queue wait).
	EvEntered EventType = "entered"
	// EvRejected: the call was refused before queueing (queue full, closed).
	EvRejected EventType = "rejected"
	// EvOffered: agents were claimed and are being rung for the call.
	EvOffered EventType = "offered"
	// EvRingNoAnswer: an offered agent did not take the call (Reason says why).
	EvRingNoAnswer EventType = "ring-no-answer"
	// EvConnected: an agent answered; queue wait ends here.
	EvConnected EventType = "connected"
	// EvCompleted: a connected call ended (Reason "caller" or "agent" or …).
	EvCompleted EventType = "completed"
	// EvAbandoned: the caller hung up while queued or while an agent rang.
	EvAbandoned EventType = "abandoned"
	// EvTimedOut: the call left the queue because it waited too long.
	EvTimedOut EventType = "timed-out"
	// EvAgentState: an agent changed state (Reason carries the pause reason).
	EvAgentState EventType = "agent-state"
	// EvMenu: a caller left an IVR menu (Menu) for a queue (Queue), by a
	// digit (Digit) or after the menu's repeats ran out (Reason "timeout"
	// or "invalid"; "choice" for a digit). It comes before "entered" and is
	// not part of queue wait.
	EvMenu EventType = "menu-choice"
)

// Event is one line of the event log.
type Event struct {
	Time   time.Time `json:"time"`
	Type   EventType `json:"type"`
	Node   string    `json:"node,omitempty"`
	CallID string    `json:"call_id,omitempty"`
	Queue  string    `json:"queue,omitempty"`
	Agent  string    `json:"agent,omitempty"`
	// Agents lists every agent rung, on "offered".
	Agents []string `json:"agents,omitempty"`
	Caller string   `json:"caller,omitempty"`
	Reason string   `json:"reason,omitempty"`
	// State is the agent's new state, on "agent-state".
	State string `json:"state,omitempty"`
	// WaitMS is the queue wait so far in milliseconds (on connected,
	// abandoned, timed-out); TalkMS the talk time on completed.
	WaitMS int64 `json:"wait_ms,omitempty"`
	TalkMS int64 `json:"talk_ms,omitempty"`
	// Priority and Attempts describe the call at this step.
	Priority int `json:"priority,omitempty"`
	Attempts int `json:"attempts,omitempty"`
	// Target is the queue an "overflowed" call went on to, or the external
	// SIP URI it was transferred to ("" if hung up).
	Target string `json:"target,omitempty"`
	// Menu and Digit are the IVR menu left and the digit pressed, on
	// "menu-choice".
	Menu  string `json:"menu,omitempty"`
	Digit string `json:"digit,omitempty"`
	// File and DurationMS are the WAV file and length of a voicemail
	// message, on "voicemail".
	File       string `json:"file,omitempty"`
	DurationMS int64  `json:"duration_ms,omitempty"`
	// Record is the whole call, on "call-record" (see callrecord.go).
	Record *CallRecord `json:"record,omitempty"`
	// Position (1 = next) and EstimatedMS (the estimated remaining wait,
	// absent when none was announced) are what a caller was told, on
	// "announced" (engine_position.go).
	Position    int   `json:"position,omitempty"`
	EstimatedMS int64 `json:"estimated_ms,omitempty"`
}

// EventLog receives every event before the step it records is acknowledged,
// so a crash never loses a completed call.
type EventLog interface {
	Append(Event) error
}

// EvDropped: the ACD itself ended a call that was not connected (shutdown,
// store failure); neither answered nor abandoned.
const EvDropped EventType = "dropped"

// Syncer is an EventLog that can defer making events durable to one call
// per batch (group commit): the engine calls SyncEvents after each batch of
// work and before acknowledging any step of it. Wrappers forward it.
type Syncer interface {
	SyncEvents() error
}

// SyncEvents makes every event appended to l so far durable, if l (or a
// log it wraps) groups its syncs; otherwise it does nothing.
func SyncEvents(l EventLog) error {
	if s, ok := l.(Syncer); ok {
		return s.SyncEvents()
	}
	return nil
}
