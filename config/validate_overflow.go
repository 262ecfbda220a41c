package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// overflow checks every queue's business hours and overflow rules, then
// that no chain of closed destinations and overflow targets leads a call
// back to a queue it came from.
func (v *validator) overflow() {
	names := map[string]bool{}
	for _, q := range v.c.Queues {
		names[q.Name] = true
	}
	edges := map[string][]string{}
	for i, q := range v.c.Queues {
		p := element("queues", i)
		if h := q.Hours; h != nil {
			hp := p + ".hours"
			if _, err := time.LoadLocation(h.TimeZone); err != nil || h.TimeZone == "" || h.TimeZone == "Local" {
				v.fail(hp+".time_zone", "unknown time zone %q (want an IANA name such as Europe/Paris)", h.TimeZone)
			}
			for _, day := range weekDays {
				for j, r := range h.Weekly[day] {
					if err := checkRange(r); err != nil {
						v.fail(element(hp+".weekly."+day, j), "%v", err)
					}
				}
			}
			for j, d := range h.Holidays {
				if _, err := time.Parse(time.DateOnly, d); err != nil {
					v.fail(element(hp+".holidays", j), "%q is not a date YYYY-MM-DD", d)
				}
			}
			if v.destination(hp+".closed", q.Name, h.Closed, names) {
				edges[q.Name] = append(edges[q.Name], h.Closed.Queue)
			}
		}
		for j, r := range q.Overflow {
			rp := element(p+".overflow", j)
			switch r.When {
			case WhenNoAgents:
				if r.Over != "" {
					v.fail(rp+".over", "is not used with when: %s", r.When)
				}
			case WhenQueueLength:
				if n, err := r.Length(); err != nil || n < 0 {
					v.fail(rp+".over", "must be a queue length of 0 or more, got %q", r.Over)
				}
			case WhenEstimatedWait, WhenWaited:
				if d, err := r.Wait(); err != nil || d <= 0 {
					v.fail(rp+".over", "must be a positive duration such as 2m, got %q", r.Over)
				}
			default:
				v.fail(rp+".when", "unknown condition %q (want %s, %s, %s or %s)", r.When, WhenNoAgents, WhenQueueLength, WhenEstimatedWait, WhenWaited)
			}
			if v.destination(rp, q.Name, r.Destination, names) {
				edges[q.Name] = append(edges[q.Name], r.Queue)
			}
		}
	}
	v.overflowCycles(edges)
}

// destination checks a destination at path of queue from; it reports
// whether it leads to a valid other queue.
func (v *validator) destination(path, from string, d Destination, names map[string]bool) bool {
	if d.URI != "" && d.Action != ActionURI {
		v.fail(path+".uri", "is only used with action: %s", ActionURI)
	}
	if d.Action != ActionVoicemail && d.Action != ActionMessage {
		if d.Prompt != "" {
			v.fail(path+".prompt", "is only used with action: %s or %s", ActionVoicemail, ActionMessage)
		}
		if d.MaxLength != 0 {
			v.fail(path+".max_length", "is only used with action: %s", ActionVoicemail)
		}
	}
	switch d.Action {
	case ActionVoicemail, ActionMessage:
		v.exitDestination(path, d)
	case ActionURI:
		if d.Queue != "" {
			v.fail(path+".queue", "is not used with action: %s", ActionURI)
		}
		if err := checkSIPURI(d.URI); err != nil {
			v.fail(path+".uri", "%v", err)
		}
	case ActionQueue:
		switch {
		case d.Queue == "":
			v.fail(path+".queue", "is required with action: queue")
		case d.Queue == from:
			v.fail(path+".queue", "queue %q sends calls to itself", d.Queue)
		case !names[d.Queue]:
			v.fail(path+".queue", "unknown queue %q", d.Queue)
		default:
			return true
		}
	case ActionHangup:
		if d.Queue != "" {
			v.fail(path+".queue", "is not used with action: hangup")
		}
		if d.Status < 400 || d.Status > 699 {
			v.fail(path+".status", "must be a SIP failure status 400-699, got %d", d.Status)
		}
	default:
		v.fail(path+".action", "unknown action %q (want %s, %s, %s, %s or %s)", d.Action, ActionQueue, ActionURI, ActionVoicemail, ActionMessage, ActionHangup)
	}
	return false
}

