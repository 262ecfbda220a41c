package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd/announce"
	"github.com/sme/acd/sip/media"
)

// TestE2EVoicemailCallerHangsUp: most callers end a voicemail by hanging
// up, not with #. The caller (sipp) sends its BYE about 2.5 s into the
// recording, having spoken (sent RTP) for the first second: the ACD
// answers the BYE (sipp sees its 200, and no BYE of the ACD's), the
// second of audio is a WAV on disk, and the voicemail event names it.
func TestE2EVoicemailCallerHangsUp(t *testing.T) {
	e2eTest(t)
	acd := startACDOpts(t, noAgentsSpec(supportQueue()), withVoicemailDir("vm"),
		withQueueLines("support", "100", alwaysClosed+"      closed: {action: voicemail, max_length: 30s}\n"))
	// The greeting, the beep and 200 ms of silence come first.
	greeting := len(promptULaw(t, "en", announce.VoicemailGreeting, announce.Beep))
	hangUpAfter := time.Duration(greeting)*time.Second/8000 + 200*time.Millisecond + 2500*time.Millisecond
	peer := newTonePeer(t)
	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(), "-s", "100", "-key", "rtp_port", peer.portArg(),
		"-d", strconv.Itoa(int(hangUpAfter.Milliseconds())), "-m", "1")
	acd.waitStderr("voicemail: recording", 15*time.Second)
	peer.tone(50)
	caller.expectSuccess(1)

	vm := acd.waitEvent("voicemail event", 10*time.Second, ofType("voicemail"))
	if vm.Reason != "" || vm.Queue != "support" || !strings.HasSuffix(vm.File, ".wav") {
		t.Fatalf("voicemail event %v, want a saved message", vm)
	}
	data, err := os.ReadFile(vm.File)
	if err != nil {
		t.Fatalf("the message of a caller who hung up is not on disk: %v", err)
	}
	pcm, err := media.DecodeWAV(data)
	if err != nil {
		t.Fatalf("the message is not a WAV we read: %v", err)
	}
	// The second of tone: no RTP came after it, so nothing is filled in.
	if got := time.Duration(len(pcm)) * time.Second / 8000; got < 900*time.Millisecond || got > 1600*time.Millisecond {
		t.Errorf("message of %v, want the 1s the caller spoke", got)
	}
	if ents, _ := os.ReadDir(filepath.Dir(vm.File)); len(ents) != 1 {
		t.Errorf("voicemail dir holds %v, want the one message (no .part left)", ents)
	}
	if !strings.Contains(acd.stderrText(), `msg="voicemail: message saved"`) || !strings.Contains(acd.stderrText(), "end=caller") {
		t.Error("the message did not end with the caller's BYE")
	}
}
