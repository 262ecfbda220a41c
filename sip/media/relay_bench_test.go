package media

import (
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"
)

// BenchmarkRelayForward measures one relayed packet through our code:
// parse (pion/rtp), payload-type mapping, header rewrite, marshal into the
// reused buffer. The socket is a no-op, so this is the CPU the relay adds on
// top of recvfrom/sendto. Target: 0 allocs/op.
func BenchmarkRelayForward(b *testing.B) {
	caller := NewLeg(discardConn{newFakeConn()}, LegOptions{Remote: peerAddr, Codec: PCMU, TelephoneEventPT: 101})
	agent := NewLeg(discardConn{newFakeConn()}, LegOptions{Remote: peerAddr, Codec: PCMU, TelephoneEventPT: 101})
	r := NewRelay(caller, agent, RelayOptions{})
	buf := marshal(b, rtpPacket(0xCA11, 0, 0, 0, make([]byte, FrameSamples)))
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	seq, ts := uint16(0), uint32(0)
	for b.Loop() {
		seq++
		ts += FrameSamples
		binary.BigEndian.PutUint16(buf[2:], seq)
		binary.BigEndian.PutUint32(buf[4:], ts)
		caller.handle(buf, peerAddr)
	}
	if got := r.Stats().CallerToAgent.Packets; got < uint64(b.N) {
		b.Fatalf("relayed %d of %d", got, b.N)
	}
}

// BenchmarkRelayForwardUDP measures the whole path on 127.0.0.1, one packet
// in flight: phone → caller leg socket → relay → agent leg socket → phone.
// ns/op is the latency of one relayed packet including both syscalls on
// each side; allocs/op counts every goroutine involved.
func BenchmarkRelayForwardUDP(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := func() (*Conn, *net.UDPConn) {
		c, err := testPool.ListenUDP(loopback)
		if err != nil {
			b.Fatal(err)
		}
		p, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close(); p.Close() })
		return c, p
	}
	callerConn, callerPhone := open()
	agentConn, agentPhone := open()
	caller := NewLeg(callerConn, LegOptions{Remote: callerPhone.LocalAddr().(*net.UDPAddr).AddrPort(), Codec: PCMU})
	agent := NewLeg(agentConn, LegOptions{Remote: agentPhone.LocalAddr().(*net.UDPAddr).AddrPort(), Codec: PCMU})
	go caller.Run(ctx)
	go agent.Run(ctx)
	NewRelay(caller, agent, RelayOptions{})

	to := caller.LocalAddr()
	buf := marshal(b, rtpPacket(0xCA11, 0, 0, 0, make([]byte, FrameSamples)))
	in := make([]byte, maxPacket)
	agentPhone.SetReadDeadline(time.Now().Add(time.Minute)) // fail, not hang, if a packet is lost
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	seq := uint16(0)
	for b.Loop() {
		seq++
		binary.BigEndian.PutUint16(buf[2:], seq)
		binary.BigEndian.PutUint32(buf[4:], uint32(seq)*FrameSamples)
		if _, err := callerPhone.WriteToUDPAddrPort(buf, to); err != nil {
			b.Fatal(err)
		}
		if _, _, err := agentPhone.ReadFromUDPAddrPort(in); err != nil {
			b.Fatal(err)
		}
	}
}
