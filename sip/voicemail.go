package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/queue"
	"github.com/sme/acd/sip/media"
)

// VoicemailConfig says where voicemail messages are written and when a
// caller who stopped talking is done.
type VoicemailConfig struct {
	// Dir holds the messages, one directory per queue:
	// <Dir>/<queue>/<UTC time>-<call id>.wav. "" is "voicemail".
	Dir string
	// Silence ends a message after this long without speech (or without
	// RTP); 0 never does.
	Silence time.Duration
}

// Ways a voicemail message ends, in logs.
const (
	vmEndHash    = "hash"
	vmEndSilence = "silence"
	vmEndFull    = "max-length"
	vmEndFailed  = "write-failed"
)

// voicemail plays the greeting and a beep, then records the caller until
// they hang up (BYE, RFC 3261 §15.1.2), press # (RFC 4733 or SIP INFO),
// fall silent, the message reaches its maximum length or the disk is
// full; then it hangs up. Whatever was recorded is saved and reported to
// the engine (EvVoicemail), also when the caller hung up or the write
// failed half way.
//
// The file is created before the greeting: if the voicemail directory
// cannot be written, the caller is not invited to speak into the void but
// hears the message of the exit's reason (closed or all-busy) instead.
func (l *callerLeg) voicemail(c queue.Call, d acd.Destination, why string, log *slog.Logger) string {
	var voice func() // the silence watch's, set before the sink
	rec, err := l.newRecording(c, d, func() {
		if voice != nil {
			voice()
		}
	})
	if err != nil {
		log.Error("voicemail: cannot record; playing a message instead", "err", err)
		l.reportVoicemail(c, "", 0, fmt.Errorf("voicemail not recorded: %w", err), log)
		fallback := acd.Destination{Exit: acd.ExitMessage, Prompt: acd.PromptAllBusy}
		if why == acd.ReasonClosed {
			fallback.Prompt = acd.PromptClosed
		}
		if reason := l.message(c, fallback, log); reason != ReasonMessagePlayed {
			return reason
		}
		return ReasonExitFailed
	}
	log.Info("voicemail: playing greeting", "prompt", d.Prompt)
	pcm := l.s.prompt(l.s.language(c.Queue), d.Prompt, "beep")
	if reason, gone := l.sayToEnd(withTail(pcm)); gone {
		_, _, _ = rec.Close() // nothing recorded yet: the file goes
		return reason
	}
	// While recording the caller hears silence, not hold music; RTP still
	// flows, which keeps NAT bindings and some phones' timers alive.
	l.hold.Stop()
	quiet, err := media.NewPlayer(media.NewLoop(nil), l.rtp.Sender(), l.codec)
	if err == nil {
		go func() { _ = quiet.Run(l.dlg.Context()) }()
		defer quiet.Stop()
	}

	for drained := false; !drained; { // a # pressed during the greeting does not count
		select {
		case <-l.digits:
		default:
			drained = true
		}
	}
	silent, onVoice, stopSilence := silenceWatch(l.s.cfg.Voicemail.Silence)
	defer stopSilence()
	voice = onVoice
	l.rtp.SetSink(rec.Write) // publishes voice to the RTP goroutine (atomic store)
	log.Info("voicemail: recording", "file", rec.Path(), "max_length", d.MaxLength)
	reason, end := l.record(rec, silent)
	l.rtp.SetSink(nil)
	file, dur, err := rec.Close()
	switch {
	case err != nil:
		log.Error("voicemail: save message", "err", err, "file", file, "duration", dur, "end", end)
		l.reportVoicemail(c, file, dur, err, log)
	case file == "":
		log.Info("voicemail: no audio recorded", "end", end)
	default:
		log.Info("voicemail: message saved", "file", file, "duration", dur, "end", end)
		l.reportVoicemail(c, file, dur, nil, log)
	}
	if reason != acd.ReasonCaller {
		l.bye(l.dlg)
	}
	return reason
}

