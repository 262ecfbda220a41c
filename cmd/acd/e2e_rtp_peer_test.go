package main

// The socket plumbing every RTP peer of the e2e tests shares: a UDP socket
// on 127.0.0.1, a read loop that hands each RTP packet to the peer, an
// optional paced sender, and a close that stops them all at the end of the
// test.

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// rtpHandler is what a peer does with the packets its read loop gets.
type rtpHandler interface {
	// onPacket records one RTP packet from from (an IPv4-mapped address
	// unmapped). It runs on the read loop with the peer's mu held; pkt and
	// its payload are only valid until it returns.
	onPacket(from netip.AddrPort, pkt *rtp.Packet)
}

// invalidHandler is an rtpHandler that also wants the datagrams that are
// not RTP (the read loop drops them otherwise). onInvalid runs as onPacket
// does.
type invalidHandler interface {
	onInvalid(from netip.AddrPort)
}

// udpRTPPeer is the shared base of the tests' RTP peers (rtpPeer,
// payloadPeer, bsTonePeer, tonePeer), which embed it: their socket, the
// mutex over their state, and the goroutines that end when the peer closes.
type udpRTPPeer struct {
	conn *net.UDPConn
	// mu guards the embedding peer's state; the read loop holds it while
	// it calls the handler.
	mu sync.Mutex

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// listen opens the peer's socket on 127.0.0.1 and starts its read loop,
// which hands every packet to h; the peer closes at the end of the test.
// what names the peer if the socket cannot be opened.
func (p *udpRTPPeer) listen(t *testing.T, what string, h rtpHandler) {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	p.conn = conn
	p.stop = make(chan struct{})
	p.wg.Add(1)
	go p.read(h)
	t.Cleanup(p.close)
}

// port is where SDP should point.
func (p *udpRTPPeer) port() int { return p.conn.LocalAddr().(*net.UDPAddr).Port }

// portArg is port as a sipp -key value.
func (p *udpRTPPeer) portArg() string { return fmt.Sprint(p.port()) }

// close stops the read loop and the sender and waits for them; it may be
// called more than once (the test's cleanup calls it again).
func (p *udpRTPPeer) close() {
	p.stopOnce.Do(func() {
		close(p.stop)
		p.conn.Close()
		p.wg.Wait()
	})
}

func (p *udpRTPPeer) read(h rtpHandler) {
	defer p.wg.Done()
	inv, _ := h.(invalidHandler)
	buf := make([]byte, 2048)
	for {
		n, from, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return // closed at the end of the test
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		var pkt rtp.Packet
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			if inv != nil {
				p.mu.Lock()
				inv.onInvalid(from)
				p.mu.Unlock()
			}
			continue
		}
		p.mu.Lock()
		h.onPacket(from, &pkt)
		p.mu.Unlock()
	}
}

// pace calls tick every interval, on a goroutine of its own, until the
// peer closes. tick takes mu itself if it needs it.
func (p *udpRTPPeer) pace(interval time.Duration, tick func()) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-ticker.C:
			}
			tick()
		}
	}()
}
