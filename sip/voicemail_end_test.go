package sip

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/sip/media"
)

// TestVoicemailCallerHangsUpMidMessage: the usual end of a voicemail is
// the caller's BYE (RFC 3261 §15.1.2), not '#'. What they said so far is
// saved as a WAV, the voicemail event names it, and no ".part" file is
// left.
func TestVoicemailCallerHangsUpMidMessage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := voicemailHarness(t, dir, 0)
	ctx := testCtx(t)
	caller, c := leaveMessage(t, ctx, h)
	caller.hangup(t, ctx, c)

	vm, _, _ := savedMessage(t, h, c)
	ents, _ := os.ReadDir(filepath.Dir(vm.File))
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), media.PartSuffix) {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestVoicemailUnwritableDirPlaysMessage: the voicemail directory cannot
// be created (a file is in the way). The caller is not asked to speak
// into the void: they hear the closed message and get a BYE; the loss is
// on record as a voicemail event with a Reason and no File.
func TestVoicemailUnwritableDirPlaysMessage(t *testing.T) {
	t.Parallel()
	blocker := filepath.Join(t.TempDir(), "voicemail")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, withTrusted("127.0.0.0/8"),
		withQueue(func(q *acd.QueueConfig) {
			q.Hours, q.Closed = never(t), acd.Destination{Exit: acd.ExitVoicemail}
		}),
		withSIPConfig(func(c *Config) {
			c.Prompt = exitPrompt
			c.Voicemail = VoicemailConfig{Dir: blocker}
		}))
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
	c := caller.dial(t, ctx, "100", caller.sdp("0"), false)
	if c.err != nil || c.final() != gosip.StatusOK {
		t.Fatalf("closed call not answered: %v %v", c.err, c.statuses)
	}
	caller.waitRTP(t, media.EncodeULaw(12000)) // the "closed" prompt, not the greeting
	caller.waitBye(t)
	evs := h.events.waitFor(t, "voicemail", func(evs []acd.Event) bool {
		_, ok := callEvent(evs, c.callID(), acd.EvVoicemail)
		return ok
	})
	vm, _ := callEvent(evs, c.callID(), acd.EvVoicemail)
	if vm.File != "" || !strings.Contains(vm.Reason, "not recorded") {
		t.Errorf("voicemail event %+v, want no file and why", vm)
	}
	if ov, _ := callEvent(evs, c.callID(), acd.EvOverflowed); ov.Target != acd.ExitVoicemail || ov.Reason != acd.ReasonClosed {
		t.Errorf("overflowed %+v: the flow-out must stay on record", ov)
	}
}

// TestRecoverVoicemailAfterCrash: a ".part" a crash left (samples, header
// still zero) becomes the WAV it would have been and a voicemail event
// names it with the queue and call of its path; a part written to a
// moment ago is left to whoever may be recording it, to be looked at
// again later.
func TestRecoverVoicemailAfterCrash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := voicemailHarness(t, dir, 0)
	qdir := filepath.Join(dir, "support")
	if err := os.MkdirAll(qdir, 0o750); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(qdir, "20261127T101500.000Z-abc_pc33.wav"+media.PartSuffix)
	young := filepath.Join(qdir, "20261127T102959.000Z-def.wav"+media.PartSuffix)
	for _, p := range []string{stale, young} {
		if err := os.WriteFile(p, make([]byte, 44+2*1600), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if err := os.Chtimes(stale, now.Add(-time.Hour), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again := h.srv.recoverParts(testCtx(t), []string{stale, young}, now); len(again) != 1 || again[0] != young {
		t.Errorf("looked at again: %v, want the part written a moment ago", again)
	}
	evs := h.events.waitFor(t, "voicemail", func(evs []acd.Event) bool {
		_, ok := callEvent(evs, "abc_pc33", acd.EvVoicemail)
		return ok
	})
	vm, _ := callEvent(evs, "abc_pc33", acd.EvVoicemail)
	want := strings.TrimSuffix(stale, media.PartSuffix)
	if vm.File != want || vm.Queue != "support" || vm.DurationMS != 200 || vm.Reason != ProblemRecovered {
		t.Errorf("event %+v, want %s of 200 ms in support, recovered", vm, want)
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if pcm, err := media.DecodeWAV(data); err != nil || len(pcm) != 1600 {
		t.Errorf("recovered WAV: %d samples, %v", len(pcm), err)
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("recent part touched: %v", err)
	}
}
