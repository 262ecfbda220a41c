package sip

// The SIP harness's calls: a phone dialling, hanging up, waiting for INVITE,
// answer and BYE, and sending and receiving RTP.

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"
)

// call is one outgoing call of a phone.
type call struct {
	dlg      *sipgo.DialogClientSession
	statuses []int // every response code seen, provisional ones included
	err      error // WaitAnswer's error: *sipgo.ErrDialogResponse for a final non-2xx
}

// final is the last response code seen.
func (c *call) final() int {
	if len(c.statuses) == 0 {
		return 0
	}
	return c.statuses[len(c.statuses)-1]
}

func (c *call) callID() string { return c.dlg.InviteRequest.CallID().Value() }

// dial calls number at the ACD with body as the offer, answering a
// challenge with the phone's credentials when auth is set. A 2xx is ACKed.
func (p *phone) dial(t testing.TB, ctx context.Context, number string, body []byte, auth bool, headers ...gosip.Header) *call {
	t.Helper()
	req := p.newRequest(gosip.INVITE, p.h.uri(number, p.tcp), number)
	req.SetBody(body)
	if body != nil {
		req.AppendHeader(gosip.NewHeader("Content-Type", "application/sdp"))
	}
	for _, h := range headers {
		req.AppendHeader(h)
	}
	dlg, err := p.out.WriteInvite(ctx, req)
	if err != nil {
		t.Fatalf("invite %s: %v", number, err)
	}
	c := &call{dlg: dlg}
	var mu sync.Mutex
	opts := sipgo.AnswerOptions{OnResponse: func(res *gosip.Response) error {
		mu.Lock()
		c.statuses = append(c.statuses, res.StatusCode)
		mu.Unlock()
		return nil
	}}
	if auth {
		opts.Username, opts.Password = p.user, p.password
	}
	c.err = dlg.WaitAnswer(ctx, opts)
	if c.err == nil {
		if err := dlg.Ack(ctx); err != nil {
			t.Fatalf("ack: %v", err)
		}
	}
	t.Cleanup(func() { dlg.Close() })
	return c
}

// response is the final non-2xx response of a failed call.
func (c *call) response(t testing.TB) *gosip.Response {
	t.Helper()
	var dr *sipgo.ErrDialogResponse
	if !errors.As(c.err, &dr) {
		t.Fatalf("call did not fail with a response: %v (statuses %v)", c.err, c.statuses)
	}
	return dr.Res
}

func (p *phone) hangup(t testing.TB, ctx context.Context, c *call) {
	t.Helper()
	if err := c.dlg.Bye(ctx); err != nil {
		t.Fatalf("bye: %v", err)
	}
}

// waitInvite returns the next INVITE the phone received.
func (p *phone) waitInvite(t testing.TB) *gosip.Request {
	t.Helper()
	select {
	case req := <-p.invites:
		return req
	case <-time.After(waitTimeout):
		t.Fatalf("%s: no INVITE received", p.user)
		return nil
	}
}

// waitAnswered returns the next incoming call the phone answered.
func (p *phone) waitAnswered(t testing.TB) *sipgo.DialogServerSession {
	t.Helper()
	select {
	case dlg := <-p.answered:
		return dlg
	case <-time.After(waitTimeout):
		t.Fatalf("%s: no call answered", p.user)
		return nil
	}
}

// waitBye returns the next BYE the phone received.
func (p *phone) waitBye(t testing.TB) *gosip.Request {
	t.Helper()
	select {
	case req := <-p.byes:
		return req
	case <-time.After(waitTimeout):
		t.Fatalf("%s: no BYE received", p.user)
		return nil
	}
}

// streamRTP sends 20 ms PCMU packets filled with fill from the phone's RTP
// socket to dst until ctx ends, as a phone does during a call.
func (p *phone) streamRTP(ctx context.Context, dst netip.AddrPort, fill byte) {
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: uint32(fill) << 8}, Payload: bytes.Repeat([]byte{fill}, 160)}
		for {
			pkt.SequenceNumber++
			pkt.Timestamp += 160
			b, _ := pkt.Marshal()
			if _, err := p.rtp.WriteToUDPAddrPort(b, dst); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-p.closed:
				return
			case <-tick.C:
			}
		}
	}()
}

// waitRTP reads the phone's RTP socket until a PCMU packet whose payload
// is all fill arrives (hold audio and other packets are skipped).
func (p *phone) waitRTP(t testing.TB, fill byte) {
	t.Helper()
	_ = p.rtp.SetReadDeadline(time.Now().Add(waitTimeout))
	defer p.rtp.SetReadDeadline(time.Time{})
	buf := make([]byte, 1500)
	for {
		n, err := p.rtp.Read(buf)
		if err != nil {
			t.Fatalf("%s: no relayed RTP with payload %#x: %v", p.user, fill, err)
		}
		var pkt rtp.Packet
		if pkt.Unmarshal(buf[:n]) != nil || len(pkt.Payload) == 0 {
			continue
		}
		if bytes.Count(pkt.Payload, []byte{fill}) == len(pkt.Payload) {
			return
		}
	}
}
