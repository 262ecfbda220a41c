package sip

import (
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/sip/media"
)

// dialDelayed calls number with an INVITE without SDP (a delayed offer,
// RFC 3261 §13.2.1), as some trunks do, and ACKs the 200 with answer
// (nil: an ACK without a body). It returns the call and the ACD's offer.
func (p *phone) dialDelayed(t *testing.T, ctx context.Context, number string, answer func(offer media.Remote) []byte) (*call, media.Remote) {
	t.Helper()
	req := p.newRequest(gosip.INVITE, p.h.uri(number, p.tcp), number)
	dlg, err := p.out.WriteInvite(ctx, req)
	if err != nil {
		t.Fatalf("invite %s: %v", number, err)
	}
	t.Cleanup(func() { dlg.Close() })
	c := &call{dlg: dlg}
	if c.err = dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}); c.err != nil {
		t.Fatalf("delayed offer not answered: %v", c.err)
	}
	c.statuses = append(c.statuses, dlg.InviteResponse.StatusCode)
	offer, err := media.ParseOffer(dlg.InviteResponse.Body())
	if err != nil {
		t.Fatalf("the 200 OK to a delayed offer must carry an offer: %v\n%s", err, dlg.InviteResponse.Body())
	}
	ack := gosip.NewRequest(gosip.ACK, dlg.InviteResponse.Contact().Address)
	ack.AppendHeader(gosip.HeaderClone(req.From()))
	ack.AppendHeader(gosip.HeaderClone(dlg.InviteResponse.To()))
	ack.AppendHeader(gosip.HeaderClone(req.CallID()))
	cseq := gosip.HeaderClone(req.CSeq()).(*gosip.CSeqHeader)
	cseq.MethodName = gosip.ACK
	ack.AppendHeader(cseq)
	ack.AppendHeader(gosip.HeaderClone(req.Contact()))
	ack.SetTransport(req.Transport())
	if body := answer(offer); body != nil {
		ack.SetBody(body)
		ack.AppendHeader(gosip.NewHeader("Content-Type", "application/sdp"))
	}
	if err := dlg.WriteAck(ctx, ack); err != nil {
		t.Fatalf("ack: %v", err)
	}
	return c, offer
}

// A trunk's INVITE without SDP is answered with our offer (every codec we
// speak and telephone-events); the answer in the ACK picks the codec and
// the caller hears hold audio in it.
func TestDelayedOfferAnsweredInAck(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"))
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
	c, offer := caller.dialDelayed(t, ctx, "100", func(media.Remote) []byte { return caller.sdp("8 101") })
	names := []string{}
	for _, cd := range offer.Codecs {
		names = append(names, cd.Name)
	}
	if !slices.Contains(names, "PCMU") || !slices.Contains(names, "PCMA") || offer.TelephoneEventPT == 0 {
		t.Fatalf("our offer: codecs %v, telephone-event %d; want PCMU, PCMA and telephone-event", names, offer.TelephoneEventPT)
	}
	caller.waitHold(t, media.PCMA.PT) // the answer's codec, not our first choice
	caller.hangup(t, ctx, c)
	h.events.waitCall(t, c.callID(), acd.EvAbandoned)
}

// A delayed-offer caller is routed and bridged like any other: audio both
// ways through the relay, then a completed call.
func TestDelayedOfferBridged(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"))
	ctx := testCtx(t)
	agent := h.newPhone(t, "alice")
	caller := h.newPhone(t, "5551234")
	mustStatus(t, agent.register(t, ctx, 120), 200)
	c, offer := caller.dialDelayed(t, ctx, "100", func(media.Remote) []byte { return caller.sdp("0 101") })
	inv := agent.waitInvite(t)
	h.events.waitCall(t, c.callID(), acd.EvConnected)
	agentOffer, err := media.ParseOffer(inv.Body())
	if err != nil {
		t.Fatal(err)
	}
	streamCtx, stop := context.WithCancel(ctx)
	defer stop()
	caller.streamRTP(streamCtx, offer.Addr, 0x11)
	agent.streamRTP(streamCtx, agentOffer.Addr, 0x22)
	agent.waitRTP(t, 0x11)
	caller.waitRTP(t, 0x22)
	caller.hangup(t, ctx, c)
	h.events.waitCall(t, c.callID(), acd.EvCompleted)
}

// An ACK without the answer (or with one we cannot use) leaves a session
// without audio: the ACD hangs up at once with a BYE and the call is
// recorded as abandoned, not left waiting in silence.
func TestDelayedOfferWithoutAnswerIsHungUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"))
	ctx := testCtx(t)
	for name, answer := range map[string]func(media.Remote) []byte{
		"no answer":       func(media.Remote) []byte { return nil },
		"no common codec": func(media.Remote) []byte { return sdpBody(netip.MustParseAddrPort("127.0.0.1:4000"), "18") },
	} {
		t.Run(name, func(t *testing.T) {
			caller := h.newPhone(t, "5551234")
			c, _ := caller.dialDelayed(t, ctx, "100", answer)
			caller.waitBye(t)
			types := h.events.waitCall(t, c.callID(), acd.EvAbandoned)
			if !slices.Equal(types, []acd.EventType{acd.EvEntered, acd.EvAbandoned}) {
				t.Fatalf("call events %v, want entered, abandoned", types)
			}
		})
	}
}