// reportVoicemail records the message (file, dur) of call c with the
// engine, or why there is none or only part of one (problem), so the
// event log tells the SME of a lost message, not only the log.
func (l *callerLeg) reportVoicemail(c queue.Call, file string, dur time.Duration, problem error, log *slog.Logger) {
	m := acd.VoicemailMessage{CallID: c.ID, Queue: c.Queue, Caller: c.Caller, File: file, Duration: dur}
	if problem != nil {
		m.Problem = problem.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.s.engine.Voicemail(ctx, m); err != nil {
		log.Error("voicemail: record event", "err", err, "file", file)
	}
}

// newRecording opens the file of call c's message; onVoice is called for
// each packet of speech.
//
// Two messages may get the same name (call ids that reduce to the same
// safe name, started in the same millisecond): the second gets "-2",
// "-3"… so neither overwrites the other (the part file is created
// exclusively, and a finished message of that name is never replaced).
func (l *callerLeg) newRecording(c queue.Call, d acd.Destination, onVoice func()) (*media.Recorder, error) {
	path, err := l.s.voicemailPath(c.Queue, time.Now(), c.ID)
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(path, ".wav")
	for n := 1; n <= maxSameName; n++ {
		if n > 1 {
			path = fmt.Sprintf("%s-%d.wav", base, n)
		}
		if _, err := os.Lstat(path); err == nil {
			continue // a finished message has this name
		}
		rec, err := media.NewRecorder(path, l.codec, d.MaxLength, media.RecorderOptions{OnVoice: onVoice})
		if errors.Is(err, os.ErrExist) {
			continue // another recording of this name is in progress
		}
		if err != nil {
			return nil, fmt.Errorf("voicemail: %w", err)
		}
		return rec, nil
	}
	return nil, fmt.Errorf("voicemail: %d messages already named %s", maxSameName, base)
}

// maxSameName bounds the "-N" suffixes tried for one message name.
const maxSameName = 100

// record waits for the end of the message: the reason the leg ends and,
// for the log, how the message ended.
func (l *callerLeg) record(rec *media.Recorder, silent <-chan struct{}) (reason, end string) {
	for {
		select {
		case <-l.dlg.Context().Done():
			return acd.ReasonCaller, acd.ReasonCaller
		case <-l.rtp.Done():
			return acd.ReasonRTPTimeout, acd.ReasonRTPTimeout
		case r := <-l.drops:
			return r, r
		case d := <-l.digits:
			if d == "#" {
				return ReasonVoicemailDone, vmEndHash
			}
		case <-silent:
			return ReasonVoicemailDone, vmEndSilence
		case <-rec.Full():
			return ReasonVoicemailDone, vmEndFull
		case <-rec.Failed():
			return ReasonVoicemailDone, vmEndFailed
		}
	}
}

// silenceWatch returns a channel closed after d without a call of voice
// (never when d is 0), voice itself (safe from any goroutine), and stop.
func silenceWatch(d time.Duration) (silent <-chan struct{}, voice func(), stop func()) {
	if d <= 0 {
		return nil, nil, func() {}
	}
	ch := make(chan struct{})
	var once sync.Once
	t := time.AfterFunc(d, func() { once.Do(func() { close(ch) }) })
	return ch, func() { t.Reset(d) }, func() { t.Stop() }
}

// voicemailPath is where a message of call id to queue, started at t,
// goes: <dir>/<queue>/<UTC time>-<call id>.wav, the directory created if
// needed. The call id is reduced to characters safe in a file name.
func (s *Server) voicemailPath(queueName string, t time.Time, id queue.CallID) (string, error) {
	dir := filepath.Join(s.voicemailDir(), safeName(queueName))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("voicemail dir: %w", err)
	}
	name := t.UTC().Format(voicemailTimeFormat) + "-" + safeName(string(id)) + ".wav"
	return filepath.Join(dir, name), nil
}

// voicemailTimeFormat starts a message's file name: its UTC start time.
const voicemailTimeFormat = "20060102T150405.000Z"

// voicemailDir is the configured directory of messages ("voicemail" if
// none).
func (s *Server) voicemailDir() string {
	if s.cfg.Voicemail.Dir == "" {
		return "voicemail"
	}
	return s.cfg.Voicemail.Dir
}

// safeName keeps letters, digits, '.', '-' and '_' of s (others become
// '_'), at most 64 of them, never "." or "..".
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 64 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), ".")
	if out == "" {
		return "_"
	}
	return out
}
