package media

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// memWriter is an in-memory PacketWriter that keeps every packet, for tests
// that cannot (synctest) or need not use sockets.
type memWriter struct {
	mu   sync.Mutex
	pkts []rtp.Packet
	to   []netip.AddrPort
}

func (w *memWriter) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	var p rtp.Packet
	if err := p.Unmarshal(append([]byte(nil), b...)); err != nil {
		return 0, err
	}
	w.mu.Lock()
	w.pkts = append(w.pkts, p)
	w.to = append(w.to, addr)
	w.mu.Unlock()
	return len(b), nil
}

func (w *memWriter) packets() []rtp.Packet {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]rtp.Packet(nil), w.pkts...)
}

// discardWriter drops packets without allocating, for benchmarks.
type discardWriter struct{}

func (discardWriter) WriteToUDPAddrPort(b []byte, _ netip.AddrPort) (int, error) { return len(b), nil }

// checkContinuous asserts the stream a phone would see: one SSRC, sequence
// numbers +1 and timestamps +step from packet to packet.
func checkContinuous(t *testing.T, pkts []rtp.Packet, step uint32) {
	t.Helper()
	for i := 1; i < len(pkts); i++ {
		a, b := pkts[i-1], pkts[i]
		if b.SSRC != a.SSRC {
			t.Fatalf("packet %d: SSRC %#x after %#x", i, b.SSRC, a.SSRC)
		}
		if b.SequenceNumber != a.SequenceNumber+1 {
			t.Fatalf("packet %d: seq %d after %d", i, b.SequenceNumber, a.SequenceNumber)
		}
		if b.Timestamp != a.Timestamp+step {
			t.Fatalf("packet %d: ts %d after %d, want +%d", i, b.Timestamp, a.Timestamp, step)
		}
	}
}

// rtpPacket builds a packet as a phone would send it.
func rtpPacket(ssrc uint32, seq uint16, ts uint32, pt uint8, payload []byte) *rtp.Packet {
	return &rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc},
		Payload: payload,
	}
}

// fakeConn is a PacketConn whose writes are recorded and whose reads block
// until Close, for tests that feed a Leg through handle.
type fakeConn struct {
	memWriter
	closed chan struct{}
	once   sync.Once
}

func newFakeConn() *fakeConn { return &fakeConn{closed: make(chan struct{})} }

func (c *fakeConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	<-c.closed
	return 0, netip.AddrPort{}, net.ErrClosed
}
func (c *fakeConn) SetReadDeadline(time.Time) error { return nil }
func (c *fakeConn) LocalAddr() net.Addr {
	return net.UDPAddrFromAddrPort(netip.MustParseAddrPort("192.0.2.100:30000"))
}
func (c *fakeConn) Close() error { c.once.Do(func() { close(c.closed) }); return nil }

// discardConn is a fakeConn whose writes are dropped without allocating.
type discardConn struct{ *fakeConn }

func (discardConn) WriteToUDPAddrPort(b []byte, _ netip.AddrPort) (int, error) { return len(b), nil }

func marshal(t testing.TB, p *rtp.Packet) []byte {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
