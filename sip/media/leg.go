package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// ErrSilence means no packet arrived from a peer for the leg's
// SilenceTimeout: the phone vanished without a BYE (crash, network loss).
// The SIP layer ends the call with reason "rtp-timeout".
var ErrSilence = errors.New("media: rtp timeout")

// PacketConn is the UDP socket a Leg owns: a *net.UDPConn or a *Conn from a
// PortPool. The AddrPort methods do not allocate, which keeps the relay
// allocation-free per packet.
type PacketConn interface {
	PacketWriter
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
	SetReadDeadline(t time.Time) error
	LocalAddr() net.Addr
	Close() error
}

// LegOptions describe one side of a call's media, from its SDP.
type LegOptions struct {
	// Remote is where the peer's SDP says to send RTP. The leg re-targets
	// its Sender to wherever the peer's first RTP packet comes from
	// (symmetric RTP, RFC 4961), which gets through NATs.
	Remote netip.AddrPort
	// Codec is the audio codec negotiated on this leg; the relay converts
	// between legs that negotiated PCMU and PCMA.
	Codec Codec
	// TelephoneEventPT is the RFC 4733 payload type negotiated on this leg,
	// 0 for none.
	TelephoneEventPT uint8
	// REDPT is the RFC 2198 payload type negotiated for redundant
	// telephone-events (Remote.REDPT), 0 for none.
	REDPT uint8
	// SilenceTimeout ends Run with ErrSilence when the peer sent nothing for
	// this long; 0 disables it. Leave it 0 when the peer's SDP direction
	// says it will not send (Direction.Sends), and make it generous (tens of
	// seconds) for peers that may suppress silence.
	SilenceTimeout time.Duration
	// OnDTMF, if set, is called once per RFC 4733 digit the peer sends. It
	// runs on the leg's read goroutine and must not block.
	OnDTMF func(Event)
	// Logger receives the leg's few log lines; nil discards them.
	Logger *slog.Logger
}

// relatchIdle is how long the latched peer must have been quiet before a
// packet from another address may take over the leg: long enough that a
// stranger cannot hijack a live stream, short enough to follow a NAT
// rebinding.
const relatchIdle = 2 * time.Second

// Leg is one side of a call's media: it owns the socket, the Sender toward
// the peer and the one goroutine (Run) that reads the socket for the whole
// call. What it reads goes to the current sink: nowhere while the caller
// is on hold (packets are only counted and watched for silence and DTMF),
// the other leg's Sender once a Relay bridges them. Only packets from the
// latched peer address are accepted, which keeps strangers from injecting
// audio.
type Leg struct {
	conn   PacketConn
	sender *Sender
	opts   LegOptions
	log    *slog.Logger
	epoch  time.Time // monotonic origin of lastRx

	sink    atomic.Pointer[func(*rtp.Packet)]
	lastRx  atomic.Int64 // nanoseconds after epoch of the peer's last packet
	relatch atomic.Bool
	running atomic.Bool
	done    chan struct{}
	err     error // Run's result, readable after done is closed

	received, receivedBytes, rtcp, invalid, foreign atomic.Uint64

	// Owned by the read goroutine.
	latched bool
	peer    netip.AddrPort
	pkt     rtp.Packet
	buf     [maxPacket]byte
	dtmf    dtmfDetector
	red     [maxREDBlocks]REDBlock
}

// NewLeg takes ownership of conn; Close closes it.
func NewLeg(conn PacketConn, opts LegOptions) *Leg {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Leg{
		conn:   conn,
		sender: NewSender(conn, opts.Remote),
		opts:   opts,
		log:    log,
		epoch:  time.Now(),
		done:   make(chan struct{}),
	}
}

// Sender is the stream toward this leg's peer: hold audio is written to it,
// and the relay forwards the other leg's packets through it.
func (l *Leg) Sender() *Sender { return l.sender }

