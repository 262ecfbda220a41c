package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAnnounceParse(t *testing.T) {
	src := `
prompts: {dir: prompts}
queues:
  - name: support
    number: "100"
    announce:
      language: fr
      position: true
      wait: true
      every: 45s
      messages:
        - {prompt: thank-you-for-waiting, every: 1m}
        - {prompt: summer_sale, every: 2m30s}
  - name: sales
    number: "200"
    announce: {}
  - name: plain
    number: "300"
`
	c, err := Parse("/etc/acd/acd.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("/etc/acd", "prompts"); c.Prompts.Dir != want {
		t.Errorf("Prompts.Dir = %q, want %q (relative to the config file)", c.Prompts.Dir, want)
	}
	a := c.Queues[0].Announce
	if a == nil || a.Language != "fr" || !a.Position || !a.Wait || a.Every != 45*time.Second || len(a.Messages) != 2 ||
		a.Messages[0] != (Message{Prompt: "thank-you-for-waiting", Every: time.Minute}) ||
		a.Messages[1] != (Message{Prompt: "summer_sale", Every: 150 * time.Second}) {
		t.Errorf("support announce = %+v", a)
	}
	if a := c.Queues[1].Announce; a == nil || a.Language != "en" || a.Position || a.Wait || a.Every != 0 || a.Messages != nil {
		t.Errorf("sales announce defaults = %+v", a)
	}
	if c.Queues[2].Announce != nil {
		t.Errorf("plain announce = %+v, want nil", c.Queues[2].Announce)
	}
	abs, err := Parse("/etc/acd/acd.yaml", []byte("prompts: {dir: /srv/prompts}\nqueues: [{name: q, number: \"1\"}]\n"))
	if err != nil || abs.Prompts.Dir != "/srv/prompts" {
		t.Errorf("absolute dir = %q, %v", abs.Prompts.Dir, err)
	}
	if Default().Prompts.Dir != "" {
		t.Errorf("default prompts dir = %q, want none", Default().Prompts.Dir)
	}
}

func TestAnnounceInvalid(t *testing.T) {
	tests := []struct{ name, announce, want string }{
		{"unknown key", `{position: true, often: 1m}`, `a.yaml:6: queues[0].announce.often: unknown key "often"`},
		{"language", `{language: de}`, `a.yaml:6: queues[0].announce.language: must be one of [en fr], got "de"`},
		{"position not a bool", `{position: maybe}`, `queues[0].announce.position`},
		{"every too short", `{position: true, every: 2s}`, `queues[0].announce.every: must be 0 (on entry only) or at least 10s, got 2s`},
		{"every negative", `{position: true, every: -1m}`, `queues[0].announce.every: must not be negative`},
		{"every bad", `{position: true, every: soon}`, `queues[0].announce.every`},
		{"every repeats nothing", `{every: 1m}`, `queues[0].announce.every: repeats nothing`},
		{"message without prompt", `{messages: [{every: 1m}]}`, `queues[0].announce.messages[0].prompt: must be a prompt name`},
		{"message bad prompt", `{messages: [{prompt: ../etc/passwd, every: 1m}]}`, `queues[0].announce.messages[0].prompt: must be a prompt name`},
		{"message without every", `{messages: [{prompt: closed}]}`, `queues[0].announce.messages[0].every: must be at least 10s, got 0s`},
		{"message unknown key", `{messages: [{prompt: closed, every: 1m, file: x.wav}]}`, `queues[0].announce.messages[0].file: unknown key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "\nqueues:\n  - name: support\n    number: \"100\"\n    strategy: ringall\n    announce: " + tt.announce + "\n"
			_, err := Parse("a.yaml", []byte(src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := Parse("a.yaml", []byte("prompts: {folder: x}\nqueues: [{name: q, number: \"1\"}]\n")); err == nil ||
		!strings.Contains(err.Error(), `a.yaml:1: prompts.folder: unknown key "folder"`) {
		t.Errorf("prompts unknown key: %v", err)
	}
}
