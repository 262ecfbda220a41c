package main

import (
	"encoding/binary"
	"math"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/sme/acd/sip/media"
)

// tonePeer is a caller's media that says nothing until told: it learns
// the ACD's RTP address from the first packet the ACD sends (hold audio,
// then silence while recording), then sends what the test asks for, in one
// paced stream: a 1 kHz tone, or an RFC 4733 digit.
type tonePeer struct {
	udpRTPPeer
	t *testing.T

	// under mu
	acd      netip.AddrPort
	received int
	seq      uint16
	ts       uint32
	// learned is closed once the ACD's address is known.
	learned chan struct{}
}

func newTonePeer(t *testing.T) *tonePeer {
	t.Helper()
	p := &tonePeer{t: t, seq: 1000, ts: 160_000, learned: make(chan struct{})}
	p.listen(t, "voicemail tone peer", p)
	return p
}

// onPacket counts a packet from the ACD and learns its address from the
// first.
func (p *tonePeer) onPacket(from netip.AddrPort, _ *rtp.Packet) {
	if !p.acd.IsValid() {
		p.acd = from
		close(p.learned)
	}
	p.received++
}

// onInvalid counts a datagram that is not RTP as onPacket does a packet.
func (p *tonePeer) onInvalid(from netip.AddrPort) { p.onPacket(from, nil) }

// heard waits until the ACD has sent us RTP.
func (p *tonePeer) heard(timeout time.Duration) {
	p.t.Helper()
	select {
	case <-p.learned:
	case <-time.After(timeout):
		p.t.Fatalf("no RTP from the ACD after %v", timeout)
	}
}

// send writes one packet of our stream; ts advances by step.
func (p *tonePeer) send(pt uint8, marker bool, payload []byte, step uint32) {
	p.mu.Lock()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, Marker: marker, SequenceNumber: p.seq, Timestamp: p.ts, SSRC: 0x5eed}, Payload: payload}
	p.seq++
	p.ts += step
	to := p.acd
	p.mu.Unlock()
	b, err := pkt.Marshal()
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.conn.WriteToUDPAddrPort(b, to); err != nil {
		p.t.Errorf("send rtp: %v", err)
	}
}

// tone sends frames 20 ms PCMU frames of a 1 kHz tone, paced in real time
// as a phone would.
func (p *tonePeer) tone(frames int) {
	tick := time.NewTicker(media.FrameDuration)
	defer tick.Stop()
	for i := range frames {
		payload := make([]byte, media.FrameSamples)
		for j := range payload {
			payload[j] = media.EncodeULaw(int16(8000 * math.Sin(2*math.Pi*1000*float64(i*media.FrameSamples+j)/8000)))
		}
		p.send(0, i == 0, payload, media.FrameSamples)
		<-tick.C
	}
}

// digit sends an RFC 4733 event (code 11 is #): a start packet and three
// end packets with the event's timestamp (RFC 4733 §2.5.1.4).
func (p *tonePeer) digit(code byte) {
	p.mu.Lock()
	start := p.ts
	p.mu.Unlock()
	for i, end := range []bool{false, true, true, true} {
		payload := []byte{code, 10, 0, 0}
		if end {
			payload[1] |= 0x80
		}
		binary.BigEndian.PutUint16(payload[2:], uint16(media.FrameSamples*(i+1)))
		p.mu.Lock()
		p.ts = start
		p.mu.Unlock()
		p.send(101, i == 0, payload, 0)
		time.Sleep(media.FrameDuration) // a phone's pacing, not a wait for the ACD
	}
}

// withVoicemailDir points voicemail.dir at dir (relative to the working
// directory, the acd's directory in these tests).
func withVoicemailDir(dir string) acdOption {
	return withConfig(func(yaml string) string { return yaml + "voicemail:\n  dir: " + dir + "\n" })
}

// TestE2EClosedVoicemail: a call to a queue that is never open, whose
// closed destination is voicemail, is answered; after the greeting and the
// beep the caller speaks (a 1 kHz tone) for a second and presses #; the
// ACD hangs up, the WAV holds about that second, and the voicemail event
// names it after the flow-out.
func TestE2EClosedVoicemail(t *testing.T) {
	e2eTest(t)
	acd := startACDOpts(t, noAgentsSpec(supportQueue()), withVoicemailDir("vm"),
		withQueueLines("support", "100", alwaysClosed+"      closed: {action: voicemail, max_length: 30s}\n"))
	peer := newTonePeer(t)
	caller := acd.startSipp("caller", "caller_receives_bye.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", peer.portArg(), "-m", "1")
	acd.waitStderr("voicemail: recording", 15*time.Second)
	peer.heard(5 * time.Second)
	peer.tone(50)
	peer.digit(11) // #
	caller.expectSuccess(1)

	acd.waitEvent("voicemail event", 10*time.Second, ofType("voicemail"))
	vms := filterEvents(acd.readEvents(), ofType("voicemail"))
	if len(vms) != 1 {
		t.Fatalf("voicemail events %+v, want one", vms)
	}
	vm := vms[0]
	evs := acd.readEvents()
	if got, want := callPath(evs, vm.CallID), "entered/support overflowed/support voicemail/support"; got != want {
		t.Errorf("call events %s, want %s", got, want)
	}
	if ov := filterEvents(evs, ofType("overflowed")); len(ov) != 1 || ov[0].Reason != "closed" || ov[0].Target != "voicemail" {
		t.Errorf("overflowed %v, want reason closed, target voicemail", ov)
	}
	wantDir := filepath.Join(acd.dir, "vm", "support")
	if filepath.Dir(vm.File) != wantDir || !strings.HasSuffix(vm.File, ".wav") || vm.Queue != "support" || !strings.HasPrefix(vm.Caller, "555") {
		t.Errorf("voicemail event %+v, want a .wav in %s", vm, wantDir)
	}
	data, err := os.ReadFile(vm.File)
	if err != nil {
		t.Fatal(err)
	}
	pcm, err := media.DecodeWAV(data)
	if err != nil {
		t.Fatalf("the message is not a WAV we read: %v", err)
	}
	got := time.Duration(len(pcm)) * time.Second / 8000
	if got < 900*time.Millisecond || got > 1600*time.Millisecond {
		t.Errorf("message of %v, want about 1s", got)
	}
	if d := time.Duration(vm.DurationMS) * time.Millisecond; d != got.Truncate(time.Millisecond) {
		t.Errorf("event says %v, file holds %v", d, got)
	}
	var sum float64
	for _, v := range pcm[:8000*9/10] {
		sum += float64(v) * float64(v)
	}
	if rms := math.Sqrt(sum / float64(8000*9/10)); rms < 3000 {
		t.Errorf("the message's first 0.9 s has RMS %.0f, want the tone's (about 5600)", rms)
	}
	if ents, _ := os.ReadDir(wantDir); len(ents) != 1 {
		t.Errorf("voicemail dir holds %v, want the one message (no .part left)", ents)
	}
}

