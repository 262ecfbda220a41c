package agents

import (
	"fmt"
	"time"
)

// Agent is one person who takes calls, with the counters the routing
// strategies compare. It is a plain value: stores keep it, Apply changes it.
type Agent struct {
	ID       string   `json:"id"`
	Username string   `json:"username"`
	Name     string   `json:"name,omitempty"`
	Queues   []string `json:"queues"`
	// Skills maps a skill name to a proficiency from 1 to 5.
	Skills map[string]int `json:"skills,omitempty"`

	State       State     `json:"state"`
	PauseReason string    `json:"pause_reason,omitempty"`
	StateSince  time.Time `json:"state_since"`
	// Pending is a Logout or Pause asked for while the agent was on a call;
	// it takes effect when the call and its wrap-up end.
	Pending *Event `json:"pending,omitempty"`

	// IdleSince is when the agent last became free after a call, or logged
	// in: longest-idle compares it.
	IdleSince time.Time `json:"idle_since"`
	// LastOffered is when the agent was last offered a call: round-robin
	// compares it, so the rotation is data in the store, not hidden state.
	LastOffered time.Time `json:"last_offered"`
	// CallsTaken counts answered calls: fewest-calls compares it.
	CallsTaken int `json:"calls_taken"`
	// TalkTime sums the time on answered calls: least-talk-time compares it.
	TalkTime time.Duration `json:"talk_time"`
	// Misses counts consecutive offers not answered; auto-pause reads it.
	Misses int `json:"misses"`
}

// InQueue reports whether the agent serves the named queue.
func (a Agent) InQueue(queue string) bool {
	for _, q := range a.Queues {
		if q == queue {
			return true
		}
	}
	return false
}

// Apply returns the agent after ev at now, or ErrInvalidTransition if ev
// does not apply in the current state. The receiver is not changed, so a
// store can compare-and-set the result.
func (a Agent) Apply(ev Event, now time.Time) (Agent, error) {
	next, ok := a.apply(ev, now)
	if !ok {
		return a, fmt.Errorf("agent %s: %s while %s: %w", a.ID, ev.Kind, a.State, ErrInvalidTransition)
	}
	return next, nil
}

func (a Agent) apply(ev Event, now time.Time) (Agent, bool) {
	switch a.State {
	case Offline:
		switch ev.Kind {
		case Login:
			a.Misses = 0
			return a.enter(Available, now), true
		}
	case Available:
		switch ev.Kind {
		case Login:
			return a, true
		case Logout:
			return a.enter(Offline, now), true
		case Pause:
			return a.pause(ev.Reason, now), true
		case Offer:
			a.LastOffered = now
			return a.enter(Ringing, now), true
		}
	case Ringing:
		switch ev.Kind {
		case Logout, Pause:
			return a.defer_(ev), true
		case Answer:
			a.Misses = 0
			a.CallsTaken++
			return a.enter(Busy, now), true
		case Miss:
			a.Misses++
			return a.settle(now), true
		case Cancel:
			return a.settle(now), true
		}
	case Busy:
		switch ev.Kind {
		case Logout, Pause:
			return a.defer_(ev), true
		case Hangup:
			a.TalkTime += now.Sub(a.StateSince)
			return a.enter(WrapUp, now), true
		}
	case WrapUp:
		switch ev.Kind {
		case Logout:
			a.Pending = nil
			return a.enter(Offline, now), true
		case Pause:
			a.Pending = nil
			return a.pause(ev.Reason, now), true
		case WrapUpDone:
			a.IdleSince = now
			return a.settle(now), true
		}
	case Paused:
		switch ev.Kind {
		case Logout:
			return a.enter(Offline, now), true
		case Pause:
			return a.pause(ev.Reason, now), true
		case Unpause:
			a.Misses = 0
			return a.enter(Available, now), true
		}
	}
	return a, false
}

// settle leaves a call-related state for whatever was asked meanwhile:
// a pending logout or pause, else Available.
func (a Agent) settle(now time.Time) Agent {
	p := a.Pending
	a.Pending = nil
	switch {
	case p != nil && p.Kind == Logout:
		return a.enter(Offline, now)
	case p != nil && p.Kind == Pause:
		return a.pause(p.Reason, now)
	}
	return a.enter(Available, now)
}

func (a Agent) defer_(ev Event) Agent {
	e := ev
	a.Pending = &e
	return a
}

func (a Agent) pause(reason string, now time.Time) Agent {
	a = a.enter(Paused, now)
	a.PauseReason = reason
	return a
}

func (a Agent) enter(s State, now time.Time) Agent {
	if s == Available && a.State != Ringing {
		a.IdleSince = now
	}
	if s != Paused {
		a.PauseReason = ""
	}
	a.State = s
	a.StateSince = now
	return a
}
