// Package ivr is the caller menu: a pure state machine that turns DTMF
// digits and timeouts into a destination. It does no I/O; the SIP side plays
// prompts, collects digits and feeds them here.
package ivr

import (
	"fmt"
	"time"
)

// Target is where a digit leads: a queue or another menu (exactly one set).
type Target struct {
	Queue string
	Menu  string
}

// Menu is one prompt and its digit map.
type Menu struct {
	Name   string
	Number string // the dialled number that reaches it; "" for sub-menus only
	// Prompt is a WAV path, "" for a tone.
	Prompt string
	// Timeout is how long to wait for a digit after the prompt starts.
	Timeout time.Duration
	// Repeats is how many times the prompt is repeated after a timeout or an
	// invalid digit before the caller goes to Default.
	Repeats int
	Options map[string]Target
	// Default is the queue a caller goes to after Repeats+1 failed tries.
	Default Target
}

// Kind is what the caller leg does after a step.
type Kind int

const (
	// Replay: play the current menu's prompt again and wait for a digit.
	Replay Kind = iota
	// Enter: the menu is over; enqueue the caller in Result.Queue.
	Enter
)

// Reasons why a menu ended.
const (
	ReasonChoice  = "choice"
	ReasonTimeout = "timeout"
	ReasonInvalid = "invalid"
)

// Result is one step's outcome.
type Result struct {
	Kind  Kind
	Queue string // on Enter
	Menu  string // the menu the step happened in
	Digit string // the digit pressed, "" on timeout
	// Reason is ReasonChoice, ReasonTimeout or ReasonInvalid on Enter.
	Reason string
}

// Session is one caller's way through the menus. Not safe for concurrent use.
type Session struct {
	menus map[string]Menu
	cur   Menu
	fails int
}

// NewSession starts a caller in the named menu.
func NewSession(menus map[string]Menu, start string) (*Session, error) {
	m, ok := menus[start]
	if !ok {
		return nil, fmt.Errorf("ivr: unknown menu %q", start)
	}
	return &Session{menus: menus, cur: m}, nil
}

// Current is the menu the caller is in.
func (s *Session) Current() Menu { return s.cur }

// Digit handles one DTMF digit.
func (s *Session) Digit(d string) Result {
	t, ok := s.cur.Options[d]
	switch {
	case ok && t.Queue != "":
		return Result{Kind: Enter, Queue: t.Queue, Menu: s.cur.Name, Digit: d, Reason: ReasonChoice}
	case ok && t.Menu != "":
		if next, ok := s.menus[t.Menu]; ok {
			from := s.cur.Name
			s.cur, s.fails = next, 0
			return Result{Kind: Replay, Menu: from, Digit: d}
		}
	}
	return s.fail(d, ReasonInvalid)
}

// Timeout handles the caller pressing nothing within the menu's timeout.
func (s *Session) Timeout() Result { return s.fail("", ReasonTimeout) }

func (s *Session) fail(d, reason string) Result {
	s.fails++
	if s.fails > s.cur.Repeats {
		return Result{Kind: Enter, Queue: s.cur.Default.Queue, Menu: s.cur.Name, Digit: d, Reason: reason}
	}
	return Result{Kind: Replay, Menu: s.cur.Name, Digit: d}
}
