package queue

import (
	"math"
	"time"
)

// Requirements maps a skill to the lowest proficiency an agent needs in it
// (agents rate 1 to 5). Every entry must be met: they combine with AND. A
// nil or empty value requires nothing.
type Requirements map[string]int

// MetBy reports whether an agent with these skills meets every requirement.
// A missing skill counts as level 0, so a requirement of 0 or less is met by
// everyone.
func (r Requirements) MetBy(skills map[string]int) bool {
	for skill, min := range r {
		if min > 0 && skills[skill] < min {
			return false
		}
	}
	return true
}

// Step is one routing step of a queue: for Duration, counted from the end
// of the step before it, a call needs an agent meeting Requirements. This
// is time-based expansion: the first steps ask for the best people, later
// ones widen the circle (Asterisk's penalty rules, FreeSWITCH tiers,
// Amazon Connect routing steps).
type Step struct {
	Requirements Requirements `json:"requirements,omitempty"`
	// Duration is how long the step lasts; 0 means it never ends, which
	// only makes sense on the last step.
	Duration time.Duration `json:"duration,omitempty"`
}

// StepAt returns the index of the step that applies to a call that has
// waited wait: step i applies while wait is less than the durations of
// steps 0 to i added up. It returns len(steps) once every step is over (or
// when there are none); the call then needs only an agent of its queue.
// A negative wait counts as 0. The step is a function of the wait alone, so
// routing needs no stored step state and a requeued call, which keeps its
// arrival time, stays at its step.
func StepAt(steps []Step, wait time.Duration) int {
	var end time.Duration
	for i, s := range steps {
		if s.Duration <= 0 {
			return i
		}
		end += s.Duration
		if wait < end {
			return i
		}
	}
	return len(steps)
}

// StepStart is the wait at which step i begins: the durations of the steps
// before it added up. Steps at or after one that never ends never start;
// StepStart then returns math.MaxInt64.
func StepStart(steps []Step, i int) time.Duration {
	var start time.Duration
	for _, s := range steps[:min(i, len(steps))] {
		if s.Duration <= 0 {
			return math.MaxInt64
		}
		start += s.Duration
	}
	return start
}

// StepEnd is the wait at which step i ends and the next begins, and false
// if it never ends (a step with no duration, or the time after the last
// step).
func StepEnd(steps []Step, i int) (time.Duration, bool) {
	if i < 0 || i >= len(steps) || steps[i].Duration <= 0 {
		return 0, false
	}
	start := StepStart(steps, i)
	if start == math.MaxInt64 {
		return 0, false
	}
	return start + steps[i].Duration, true
}

// RequirementsAt is what step i asks of an agent; nothing once the steps
// are over.
func RequirementsAt(steps []Step, i int) Requirements {
	if i < 0 || i >= len(steps) {
		return nil
	}
	return steps[i].Requirements
}

// PriorityAt is the call's effective priority at now when its queue ages
// priorities: one more for every full aging period waited, so nobody waits
// for ever behind a stream of higher-priority callers. aging <= 0 turns
// ageing off and returns Priority unchanged. The result saturates instead
// of overflowing.
func (c Call) PriorityAt(now time.Time, aging time.Duration) int {
	if aging <= 0 {
		return c.Priority
	}
	w := c.Wait(now)
	if w <= 0 {
		return c.Priority
	}
	bonus := int(w / aging)
	if c.Priority > math.MaxInt-bonus {
		return math.MaxInt
	}
	return c.Priority + bonus
}
