package config

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

func (v *validator) queues() {
	if len(v.c.Queues) == 0 {
		v.fail("queues", "at least one queue is required")
	}
	names := map[string]string{}
	numbers := map[string]string{}
	v.numbers = numbers
	for i, q := range v.c.Queues {
		p := element("queues", i)
		switch {
		case q.Name == "":
			v.fail(p+".name", "is required")
		case !validName(q.Name):
			v.fail(p+".name", "%q may contain only a-z, 0-9, _ and -", q.Name)
		default:
			v.unique(names, q.Name, p+".name", "name")
		}
		switch {
		case q.Number == "":
			v.fail(p+".number", "is required")
		case !validToken(q.Number):
			v.fail(p+".number", "%q is not a valid SIP user part", q.Number)
		default:
			v.unique(numbers, q.Number, p+".number", "number")
		}
		for _, n := range slices.Sorted(maps.Keys(q.PriorityNumbers)) {
			np := p + ".priority_numbers." + n
			if !validToken(n) {
				v.fail(np, "%q is not a valid SIP user part", n)
				continue
			}
			v.unique(numbers, n, np, "number")
		}
		if !knownStrategy(q.Strategy) {
			v.fail(p+".strategy", "unknown strategy %q (want one of %v)", q.Strategy, Strategies)
		}
		if q.RingTimeout <= 0 {
			v.fail(p+".ring_timeout", "must be positive, got %s", q.RingTimeout)
		}
		v.nonNegative(p+".wrap_up", q.WrapUp)
		v.nonNegative(p+".max_wait", q.MaxWait)
		if q.MaxLength < 0 {
			v.fail(p+".max_length", "must be 0 (unlimited) or more, got %d", q.MaxLength)
		}
		if q.ServiceLevel <= 0 {
			v.fail(p+".service_level", "must be positive, got %s", q.ServiceLevel)
		}
		if q.FullResponse != 486 && q.FullResponse != 503 {
			v.fail(p+".full_response", "must be 486 or 503, got %d", q.FullResponse)
		}
		v.nonNegative(p+".retry_after", q.RetryAfter)
		if a := q.PriorityAging; a < 0 || (a > 0 && a < time.Second) {
			v.fail(p+".priority_aging", "must be 0 (off) or at least 1s, got %s", a)
		}
		v.steps(p+".steps", q.Steps)
	}
}

// steps checks a queue's routing steps: valid requirements, and a duration
// on every step but the last, which may last for ever.
func (v *validator) steps(path string, steps []Step) {
	for i, s := range steps {
		p := element(path, i)
		v.levels(p+".requirements", s.Requirements)
		switch {
		case s.Duration < 0:
			v.fail(p+".duration", "must not be negative, got %s", s.Duration)
		case s.Duration == 0 && i < len(steps)-1:
			v.fail(p+".duration", "is required on every step but the last (a step without one lasts for ever, so steps[%d] would never start)", i+1)
		}
	}
}

// levels checks a skill map: names of a-z, 0-9, _ and -, levels 1 to 5.
// Keys are visited in sorted order so errors come out the same every time.
func (v *validator) levels(path string, m map[string]int) {
	for _, skill := range slices.Sorted(maps.Keys(m)) {
		p := child(path, skill)
		if !validName(skill) {
			v.fail(p, "skill name %q may contain only a-z, 0-9, _ and -", skill)
		}
		if lvl := m[skill]; lvl < MinLevel || lvl > MaxLevel {
			v.fail(p, "level must be %d to %d, got %d", MinLevel, MaxLevel, lvl)
		}
	}
}

// unique records value as used at path, failing if an earlier path used it.
func (v *validator) unique(used map[string]string, value, path, what string) {
	if first, ok := used[value]; ok {
		v.fail(path, "duplicate %s %q (also %s%s)", what, value, first, v.at(first))
		return
	}
	used[value] = path
}

// at is " on line N" for a field written in the file, else "".
func (v *validator) at(path string) string {
	if l := v.line(path); l > 0 {
		return fmt.Sprintf(" on line %d", l)
	}
	return ""
}

// validName reports whether s is a queue name: a-z, 0-9, _ and - only.
func validName(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' && r != '-' {
			return false
		}
	}
	return s != ""
}
