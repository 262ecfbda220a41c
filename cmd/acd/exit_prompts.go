package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/config"
)

// promptGetter is the prompt library (loadPrompts).
type promptGetter func(lang, name string) ([]int16, bool)

// checkExitPrompts checks that every voicemail and message destination of
// the config (closed hours and overflow rules) names a prompt the library
// has in its queue's language, defaults and the voicemail beep included,
// so a typo stops the ACD at startup instead of leaving callers in
// silence. get is the library (loadPrompts).
func checkExitPrompts(cfg *config.Config, get promptGetter) error {
	for _, q := range cfg.Queues {
		lang := queueLanguage(q)
		type dest struct {
			where  string
			d      config.Destination
			closed bool
		}
		var all []dest
		if q.Hours != nil {
			all = append(all, dest{"hours.closed", q.Hours.Closed, true})
		}
		for i, r := range q.Overflow {
			all = append(all, dest{fmt.Sprintf("overflow[%d]", i), r.Destination, false})
		}
		for _, x := range all {
			for _, n := range exitPrompts(x.d.Action, x.d.Prompt, x.closed) {
				if _, ok := get(lang, n); !ok {
					return fmt.Errorf("queue %s: %s: no %s prompt %q (shipped, or %s/%s/%s.wav in prompts.dir)",
						q.Name, x.where, lang, n, dirOr(cfg.Prompts.Dir), lang, n)
				}
			}
		}
	}
	return nil
}

// exitPrompts are the prompts a voicemail or message destination plays
// (none for other actions), defaults filled in as the engine does; closed
// is true for a closed-hours destination.
func exitPrompts(action, prompt string, closed bool) []string {
	switch action {
	case config.ActionVoicemail:
		return []string{orDefault(prompt, acd.PromptVoicemailGreeting), "beep"}
	case config.ActionMessage:
		def := acd.PromptAllBusy
		if closed {
			def = acd.PromptClosed
		}
		return []string{orDefault(prompt, def)}
	}
	return nil
}

// closedDestinationCheck is the HTTP API's check of a closed destination
// set at run time (httpapi.LiveOptions.CheckDestination), the same as the
// config file's: its prompts must be in the library in the queue's
// language and its URI must pass config.CheckSIPURI.
func closedDestinationCheck(cfg *config.Config, get promptGetter) func(queue string, d acd.Destination) error {
	langs := map[string]string{}
	for _, q := range cfg.Queues {
		langs[q.Name] = queueLanguage(q)
	}
	return func(queue string, d acd.Destination) error {
		if d.URI != "" {
			if err := config.CheckSIPURI(d.URI); err != nil {
				return fmt.Errorf("uri: %w", err)
			}
		}
		lang, ok := langs[queue]
		if !ok {
			return nil // the engine answers for an unknown queue
		}
		var errs []error
		for _, n := range exitPrompts(d.Exit, d.Prompt, true) { // acd.Exit* are the config's action names
			if _, ok := get(lang, n); !ok {
				errs = append(errs, fmt.Errorf("prompt %q: not in the %s prompt library", n, lang))
			}
		}
		return errors.Join(errs...)
	}
}

// checkVoicemailDir makes sure dir (voicemail.dir, made absolute) can
// hold messages when the config sends calls to voicemail, so a directory
// that cannot be written stops the ACD at start with a clear error
// instead of turning each caller away with a message. (A voicemail set
// later through the API, or a disk that fails later, is handled per call:
// the caller hears the message prompt and an event records the loss.)
func checkVoicemailDir(cfg *config.Config, dir string) error {
	uses := false
	for _, q := range cfg.Queues {
		if q.Hours != nil && q.Hours.Closed.Action == config.ActionVoicemail {
			uses = true
		}
		for _, r := range q.Overflow {
			uses = uses || r.Action == config.ActionVoicemail
		}
	}
	if !uses {
		return nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("voicemail.dir: %w", err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("voicemail.dir: cannot write messages: %w", err)
	}
	name := f.Name()
	if err := errors.Join(f.Close(), os.Remove(name)); err != nil {
		return fmt.Errorf("voicemail.dir: %w", err)
	}
	return nil
}

// queueLanguage is the language of a queue's prompts ("en" by default).
func queueLanguage(q config.Queue) string {
	if q.Announce != nil && q.Announce.Language != "" {
		return q.Announce.Language
	}
	return "en"
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
