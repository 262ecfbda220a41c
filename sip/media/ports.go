package media

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"syscall"
)

// ErrNoFreePort means every even port of a PortPool is in use.
var ErrNoFreePort = errors.New("media: no free rtp port")

// PortPool hands out RTP sockets on even ports of a configured range
// (RFC 3550 §11: RTP on an even port, RTCP on the next odd one, which we
// leave unbound), never the same port twice while it is open. Ports are
// tried round-robin from a random start so a port just closed is not reused
// at once and late packets of an old call do not reach a new one. A
// PortPool is safe for concurrent use.
type PortPool struct {
	min, max int // even bounds, inclusive

	mu     sync.Mutex
	next   int
	inUse  map[int]struct{}
	badErr error // set when the range is invalid
}

// NewPortPool serves even ports in [min, max]. An invalid range makes every
// ListenUDP fail with a clear error, so configuration mistakes surface on the
// first call rather than as a panic.
func NewPortPool(min, max int) *PortPool {
	p := &PortPool{inUse: map[int]struct{}{}}
	lo, hi := min+(min&1), max-(max&1)
	if min < 1 || max > 65535 || lo > hi {
		p.badErr = fmt.Errorf("media: rtp port range %d-%d holds no even port in 1-65535", min, max)
		return p
	}
	p.min, p.max = lo, hi
	p.next = lo + 2*rand.IntN((hi-lo)/2+1)
	return p
}

// Conn is a UDP socket from a PortPool; Close returns the port to the pool.
type Conn struct {
	*net.UDPConn
	once    sync.Once
	release func()
	err     error
}

// Close closes the socket and releases its port; extra calls return the
// first call's result.
func (c *Conn) Close() error {
	c.once.Do(func() {
		c.err = c.UDPConn.Close()
		c.release()
	})
	return c.err
}

// Port is the socket's local port, for the m= line.
func (c *Conn) Port() uint16 { return c.LocalAddr().(*net.UDPAddr).AddrPort().Port() }

// ListenUDP opens a UDP socket on ip and the next free even port. A port
// some other process holds (EADDRINUSE) is skipped. ip may be unspecified
// (0.0.0.0 or ::) to listen on every address.
func (p *PortPool) ListenUDP(ip netip.Addr) (*Conn, error) {
	if p.badErr != nil {
		return nil, fmt.Errorf("listen rtp: %w", p.badErr)
	}
	count := (p.max-p.min)/2 + 1
	for range count {
		port, ok := p.reserve()
		if !ok {
			break
		}
		conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
		if err == nil {
			return &Conn{UDPConn: conn, release: func() { p.free(port) }}, nil
		}
		p.free(port)
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("listen rtp %v port %d: %w", ip, port, err)
		}
	}
	return nil, fmt.Errorf("listen rtp %v in %d-%d: %w", ip, p.min, p.max, ErrNoFreePort)
}

// reserve claims the next port not handed out, moving the cursor past it.
// Binding happens outside the lock so allocations do not queue on syscalls.
func (p *PortPool) reserve() (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range (p.max-p.min)/2 + 1 {
		port := p.next
		p.next += 2
		if p.next > p.max {
			p.next = p.min
		}
		if _, busy := p.inUse[port]; !busy {
			p.inUse[port] = struct{}{}
			return port, true
		}
	}
	return 0, false
}

func (p *PortPool) free(port int) {
	p.mu.Lock()
	delete(p.inUse, port)
	p.mu.Unlock()
}

// InUse is how many ports are handed out, for metrics.
func (p *PortPool) InUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.inUse)
}
