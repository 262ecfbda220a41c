package sip

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/queue"
	"github.com/sme/acd/sip/media"
)

// partStaleAfter is how long a ".part" voicemail file must have been left
// unchanged before it is taken for a crash's leftover rather than a
// message another node sharing the directory is recording: a recording
// writes at least every 2 s of audio (the Recorder's buffer), and its leg
// ends after the RTP silence timeout if audio stops.
const partStaleAfter = 2 * time.Minute

// RecoverVoicemail saves the messages a crash left half-written: every
// "<dir>/<queue>/*.wav.part" unchanged for partStaleAfter is given its
// WAV header and renamed to its ".wav" name (media.RecoverPart), and a
// voicemail event (Reason "recovered after a crash") records it, so the
// message is neither lost nor unknown to whoever reads the event log. A
// part too recent to be sure of is looked at again once it could be
// stale (only those: the parts this node records meanwhile are its own).
// Run it once at start-up, after the engine runs; it returns when done or
// when ctx ends.
func (s *Server) RecoverVoicemail(ctx context.Context) {
	parts, _ := filepath.Glob(filepath.Join(s.voicemailDir(), "*", "*.wav"+media.PartSuffix))
	if young := s.recoverParts(ctx, parts, time.Now()); len(young) > 0 {
		t := time.NewTimer(partStaleAfter)
		defer t.Stop()
		select {
		case <-t.C:
			s.recoverParts(ctx, young, time.Now())
		case <-ctx.Done():
		}
	}
}

// recoverParts recovers those of parts that are stale at now and returns
// those too recent to touch.
func (s *Server) recoverParts(ctx context.Context, parts []string, now time.Time) (young []string) {
	for _, part := range parts {
		st, err := os.Stat(part)
		if err != nil {
			continue // recovered or finished meanwhile
		}
		if now.Sub(st.ModTime()) < partStaleAfter {
			s.log.Info("voicemail: unfinished message left alone for now (another node may be recording it)", "file", part)
			young = append(young, part)
			continue
		}
		file, dur, err := media.RecoverPart(part)
		switch {
		case err != nil:
			s.log.Error("voicemail: recover unfinished message", "err", err)
			continue
		case file == "":
			s.log.Info("voicemail: removed an unfinished message without audio", "file", part)
			continue
		}
		s.log.Warn("voicemail: recovered a message a crash left unfinished", "file", file, "duration", dur)
		m := partMessage(file, dur)
		if err := s.engine.Voicemail(ctx, m); err != nil {
			s.log.Error("voicemail: record event of recovered message", "err", err, "file", file)
		}
	}
	return young
}

// partMessage is what a recovered message's path tells: the queue (its
// directory) and the call (its name after the time, as voicemailPath
// wrote them, in their file-safe form).
func partMessage(file string, dur time.Duration) acd.VoicemailMessage {
	name := strings.TrimSuffix(filepath.Base(file), ".wav")
	if len(name) > len(voicemailTimeFormat) && name[len(voicemailTimeFormat)] == '-' {
		name = name[len(voicemailTimeFormat)+1:]
	}
	return acd.VoicemailMessage{CallID: queue.CallID(name), Queue: filepath.Base(filepath.Dir(file)),
		File: file, Duration: dur, Problem: ProblemRecovered}
}

// ProblemRecovered is the Reason of the voicemail event of a message
// recovered at start-up from the ".part" file a crash left.
const ProblemRecovered = "recovered after a crash"
