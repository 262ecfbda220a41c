package main

// The media side of the e2e tests. sipp does not read RTP, so the test is
// the RTP peer at both ends: the caller scenario's SDP and the agent
// scenario's 200 OK point at an rtpPeer, a UDP socket owned by the test.
// A peer answers every address it hears from (symmetric RTP, as the ACD's
// legs latch on the first packet) with its own stream of recognisable
// payloads, 20 ms apart, and records what it receives per source: the ACD
// uses one RTP port per call leg, so one source is one leg.

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtp"
)

const (
	// callerFill is the payload byte the caller-side peer sends.
	callerFill = 0xCA
	// agentFill is the payload byte the agent-side peer sends.
	agentFill = 0xAE
	// frameSamples is one 20 ms G.711 frame at 8 kHz.
	frameSamples = 160
	// peerIdle: a peer stops sending to a source it has not heard for this
	// long (the call leg is gone).
	peerIdle = 500 * time.Millisecond
)

// rxPacket is one RTP packet a peer received.
type rxPacket struct {
	SSRC   uint32
	Seq    uint16
	TS     uint32
	PT     uint8
	Marker bool
	// Fill is the byte every payload byte equals, -1 if they differ.
	Fill int
	Len  int
	// At is when the peer received it.
	At time.Time
}

// rtpStream is what a peer exchanges with one source address.
type rtpStream struct {
	from      netip.AddrPort
	first     time.Time
	lastHeard time.Time
	rx        []rxPacket
	// our stream back to from
	ssrc uint32
	seq  uint16
	ts   uint32
	sent int
}

// rtpPeer is one end of the calls' media (see the top of the file): it
// answers every source it hears with a stream of fill payloads and records
// what it receives per source.
type rtpPeer struct {
	udpRTPPeer
	t    *testing.T
	name string
	fill byte

	// under mu
	streams map[netip.AddrPort]*rtpStream
	invalid int
}

// newRTPPeer listens on 127.0.0.1 and sends fill payloads; it stops at the
// end of the test.
func newRTPPeer(t *testing.T, name string, fill byte) *rtpPeer {
	t.Helper()
	p := &rtpPeer{t: t, name: name, fill: fill, streams: map[netip.AddrPort]*rtpStream{}}
	p.listen(t, "rtp peer "+name, p)
	p.pace(20*time.Millisecond, p.sender())
	return p
}

// onPacket records pkt in from's stream, which starts our stream back.
func (p *rtpPeer) onPacket(from netip.AddrPort, pkt *rtp.Packet) {
	s := p.streams[from]
	now := time.Now()
	if s == nil {
		s = &rtpStream{from: from, first: now, ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32()}
		p.streams[from] = s
	}
	s.lastHeard = now
	s.rx = append(s.rx, rxPacket{SSRC: pkt.SSRC, Seq: pkt.SequenceNumber, TS: pkt.Timestamp, PT: pkt.PayloadType,
		Marker: pkt.Marker, Fill: uniform(pkt.Payload), Len: len(pkt.Payload), At: now})
}

// onInvalid counts a datagram that is not RTP.
func (p *rtpPeer) onInvalid(netip.AddrPort) { p.invalid++ }

func uniform(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	for _, c := range b[1:] {
		if c != b[0] {
			return -1
		}
	}
	return int(b[0])
}

// sender paces our streams: each tick sends one packet to every source
// heard recently, consecutive sequence numbers and timestamps per
// destination.
func (p *rtpPeer) sender() func() {
	payload := make([]byte, frameSamples)
	for i := range payload {
		payload[i] = p.fill
	}
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		now := time.Now()
		for _, s := range p.streams {
			if now.Sub(s.lastHeard) > peerIdle {
				continue
			}
			pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: s.seq, Timestamp: s.ts,
				SSRC: s.ssrc, Marker: s.sent == 0}, Payload: payload}
			b, err := pkt.Marshal()
			if err != nil {
				continue
			}
			if _, err := p.conn.WriteToUDPAddrPort(b, s.from); err != nil {
				continue // the leg may be gone; the next tick stops sending
			}
			s.seq++
			s.ts += frameSamples
			s.sent++
		}
	}
}

// streamSnapshot is a copy of one stream for assertions.
type streamSnapshot struct {
	From netip.AddrPort
	Rx   []rxPacket
	Sent int
}

