package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd/announce"
	"github.com/sme/acd/config"
	"github.com/sme/acd/sip"
	"github.com/sme/acd/sip/media"
)

const promptsConfig = `
prompts: {dir: prompts}
queues:
  - name: support
    number: "100"
    announce:
      language: fr
      position: true
      every: 30s
      messages: [{prompt: soldes, every: 1m}, {prompt: thank-you-for-waiting, every: 2m}]
  - name: sales
    number: "200"
    announce: {language: en}
  - name: plain
    number: "300"
`

// shippedWAV is a shipped prompt's file, a valid WAV to copy as an override.
func shippedWAV(t *testing.T, lang, name string) []byte {
	t.Helper()
	lib, err := announce.Load("")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := lib.Get(lang, name)
	if !ok {
		t.Fatalf("no shipped %s/%s", lang, name)
	}
	return p.WAV
}

// promptsDir writes files (path relative to dir/prompts → content) and a
// config using them, and returns the parsed config.
func promptsDir(t *testing.T, files map[string][]byte) *config.Config {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "prompts"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		p := filepath.Join(dir, "prompts", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "acd.yaml")
	if err := os.WriteFile(path, []byte(promptsConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestLoadPrompts(t *testing.T) {
	beep := shippedWAV(t, "en", announce.Beep)
	cfg := promptsDir(t, map[string][]byte{
		"fr/soldes.wav": beep, // the SME's own message
		"fr/closed.wav": beep, // replaces the shipped one
	})
	get, err := loadPrompts(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := media.DecodeWAV(beep)
	for _, name := range []string{"soldes", announce.Closed} {
		if got, ok := get("fr", name); !ok || !slices.Equal(got, want) {
			t.Errorf("fr/%s: %d samples, ok %v; want the override's %d", name, len(got), ok, len(want))
		}
	}
	shipped, _ := media.DecodeWAV(shippedWAV(t, "en", announce.Closed))
	if got, ok := get("en", announce.Closed); !ok || !slices.Equal(got, shipped) {
		t.Errorf("en/closed is not the shipped prompt")
	}
	if _, ok := get("en", "soldes"); ok {
		t.Errorf("the fr override leaked into en")
	}
}

func TestLoadPromptsErrors(t *testing.T) {
	beep := shippedWAV(t, "en", announce.Beep)
	tests := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"message prompt missing", nil, `queue support: announce.messages[0]: no fr prompt "soldes"`},
		{"message prompt in the wrong language", map[string][]byte{"en/soldes.wav": beep}, `no fr prompt "soldes"`},
		{"bad wav", map[string][]byte{"fr/soldes.wav": beep, "fr/closed.wav": []byte("RIFF not really")},
			filepath.Join("prompts", "fr", "closed.wav") + ": decode wav: media: bad wav"},
		{"unknown language", map[string][]byte{"fr/soldes.wav": beep, "de/closed.wav": beep}, `unknown language directory "de"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadPrompts(promptsDir(t, tt.files))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestAnnounceConfig(t *testing.T) {
	cfg := promptsDir(t, nil)
	ann, langs := announceConfig(cfg)
	want := sip.AnnounceConfig{Position: true, Every: 30 * time.Second, Messages: []sip.PeriodicMessage{
		{Prompt: "soldes", Every: time.Minute}, {Prompt: announce.ThankYouForWaiting, Every: 2 * time.Minute}}}
	if got := ann["support"]; got.Position != want.Position || got.Wait || got.Every != want.Every || !slices.Equal(got.Messages, want.Messages) {
		t.Errorf("support = %+v, want %+v", got, want)
	}
	if _, ok := ann["sales"]; ok {
		t.Errorf("sales announces nothing but is in %v", ann)
	}
	if len(ann) != 1 || langs["support"] != "fr" || langs["sales"] != "en" || langs["plain"] != "" {
		t.Errorf("announce %v, languages %v", ann, langs)
	}
}
