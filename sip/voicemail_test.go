package sip

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	gosip "github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/hours"
	"github.com/sme/acd/sip/media"
)

// exitPrompts gives each prompt 200 ms of one level of its own, so a test
// recognises it in the RTP the caller gets.
var exitPrompts = map[string]int16{"closed": 12000, "voicemail-greeting": 9000, "beep": -9000}

func exitPrompt(_, name string) ([]int16, bool) {
	v, ok := exitPrompts[name]
	if !ok {
		return nil, false
	}
	pcm := make([]int16, 1600)
	for i := range pcm {
		pcm[i] = v
	}
	return pcm, true
}

// never is hours that are never open.
func never(t *testing.T) *hours.Schedule {
	t.Helper()
	sc, err := hours.Parse(hours.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestClosedMessageThenBye: a call to a closed queue whose destination is a
// message is answered with SDP, hears the prompt, then gets a BYE.
func TestClosedMessageThenBye(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.0/8"),
		withQueue(func(q *acd.QueueConfig) {
			q.Hours, q.Closed = never(t), acd.Destination{Exit: acd.ExitMessage}
		}),
		withSIPConfig(func(c *Config) { c.Prompt = exitPrompt }))
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
	c := caller.dial(t, ctx, "100", caller.sdp("0"), false)
	if c.err != nil || c.final() != gosip.StatusOK {
		t.Fatalf("closed call not answered: %v %v", c.err, c.statuses)
	}
	if _, err := media.ParseOffer(c.dlg.InviteResponse.Body()); err != nil {
		t.Fatalf("200 OK without an SDP answer: %v", err)
	}
	caller.waitRTP(t, media.EncodeULaw(12000)) // the "closed" prompt
	caller.waitBye(t)
	evs := h.events.waitFor(t, "overflowed", func(evs []acd.Event) bool {
		_, ok := callEvent(evs, c.callID(), acd.EvOverflowed)
		return ok
	})
	if ov, _ := callEvent(evs, c.callID(), acd.EvOverflowed); ov.Reason != acd.ReasonClosed || ov.Target != acd.ExitMessage {
		t.Errorf("overflowed %+v", ov)
	}
}

// TestWaitedVoicemailEndsOnInfoHash: the waited rule sends a waiting
// (answered) caller to voicemail: greeting, beep, silence while recording;
// the caller talks and presses # by SIP INFO; the ACD hangs up and the
// message is a WAV of the caller's audio, named by a voicemail event.
func TestWaitedVoicemailEndsOnInfoHash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := voicemailHarness(t, dir, 10*time.Second)
	ctx := testCtx(t)
	caller, c := leaveMessage(t, ctx, h)
	info := gosip.NewRequest(gosip.INFO, c.dlg.InviteRequest.Recipient)
	info.AppendHeader(gosip.NewHeader("Content-Type", "application/dtmf-relay"))
	info.SetBody([]byte("Signal=#\r\nDuration=160\r\n"))
	res, err := c.dlg.Do(ctx, info)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("INFO #: %v %v", res, err)
	}
	caller.waitBye(t)

	vm, pcm, evs := savedMessage(t, h, c)
	if got := callTypes(evs, c.callID()); len(got) != 3 || got[1] != acd.EvOverflowed {
		t.Errorf("events %v, want entered, overflowed, voicemail", got)
	}
	if vm.Queue != "support" || vm.Caller != "5551234" || filepath.Dir(vm.File) != filepath.Join(dir, "support") {
		t.Fatalf("voicemail event %+v", vm)
	}
	for i, v := range pcm {
		if v != media.DecodeULaw(0x9C) && v != 0 {
			t.Fatalf("sample %d = %d, not the caller's audio", i, v)
		}
	}
}

// leaveMessage calls h's voicemail queue, waits for the greeting and the
// beep, then talks (μ-law 0x9C, paced like a phone) until ctx ends; it
// returns once the ACD records.
func leaveMessage(t *testing.T, ctx context.Context, h *harness) (*phone, *call) {
	t.Helper()
	caller := h.newPhone(t, "5551234")
	c := caller.dial(t, ctx, "100", caller.sdp("0"), false)
	if c.err != nil {
		t.Fatalf("call not answered: %v", c.err)
	}
	ans, err := media.ParseOffer(c.dlg.InviteResponse.Body())
	if err != nil {
		t.Fatal(err)
	}
	caller.waitRTP(t, media.EncodeULaw(9000))  // greeting
	caller.waitRTP(t, media.EncodeULaw(-9000)) // beep
	caller.streamRTP(ctx, ans.Addr, 0x9C)
	caller.waitRecording(t)
	return caller, c
}

