package media

import (
	"bytes"
	"net/netip"
	"testing"
)

var peerAddr = netip.MustParseAddrPort("192.0.2.1:4000")

func TestSenderSwitchKeepsStreamContinuous(t *testing.T) {
	w := &memWriter{}
	s := NewSender(w, peerAddr)
	frame := bytes.Repeat([]byte{0xFF}, FrameSamples)
	for range 3 { // hold audio
		if err := s.WriteFrame(frame, PCMU.PT, FrameSamples); err != nil {
			t.Fatal(err)
		}
	}
	// The agent's stream starts somewhere else entirely.
	for i := range 3 {
		if err := s.Forward(rtpPacket(0xA1, 40000+uint16(i), 1_000_000+uint32(i)*160, 0, []byte{byte(i)})); err != nil {
			t.Fatal(err)
		}
	}
	// The agent phone restarts its stream (new SSRC): re-anchored once more.
	for i := range 2 {
		s.Forward(rtpPacket(0xB2, 7+uint16(i), 5+uint32(i)*160, 0, []byte{9}))
	}
	// Back to our own audio (e.g. a re-hold).
	s.WriteFrame(frame, PCMU.PT, FrameSamples)

	pkts := w.packets()
	if len(pkts) != 9 {
		t.Fatalf("%d packets, want 9", len(pkts))
	}
	checkContinuous(t, pkts, FrameSamples)
	for i, p := range pkts {
		wantMarker := i == 0 || i == 3 || i == 6 || i == 8
		if p.Marker != wantMarker {
			t.Errorf("packet %d: marker %v, want %v", i, p.Marker, wantMarker)
		}
		if p.SSRC != s.SSRC() {
			t.Errorf("packet %d: SSRC %#x, want ours %#x", i, p.SSRC, s.SSRC())
		}
		if w.to[i] != peerAddr {
			t.Errorf("packet %d went to %v", i, w.to[i])
		}
	}
	if !bytes.Equal(pkts[4].Payload, []byte{1}) {
		t.Errorf("payload not relayed: % x", pkts[4].Payload)
	}
	if n, _ := s.Sent(); n != 9 {
		t.Errorf("Sent = %d", n)
	}
}

// After the switch the source's own timing is kept: a lost packet stays a
// gap and a late one keeps its place, so the phone's jitter buffer and loss
// counters see the truth. Source wrap-around of seq and ts is harmless.
func TestSenderForwardKeepsSourceTiming(t *testing.T) {
	w := &memWriter{}
	s := NewSender(w, peerAddr)
	s.Forward(rtpPacket(1, 65534, 4294967136, 0, nil)) // anchor, ts = 2^32-160
	s.Forward(rtpPacket(1, 0, 160, 0, nil))            // 65535 lost; both wrap
	s.Forward(rtpPacket(1, 65535, 0, 0, nil))          // ...arrives late
	s.Forward(rtpPacket(1, 1, 320, 0, nil))
	p := w.packets()
	seq0, ts0 := p[0].SequenceNumber, p[0].Timestamp
	wantSeq := []uint16{0, 2, 1, 3}
	wantTS := []uint32{0, 320, 160, 480}
	for i := range p {
		if p[i].SequenceNumber-seq0 != wantSeq[i] || p[i].Timestamp-ts0 != wantTS[i] {
			t.Errorf("packet %d: seq +%d ts +%d, want +%d +%d", i,
				p[i].SequenceNumber-seq0, p[i].Timestamp-ts0, wantSeq[i], wantTS[i])
		}
	}
	// The late packet did not pull "next" back: our next frame follows the
	// newest one.
	s.WriteFrame(nil, 0, FrameSamples)
	last := w.packets()[4]
	if last.SequenceNumber-seq0 != 4 || last.Timestamp-ts0 != 640 || !last.Marker {
		t.Errorf("frame after relay: seq +%d ts +%d marker %v", last.SequenceNumber-seq0, last.Timestamp-ts0, last.Marker)
	}
}

func TestSenderSetRemoteAndUnspecified(t *testing.T) {
	w := &memWriter{}
	s := NewSender(w, netip.MustParseAddrPort("0.0.0.0:4000")) // c=0.0.0.0: on hold
	s.WriteFrame([]byte{1}, 0, FrameSamples)
	if len(w.packets()) != 0 {
		t.Fatal("sent to an unspecified address")
	}
	s.SetRemote(peerAddr)
	s.WriteFrame([]byte{2}, 0, FrameSamples)
	if len(w.packets()) != 1 || w.to[0] != peerAddr || s.Remote() != peerAddr {
		t.Fatalf("after SetRemote: %v", w.to)
	}
}

func TestSenderZeroAllocs(t *testing.T) {
	s := NewSender(discardWriter{}, peerAddr)
	payload := make([]byte, FrameSamples)
	in := rtpPacket(7, 1, 1, 0, payload)
	if n := testing.AllocsPerRun(1000, func() {
		in.SequenceNumber++
		in.Timestamp += FrameSamples
		s.Forward(in)
	}); n != 0 {
		t.Errorf("Forward: %v allocs per packet", n)
	}
	if n := testing.AllocsPerRun(1000, func() { s.WriteFrame(payload, 0, FrameSamples) }); n != 0 {
		t.Errorf("WriteFrame: %v allocs per packet", n)
	}
}
