package sip

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/queue"
	"github.com/sme/acd/sip/media"
)

// sendDigits sends RFC 4733 events one after the other, each with its own
// timestamp as a phone does ("#" is event 11).
func sendDigits(t *testing.T, p *phone, dst netip.AddrPort, digits string) {
	t.Helper()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, SSRC: 0x4321}}
	for k, d := range digits {
		code := byte(11)
		if d != '#' {
			code = byte(d - '0')
		}
		pkt.Timestamp = uint32(8000 * (k + 1))
		pkt.Marker = true
		for i, end := range []bool{false, true, true, true} {
			pkt.SequenceNumber++
			payload := []byte{code, 10, 0, 0}
			if end {
				payload[1] |= 0x80
			}
			binary.BigEndian.PutUint16(payload[2:], uint16(160*(i+1)))
			pkt.Payload = payload
			b, _ := pkt.Marshal()
			if _, err := p.rtp.WriteToUDPAddrPort(b, dst); err != nil {
				t.Fatal(err)
			}
			pkt.Marker = false
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// waitOffered waits until the call's leg has made the callback offer.
func waitOffered(t *testing.T, h *harness, callID string) {
	t.Helper()
	v, ok := h.srv.legs.Load(queue.CallID(callID))
	if !ok {
		t.Fatal("no caller leg")
	}
	select {
	case <-v.(*callerLeg).cb.made:
	case <-time.After(waitTimeout):
		t.Fatal("no callback offer")
	}
}

// callbackHarness has support offer callbacks at once; the number typed
// is the port of the phone the trunk URI reaches on 127.0.0.1, one attempt
// unless changed.
func callbackHarness(t *testing.T, change ...func(*acd.CallbackPolicy)) *harness {
	t.Helper()
	return newHarness(t, withTrusted("127.0.0.1/32"), withQueue(func(q *acd.QueueConfig) {
		q.Callback = &acd.CallbackPolicy{AskNumber: true, Trunk: "sip:back@127.0.0.1:{number}",
			Attempts: 1, RetryAfter: time.Minute, RingTimeout: 5 * time.Second}
		for _, f := range change {
			f(q.Callback)
		}
	}))
}

// askCallback dials support from caller, waits for the callback offer,
// presses 1, types number and #, and waits for the ACD's BYE after the
// confirmation. It returns the call ID.
func askCallback(t *testing.T, h *harness, ctx context.Context, caller *phone, number string) string {
	t.Helper()
	c := caller.dial(t, ctx, "100", caller.sdp("0 101"), false)
	if c.err != nil {
		t.Fatalf("call not answered: %v", c.err)
	}
	ans, err := media.ParseOffer(c.dlg.InviteResponse.Body())
	if err != nil {
		t.Fatal(err)
	}
	streamCtx, stop := context.WithCancel(ctx)
	defer stop()
	caller.streamRTP(streamCtx, ans.Addr, 0x11)
	waitOffered(t, h, c.callID())
	sendDigits(t, caller, ans.Addr, "1"+number+"#")
	caller.waitBye(t)
	return c.callID()
}

// sipPort is the port of p's SIP socket, which the test trunk template
// dials as the number.
func sipPort(p *phone) string { return strconv.Itoa(p.conn.LocalAddr().(*net.UDPAddr).Port) }

// TestCallbackTypedNumber: a caller waits with no agent logged in,
// presses 1, types a number and #, and is hung up; the call keeps its
// place. When alice logs in, her phone rings and answers, then the number
// typed is dialled through the trunk (here the caller's own phone: the
// trunk template puts the number in the port), answers, and the two are
// bridged with audio both ways until alice hangs up.
func TestCallbackTypedNumber(t *testing.T) {
	t.Parallel()
	h := callbackHarness(t)
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
	port := sipPort(caller)
	id := askCallback(t, h, ctx, caller, port)
	evs := h.events.waitFor(t, "callback requested", func(evs []acd.Event) bool {
		_, ok := callEvent(evs, id, acd.EvCallbackRequested)
		return ok
	})
	if req, _ := callEvent(evs, id, acd.EvCallbackRequested); req.Target != port {
		t.Errorf("callback-requested %+v, want the typed number %s", req, port)
	}

	alice := h.newPhone(t, "alice")
	alice.register(t, ctx, 300) // logs alice in: the callback is offered to her
	agentDlg := alice.waitAnswered(t)
	if cb := alice.waitInvite(t).GetHeader("X-ACD-Callback"); cb == nil || cb.Value() != port {
		t.Errorf("agent INVITE X-ACD-Callback %v, want %s", cb, port)
	}
	inv := caller.waitInvite(t) // the caller's phone rings through the trunk
	if inv.Recipient.User != "back" || inv.From().Address.User != "100" {
		t.Errorf("callback INVITE %s from %s, want to back from the queue's number", inv.Recipient.String(), inv.From().Address.String())
	}
	callerDlg := caller.waitAnswered(t)
	h.events.waitCall(t, id, acd.EvConnected)

	// Audio both ways through the bridge.
	agentSDP, err := media.ParseOffer(agentDlg.InviteRequest.Body())
	if err != nil {
		t.Fatal(err)
	}
	callerSDP, err := media.ParseOffer(callerDlg.InviteRequest.Body())
	if err != nil {
		t.Fatal(err)
	}
	bridgeCtx, stopBridge := context.WithCancel(ctx)
	defer stopBridge()
	alice.streamRTP(bridgeCtx, agentSDP.Addr, 0xA1)
	caller.streamRTP(bridgeCtx, callerSDP.Addr, 0xCA)
	alice.waitRTP(t, 0xCA)
	caller.waitRTP(t, 0xA1)

	if err := agentDlg.Bye(ctx); err != nil {
		t.Fatalf("agent bye: %v", err)
	}
	// Recorded before the BYE was answered, as for a live call.
	evs, _ = h.events.snapshot()
	if done, ok := callEvent(evs, id, acd.EvCompleted); !ok || done.Reason != acd.ReasonAgent {
		t.Errorf("after the agent's BYE was answered: completed %+v (found %v), want it recorded, reason agent", done, ok)
	}
	caller.waitBye(t)
	types := h.events.waitCall(t, id, acd.EvCompleted)
	want := []acd.EventType{acd.EvEntered, acd.EvCallbackRequested, acd.EvOffered, acd.EvCallbackAttempt, acd.EvConnected, acd.EvCompleted}
	if !slices.Equal(types, want) {
		t.Fatalf("events %v, want %v", types, want)
	}
}

// TestCallbackCallerUnreachable: the caller's phone declines; alice is
// hung up and freed with no miss, and with one attempt allowed the
// callback fails.
func TestCallbackCallerUnreachable(t *testing.T) {
	t.Parallel()
	h := callbackHarness(t)
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234", answering(486))
	id := askCallback(t, h, ctx, caller, sipPort(caller))

	alice := h.newPhone(t, "alice")
	alice.register(t, ctx, 300)
	alice.waitAnswered(t)
	alice.waitBye(t) // hung up once the caller's phone said busy
	evs := h.events.waitFor(t, "callback failed", func(evs []acd.Event) bool {
		_, ok := callEvent(evs, id, acd.EvCallbackFailed)
		return ok
	})
	if f, _ := callEvent(evs, id, acd.EvCallbackFailed); f.Reason != "busy" {
		t.Errorf("callback-failed %+v, want reason busy", f)
	}
	a := h.agent(t, "a1")
	if a.Misses != 0 {
		t.Errorf("alice has %d misses", a.Misses)
	}
}
