package main

import (
	"bytes"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/sme/acd/acd/announce"
	"github.com/sme/acd/sip/media"
)

// payloadPeer is a caller's RTP endpoint that keeps the PCMU payloads it
// receives, in order, so a test can look for a prompt's audio in them. It
// sends PCMU silence back to every source it hears (symmetric RTP), so the
// ACD's leg latches on and does not time the call out.
type payloadPeer struct {
	udpRTPPeer

	// under mu
	pcmu    []byte
	sources map[netip.AddrPort]bool
	// news gets a token when audio arrives (waitHeard waits on it).
	news chan struct{}
}

func newPayloadPeer(t *testing.T) *payloadPeer {
	t.Helper()
	p := &payloadPeer{sources: map[netip.AddrPort]bool{}, news: make(chan struct{}, 1)}
	p.listen(t, "payload peer", p)
	p.pace(20*time.Millisecond, p.sender())
	return p
}

// onPacket keeps pkt's PCMU and answers from from now on.
func (p *payloadPeer) onPacket(from netip.AddrPort, pkt *rtp.Packet) {
	p.sources[from] = true
	if pkt.PayloadType == 0 {
		p.pcmu = append(p.pcmu, pkt.Payload...)
	}
	select {
	case p.news <- struct{}{}:
	default:
	}
}

// sender is the pacer's tick: one frame of silence to every source heard.
func (p *payloadPeer) sender() func() {
	payload := bytes.Repeat([]byte{0xFF}, frameSamples) // μ-law silence
	var seq uint16
	var ts uint32
	return func() {
		b, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: seq, Timestamp: ts, SSRC: 0xACD0}, Payload: payload}).Marshal()
		p.mu.Lock()
		for s := range p.sources {
			_, _ = p.conn.WriteToUDPAddrPort(b, s)
		}
		p.mu.Unlock()
		seq++
		ts += frameSamples
	}
}

// heard reports whether the payloads received so far hold needle.
func (p *payloadPeer) heard(needle []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Contains(p.pcmu, needle)
}

// waitHeard waits until the payloads received hold needle, at most
// timeout, woken by each packet that arrives.
func (p *payloadPeer) waitHeard(t *testing.T, what string, needle []byte, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for !p.heard(needle) {
		select {
		case <-p.news:
		case <-deadline.C:
			t.Fatalf("after %v the caller has not heard %s", timeout, what)
		}
	}
}

// promptULaw is the μ-law encoding of the shipped prompts, one after the
// other, as the ACD sends them to a PCMU caller.
func promptULaw(t *testing.T, lang string, names ...string) []byte {
	t.Helper()
	lib, err := announce.Load("")
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, n := range names {
		p, ok := lib.Get(lang, n)
		if !ok {
			t.Fatalf("no prompt %s/%s", lang, n)
		}
		pcm, err := media.DecodeWAV(p.WAV)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range pcm {
			out = append(out, media.EncodeULaw(s))
		}
	}
	return out
}

// TestE2EAnnouncePosition: with no agent logged in, two callers wait in a
// queue that announces positions. The second hears "You are caller number
// two in the queue" over hold audio (its RTP carries the μ-law of those
// prompts' samples), the first "You are next in line", and the event log
// records both announcements.
func TestE2EAnnouncePosition(t *testing.T) {
	e2eTest(t)
	spec := acdSpec{Queues: []queueSpec{supportQueue()}, Agents: agentsFor(1, "support")} // never registers: offline
	acd := startACDOpts(t, spec, withQueueLines("support", "100",
		"    announce: {language: en, position: true, wait: true, every: 60s}\n"))
	first, second := newPayloadPeer(t), newPayloadPeer(t)

	c1 := acd.startSipp("caller-1", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", strconv.Itoa(first.port()), "-d", "6000", "-m", "1")
	entered := acd.waitEvent("first caller queued", 10*time.Second, ofType("entered"))
	c2 := acd.startSipp("caller-2", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", strconv.Itoa(second.port()), "-d", "6000", "-m", "1")
	acd.waitEvents("two callers queued", 10*time.Second, func(evs []event) bool { return countType(evs, "entered") == 2 })

	// Nothing was answered yet, so no wait is announced: position only.
	// The needles are long runs (the end of "You are caller number", all
	// of "two"; the first 0.5 s of "You are next in line") rather than the
	// whole clips, so one packet lost on a busy machine cannot fail it.
	before := promptULaw(t, "en", announce.PositionBefore)
	wantSecond := append(before[len(before)-4000:], promptULaw(t, "en", "2")...)
	wantFirst := promptULaw(t, "en", announce.NextInLine)[:4000]
	second.waitHeard(t, "its position (2)", wantSecond, 10*time.Second)
	first.waitHeard(t, "next-in-line", wantFirst, 10*time.Second)
	if first.heard(wantSecond) {
		t.Errorf("the first caller heard position 2")
	}

	byCall := map[string]event{}
	for _, e := range filterEvents(acd.readEvents(), ofType("announced")) {
		if _, dup := byCall[e.CallID]; dup {
			t.Errorf("call %s announced twice within the 60 s period", e.CallID)
		}
		byCall[e.CallID] = e
	}
	if len(byCall) != 2 {
		t.Fatalf("announced events %+v, want one per caller", byCall)
	}
	if e := byCall[entered.CallID]; e.Position != 1 || e.Queue != "support" || e.EstimatedMS != 0 {
		t.Errorf("first caller announced %+v, want position 1 without estimate", e)
	}
	for id, e := range byCall {
		if id != entered.CallID && (e.Position != 2 || e.Queue != "support" || e.EstimatedMS != 0) {
			t.Errorf("second caller announced %+v, want position 2 without estimate", e)
		}
	}
	c1.expectSuccess(1)
	c2.expectSuccess(1)
	acd.waitEvents("both calls abandoned", 10*time.Second, func(evs []event) bool { return countType(evs, "abandoned") == 2 })
}
