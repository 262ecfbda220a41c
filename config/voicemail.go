package config

import (
	"time"

	"gopkg.in/yaml.v3"
)

// Voicemail configures where the voicemail and message destinations keep
// callers' messages (action: voicemail) and when a quiet caller is done.
type Voicemail struct {
	// Dir holds the messages, <dir>/<queue>/<UTC time>-<call id>.wav
	// (8 kHz mono 16-bit PCM); a relative path is relative to the working
	// directory, like events.path. Default "voicemail".
	Dir string
	// Silence ends a message after this long without speech; 0 never
	// does (the caller's BYE, # or max_length still do). Default 5s.
	Silence time.Duration
}

// Defaults and bounds of a voicemail destination's max_length.
const (
	// DefaultVoicemailMaxLength is what a voicemail with no max_length gets
	// (the engine applies it): long enough for a message, short enough
	// that a caller who forgets to hang up does not fill the disk.
	DefaultVoicemailMaxLength = 2 * time.Minute
	// MaxVoicemailMaxLength bounds max_length: an hour is about 58 MB.
	MaxVoicemailMaxLength = time.Hour
	// MinVoicemailSilence keeps a pause for breath from ending a message.
	MinVoicemailSilence = time.Second
)

func (d *decoder) voicemail(n *yaml.Node, path string, v *Voicemail) {
	d.mapping(n, path, map[string]field{
		"dir":     d.str(&v.Dir),
		"silence": d.duration(&v.Silence),
	})
}

// voicemail checks the voicemail section.
func (v *validator) voicemail() {
	vm := v.c.Voicemail
	if vm.Dir == "" {
		v.fail("voicemail.dir", "must not be empty")
	}
	if vm.Silence != 0 && vm.Silence < MinVoicemailSilence {
		v.fail("voicemail.silence", "must be 0 (never) or at least %v, got %v", MinVoicemailSilence, vm.Silence)
	}
}

// exitDestination checks the fields of a voicemail or message destination
// at path; prompt "" is the default prompt (voicemail-greeting; closed on
// closed hours, all-busy for an overflow rule).
func (v *validator) exitDestination(path string, d Destination) {
	if d.Queue != "" {
		v.fail(path+".queue", "is not used with action: %s", d.Action)
	}
	if d.Prompt != "" && !promptName.MatchString(d.Prompt) {
		v.fail(path+".prompt", "%q is not a prompt name (lower-case letters, digits, - and _)", d.Prompt)
	}
	switch {
	case d.MaxLength != 0 && d.Action != ActionVoicemail:
		v.fail(path+".max_length", "is only used with action: %s", ActionVoicemail)
	case d.MaxLength < 0 || d.MaxLength > MaxVoicemailMaxLength:
		v.fail(path+".max_length", "must be a duration up to %v, got %v", MaxVoicemailMaxLength, d.MaxLength)
	}
}
