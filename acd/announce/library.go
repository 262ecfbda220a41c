package announce

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// shipped are the prompts made by scripts/make-prompts.sh.
//
//go:embed prompts/en/*.wav prompts/fr/*.wav
var shipped embed.FS

// Prompt is one recorded prompt: its raw WAV bytes (8 kHz mono 16-bit PCM,
// decoded by the telephony side) and where they came from, for errors.
type Prompt struct {
	Lang, Name string
	WAV        []byte
	// Origin is the override file's path, or "shipped:<lang>/<name>.wav".
	Origin string
	// Override is true for a prompt from the SME's directory.
	Override bool
}

// Library holds every prompt, by language and name: the shipped ones, each
// replaced by the SME's WAV of the same name if there is one, and the SME's
// own extra prompts. It is read once by Load and never changes, so it is
// safe for concurrent use.
type Library struct {
	prompts map[string]map[string]Prompt // lang → name → prompt
}

// validName is what a prompt name (a WAV file's base name) may be.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// ErrBadOverride is wrapped by every problem found in the override
// directory, so cmd can tell a config mistake from an I/O failure.
var ErrBadOverride = errors.New("bad prompt override")

// Load builds the library from the shipped prompts and, when dir is not
// "", the override directory dir, laid out as <dir>/<lang>/<name>.wav with
// lang one of Languages. Files not ending in .wav are ignored; a directory
// for an unknown language or a badly named WAV is an error naming it. The
// WAVs are read here, not decoded: the caller checks they decode.
func Load(dir string) (*Library, error) {
	l := &Library{prompts: map[string]map[string]Prompt{}}
	for _, lang := range Languages() {
		l.prompts[lang] = map[string]Prompt{}
		entries, err := fs.ReadDir(shipped, "prompts/"+lang)
		if err != nil {
			return nil, fmt.Errorf("load prompts: %w", err)
		}
		for _, e := range entries {
			name := strings.TrimSuffix(e.Name(), ".wav")
			b, err := shipped.ReadFile(path.Join("prompts", lang, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("load prompts: %w", err)
			}
			l.prompts[lang][name] = Prompt{Lang: lang, Name: name, WAV: b, Origin: "shipped:" + lang + "/" + e.Name()}
		}
	}
	if dir == "" {
		return l, nil
	}
	if err := l.loadOverrides(dir); err != nil {
		return nil, fmt.Errorf("load prompts from %s: %w", dir, err)
	}
	return l, nil
}

func (l *Library) loadOverrides(dir string) error {
	langs, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, d := range langs {
		p := filepath.Join(dir, d.Name())
		if strings.HasPrefix(d.Name(), ".") || !d.IsDir() {
			continue
		}
		if !Supported(d.Name()) {
			return fmt.Errorf("%s: %w: unknown language directory %q (use one of %s)", p, ErrBadOverride, d.Name(), strings.Join(Languages(), ", "))
		}
		files, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		for _, f := range files {
			fp := filepath.Join(p, f.Name())
			if f.IsDir() || !strings.EqualFold(filepath.Ext(f.Name()), ".wav") {
				continue
			}
			name := strings.TrimSuffix(f.Name(), filepath.Ext(f.Name()))
			if !validName.MatchString(name) {
				return fmt.Errorf("%s: %w: prompt name %q must be lower-case letters, digits, - and _", fp, ErrBadOverride, name)
			}
			b, err := os.ReadFile(fp)
			if err != nil {
				return err
			}
			l.prompts[d.Name()][name] = Prompt{Lang: d.Name(), Name: name, WAV: b, Origin: fp, Override: true}
		}
	}
	return nil
}

// Get returns the named prompt in lang.
func (l *Library) Get(lang, name string) (Prompt, bool) {
	p, ok := l.prompts[lang][name]
	return p, ok
}

// Has reports whether lang has a prompt called name, e.g. a queue's
// periodic message checked at startup.
func (l *Library) Has(lang, name string) bool {
	_, ok := l.prompts[lang][name]
	return ok
}

// All returns every prompt, by language then name, so the caller can
// decode each once at startup.
func (l *Library) All() []Prompt {
	var out []Prompt
	for _, lang := range Languages() {
		names := make([]string, 0, len(l.prompts[lang]))
		for n := range l.prompts[lang] {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			out = append(out, l.prompts[lang][n])
		}
	}
	return out
}
