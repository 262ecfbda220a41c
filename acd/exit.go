package acd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sme/acd/acd/hours"
	"github.com/sme/acd/queue"
)

// Exits the telephony side carries out itself (Destination.Exit): the call
// leaves the ACD's queues for good, a flow-out (METRICS.md) whose
// "overflowed" event names the exit as its Target.
const (
	// ExitVoicemail plays a greeting and a beep, records the caller's
	// message to a WAV file, then hangs up; a recorded message gets an
	// EvVoicemail event.
	ExitVoicemail = "voicemail"
	// ExitMessage plays a prompt, then hangs up.
	ExitMessage = "message"
)

// Default prompts and length of the exits, used when a Destination leaves
// them empty; names are those of the prompt library.
const (
	// PromptVoicemailGreeting invites the caller to speak after the beep.
	PromptVoicemailGreeting = "voicemail-greeting"
	// PromptClosed says the queue is closed: a message on closed hours.
	PromptClosed = "closed"
	// PromptAllBusy says nobody can take the call: a message an overflow
	// rule sends callers to.
	PromptAllBusy = "all-busy"
	// DefaultVoicemailMax bounds a voicemail message whose MaxLength is 0.
	DefaultVoicemailMax = 2 * time.Minute
	// MaxVoicemailMax is the longest MaxLength accepted: a WAV of an hour
	// is about 58 MB.
	MaxVoicemailMax = time.Hour
)

// EvVoicemail: a caller left a voicemail message (after "overflowed" with
// Target "voicemail"). File is where the WAV is, DurationMS its length.
// Reason is set when the message could not be saved whole (the disk was
// full, the directory cannot be written): File is then what was saved,
// empty if nothing was. Not a queue step: measurements do not count it;
// the flow-out was counted on "overflowed".
const EvVoicemail EventType = "voicemail"

// ErrBadDestination is wrapped by every error of CheckDestination: a
// closed or overflow destination sent at run time that cannot be used.
var ErrBadDestination = errors.New("bad destination")

// withDefaults fills what an exit leaves empty: the prompt (the greeting
// for voicemail; "closed" for a message on closed hours, "all-busy" for
// one sent by an overflow rule) and the voicemail's length.
func (d Destination) withDefaults(reason string) Destination {
	switch d.Exit {
	case ExitVoicemail:
		if d.Prompt == "" {
			d.Prompt = PromptVoicemailGreeting
		}
		if d.MaxLength <= 0 {
			d.MaxLength = DefaultVoicemailMax
		}
	case ExitMessage:
		if d.Prompt == "" {
			d.Prompt = PromptAllBusy
			if reason == ReasonClosed {
				d.Prompt = PromptClosed
			}
		}
	}
	return d
}

// exit hands a call that has flowed out to the telephony side, to play a
// message or take a voicemail. The engine holds nothing of it afterwards.
func (e *Engine) exit(c queue.Call, d Destination, reason string) {
	d = d.withDefaults(reason)
	e.log.Info("overflow: call leaves for voicemail or a message", "exit", d.Exit, "call_id", c.ID, "queue", c.Queue,
		"caller", MaskNumber(c.Caller), "prompt", d.Prompt, "reason", reason)
	e.tel.Exit(c, d, reason)
}

// VoicemailMessage is a message a caller left, as the telephony side
// reports it (Engine.Voicemail).
type VoicemailMessage struct {
	CallID   queue.CallID
	Queue    string
	Caller   string
	File     string
	Duration time.Duration
	// Problem says why the message is missing or cut short ("" when it
	// was saved whole): the event's Reason.
	Problem string
}

// Voicemail records that a caller left a message, so whoever listens to
// messages can find the file from the event log, or that a message was
// lost or cut short (m.Problem), so that is on record too.
func (e *Engine) Voicemail(ctx context.Context, m VoicemailMessage) error {
	return e.do(ctx, func() {
		e.emit(Event{Type: EvVoicemail, CallID: string(m.CallID), Queue: m.Queue, Caller: m.Caller,
			File: m.File, DurationMS: m.Duration.Milliseconds(), Reason: m.Problem})
	})
}

// Closed returns where calls arriving at a closed queue go now.
func (e *Engine) Closed(name string) (Destination, bool) {
	if _, ok := e.queues[name]; !ok {
		return Destination{}, false
	}
	e.hoursMu.RLock()
	defer e.hoursMu.RUnlock()
	return e.closed[name], true
}

