package config

import (
	"path/filepath"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"
)

// Prompts configures the recorded prompts (announcements, callback,
// voicemail, closed messages). The ACD ships them in English and French.
type Prompts struct {
	// Dir is the SME's override directory, laid out <dir>/<lang>/<name>.wav
	// (8 kHz mono 16-bit PCM): a WAV there replaces the shipped prompt of
	// the same name, or adds a new prompt a queue's messages can name.
	// "" for none; a relative path is resolved against the config file's
	// directory. The files are checked when the ACD starts.
	Dir string
}

// Announce is what a queue tells its waiting callers.
type Announce struct {
	// Language of the queue's prompts, "en" (the default) or "fr"; the
	// queue's other prompts (callback, voicemail) use it too.
	Language string
	// Position and Wait announce the caller's position and estimated wait
	// on entry and then every Every (0: on entry only).
	Position bool
	Wait     bool
	Every    time.Duration
	// Messages are prompts played periodically while the caller waits.
	Messages []Message
}

// Message is a periodic message: the prompt Prompt (a name in the prompt
// library, shipped or the SME's own) every Every, first after Every.
type Message struct {
	Prompt string
	Every  time.Duration
}

// AnnounceLanguages are the languages prompts ship in.
var AnnounceLanguages = []string{"en", "fr"}

// MinAnnounceEvery is the shortest repeat of an announcement or message,
// so a caller is not talked at without a pause.
const MinAnnounceEvery = 10 * time.Second

// promptName is what a prompt name may be (a WAV file's base name).
var promptName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func (d *decoder) announce(n *yaml.Node, path string, q *Queue) {
	a := &Announce{Language: "en"}
	d.mapping(n, path, map[string]field{
		"language": d.str(&a.Language),
		"position": d.boolean(&a.Position),
		"wait":     d.boolean(&a.Wait),
		"every":    d.duration(&a.Every),
		"messages": listOf(d, &a.Messages, func(m *Message) map[string]field {
			return map[string]field{"prompt": d.str(&m.Prompt), "every": d.duration(&m.Every)}
		}),
	})
	q.Announce = a
}

func (d *decoder) prompts(n *yaml.Node, path string, p *Prompts) {
	d.mapping(n, path, map[string]field{
		"dir": d.str(&p.Dir),
	})
}

// announcements checks every queue's announce section. Whether a message's
// prompt exists is checked at startup, against the prompt library.
func (v *validator) announcements() {
	for i, q := range v.c.Queues {
		a := q.Announce
		if a == nil {
			continue
		}
		p := element("queues", i) + ".announce"
		known := false
		for _, l := range AnnounceLanguages {
			known = known || a.Language == l
		}
		if !known {
			v.fail(p+".language", "must be one of %v, got %q", AnnounceLanguages, a.Language)
		}
		switch {
		case a.Every < 0:
			v.fail(p+".every", "must not be negative, got %s", a.Every)
		case a.Every > 0 && a.Every < MinAnnounceEvery:
			v.fail(p+".every", "must be 0 (on entry only) or at least %s, got %s", MinAnnounceEvery, a.Every)
		case a.Every > 0 && !a.Position && !a.Wait:
			v.fail(p+".every", "repeats nothing: set position or wait to true")
		}
		for j, m := range a.Messages {
			mp := element(p+".messages", j)
			if !promptName.MatchString(m.Prompt) {
				v.fail(mp+".prompt", "must be a prompt name (lower-case letters, digits, - and _), got %q", m.Prompt)
			}
			if m.Every < MinAnnounceEvery {
				v.fail(mp+".every", "must be at least %s, got %s", MinAnnounceEvery, m.Every)
			}
		}
	}
}

// resolvePromptsDir makes a relative prompts dir relative to the config
// file's directory.
func resolvePromptsDir(c *Config, name string) {
	if d := c.Prompts.Dir; d != "" && !filepath.IsAbs(d) {
		c.Prompts.Dir = filepath.Join(filepath.Dir(name), d)
	}
}
