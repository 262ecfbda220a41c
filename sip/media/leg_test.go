package media

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

func TestLegLatchesAndFiltersSources(t *testing.T) {
	conn := newFakeConn()
	sdpAddr := netip.MustParseAddrPort("10.0.0.5:4000") // private address from behind NAT
	l := NewLeg(conn, LegOptions{Remote: sdpAddr, Codec: PCMU})
	var sunk []uint16
	l.SetSink(func(p *rtp.Packet) { sunk = append(sunk, p.SequenceNumber) })

	nat := netip.MustParseAddrPort("198.51.100.9:61000")
	mapped := netip.AddrPortFrom(netip.MustParseAddr("::ffff:198.51.100.9"), 61000) // dual-stack socket view
	stranger := netip.MustParseAddrPort("203.0.113.66:5000")

	l.handle(marshal(t, rtpPacket(1, 10, 0, 0, []byte{1})), nat)
	if got := l.Sender().Remote(); got != nat {
		t.Fatalf("Sender remote %v, want latched %v", got, nat)
	}
	l.handle(marshal(t, rtpPacket(1, 11, 160, 0, []byte{1})), mapped)              // same peer
	l.handle(marshal(t, rtpPacket(9, 99, 0, 0, []byte{6})), stranger)              // injection attempt
	l.handle([]byte{0x81, 0xC8, 0, 6, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, nat) // RTCP SR
	l.handle([]byte("STUN or junk"), nat)
	l.handle(marshal(t, rtpPacket(1, 12, 320, 0, []byte{1})), nat)

	if len(sunk) != 3 || sunk[0] != 10 || sunk[2] != 12 {
		t.Errorf("sink got seqs %v, want [10 11 12]", sunk)
	}
	st := l.Stats()
	if st.Received != 3 || st.Foreign != 1 || st.RTCP != 1 || st.Invalid != 1 {
		t.Errorf("stats %+v", st)
	}

	// Once the peer has been quiet a while, a new source may take over (a
	// NAT rebinding).
	l.lastRx.Store(int64(time.Since(l.epoch) - relatchIdle - time.Second))
	l.handle(marshal(t, rtpPacket(1, 13, 480, 0, []byte{1})), stranger)
	if got := l.Sender().Remote(); got != stranger {
		t.Errorf("after idle peer: remote %v, want %v", got, stranger)
	}

	// SetRemote (re-INVITE) re-targets at once and re-latches on the next packet.
	moved := netip.MustParseAddrPort("192.0.2.77:7000")
	l.SetRemote(moved)
	if l.Sender().Remote() != moved {
		t.Fatal("SetRemote did not re-target")
	}
	l.handle(marshal(t, rtpPacket(1, 14, 640, 0, []byte{1})), nat)
	if got := l.Sender().Remote(); got != nat {
		t.Errorf("after SetRemote: remote %v, want re-latched %v", got, nat)
	}
}

func TestLegReportsDTMFOncePerEvent(t *testing.T) {
	var digits []rune
	l := NewLeg(newFakeConn(), LegOptions{
		Remote: peerAddr, Codec: PCMU, TelephoneEventPT: 101,
		OnDTMF: func(e Event) { digits = append(digits, e.Digit) },
	})
	send := func(seq uint16, ts uint32, code byte, end bool, dur uint16) {
		flags := byte(10)
		if end {
			flags |= 0x80
		}
		l.handle(marshal(t, rtpPacket(1, seq, ts, 101, []byte{code, flags, byte(dur >> 8), byte(dur)})), peerAddr)
	}
	seq := uint16(0)
	for _, d := range []struct {
		code byte
		ts   uint32
	}{{5, 8000}, {11, 16000}, {5, 24000}} {
		for i := range 4 {
			seq++
			send(seq, d.ts, d.code, false, uint16(160*(i+1)))
		}
		for range 3 { // end packet sent three times (RFC 4733 §2.5.1.4)
			seq++
			send(seq, d.ts, d.code, true, 800)
		}
	}
	l.handle(marshal(t, rtpPacket(1, seq+1, 25000, 0, make([]byte, 160))), peerAddr) // audio is not an event
	if string(digits) != "5#5" {
		t.Errorf("digits %q, want \"5#5\"", string(digits))
	}
}

// A caller who vanishes while on hold is noticed: with nothing arriving, Run
// ends with ErrSilence after SilenceTimeout.
func TestLegSilenceTimeout(t *testing.T) {
	conn, peer := udpPair(t)
	l := NewLeg(conn, LegOptions{Remote: peer.LocalAddr().(*net.UDPAddr).AddrPort(), SilenceTimeout: 200 * time.Millisecond})
	defer l.Close()
	// The peer talks for a moment, then goes away.
	for i := range 5 {
		peer.WriteToUDPAddrPort(marshal(t, rtpPacket(1, uint16(i), uint32(i)*160, 0, []byte{1})), l.LocalAddr())
	}
	start := time.Now()
	err := l.Run(context.Background())
	if !errors.Is(err, ErrSilence) {
		t.Fatalf("Run = %v, want ErrSilence", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("gave up after %v, before the timeout", d)
	}
	if l.Stats().Received != 5 {
		t.Errorf("received %d, want 5", l.Stats().Received)
	}
	if !errors.Is(l.Err(), ErrSilence) {
		t.Errorf("Err = %v", l.Err())
	}
}

func TestLegRunEndsOnCancelAndClose(t *testing.T) {
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			conn, _ := udpPair(t)
			l := NewLeg(conn, LegOptions{SilenceTimeout: time.Hour})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- l.Run(ctx) }()
			if how == "cancel" {
				cancel()
			} else {
				l.Close()
			}
			if err := <-done; err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
			<-l.Done()
			if err := l.Run(ctx); err == nil {
				t.Error("second Run did not fail")
			}
		})
	}
}

// udpPair opens our socket (from a pool) and a fake phone's socket on
// 127.0.0.1.
func udpPair(t *testing.T) (*Conn, *net.UDPConn) {
	t.Helper()
	c, err := testPool.ListenUDP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	return c, peer
}

var testPool = NewPortPool(48000, 48999)
