package announce

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// required are the prompts other features say by name; both languages
// must ship them.
var required = []string{PositionBefore, PositionAfter, NextInLine, WaitBefore, WaitOneMinute, Minute, Minutes,
	LessThanAMinute, MoreThan, ThankYouForWaiting, CallbackOffer, CallbackEnterNumber, CallbackConfirm,
	CallbackIntro, VoicemailGreeting, Beep, Closed, Goodbye, AllBusy}

func TestShippedPrompts(t *testing.T) {
	lib, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages() {
		for _, name := range required {
			p, ok := lib.Get(lang, name)
			if !ok {
				t.Errorf("%s/%s not shipped", lang, name)
				continue
			}
			if !bytes.HasPrefix(p.WAV, []byte("RIFF")) || p.Override || !strings.HasPrefix(p.Origin, "shipped:") {
				t.Errorf("%s/%s: not a shipped WAV: origin %q, %d bytes", lang, name, p.Origin, len(p.WAV))
			}
		}
	}
	for _, p := range lib.All() {
		if !validName.MatchString(p.Name) {
			t.Errorf("shipped prompt %s/%s has a bad name", p.Lang, p.Name)
		}
	}
}

func write(t *testing.T, path string, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOverrideReplacesAndAdds(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "fr", "closed.wav"), "RIFF-mine")
	write(t, filepath.Join(dir, "en", "summer-sale.wav"), "RIFF-sale")
	write(t, filepath.Join(dir, "en", "README.txt"), "not a prompt")
	write(t, filepath.Join(dir, ".git", "x"), "ignored")
	lib, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := lib.Get(French, Closed); string(p.WAV) != "RIFF-mine" || !p.Override || p.Origin != filepath.Join(dir, "fr", "closed.wav") {
		t.Errorf("fr/closed = %q from %q, want the override", p.WAV, p.Origin)
	}
	if p, _ := lib.Get(English, Closed); p.Override {
		t.Errorf("en/closed replaced by the fr override")
	}
	if !lib.Has(English, "summer-sale") || lib.Has(French, "summer-sale") {
		t.Errorf("extra prompt: en %v, fr %v; want en only", lib.Has(English, "summer-sale"), lib.Has(French, "summer-sale"))
	}
	if lib.Has(English, "README") {
		t.Errorf("a non-WAV file became a prompt")
	}
	shippedOnly, _ := Load("")
	if got, want := len(lib.All()), len(shippedOnly.All())+1; got != want {
		t.Errorf("All() has %d prompts, want %d", got, want)
	}
}

func TestOverrideErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"unknown language", "de/closed.wav", `unknown language directory "de"`},
		{"bad name", "en/Closed Now.wav", `prompt name "Closed Now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, tt.file), "RIFF")
			_, err := Load(dir)
			if err == nil || !errors.Is(err, ErrBadOverride) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrBadOverride mentioning %s", err, tt.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing dir: err = %v", err)
	}
}
