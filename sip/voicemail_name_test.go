package sip

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/rtp"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/queue"
	"github.com/sme/acd/sip/media"
)

// Two messages whose names collide (call ids that reduce to the same safe
// name, in the same millisecond: synctest's clock stands still) get
// different files, whether the first is still recording or already saved.
func TestVoicemailSameNameNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		l := &callerLeg{s: &Server{cfg: Config{Voicemail: VoicemailConfig{Dir: dir}}}, codec: media.PCMU}
		dest := acd.Destination{MaxLength: time.Minute}
		first, err := l.newRecording(queue.Call{ID: "a/b", Queue: "support"}, dest, nil)
		if err != nil {
			t.Fatal(err)
		}
		second, err := l.newRecording(queue.Call{ID: "a:b", Queue: "support"}, dest, nil)
		if err != nil {
			t.Fatal(err)
		}
		if first.Path() == second.Path() || !strings.HasSuffix(second.Path(), "-2.wav") {
			t.Fatalf("paths %s and %s, want the second with -2", first.Path(), second.Path())
		}
		pkt := &rtp.Packet{Header: rtp.Header{PayloadType: 0, Timestamp: 160}, Payload: make([]byte, 160)}
		first.Write(pkt)
		if file, _, err := first.Close(); err != nil || file != first.Path() {
			t.Fatalf("first saved as %q: %v", file, err)
		}
		third, err := l.newRecording(queue.Call{ID: "a?b", Queue: "support"}, dest, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(third.Path(), "-3.wav") {
			t.Fatalf("third path %s, want -3 (the first is saved, the second recording)", third.Path())
		}
		second.Close()
		third.Close()
	})
	if ents, _ := os.ReadDir(filepath.Join(dir, "support")); len(ents) != 1 {
		t.Errorf("files %v, want the one saved message", ents)
	}
}
