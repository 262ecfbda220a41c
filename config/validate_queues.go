package config

import "fmt"

func (v *validator) queues() {
	if len(v.c.Queues) == 0 {
		v.fail("queues", "at least one queue is required")
	}
	names := map[string]string{}
	numbers := map[string]string{}
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
