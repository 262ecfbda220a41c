package main

import (
	"fmt"

	"github.com/sme/acd/acd/announce"
	"github.com/sme/acd/config"
	"github.com/sme/acd/sip"
	"github.com/sme/acd/sip/media"
)

// loadPrompts builds the prompt library (the shipped prompts and the
// config's override directory), decodes every prompt once, and checks
// that each queue's periodic messages name a prompt of its language, so
// a bad WAV or a typo stops the ACD at startup rather than silencing a
// call. It returns what sip.Config.Prompt wants.
func loadPrompts(cfg *config.Config) (func(lang, name string) ([]int16, bool), error) {
	lib, err := announce.Load(cfg.Prompts.Dir)
	if err != nil {
		return nil, fmt.Errorf("prompts: %w", err)
	}
	pcm := map[string]map[string][]int16{}
	for _, p := range lib.All() {
		samples, err := media.DecodeWAV(p.WAV)
		if err != nil {
			return nil, fmt.Errorf("prompts: %s: %w", p.Origin, err)
		}
		if len(samples) == 0 {
			return nil, fmt.Errorf("prompts: %s: %w: no samples", p.Origin, media.ErrBadWAV)
		}
		if pcm[p.Lang] == nil {
			pcm[p.Lang] = map[string][]int16{}
		}
		pcm[p.Lang][p.Name] = samples
	}
	for _, q := range cfg.Queues {
		if q.Announce == nil {
			continue
		}
		for i, m := range q.Announce.Messages {
			if !lib.Has(q.Announce.Language, m.Prompt) {
				return nil, fmt.Errorf("queue %s: announce.messages[%d]: no %s prompt %q (shipped, or %s/%s/%s.wav in prompts.dir)",
					q.Name, i, q.Announce.Language, m.Prompt, dirOr(cfg.Prompts.Dir), q.Announce.Language, m.Prompt)
			}
		}
	}
	return func(lang, name string) ([]int16, bool) {
		s, ok := pcm[lang][name]
		return s, ok
	}, nil
}

func dirOr(dir string) string {
	if dir == "" {
		return "DIR"
	}
	return dir
}

// announceConfig maps the queues' announce sections to what the SIP side
// needs: the announcements by queue and each queue's prompt language.
func announceConfig(cfg *config.Config) (map[string]sip.AnnounceConfig, map[string]string) {
	ann := map[string]sip.AnnounceConfig{}
	langs := map[string]string{}
	for _, q := range cfg.Queues {
		a := q.Announce
		if a == nil {
			continue
		}
		langs[q.Name] = a.Language
		ac := sip.AnnounceConfig{Position: a.Position, Wait: a.Wait, Every: a.Every}
		for _, m := range a.Messages {
			ac.Messages = append(ac.Messages, sip.PeriodicMessage{Prompt: m.Prompt, Every: m.Every})
		}
		if ac.Position || ac.Wait || len(ac.Messages) > 0 {
			ann[q.Name] = ac
		}
	}
	return ann, langs
}