// overflowCycles fails for every cycle of queue destinations, which would
// pass a call round for ever.
func (v *validator) overflowCycles(edges map[string][]string) {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(q string)
	visit = func(q string) {
		state[q] = active
		stack = append(stack, q)
		for _, next := range edges[q] {
			switch state[next] {
			case active:
				i := 0
				for stack[i] != next {
					i++
				}
				cycle := append(append([]string{}, stack[i:]...), next)
				v.fail(v.queuePath(next), "overflow and closed destinations form a cycle: %s", strings.Join(cycle, " -> "))
			case unseen:
				visit(next)
			}
		}
		stack = stack[:len(stack)-1]
		state[q] = done
	}
	for _, q := range v.c.Queues {
		if state[q.Name] == unseen {
			visit(q.Name)
		}
	}
}

func (v *validator) queuePath(name string) string {
	for i, q := range v.c.Queues {
		if q.Name == name {
			return element("queues", i) + ".name"
		}
	}
	return "queues"
}

// checkRange checks "HH:MM-HH:MM" with the end after the start (24:00 as
// an end); the same rule as acd/hours, which config may not import.
func checkRange(s string) error {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return fmt.Errorf("range %q: want HH:MM-HH:MM", s)
	}
	start, ok1 := minutes(strings.TrimSpace(a), false)
	end, ok2 := minutes(strings.TrimSpace(b), true)
	if !ok1 || !ok2 {
		return fmt.Errorf("range %q: want HH:MM-HH:MM with times 00:00-23:59 (24:00 as an end)", s)
	}
	if end <= start {
		return fmt.Errorf("range %q: the end must be after the start (ranges do not cross midnight: split them)", s)
	}
	return nil
}

func minutes(s string, end bool) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || mm < 0 || mm > 59 || hh < 0 || hh > 24 || (hh == 24 && (mm != 0 || !end)) {
		return 0, false
	}
	return hh*60 + mm, true
}

// CheckSIPURI checks an external SIP URI as the config file's action: uri
// does (checkSIPURI), for destinations set at run time through the HTTP
// API, so both accept the same URIs.
func CheckSIPURI(s string) error { return checkSIPURI(s) }

// checkSIPURI checks the URI of action: uri (RFC 3261 §19.1.1):
// sip or sips, an optional user part, a host and an optional port. config
// imports no SIP library, so this is a small parser of its own; the SIP
// side parses the URI again when it sends the INVITE.
func checkSIPURI(s string) error {
	if s == "" {
		return fmt.Errorf("is required with action: %s", ActionURI)
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if scheme = strings.ToLower(scheme); !ok || (scheme != "sip" && scheme != "sips") {
		return fmt.Errorf("%q: want a sip: or sips: URI such as sip:partner@203.0.113.7:5060", s)
	}
	if i := strings.IndexAny(rest, ";?"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		if i == 0 {
			return fmt.Errorf("%q is not a SIP URI: empty user part before @", s)
		}
		rest = rest[i+1:]
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") { // IPv6 reference
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return fmt.Errorf("%q is not a SIP URI: unclosed IPv6 reference", s)
		}
		host, port = rest[:end+1], strings.TrimPrefix(rest[end+1:], ":")
	} else if h, p, found := strings.Cut(rest, ":"); found {
		host, port = h, p
	}
	if host == "" || strings.ContainsAny(host, " \t<>\"") {
		return fmt.Errorf("%q: no valid host", s)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q is not a SIP URI: port %q is not 1-65535", s, port)
		}
	}
	return nil
}
