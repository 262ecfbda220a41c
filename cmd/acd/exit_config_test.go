package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/config"
)

// The voicemail and message actions reach the engine as exits.
func TestEngineConfigMapsExits(t *testing.T) {
	cfg, err := config.Parse("v.yaml", []byte(`
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

// TestClosedDestinationCheck: a closed destination sent to the hours API
// is checked like the config file's: its prompts (defaults included) must
// be in the library in the queue's language, its URI must pass the
// config's SIP URI check (the engine's own check is looser).
func TestClosedDestinationCheck(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(`queues:
  - {name: support, number: "100"}
  - {name: ventes, number: "200", announce: {language: fr}}
agents:
  - {id: a1, password: p, queues: [support]}
`))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{"en/closed": true, "en/voicemail-greeting": true, "en/beep": true, "fr/closed": true, "en/after-hours": true}
	check := closedDestinationCheck(cfg, func(lang, name string) ([]int16, bool) { return nil, have[lang+"/"+name] })
	for _, ok := range []struct {
		queue string
		d     acd.Destination
	}{
		{"support", acd.Destination{Exit: acd.ExitMessage}},
		{"support", acd.Destination{Exit: acd.ExitVoicemail, Prompt: "after-hours"}},
		{"ventes", acd.Destination{Exit: acd.ExitMessage, Prompt: "closed"}},
		{"support", acd.Destination{URI: "sip:partner@203.0.113.7:5060"}},
		{"support", acd.Destination{Status: 480}},
	} {
		if err := check(ok.queue, ok.d); err != nil {
			t.Errorf("%s %+v: %v", ok.queue, ok.d, err)
		}
	}
	for _, bad := range []struct {
		queue string
		d     acd.Destination
		want  string
	}{
		{"support", acd.Destination{Exit: acd.ExitMessage, Prompt: "holiday"}, `prompt "holiday": not in the en prompt library`},
		{"ventes", acd.Destination{Exit: acd.ExitVoicemail}, `prompt "voicemail-greeting": not in the fr prompt library`},
		{"ventes", acd.Destination{Exit: acd.ExitVoicemail, Prompt: "closed"}, `prompt "beep"`},
		{"support", acd.Destination{URI: "sip:partner@host:99999"}, "uri:"},
		{"support", acd.Destination{URI: "sip:@host"}, "uri:"},
	} {
		if err := check(bad.queue, bad.d); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s %+v: %v, want %q", bad.queue, bad.d, err, bad.want)
		}
	}
}

// TestCheckVoicemailDir: a config that sends calls to voicemail needs a
// voicemail.dir it can write (created if missing); one that does not is
// not checked.
func TestCheckVoicemailDir(t *testing.T) {
	parse := func(action string) *config.Config {
		t.Helper()
		cfg, err := config.Parse("d.yaml", []byte(`queues:
  - name: support
    number: "100"
    overflow: [{when: waited, over: 1m, action: `+action+`}]
agents:
  - {id: a1, password: p, queues: [support]}
`))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	root := t.TempDir()
	fresh := filepath.Join(root, "vm", "new")
	if err := checkVoicemailDir(parse("voicemail"), fresh); err != nil {
		t.Fatalf("a directory to create: %v", err)
	}
	if ents, err := os.ReadDir(fresh); err != nil || len(ents) != 0 {
		t.Errorf("dir after the check: %v %v, want it created and empty", ents, err)
	}
	blocked := filepath.Join(root, "file")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := checkVoicemailDir(parse("voicemail"), blocked); err == nil || !strings.Contains(err.Error(), "voicemail.dir") {
		t.Errorf("a file in the way: %v, want a voicemail.dir error", err)
	}
	if err := checkVoicemailDir(parse("message"), blocked); err != nil {
		t.Errorf("no voicemail in the config: %v", err)
	}
}
