package acd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sme/acd/queue"
)

// Callback (virtual hold): a waiting caller asks to be called back, keeps
// their place in the queue and hangs up; when the call is routed, the
// telephony side rings the agent first, then dials the caller through the
// trunk and bridges them. The events below record each step; a pending
// callback is kept in a CallbackBook so a restart does not lose it.
const (
	// EvCallbackRequested: the caller accepted a callback (Target is the
	// number to call back, WaitMS the wait so far). METRICS.md counts it
	// as a flow-out of the queue's live calls; the call keeps its place.
	EvCallbackRequested EventType = "callback-requested"
	// EvCallbackAttempt: the ACD dialled the caller back once an agent
	// answered; Reason is the result ("answered", "no-answer", "busy",
	// "declined", "unreachable", "agent-hung-up"), Attempts the number of
	// callback attempts so far, Agent the agent who waited.
	EvCallbackAttempt EventType = "callback-attempt"
	// EvCallbackFailed: the caller could not be reached within the
	// queue's attempt limit; the callback is given up (the call's end).
	EvCallbackFailed EventType = "callback-failed"
)

// Results of one callback attempt (EvCallbackAttempt's Reason) that are
// not ring results.
const (
	// CallbackAnswered: the caller answered and is bridged to the agent.
	CallbackAnswered = "answered"
	// ReasonAgentGone: the agent hung up while the caller's phone rang.
	ReasonAgentGone = "agent-hung-up"
	// ReasonCallback ends the caller's original leg after the caller
	// accepted a callback: the call stays queued.
	ReasonCallback = "callback"
)

// Defaults of CallbackPolicy's zero fields.
const (
	DefaultCallbackAttempts    = 3
	DefaultCallbackRetryAfter  = 2 * time.Minute
	DefaultCallbackRingTimeout = 30 * time.Second
)

// ErrNoCallbackNumber: a callback was asked for without a number to call
// back (the caller's own number is unknown or withheld) or with one that
// is not a phone number.
var ErrNoCallbackNumber = errors.New("no callback number")

// ErrNoCallback: the queue offers no callback, or the call is not waiting.
var ErrNoCallback = errors.New("callback not available")

// CallbackPolicy is a queue's callback (virtual hold) setting.
type CallbackPolicy struct {
	// OfferAfter: the offer is made while the queue's estimated wait (EWT)
	// is at least this; 0 offers it to every waiting caller.
	OfferAfter time.Duration
	// OfferEvery repeats the offer while the caller waits; 0: once.
	OfferEvery time.Duration
	// Digit accepts the offer ("1" when empty).
	Digit string
	// AskNumber lets the caller type the number to call back, then #;
	// # alone keeps the number they call from.
	AskNumber bool
	// Trunk is the SIP URI template the caller is dialled at, "{number}"
	// replaced by the number, e.g. sip:{number}@203.0.113.5:5060.
	Trunk string
	// Attempts limits the calls to the caller's phone; RetryAfter is the
	// pause between them; RingTimeout how long the caller's phone rings.
	Attempts    int
	RetryAfter  time.Duration
	RingTimeout time.Duration
}

// withDefaults fills the zero fields.
func (p CallbackPolicy) withDefaults() CallbackPolicy {
	if p.Digit == "" {
		p.Digit = "1"
	}
	if p.Attempts <= 0 {
		p.Attempts = DefaultCallbackAttempts
	}
	if p.RetryAfter <= 0 {
		p.RetryAfter = DefaultCallbackRetryAfter
	}
	if p.RingTimeout <= 0 {
		p.RingTimeout = DefaultCallbackRingTimeout
	}
	return p
}

// TrunkURI is the URI the caller is called back at.
func (p CallbackPolicy) TrunkURI(number string) string {
	return strings.ReplaceAll(p.Trunk, "{number}", number)
}

