package media

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// fakePhone is a plain UDP socket that behaves like a softphone's media
// stream: it sends first (which lets the ACD latch onto it), then answers
// every packet it receives with one of its own, so traffic flows without
// timers, until told to go quiet.
type fakePhone struct {
	conn  *net.UDPConn
	ssrc  uint32
	tag   string
	quiet atomic.Bool

	mu      sync.Mutex
	to      netip.AddrPort
	seq     uint16
	ts      uint32
	got     []rtp.Packet
	changed chan struct{} // closed and replaced on every packet received
}

func newFakePhone(t *testing.T, conn *net.UDPConn, tag string, ssrc uint32, seq uint16, ts uint32) *fakePhone {
	p := &fakePhone{conn: conn, tag: tag, ssrc: ssrc, seq: seq, ts: ts, changed: make(chan struct{})}
	go p.run()
	return p
}

func (p *fakePhone) addr() netip.AddrPort { return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// send sends one 20 ms PCMU frame whose payload starts with the phone's tag.
func (p *fakePhone) send() {
	p.mu.Lock()
	defer p.mu.Unlock()
	payload := bytes.Repeat([]byte{0xFF}, FrameSamples)
	copy(payload, p.tag)
	b, _ := rtpPacket(p.ssrc, p.seq, p.ts, 0, payload).Marshal()
	p.seq++
	p.ts += FrameSamples
	p.conn.WriteToUDPAddrPort(b, p.to)
}

// sendDTMF sends one RFC 4733 digit as phones do: updates, then the end
// packet three times, all with the event's start timestamp.
func (p *fakePhone) sendDTMF(code byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range 6 {
		flags, dur := byte(10), uint16(160*(i+1))
		if i >= 3 {
			flags, dur = 0x80|10, 640
		}
		b, _ := rtpPacket(p.ssrc, p.seq, p.ts, 101, []byte{code, flags, byte(dur >> 8), byte(dur)}).Marshal()
		p.seq++
		p.conn.WriteToUDPAddrPort(b, p.to)
	}
	p.ts += 4 * FrameSamples
}

func (p *fakePhone) run() {
	buf := make([]byte, maxPacket)
	for {
		n, _, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		var pkt rtp.Packet
		if err := pkt.Unmarshal(append([]byte(nil), buf[:n]...)); err != nil {
			continue
		}
		p.mu.Lock()
		p.got = append(p.got, pkt)
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		if !p.quiet.Load() {
			p.send()
		}
	}
}

// waitFor blocks until cond holds for the packets received so far.
func (p *fakePhone) waitFor(t *testing.T, what string, cond func([]rtp.Packet) bool) []rtp.Packet {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		p.mu.Lock()
		got, changed := append([]rtp.Packet(nil), p.got...), p.changed
		p.mu.Unlock()
		if cond(got) {
			return got
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%s: gave up waiting for %s after %d packets", p.tag, what, len(got))
		}
	}
}

func countTagged(pkts []rtp.Packet, tag string) int {
	n := 0
	for _, p := range pkts {
		if bytes.HasPrefix(p.Payload, []byte(tag)) {
			n++
		}
	}
	return n
}