// TestE2EClosedMessage: a closed queue whose destination is a message
// answers the call, plays the prompt and hangs up with a BYE; the call is a
// flow-out with reason closed and target message.
func TestE2EClosedMessage(t *testing.T) {
	e2eTest(t)
	acd := startACDOpts(t, noAgentsSpec(supportQueue()),
		withQueueLines("support", "100", alwaysClosed+"      closed: {action: message}\n"))
	peer := newTonePeer(t)
	caller := acd.startSipp("caller", "caller_receives_bye.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", peer.portArg(), "-m", "1")
	caller.expectSuccess(1)
	ov := acd.waitEvent("overflowed event", 5*time.Second, ofType("overflowed"))
	if ov.Queue != "support" || ov.Reason != "closed" || ov.Target != "message" {
		t.Errorf("overflowed %v, want support closed to message", ov)
	}
	if got, want := callPath(acd.readEvents(), ov.CallID), "entered/support overflowed/support"; got != want {
		t.Errorf("call events %s, want %s", got, want)
	}
	acd.waitStderr("message played; hung up", 5*time.Second)
	// The caller heard the whole "closed" prompt before the BYE.
	pcm := promptULaw(t, "en", "closed")
	peer.mu.Lock()
	got := peer.received
	peer.mu.Unlock()
	if want := len(pcm) / media.FrameSamples; got < want {
		t.Errorf("the caller got %d RTP packets before the BYE, want at least the prompt's %d", got, want)
	}
}

// TestE2EWaitedMessage: a caller who waited past the waited rule's limit
// (no agent logged in) hears the message and gets a BYE.
func TestE2EWaitedMessage(t *testing.T) {
	e2eTest(t)
	acd := startACDOpts(t, noAgentsSpec(supportQueue()),
		withQueueLines("support", "100", "    overflow:\n      - {when: waited, over: 1s, action: message, prompt: all-busy}\n"))
	peer := newTonePeer(t)
	caller := acd.startSipp("caller", "caller_receives_bye.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", peer.portArg(), "-m", "1")
	caller.expectSuccess(1)
	ov := acd.waitEvent("overflowed event", 5*time.Second, ofType("overflowed"))
	if ov.Reason != "waited" || ov.Target != "message" || ov.WaitMS < 1000 {
		t.Errorf("overflowed %v, want waited to message after 1s", ov)
	}
	if n := countType(acd.readEvents(), "abandoned"); n != 0 {
		t.Errorf("%d abandoned events for a flow-out", n)
	}
}

// TestE2EClosedDestinationChangedByAPI: the closed destination changes
// through the hours API without a restart: from the config's hang-up
// (480, what TestE2EClosedHangup calls meet) to a message; a prompt the
// library lacks is refused.
func TestE2EClosedDestinationChangedByAPI(t *testing.T) {
	e2eTest(t)
	acd := startACDOpts(t, noAgentsSpec(supportQueue()), withQueueLines("support", "100", alwaysClosed))
	var before struct {
		Closed struct {
			Action string `json:"action"`
			Status int    `json:"status"`
		} `json:"closed"`
	}
	acd.getJSON("/api/queues/support/hours", &before)
	if before.Closed.Action != "hangup" || before.Closed.Status != 480 {
		t.Fatalf("closed destination from the config %+v, want a 480 hang-up", before.Closed)
	}
	if code, answer := acd.putHoursStatus("support", `{"closed": {"action": "message", "prompt": "no-such-prompt"}}`); code != http.StatusBadRequest ||
		!strings.Contains(answer, "no-such-prompt") {
		t.Errorf("PUT of an unknown prompt: %d %s, want 400 naming it", code, answer)
	}

	answer := acd.putHours("support", `{"time_zone": "Europe/Paris", "weekly": {}, "closed": {"action": "message", "prompt": "closed"}}`)
	if !strings.Contains(answer, `"closed":{"action":"message","prompt":"closed"}`) {
		t.Errorf("PUT answered %s", answer)
	}
	peer := newTonePeer(t)
	caller := acd.startSipp("caller", "caller_receives_bye.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", peer.portArg(), "-m", "1")
	caller.expectSuccess(1)
	ov := acd.waitEvent("overflowed event", 5*time.Second, ofType("overflowed"))
	if ov.Reason != "closed" || ov.Target != "message" {
		t.Errorf("overflowed %v, want closed to message", ov)
	}
	if n := countType(acd.readEvents(), "rejected"); n != 0 {
		t.Errorf("%d rejected events after the change", n)
	}
}
