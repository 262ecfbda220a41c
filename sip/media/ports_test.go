package media

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// testRange picks a narrow range high in the port space for one test; a
// port that happens to be taken by something else is skipped by the pool.
const testPortMin, testPortMax = 47000, 47999

func TestPortPoolEvenUniqueConcurrent(t *testing.T) {
	p := NewPortPool(testPortMin, testPortMax)
	const n = 40
	conns := make([]*Conn, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			c, err := p.ListenUDP(loopback)
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[uint16]bool{}
	for _, c := range conns {
		port := c.Port()
		if port%2 != 0 || port < testPortMin || port > testPortMax {
			t.Errorf("port %d: want even in %d-%d", port, testPortMin, testPortMax)
		}
		if seen[port] {
			t.Errorf("port %d handed out twice", port)
		}
		seen[port] = true
	}
	if p.InUse() != n {
		t.Errorf("InUse = %d, want %d", p.InUse(), n)
	}
	for _, c := range conns {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
		if err := c.Close(); err != nil { // idempotent
			t.Error(err)
		}
	}
	if p.InUse() != 0 {
		t.Errorf("InUse after close = %d", p.InUse())
	}
}

func TestPortPoolExhaustedAndReleased(t *testing.T) {
	// A range of exactly two even ports; odd bounds are rounded inwards.
	p := NewPortPool(47101, 47105)
	a, err := p.ListenUDP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.ListenUDP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	if a.Port() == b.Port() {
		t.Fatalf("same port %d twice", a.Port())
	}
	if _, err := p.ListenUDP(loopback); !errors.Is(err, ErrNoFreePort) {
		t.Fatalf("third ListenUDP: %v, want ErrNoFreePort", err)
	}
	freed := a.Port()
	a.Close()
	c, err := p.ListenUDP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	if c.Port() != freed {
		t.Errorf("got port %d, want the freed %d", c.Port(), freed)
	}
	b.Close()
	c.Close()
}

func TestPortPoolSkipsPortsTakenElsewhere(t *testing.T) {
	// Someone else holds one of the two ports.
	other, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 47200)))
	if err != nil {
		t.Skipf("cannot take port 47200 for the test: %v", err)
	}
	defer other.Close()
	p := NewPortPool(47200, 47202)
	for range 3 { // whatever the random start, 47202 is the one we get
		c, err := p.ListenUDP(loopback)
		if err != nil {
			t.Fatal(err)
		}
		if c.Port() != 47202 {
			t.Errorf("got port %d, want 47202", c.Port())
		}
		c.Close()
	}
	c, err := p.ListenUDP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := p.ListenUDP(loopback); !errors.Is(err, ErrNoFreePort) {
		t.Errorf("err = %v, want ErrNoFreePort", err)
	}
}

func TestPortPoolBadRange(t *testing.T) {
	for _, r := range [][2]int{{0, 100}, {5000, 4000}, {5001, 5001}, {60000, 70000}} {
		if _, err := NewPortPool(r[0], r[1]).ListenUDP(loopback); err == nil || errors.Is(err, ErrNoFreePort) {
			t.Errorf("range %v: err = %v, want a range error", r, err)
		}
	}
}