// TestCallHoldThenRelay plays a whole call over real sockets on 127.0.0.1:
// a caller hears hold audio, presses a digit, an agent answers, the two
// talk through the relay, then both phones vanish and the relay ends with
// ErrSilence. The caller must hear one continuous stream across the switch.
func TestCallHoldThenRelay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const silence = 200 * time.Millisecond

	callerConn, callerSock := udpPair(t)
	agentConn, agentSock := udpPair(t)
	caller := newFakePhone(t, callerSock, "caller", 0xCA11, 100, 8000)
	agent := newFakePhone(t, agentSock, "agent", 0xA9E7, 50000, 4_000_000_000)

	// Answer: the caller's SDP names a port nobody listens on, as a phone
	// behind NAT would; the leg must latch onto where its RTP comes from.
	hold := NewToneSource() // before the leg's silence clock starts
	digits := make(chan rune, 4)
	callerLeg := NewLeg(callerConn, LegOptions{
		Remote: netip.AddrPortFrom(loopback, 9), Codec: PCMU, TelephoneEventPT: 101,
		SilenceTimeout: silence, OnDTMF: func(e Event) { digits <- e.Digit },
	})
	callerDone := make(chan error, 1)
	go func() { callerDone <- callerLeg.Run(ctx) }()
	player, err := NewPlayer(hold, callerLeg.Sender(), PCMU)
	if err != nil {
		t.Fatal(err)
	}
	playerDone := make(chan error, 1)
	go func() { playerDone <- player.Run(ctx) }()

	caller.mu.Lock()
	caller.to = callerLeg.LocalAddr()
	caller.mu.Unlock()
	caller.send() // phones start sending on answer

	// On hold: audio arrives, the caller's packets are drained, a digit is seen.
	caller.waitFor(t, "hold audio", func(p []rtp.Packet) bool {
		select {
		case <-callerLeg.Done():
			t.Fatalf("caller leg ended: %v, stats %+v", callerLeg.Err(), callerLeg.Stats())
		default:
		}
		return len(p) >= 10
	})
	caller.sendDTMF(7)
	select {
	case d := <-digits:
		if d != '7' {
			t.Errorf("digit %q, want '7'", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no DTMF digit reported")
	}
	// The digit is reported at the first end packet; let the leg drain the
	// two retransmissions too, or they would reach the agent after the bridge.
	caller.mu.Lock()
	sent := uint64(caller.seq - 100)
	caller.mu.Unlock()
	caller.waitFor(t, "the DTMF packets drained", func([]rtp.Packet) bool { return callerLeg.Stats().Received >= sent })
	if st := callerLeg.Stats(); st.Received < 10 || st.Sent < 9 { // the 10th may still be in WriteTo
		t.Errorf("caller leg during hold: %+v", st)
	}

	// The agent answers: stop hold audio, start the agent leg, bridge.
	player.Stop()
	if err := <-playerDone; err != nil {
		t.Fatal(err)
	}
	agent.mu.Lock()
	agent.to = agentConn.LocalAddr().(*net.UDPAddr).AddrPort()
	agent.mu.Unlock()
	agentLeg := NewLeg(agentConn, LegOptions{
		Remote: agent.addr(), Codec: PCMU, TelephoneEventPT: 96, SilenceTimeout: silence,
	})
	agentDone := make(chan error, 1)
	go func() { agentDone <- agentLeg.Run(ctx) }()
	relay := NewRelay(callerLeg, agentLeg, RelayOptions{})
	relayDone := make(chan error, 1)
	go func() { relayDone <- relay.Run(ctx) }()
	agent.send()

	heard := caller.waitFor(t, "agent audio", func(p []rtp.Packet) bool { return countTagged(p, "agent") >= 50 })
	agentHeard := agent.waitFor(t, "caller audio", func(p []rtp.Packet) bool { return countTagged(p, "caller") >= 50 })

	// Both phones hang up without a BYE.
	caller.quiet.Store(true)
	agent.quiet.Store(true)
	select {
	case err := <-relayDone:
		if !errors.Is(err, ErrSilence) {
			t.Errorf("relay Run = %v, want ErrSilence", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("relay did not notice the silence")
	}

	// What the caller heard: hold audio, then the agent, as one stream.
	checkContinuous(t, heard, FrameSamples)
	first := -1
	for i, p := range heard {
		isAgent := bytes.HasPrefix(p.Payload, []byte("agent"))
		if isAgent && first < 0 {
			first = i
		}
		if first >= 0 && !isAgent {
			t.Fatalf("packet %d is hold audio after the agent's audio started", i)
		}
		// The very first hold packet (marker set) went to the SDP address
		// before the leg latched; after it, only the switch is marked.
		if i > 0 && p.Marker != (i == first) {
			t.Errorf("packet %d: marker %v", i, p.Marker)
		}
	}
	if first < 10 {
		t.Fatalf("agent audio at packet %d, want it after at least 10 hold packets", first)
	}
	if p := heard[0]; p.PayloadType != PCMU.PT || len(p.Payload) != FrameSamples {
		t.Errorf("hold packet: pt %d, %d bytes", p.PayloadType, len(p.Payload))
	}
	// What the agent heard: the caller, continuous too, no hold audio, no DTMF
	// from before the bridge.
	checkContinuous(t, agentHeard, FrameSamples)
	if countTagged(agentHeard, "caller") != len(agentHeard) {
		t.Error("agent received packets that are not the caller's")
	}

	st := relay.Stats()
	if st.CallerToAgent.Packets < 50 || st.AgentToCaller.Packets < 50 ||
		st.AgentToCaller.Bytes != st.AgentToCaller.Packets*(12+FrameSamples) {
		t.Errorf("relay stats %+v", st)
	}
	cancel()
	for _, done := range []chan error{callerDone, agentDone} {
		if err := <-done; err != nil && !errors.Is(err, ErrSilence) {
			t.Errorf("leg Run = %v", err)
		}
	}
}

func TestRelayEndsWithContextAndUnlinks(t *testing.T) {
	a := NewLeg(newFakeConn(), LegOptions{Remote: peerAddr, Codec: PCMU})
	b := NewLeg(newFakeConn(), LegOptions{Remote: peerAddr, Codec: PCMU})
	ctx, cancel := context.WithCancel(context.Background())
	r := NewRelay(a, b, RelayOptions{})
	cancel()
	if err := r.Run(ctx); err != nil {
		t.Fatalf("Run = %v", err)
	}
	a.handle(marshal(t, rtpPacket(1, 1, 1, 0, []byte{1})), peerAddr)
	if st := r.Stats(); st.CallerToAgent.Packets != 0 {
		t.Error("packets still relayed after Run returned")
	}
}

// The legs may have negotiated differently: PCMU on one, PCMA on the other,
// and telephone-event under different numbers. The relay converts, renumbers
// and drops what the other side did not agree to.
func TestRelayMapsPayloadTypes(t *testing.T) {
	callerConn, agentConn := newFakeConn(), newFakeConn()
	caller := NewLeg(callerConn, LegOptions{Remote: peerAddr, Codec: PCMU, TelephoneEventPT: 101})
	agent := NewLeg(agentConn, LegOptions{Remote: peerAddr, Codec: PCMA, TelephoneEventPT: 96})
	r := NewRelay(caller, agent, RelayOptions{})

	ulaw := []byte{0xFF, 0x80, 0x00, 0xCE}
	caller.handle(marshal(t, rtpPacket(1, 1, 0, 0, ulaw)), peerAddr)
	caller.handle(marshal(t, rtpPacket(1, 2, 160, 101, []byte{5, 0x80, 0, 160})), peerAddr)
	caller.handle(marshal(t, rtpPacket(1, 3, 320, 13, []byte{40})), peerAddr) // comfort noise: not negotiated
	agent.handle(marshal(t, rtpPacket(2, 1, 0, 8, []byte{0xD5})), peerAddr)

	toAgent := agentConn.packets()
	if len(toAgent) != 2 {
		t.Fatalf("agent got %d packets, want 2", len(toAgent))
	}
	if toAgent[0].PayloadType != PCMA.PT {
		t.Errorf("audio pt %d, want 8", toAgent[0].PayloadType)
	}
	for i, u := range ulaw {
		if got, want := toAgent[0].Payload[i], EncodeALaw(DecodeULaw(u)); got != want {
			t.Errorf("byte %d: %#02x, want %#02x", i, got, want)
		}
	}
	if toAgent[1].PayloadType != 96 || toAgent[1].Payload[0] != 5 {
		t.Errorf("DTMF: pt %d payload % x, want pt 96", toAgent[1].PayloadType, toAgent[1].Payload)
	}
	toCaller := callerConn.packets()
	if len(toCaller) != 1 || toCaller[0].PayloadType != 0 || toCaller[0].Payload[0] != EncodeULaw(DecodeALaw(0xD5)) {
		t.Errorf("to caller: %+v", toCaller)
	}
	st := r.Stats()
	if st.CallerToAgent.Packets != 2 || st.CallerToAgent.Dropped != 1 || st.AgentToCaller.Packets != 1 {
		t.Errorf("stats %+v", st)
	}
}
