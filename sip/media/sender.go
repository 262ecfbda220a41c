package media

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
)

// PacketWriter is where a Sender puts its datagrams: a *net.UDPConn in
// production, an in-memory fake in tests (synctest bubbles cannot use real
// sockets).
type PacketWriter interface {
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
}

// maxPacket bounds one RTP datagram we build or read: an Ethernet MTU with
// room to spare.
const maxPacket = 2048

// Sender is the one outgoing RTP stream toward one peer. It owns the SSRC,
// sequence number and timestamp, so whatever feeds it (hold audio, then the
// other leg's packets) the peer sees a single continuous stream (RFC 3550
// §5.1). Safe for concurrent use: the hold player and the relay may both
// call it around the switch.
type Sender struct {
	w    PacketWriter
	ssrc uint32

	mu       sync.Mutex
	remote   netip.AddrPort
	started  bool
	nextSeq  uint16 // sequence number of the next contiguous packet
	nextTS   uint32 // timestamp of the next contiguous packet
	frame    uint32 // samples in the last frame we wrote, the "one frame" step
	relaying bool   // the last packet came from Forward
	srcSSRC  uint32 // source stream being relayed
	seqOff   uint16 // added to the source's sequence numbers
	tsOff    uint32 // added to the source's timestamps
	out      rtp.Packet
	buf      [maxPacket]byte

	packets, bytes atomic.Uint64
}

// NewSender starts a stream toward remote with a random SSRC, sequence number
// and timestamp (RFC 3550 §5.1, §8). An invalid or unspecified remote (c=
// 0.0.0.0) makes the Sender keep its counters running without sending.
func NewSender(w PacketWriter, remote netip.AddrPort) *Sender {
	return &Sender{
		w:       w,
		ssrc:    rand.Uint32(),
		remote:  remote,
		nextSeq: uint16(rand.Uint32()),
		nextTS:  rand.Uint32(),
		frame:   FrameSamples,
	}
}

// SSRC is the stream's synchronisation source identifier.
func (s *Sender) SSRC() uint32 { return s.ssrc }

// SetRemote redirects the stream, e.g. to the address a peer behind NAT
// really sends from (RFC 4961 symmetric RTP) or after a re-INVITE.
func (s *Sender) SetRemote(addr netip.AddrPort) {
	s.mu.Lock()
	s.remote = addr
	s.mu.Unlock()
}

// Remote is where packets currently go.
func (s *Sender) Remote() netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remote
}

// WriteFrame sends one frame of our own audio: the next sequence number, the
// timestamp of the next contiguous frame, then advances the timestamp by
// samples. The first frame, and the first after relayed packets, carries the
// marker bit that starts a talkspurt (RFC 3551 §4.1).
func (s *Sender) WriteFrame(payload []byte, pt uint8, samples uint32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	marker := !s.started || s.relaying
	s.relaying = false
	seq, ts := s.nextSeq, s.nextTS
	s.nextSeq++
	s.nextTS += samples
	s.frame = samples
	return s.send(pt, marker, seq, ts, payload)
}

// Forward relays a packet from the other leg with our SSRC, sequence number
// and timestamp. On the first packet after a switch (from WriteFrame, or to a
// new source SSRC) it computes offsets once so that packet follows the last
// one sent by exactly one frame and carries the marker bit; afterwards the
// source's own spacing, gaps and reordering are preserved, so the peer's
// jitter buffer and loss statistics see what really happened upstream. The
// payload and payload type are sent as they are; the caller converts them if
// the legs negotiated differently. pkt is not retained or modified.
func (s *Sender) Forward(pkt *rtp.Packet) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	marker := pkt.Marker
	if !s.relaying || pkt.SSRC != s.srcSSRC || !s.started {
		s.relaying, s.srcSSRC = true, pkt.SSRC
		s.seqOff = s.nextSeq - pkt.SequenceNumber
		s.tsOff = s.nextTS - pkt.Timestamp
		marker = true
	}
	seq := pkt.SequenceNumber + s.seqOff
	ts := pkt.Timestamp + s.tsOff
	// Advance "next" only forwards (serial number arithmetic, RFC 3550
	// Appendix A.1), so a late packet does not pull it back.
	if int16(seq+1-s.nextSeq) > 0 {
		s.nextSeq = seq + 1
	}
	if int32(ts+s.frame-s.nextTS) > 0 {
		s.nextTS = ts + s.frame
	}
	return s.send(pkt.PayloadType, marker, seq, ts, pkt.Payload)
}

// send marshals into the reused buffer and writes; the caller holds s.mu.
func (s *Sender) send(pt uint8, marker bool, seq uint16, ts uint32, payload []byte) error {
	s.started = true
	if !s.remote.IsValid() || s.remote.Addr().IsUnspecified() || s.remote.Port() == 0 {
		return nil
	}
	s.out.Header = rtp.Header{
		Version:        2,
		Marker:         marker,
		PayloadType:    pt,
		SequenceNumber: seq,
		Timestamp:      ts,
		SSRC:           s.ssrc,
	}
	s.out.Payload = payload
	n, err := s.out.MarshalTo(s.buf[:])
	s.out.Payload = nil
	if err != nil {
		return fmt.Errorf("send rtp: marshal %d-byte payload: %w", len(payload), err)
	}
	if _, err := s.w.WriteToUDPAddrPort(s.buf[:n], s.remote); err != nil {
		return fmt.Errorf("send rtp to %v: %w", s.remote, err)
	}
	s.packets.Add(1)
	s.bytes.Add(uint64(n))
	return nil
}

// Sent is how many packets and bytes have gone out, readable at any time.
func (s *Sender) Sent() (packets, bytes uint64) { return s.packets.Load(), s.bytes.Load() }
