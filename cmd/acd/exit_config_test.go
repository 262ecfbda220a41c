package main

import (
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/config"
)

// The voicemail and message actions reach the engine as exits.
func TestEngineConfigMapsExits(t *testing.T) {
	cfg, err := config.Parse("v.yaml", []byte(`
voicemail: {dir: msgs, silence: 7s}
queues:
  - name: support
    number: "100"
    hours:
      weekly: {mon: ["09:00-18:00"]}
      closed: {action: voicemail, prompt: after-hours, max_length: 45s}
    overflow:
      - {when: waited, over: 5m, action: message}
agents:
  - {id: a1, password: p, queues: [support]}
`))
	if err != nil {
		t.Fatal(err)
	}
	q := engineConfig(cfg).Queues[0]
	if want := (acd.Destination{Exit: acd.ExitVoicemail, Prompt: "after-hours", MaxLength: 45 * time.Second}); q.Closed != want {
		t.Errorf("closed %+v, want %+v", q.Closed, want)
	}
	if want := (acd.Destination{Exit: acd.ExitMessage}); len(q.Overflow) != 1 || q.Overflow[0].Dest != want {
		t.Errorf("overflow %+v, want one to %+v", q.Overflow, want)
	}
	for _, w := range [][2]string{{config.ActionVoicemail, acd.ExitVoicemail}, {config.ActionMessage, acd.ExitMessage}} {
		if w[0] != w[1] {
			t.Errorf("config %q vs acd %q", w[0], w[1])
		}
	}
	if config.DefaultVoicemailMaxLength != acd.DefaultVoicemailMax || config.MaxVoicemailMaxLength != acd.MaxVoicemailMax {
		t.Errorf("voicemail lengths: config %v/%v, acd %v/%v", config.DefaultVoicemailMaxLength, config.MaxVoicemailMaxLength,
			acd.DefaultVoicemailMax, acd.MaxVoicemailMax)
	}
	if cfg.Voicemail != (config.Voicemail{Dir: "msgs", Silence: 7 * time.Second}) {
		t.Errorf("voicemail %+v", cfg.Voicemail)
	}
}

// TestCheckExitPrompts: voicemail and message destinations must name
// prompts the library has in the queue's language, defaults included.
func TestCheckExitPrompts(t *testing.T) {
	have := map[string]bool{"en/closed": true, "en/all-busy": true, "en/voicemail-greeting": true, "en/beep": true,
		"fr/closed": true, "fr/beep": true, "en/after-hours": true}
	get := func(lang, name string) ([]int16, bool) { return nil, have[lang+"/"+name] }
	parse := func(queue string) *config.Config {
		t.Helper()
		cfg, err := config.Parse("p.yaml", []byte("queues:\n"+queue+"agents:\n  - {id: a1, password: p, queues: [support]}\n"))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	ok := parse(`  - name: support
    number: "100"
    hours: {closed: {action: voicemail, prompt: after-hours}}
    overflow: [{when: waited, over: 1m, action: message}, {when: no-agents, action: voicemail}]
`)
	if err := checkExitPrompts(ok, get); err != nil {
		t.Errorf("all prompts there: %v", err)
	}
	for queue, want := range map[string]string{
		`  - name: support
    number: "100"
    hours: {closed: {action: message, prompt: holiday}}
`: `queue support: hours.closed: no en prompt "holiday"`,
		`  - name: support
    number: "100"
    announce: {language: fr}
    overflow: [{when: waited, over: 1m, action: voicemail}]
`: `queue support: overflow[0]: no fr prompt "voicemail-greeting"`,
		`  - name: support
    number: "100"
    announce: {language: fr}
    overflow: [{when: waited, over: 1m, action: message}]
`: `no fr prompt "all-busy"`,
	} {
		if err := checkExitPrompts(parse(queue), get); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", queue, err, want)
		}
	}
}