// ValidCallbackNumber reports whether s can be dialled back: digits with
// an optional leading +, 2 to 20 of them.
func ValidCallbackNumber(s string) bool {
	d := strings.TrimPrefix(s, "+")
	if len(d) < 2 || len(d) > 20 {
		return false
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Callback is what an Assignment carries for a callback call: the agent
// is rung first, then the caller is dialled at URI.
type Callback struct {
	// Number is the number called back; URI the trunk URI for it.
	Number string
	URI    string
	// RingTimeout bounds the ringing of the caller's phone.
	RingTimeout time.Duration
	// Attempt numbers this attempt, from 1.
	Attempt int
}

// PendingCallback is one callback not yet connected or given up, as the
// book keeps it: the call with its original arrival and priority (its
// place in the queue), the number, and the attempts made.
type PendingCallback struct {
	Call      queue.Call `json:"call"`
	Number    string     `json:"number"`
	Requested time.Time  `json:"requested"`
	Attempts  int        `json:"attempts"`
	// Due is when a retry may be routed; zero: now.
	Due time.Time `json:"due,omitzero"`
}

// CallbackBook keeps the pending callbacks across restarts. Save replaces
// the whole set; the engine calls both from its goroutine.
type CallbackBook interface {
	Load() ([]PendingCallback, error)
	Save([]PendingCallback) error
}

// ErrBookKeptAside: Load could not use the book's file and renamed it
// aside for a person to recover, so saving a new book loses nothing. A
// Load error without it means the file is still there, unread: the engine
// then never overwrites it (and offers no callback) until restarted.
var ErrBookKeptAside = errors.New("callback book kept aside")

// FileBook is a CallbackBook in one JSON file, replaced atomically on
// every save (temporary file, fsync, rename, fsync of the directory), so a
// crash leaves either the old set or the new one.
type FileBook struct{ Path string }

// Load implements CallbackBook; a missing file is an empty book. A file
// that cannot be read, or not as a book, is renamed Path+".unreadable" or
// Path+".corrupt" (an error wrapping ErrBookKeptAside), so that saving
// does not destroy what it holds.
func (b FileBook) Load() ([]PendingCallback, error) {
	data, err := os.ReadFile(b.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		aside := b.Path + ".unreadable"
		if rerr := os.Rename(b.Path, aside); rerr != nil {
			return nil, fmt.Errorf("load callback book %s: %w (not kept aside: %v)", b.Path, err, rerr)
		}
		return nil, fmt.Errorf("load callback book %s (kept as %s): %w: %w", b.Path, aside, ErrBookKeptAside, err)
	}
	var out []PendingCallback
	if err := json.Unmarshal(data, &out); err != nil {
		// Kept aside for a person to recover: the next Save would
		// otherwise replace it, and the callbacks in it would be lost.
		aside := b.Path + ".corrupt"
		if rerr := os.Rename(b.Path, aside); rerr != nil {
			return nil, fmt.Errorf("load callback book %s: %w (not kept aside: %v)", b.Path, err, rerr)
		}
		return nil, fmt.Errorf("load callback book %s (kept as %s): %w: %w", b.Path, aside, ErrBookKeptAside, err)
	}
	return out, nil
}

// Save implements CallbackBook.
func (b FileBook) Save(pending []PendingCallback) error {
	if pending == nil {
		pending = []PendingCallback{}
	}
	data, err := json.MarshalIndent(pending, "", "  ")
	if err != nil {
		return fmt.Errorf("save callback book: %w", err)
	}
	dir := filepath.Dir(b.Path)
	tmp, err := os.CreateTemp(dir, filepath.Base(b.Path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save callback book: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename: nothing to remove
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save callback book: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save callback book: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save callback book: %w", err)
	}
	if err := os.Rename(tmp.Name(), b.Path); err != nil {
		return fmt.Errorf("save callback book: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the rename itself durable; not every OS allows it
		d.Close()
	}
	return nil
}

// memBook keeps pending callbacks in memory only (no book configured).
type memBook struct{ pending []PendingCallback }

func (m *memBook) Load() ([]PendingCallback, error) { return m.pending, nil }
func (m *memBook) Save(p []PendingCallback) error   { m.pending = p; return nil }

// Outcomes of callback calls in call records (callrecord.go).
const (
	// OutcomeCallback: answered via a callback; the record's Reason is
	// the completed event's.
	OutcomeCallback = "callback"
	// OutcomeCallbackFailed: the caller could not be reached within the
	// attempt limit (EvCallbackFailed).
	OutcomeCallbackFailed = "callback-failed"
)

// foldCallback folds a callback event into a record being assembled; ok
// reports that ev was one, out the finished record, if any.
func (s *recording) foldCallback(ev Event) (out []Event, ok bool) {
	switch ev.Type {
	case EvCallbackRequested:
		s.callback = true
		return nil, true
	case EvCallbackAttempt:
		s.callback = true
		s.stopRing(ev.Time) // the agent rang, then waited for the caller
		return nil, true
	case EvCallbackFailed:
		s.callback = true
		s.stopRing(ev.Time)
		s.rec.WaitMS = max(0, ev.Time.Sub(s.rec.Entered).Milliseconds())
		s.end(ev, OutcomeCallbackFailed)
		return []Event{s.event(ev.Time)}, true
	}
	return nil, false
}