// LocalAddr is the socket's address, for the SDP we send.
func (l *Leg) LocalAddr() netip.AddrPort {
	if a, ok := l.conn.LocalAddr().(*net.UDPAddr); ok {
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

// SetSink directs every RTP packet read from now on to f, or drops them
// again when f is nil. f runs on the read goroutine; it may modify the
// packet but must not keep it, as the next read reuses it.
func (l *Leg) SetSink(f func(*rtp.Packet)) {
	if f == nil {
		l.sink.Store(nil)
		return
	}
	l.sink.Store(&f)
}

// SetRemote points the Sender at a new address (e.g. after a re-INVITE)
// and lets the next packet latch the peer again.
func (l *Leg) SetRemote(addr netip.AddrPort) {
	l.sender.SetRemote(addr)
	l.relatch.Store(true)
}

// Idle is how long the peer has been silent (since Run started if it never
// sent anything).
func (l *Leg) Idle() time.Duration {
	return time.Since(l.epoch) - time.Duration(l.lastRx.Load())
}

// Done is closed when Run has returned; Err then tells why.
func (l *Leg) Done() <-chan struct{} { return l.done }

// Err is Run's result once Done is closed, nil before.
func (l *Leg) Err() error {
	select {
	case <-l.done:
		return l.err
	default:
		return nil
	}
}

// Close closes the socket, which also ends Run.
func (l *Leg) Close() error { return l.conn.Close() }

// Run reads the socket until ctx ends or the socket is closed (returning
// nil), the peer is silent for SilenceTimeout (ErrSilence) or reading fails.
// Call it once, on its own goroutine, when the leg's SDP exchange is done.
func (l *Leg) Run(ctx context.Context) error {
	if !l.running.CompareAndSwap(false, true) {
		return errors.New("media: leg already running")
	}
	l.err = l.run(ctx)
	close(l.done)
	return l.err
}

func (l *Leg) run(ctx context.Context) error {
	// Cancelling ctx interrupts a blocked read with a deadline in the past.
	stop := context.AfterFunc(ctx, func() { _ = l.conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	timeout := l.opts.SilenceTimeout
	l.touch()
	if timeout > 0 {
		if err := l.conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
			return closedOK(err)
		}
	}
	if ctx.Err() != nil { // the deadline above may have overridden the cancel's
		return nil
	}
	for {
		n, from, err := l.conn.ReadFromUDPAddrPort(l.buf[:])
		if err == nil {
			l.handle(l.buf[:n], from)
			continue
		}
		switch {
		case ctx.Err() != nil, errors.Is(err, net.ErrClosed):
			return nil
		case timeout > 0 && errors.Is(err, os.ErrDeadlineExceeded):
			idle := l.Idle()
			if idle >= timeout {
				return fmt.Errorf("read rtp on %v: nothing from %v for %v: %w",
					l.LocalAddr(), l.sender.Remote(), idle.Round(time.Millisecond), ErrSilence)
			}
			// Packets came meanwhile: wait for the rest of the timeout.
			if err := l.conn.SetReadDeadline(time.Now().Add(timeout - idle)); err != nil {
				return closedOK(err)
			}
			if ctx.Err() != nil { // as above
				return nil
			}
		default:
			return fmt.Errorf("read rtp on %v: %w", l.LocalAddr(), err)
		}
	}
}

// closedOK maps a socket closed under us (the call's normal end) to nil.
func closedOK(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return fmt.Errorf("read rtp: %w", err)
}

// touch records that the peer is alive. Called per packet: no allocation.
func (l *Leg) touch() { l.lastRx.Store(int64(time.Since(l.epoch))) }

// handle processes one datagram on the read goroutine.
func (l *Leg) handle(b []byte, from netip.AddrPort) {
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if l.relatch.Load() {
		l.relatch.Store(false)
		l.latched = false
	}
	if l.latched && from != l.peer {
		if l.Idle() < relatchIdle {
			l.foreign.Add(1)
			return
		}
		l.latched = false // the peer went quiet: follow its new address
	}
	if len(b) < 12 || b[0]>>6 != 2 {
		l.invalid.Add(1)
		return
	}
	// RTCP shares the first two bits; its packet types 192-223 show up as
	// "payload types" 64-95 with the marker bit set, a range RTP avoids for
	// exactly this reason (RFC 5761 §4). We do no RTCP: ignore it.
	if pt := b[1] & 0x7f; pt >= 64 && pt <= 95 {
		l.rtcp.Add(1)
		if l.latched {
			l.touch()
		}
		return
	}
	if err := l.pkt.Unmarshal(b); err != nil {
		l.invalid.Add(1)
		return
	}
	if !l.latched {
		l.latch(from)
	}
	l.touch()
	l.received.Add(1)
	l.receivedBytes.Add(uint64(len(b)))
	if te := l.opts.TelephoneEventPT; te != 0 && l.opts.OnDTMF != nil {
		switch pt := l.pkt.PayloadType; {
		case pt == te:
			l.detectDTMF(l.pkt.Timestamp, l.pkt.Payload)
		case pt == l.opts.REDPT && pt != 0: // 0 is PCMU, not "no red"
			l.detectREDDTMF(te)
		}
	}
	if f := l.sink.Load(); f != nil {
		(*f)(&l.pkt)
	}
}

// latch adopts from as the peer and, if it differs from where we send,
// sends there instead (RFC 4961 symmetric RTP; usually a NAT).
func (l *Leg) latch(from netip.AddrPort) {
	l.latched, l.peer = true, from
	if to := l.sender.Remote(); to != from {
		l.sender.SetRemote(from)
		l.log.Info("rtp peer latched", "local", l.LocalAddr(), "sdp", to, "from", from)
	}
}

// detectREDDTMF feeds the telephone-event blocks of an RFC 2198 packet to
// the detector, oldest first, each at its own timestamp (RFC 4733
// §2.5.1.5): a block repeating an event already seen is ignored, one that
// carries an end whose own packets were lost reports the digit.
func (l *Leg) detectREDDTMF(te uint8) {
	blocks, err := ParseRED(l.pkt.Payload, l.red[:0])
	if err != nil {
		return
	}
	for _, b := range blocks {
		if b.PT == te {
			l.detectDTMF(l.pkt.Timestamp-uint32(b.Offset), b.Payload)
		}
	}
}

func (l *Leg) detectDTMF(ts uint32, payload []byte) {
	ev, err := ParseTelephoneEvent(payload)
	if err != nil {
		return
	}
	events, n := l.dtmf.packet(ts, ev)
	for _, e := range events[:n] {
		if e.Digit != 0 {
			l.opts.OnDTMF(e)
		}
	}
}

// LegStats counts one leg's traffic.
type LegStats struct {
	Received      uint64 // RTP packets accepted from the peer
	ReceivedBytes uint64 // their size in bytes, headers included
	RTCP          uint64 // RTCP packets ignored
	Invalid       uint64 // datagrams that were not RTP
	Foreign       uint64 // datagrams dropped for coming from another address
	Sent          uint64 // RTP packets sent to the peer
	SentBytes     uint64
}

// Stats is safe to call at any time from any goroutine.
func (l *Leg) Stats() LegStats {
	sent, sentBytes := l.sender.Sent()
	return LegStats{
		Received: l.received.Load(), ReceivedBytes: l.receivedBytes.Load(),
		RTCP: l.rtcp.Load(), Invalid: l.invalid.Load(), Foreign: l.foreign.Load(),
		Sent: sent, SentBytes: sentBytes,
	}
}
