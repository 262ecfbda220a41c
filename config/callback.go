package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Callback is a queue's callback (virtual hold) offer: once the queue's
// estimated wait reaches OfferAfter, a waiting caller hears "to be called
// back without losing your place, press 1"; if they press Digit they keep
// their place and hang up, and when their turn comes and an agent is free
// the ACD rings the agent, then dials the caller through Trunk and bridges
// them. Callers keep their place instead of abandoning.
type Callback struct {
	// OfferAfter: the offer is made while the queue's estimated wait (the
	// EWT of answered calls' waits) is at least this; 0 offers it to every
	// caller as soon as they wait.
	OfferAfter time.Duration
	// OfferEvery repeats the offer while the caller waits; 0 (default)
	// makes it once.
	OfferEvery time.Duration
	// Digit accepts the offer: one of 0-9, * or #. Default "1".
	Digit string
	// AskNumber lets the caller type the number to be called back on,
	// ended by #; # alone keeps the number they call from.
	AskNumber bool
	// Trunk is the sip: or sips: URI the caller is dialled at, with
	// "{number}" where the number goes, e.g. sip:{number}@203.0.113.5:5060.
	Trunk string
	// Attempts limits how often the caller's phone is tried (default 3);
	// RetryAfter is the pause between tries (default 2m); RingTimeout how
	// long the caller's phone rings each time (default 30s).
	Attempts    int
	RetryAfter  time.Duration
	RingTimeout time.Duration
}

// Callbacks configures where pending callbacks are kept so they survive a
// restart.
type Callbacks struct {
	// File is the JSON file of pending callbacks, replaced atomically on
	// each change. A relative path is relative to the working directory,
	// like events.path; "" puts callbacks.json next to the event log.
	File string
}

// BookPath is where pending callbacks are kept: Callbacks.File, or
// callbacks.json in the event log's directory.
func (c *Config) BookPath() string {
	if c.Callbacks.File != "" {
		return c.Callbacks.File
	}
	return filepath.Join(filepath.Dir(c.Events.Path), "callbacks.json")
}

// defaultCallback holds the defaults of a queue's callback section.
func defaultCallback() Callback {
	return Callback{Digit: "1", Attempts: 3, RetryAfter: 2 * time.Minute, RingTimeout: 30 * time.Second}
}

// callback decodes a queue's callback section.
func (d *decoder) callback(n *yaml.Node, path string, q *Queue) {
	cb := defaultCallback()
	d.mapping(n, path, map[string]field{
		"offer_after":  d.duration(&cb.OfferAfter),
		"offer_every":  d.duration(&cb.OfferEvery),
		"digit":        d.str(&cb.Digit),
		"ask_number":   d.boolean(&cb.AskNumber),
		"trunk":        d.str(&cb.Trunk),
		"attempts":     d.integer(&cb.Attempts),
		"retry_after":  d.duration(&cb.RetryAfter),
		"ring_timeout": d.duration(&cb.RingTimeout),
	})
	q.Callback = &cb
}

// callbacks decodes the top-level callbacks section.
func (d *decoder) callbacks(n *yaml.Node, path string, c *Callbacks) {
	d.mapping(n, path, map[string]field{
		"file": d.str(&c.File),
	})
}

// callbacks checks every queue's callback section.
func (v *validator) callbacks() {
	for i, q := range v.c.Queues {
		cb := q.Callback
		if cb == nil {
			continue
		}
		p := element("queues", i) + ".callback"
		v.nonNegative(p+".offer_after", cb.OfferAfter)
		if cb.OfferEvery != 0 && cb.OfferEvery < time.Second {
			v.fail(p+".offer_every", "must be 0 (offer once) or at least 1s, got %s", cb.OfferEvery)
		}
		if len(cb.Digit) != 1 || !strings.Contains("0123456789*#", cb.Digit) {
			v.fail(p+".digit", "must be one DTMF digit 0-9, * or #, got %q", cb.Digit)
		} else if cb.AskNumber && cb.Digit == "#" {
			v.fail(p+".digit", "cannot be # with ask_number: # ends the number")
		}
		if err := checkTrunk(cb.Trunk); err != nil {
			v.fail(p+".trunk", "%v", err)
		}
		if cb.Attempts < 1 || cb.Attempts > 10 {
			v.fail(p+".attempts", "must be 1 to 10, got %d", cb.Attempts)
		}
		if cb.RetryAfter < time.Second {
			v.fail(p+".retry_after", "must be at least 1s, got %s", cb.RetryAfter)
		}
		if cb.RingTimeout < time.Second {
			v.fail(p+".ring_timeout", "must be at least 1s, got %s", cb.RingTimeout)
		}
	}
}

// checkTrunk checks a callback trunk template: a SIP URI once {number}
// is filled in, with {number} in it.
func checkTrunk(s string) error {
	if s == "" {
		return fmt.Errorf("is required: the SIP URI callers are dialled at, such as sip:{number}@203.0.113.5:5060")
	}
	if !strings.Contains(s, "{number}") {
		return fmt.Errorf("%q has no {number} for the number to call back", s)
	}
	if err := checkSIPURI(strings.ReplaceAll(s, "{number}", "0123456789")); err != nil {
		return fmt.Errorf("%w (with {number} filled in)", err)
	}
	return nil
}