// snapshot returns every stream, in the order they started.
func (p *rtpPeer) snapshot() []streamSnapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	var all []*rtpStream
	for _, s := range p.streams {
		all = append(all, s)
	}
	slices.SortFunc(all, func(a, b *rtpStream) int { return a.first.Compare(b.first) })
	out := make([]streamSnapshot, 0, len(all))
	for _, s := range all {
		out = append(out, streamSnapshot{From: s.from, Rx: slices.Clone(s.rx), Sent: s.sent})
	}
	return out
}

// checkContinuous reports a stream that is not one RTP stream: one SSRC,
// sequence numbers +1 each (no loss is expected on loopback at this rate)
// and timestamps increasing.
func checkContinuous(s streamSnapshot) error {
	if len(s.Rx) == 0 {
		return fmt.Errorf("from %v: no packets", s.From)
	}
	first := s.Rx[0]
	for i := 1; i < len(s.Rx); i++ {
		prev, cur := s.Rx[i-1], s.Rx[i]
		switch {
		case cur.SSRC != first.SSRC:
			return fmt.Errorf("from %v: packet %d has SSRC %08x, the stream started with %08x", s.From, i, cur.SSRC, first.SSRC)
		case cur.Seq != prev.Seq+1:
			return fmt.Errorf("from %v: packet %d has sequence number %d after %d (want +1)", s.From, i, cur.Seq, prev.Seq)
		case int32(cur.TS-prev.TS) <= 0:
			return fmt.Errorf("from %v: packet %d has timestamp %d after %d (want increasing)", s.From, i, cur.TS, prev.TS)
		}
	}
	return nil
}

// checkCallerLeg checks what a caller heard on one call: hold audio first,
// then the agent's audio relayed, as one continuous stream, with the first
// relayed packet exactly one frame after the last hold packet.
func checkCallerLeg(s streamSnapshot, minRelayed int) error {
	if err := checkContinuous(s); err != nil {
		return err
	}
	k := slices.IndexFunc(s.Rx, func(p rxPacket) bool { return p.Fill == agentFill })
	switch {
	case k < 0:
		return fmt.Errorf("from %v: %d packets of hold audio, none with the agent's 0x%X payload", s.From, len(s.Rx), agentFill)
	case k == 0:
		return fmt.Errorf("from %v: the agent's audio came before any hold audio", s.From)
	}
	for i, p := range s.Rx[k:] {
		if p.Fill != agentFill {
			return fmt.Errorf("from %v: packet %d (after the switch to the agent's audio at %d) has another payload (fill %d, %d bytes)", s.From, k+i, k, p.Fill, p.Len)
		}
	}
	if n := len(s.Rx) - k; n < minRelayed {
		return fmt.Errorf("from %v: only %d packets of the agent's audio, want at least %d", s.From, n, minRelayed)
	}
	if d := s.Rx[k].TS - s.Rx[k-1].TS; d != frameSamples {
		return fmt.Errorf("from %v: timestamp steps by %d at the switch from hold to the agent, want one frame (%d)", s.From, d, frameSamples)
	}
	if !s.Rx[k].Marker {
		return fmt.Errorf("from %v: first relayed packet has no marker bit", s.From)
	}
	return nil
}

// checkAgentLeg checks what an agent heard on one call: only the caller's
// audio, as one continuous stream.
func checkAgentLeg(s streamSnapshot, minRelayed int) error {
	if err := checkContinuous(s); err != nil {
		return err
	}
	for i, p := range s.Rx {
		if p.Fill != callerFill {
			return fmt.Errorf("from %v: packet %d is not the caller's 0x%X audio (fill %d, %d bytes)", s.From, i, callerFill, p.Fill, p.Len)
		}
	}
	if len(s.Rx) < minRelayed {
		return fmt.Errorf("from %v: only %d packets of the caller's audio, want at least %d", s.From, len(s.Rx), minRelayed)
	}
	return nil
}

// filterRx returns the packets whose payload is all fill.
func filterRx(rx []rxPacket, fill byte) []rxPacket {
	var out []rxPacket
	for _, p := range rx {
		if p.Fill == int(fill) {
			out = append(out, p)
		}
	}
	return out
}