// savedMessage waits for call c's voicemail event and returns it, the
// samples of the WAV it names (as long as the event says, with some of
// the caller's talk in them) and the events so far.
func savedMessage(t *testing.T, h *harness, c *call) (acd.Event, []int16, []acd.Event) {
	t.Helper()
	evs := h.events.waitFor(t, "voicemail", func(evs []acd.Event) bool {
		_, ok := callEvent(evs, c.callID(), acd.EvVoicemail)
		return ok
	})
	vm, _ := callEvent(evs, c.callID(), acd.EvVoicemail)
	if vm.File == "" || vm.DurationMS <= 0 || vm.Reason != "" {
		t.Fatalf("voicemail event %+v, want a saved message", vm)
	}
	data, err := os.ReadFile(vm.File)
	if err != nil {
		t.Fatalf("message not saved: %v", err)
	}
	pcm, err := media.DecodeWAV(data)
	if err != nil || int64(len(pcm)) != vm.DurationMS*8 {
		t.Fatalf("WAV of %d samples for %d ms: %v", len(pcm), vm.DurationMS, err)
	}
	if !slices.Contains(pcm, media.DecodeULaw(0x9C)) {
		t.Error("the caller's talk is not in the message")
	}
	return vm, pcm, evs
}

// voicemailHarness is a queue whose callers go to voicemail after 100 ms
// of waiting, messages written under dir, ended after silence (0: never).
func voicemailHarness(t *testing.T, dir string, silence time.Duration) *harness {
	t.Helper()
	return newHarness(t, withTrusted("127.0.0.0/8"),
		withQueue(func(q *acd.QueueConfig) {
			q.Overflow = []acd.OverflowRule{{When: acd.WhenWaited, OverWait: 100 * time.Millisecond,
				Dest: acd.Destination{Exit: acd.ExitVoicemail, MaxLength: time.Minute}}}
		}),
		withSIPConfig(func(c *Config) {
			c.Prompt = exitPrompt
			c.Voicemail = VoicemailConfig{Dir: dir, Silence: silence}
		}))
}

// waitRecording returns once the ACD records, after the beep: the 200 ms
// of silence that end the greeting (promptTail), then 100 ms of the
// silence the ACD sends while recording, whose player starts as the
// recording does. The caller's talk is then being written.
func (p *phone) waitRecording(t testing.TB) {
	t.Helper()
	const want = promptTail/media.FrameSamples + 5
	_ = p.rtp.SetReadDeadline(time.Now().Add(waitTimeout))
	defer p.rtp.SetReadDeadline(time.Time{})
	buf := make([]byte, 1500)
	for silent := 0; silent < want; {
		n, err := p.rtp.Read(buf)
		if err != nil {
			t.Fatalf("%s: no silence from the ACD after the beep: %v", p.user, err)
		}
		var pkt rtp.Packet
		if pkt.Unmarshal(buf[:n]) != nil || len(pkt.Payload) == 0 {
			continue
		}
		if bytes.Count(pkt.Payload, []byte{media.EncodeULaw(0)}) == len(pkt.Payload) {
			silent++
		} else {
			silent = 0
		}
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"a84b4c76e66710@pc33.example.com": "a84b4c76e66710_pc33.example.com",
		"../../etc/passwd":                "_.._etc_passwd",
		"..":                              "_",
		"":                                "_",
		strings.Repeat("x", 100):          strings.Repeat("x", 64),
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSilenceWatch: speech pushes the end back; silence for the whole
// period ends the message; 0 never does.
func TestSilenceWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		silent, voice, stop := silenceWatch(5 * time.Second)
		defer stop()
		time.Sleep(3 * time.Second)
		voice()
		time.Sleep(4 * time.Second)
		synctest.Wait()
		select {
		case <-silent:
			t.Fatal("silent 4 s after speech, with a 5 s limit")
		default:
		}
		time.Sleep(time.Second)
		synctest.Wait()
		select {
		case <-silent:
		default:
			t.Fatal("not silent 5 s after speech")
		}
		voice() // after the end: harmless
		never, _, stopNever := silenceWatch(0)
		stopNever()
		if never != nil {
			t.Error("silence 0 watches")
		}
	})
}
