package main

import (
	"fmt"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/config"
)

// checkExitPrompts checks that every voicemail and message destination of
// the config (closed hours and overflow rules) names a prompt the library
// has in its queue's language, defaults and the voicemail beep included,
// so a typo stops the ACD at startup instead of leaving callers in
// silence. get is the library (loadPrompts).
func checkExitPrompts(cfg *config.Config, get func(lang, name string) ([]int16, bool)) error {
	for _, q := range cfg.Queues {
		lang := "en"
		if q.Announce != nil && q.Announce.Language != "" {
			lang = q.Announce.Language
		}
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
			var names []string
			switch x.d.Action {
			case config.ActionVoicemail:
				names = []string{orDefault(x.d.Prompt, acd.PromptVoicemailGreeting), "beep"}
			case config.ActionMessage:
				def := acd.PromptAllBusy
				if x.closed {
					def = acd.PromptClosed
				}
				names = []string{orDefault(x.d.Prompt, def)}
			}
			for _, n := range names {
				if _, ok := get(lang, n); !ok {
					return fmt.Errorf("queue %s: %s: no %s prompt %q (shipped, or %s/%s/%s.wav in prompts.dir)",
						q.Name, x.where, lang, n, dirOr(cfg.Prompts.Dir), lang, n)
				}
			}
		}
	}
	return nil
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