// SetSchedule replaces a queue's business hours (nil: always open) and,
// unless closed is nil, where calls go while it is closed, together and
// without a restart: the next arrival uses both. The destination is
// checked first (CheckDestination). Safe from any goroutine.
func (e *Engine) SetSchedule(name string, s *hours.Schedule, closed *Destination) error {
	if _, ok := e.queues[name]; !ok {
		return fmt.Errorf("set hours of %s: %w", name, ErrUnknownQueue)
	}
	e.scheduleMu.Lock() // check and set as one: see scheduleMu
	defer e.scheduleMu.Unlock()
	if closed != nil {
		if err := e.CheckDestination(name, *closed); err != nil {
			return fmt.Errorf("set hours of %s: closed: %w", name, err)
		}
	}
	e.hoursMu.Lock()
	defer e.hoursMu.Unlock()
	e.hours[name] = s
	if closed != nil {
		e.closed[name] = *closed
	}
	return nil
}

// schedule is a queue's current hours and closed destination.
func (e *Engine) schedule(name string) (*hours.Schedule, Destination) {
	e.hoursMu.RLock()
	defer e.hoursMu.RUnlock()
	return e.hours[name], e.closed[name]
}

// CheckDestination checks a destination for queue from, as config
// validation does for the file: one kind (queue, URI, exit or hang-up),
// a known other queue that does not lead back to from, a sip: URI, a
// prompt name of the library's form, a SIP failure status. Errors wrap
// ErrBadDestination.
func (e *Engine) CheckDestination(from string, d Destination) error {
	kinds := 0
	for _, set := range []bool{d.Queue != "", d.URI != "", d.Exit != ""} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		return fmt.Errorf("%w: more than one of queue, uri and exit", ErrBadDestination)
	case d.Exit == "" && (d.Prompt != "" || d.MaxLength != 0):
		return fmt.Errorf("%w: prompt and max_length are only used with voicemail and message", ErrBadDestination)
	case d.Queue != "":
		if _, ok := e.queues[d.Queue]; !ok {
			return fmt.Errorf("%w: unknown queue %q", ErrBadDestination, d.Queue)
		}
		if e.leadsTo(d.Queue, from) {
			return fmt.Errorf("%w: queue %q leads calls back to %s", ErrBadDestination, d.Queue, from)
		}
	case d.URI != "":
		scheme, rest, _ := strings.Cut(d.URI, ":")
		if s := strings.ToLower(scheme); (s != "sip" && s != "sips") || rest == "" || strings.ContainsAny(rest, " \t<>\"") {
			return fmt.Errorf("%w: uri %q: want a sip: or sips: URI such as sip:partner@203.0.113.7", ErrBadDestination, d.URI)
		}
	case d.Exit != "":
		if d.Exit != ExitVoicemail && d.Exit != ExitMessage {
			return fmt.Errorf("%w: unknown exit %q", ErrBadDestination, d.Exit)
		}
		if d.Prompt != "" && !ValidPromptName(d.Prompt) {
			return fmt.Errorf("%w: prompt %q: want lower-case letters, digits, - and _", ErrBadDestination, d.Prompt)
		}
		if d.MaxLength < 0 || d.MaxLength > MaxVoicemailMax || (d.MaxLength != 0 && d.Exit != ExitVoicemail) {
			return fmt.Errorf("%w: max_length %v: want up to %v, with voicemail only", ErrBadDestination, d.MaxLength, MaxVoicemailMax)
		}
	default:
		if d.Status < 400 || d.Status > 699 {
			return fmt.Errorf("%w: hang-up status %d: want a SIP failure status 400-699", ErrBadDestination, d.Status)
		}
	}
	return nil
}

// leadsTo reports whether a call sent to queue q can come back to target
// through closed destinations and overflow rules.
func (e *Engine) leadsTo(q, target string) bool {
	seen := map[string]bool{}
	next := []string{q}
	for len(next) > 0 {
		cur := next[len(next)-1]
		next = next[:len(next)-1]
		if cur == target {
			return true
		}
		if seen[cur] {
			continue
		}
		seen[cur] = true
		if _, closed := e.schedule(cur); closed.Queue != "" {
			next = append(next, closed.Queue)
		}
		for _, r := range e.queues[cur].Overflow {
			if r.Dest.Queue != "" {
				next = append(next, r.Dest.Queue)
			}
		}
	}
	return false
}

// ValidPromptName reports whether s can name a prompt: lower-case
// letters, digits, '-' and '_', starting with a letter or digit, as the
// prompt library's file names are (the config file's rule too).
func ValidPromptName(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' || s[0] == '_' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
