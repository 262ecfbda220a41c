package sip

import (
	"context"
	"slices"
	"testing"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/sip/media"
)

// connect runs a call up to the bridge: the agent phone registers (which
// logs the agent in), a caller from the trusted trunk dials 100, the agent
// phone is rung and answers. It returns the caller's call and the INVITE
// the agent phone received.
func connect(t *testing.T, h *harness, agent, caller *phone) (*call, *gosip.Request) {
	t.Helper()
	ctx := testCtx(t)
	mustStatus(t, agent.register(t, ctx, 120), 200)
	c := caller.dial(t, ctx, "100", caller.sdp("0 8 101"), false)
	if c.err != nil {
		t.Fatalf("caller not answered: %v (statuses %v)", c.err, c.statuses)
	}
	inv := agent.waitInvite(t)
	h.events.waitCall(t, c.callID(), acd.EvConnected)
	return c, inv
}

// bridged checks RTP flows both ways through the ACD's relay: each phone
// streams a recognisable payload and waits for the other's.
func bridged(t *testing.T, ctx context.Context, c *call, inv *gosip.Request, caller, agent *phone) {
	t.Helper()
	ans, err := media.ParseOffer(c.dlg.InviteResponse.Body())
	if err != nil {
		t.Fatal(err)
	}
	offer, err := media.ParseOffer(inv.Body())
	if err != nil {
		t.Fatalf("offer to the agent: %v\n%s", err, inv.Body())
	}
	streamCtx, stop := context.WithCancel(ctx)
	defer stop()
	caller.streamRTP(streamCtx, ans.Addr, 0x11)
	agent.streamRTP(streamCtx, offer.Addr, 0x22)
	agent.waitRTP(t, 0x11)
	caller.waitRTP(t, 0x22)
}

// The whole path on one node: the agent phone is offered the call with the
// caller's number and the queue, answers, both sides are bridged, and the
// caller's BYE reaches the agent phone.
func TestCallCallerHangsUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"))
	ctx := testCtx(t)
	agent := h.newPhone(t, "alice")
	caller := h.newPhone(t, "5551234")
	c, inv := connect(t, h, agent, caller)

	if from := inv.From(); from == nil || from.Address.User != "5551234" {
		t.Fatalf("agent INVITE From %v, want the caller's number", inv.From())
	}
	if q := inv.GetHeader("X-ACD-Queue"); q == nil || q.Value() != "support" {
		t.Fatalf("agent INVITE X-ACD-Queue %v, want support", q)
	}
	if to := inv.To(); to == nil || to.Address.User != "alice" {
		t.Fatalf("agent INVITE To %v", inv.To())
	}
	offer, err := media.ParseOffer(inv.Body())
	if err != nil || len(offer.Codecs) != 1 || offer.Codecs[0].Name != "PCMU" || offer.TelephoneEventPT != media.DefaultTelephoneEventPT {
		t.Fatalf("offer to the agent %+v (%v), want the caller's PCMU and telephone-event", offer, err)
	}
	if a := h.agent(t, "a1"); a.State != agents.Busy {
		t.Fatalf("agent is %s while connected, want busy", a.State)
	}
	bridged(t, ctx, c, inv, caller, agent)

	caller.hangup(t, ctx, c)
	bye := agent.waitBye(t)
	if bye.CallID().Value() != inv.CallID().Value() {
		t.Fatalf("agent got BYE for %s, want its call %s", bye.CallID().Value(), inv.CallID().Value())
	}
	types := h.events.waitCall(t, c.callID(), acd.EvCompleted)
	if want := []acd.EventType{acd.EvEntered, acd.EvOffered, acd.EvConnected, acd.EvCompleted}; !slices.Equal(types, want) {
		t.Fatalf("call events %v, want %v", types, want)
	}
	evs, _ := h.events.snapshot()
	done, _ := callEvent(evs, c.callID(), acd.EvCompleted)
	if done.Reason != acd.ReasonCaller || done.Agent != "a1" {
		t.Fatalf("completed event %+v, want ended by the caller, agent a1", done)
	}
	offered, _ := callEvent(evs, c.callID(), acd.EvOffered)
	if !slices.Equal(offered.Agents, []string{"a1"}) {
		t.Fatalf("offered to %v, want a1", offered.Agents)
	}
	h.events.waitFor(t, "agent available after the call", func(evs []acd.Event) bool {
		last := ""
		for _, ev := range evs {
			if ev.Type == acd.EvAgentState && ev.Agent == "a1" {
				last = ev.State
			}
		}
		return last == agents.Available.String()
	})
}

// The agent hanging up ends the caller's leg with a BYE from the ACD, over
// either transport the agent phone registered on.
func TestCallAgentHangsUp(t *testing.T) {
	t.Parallel()
	for _, tcp := range []bool{false, true} {
		name := map[bool]string{false: "udp", true: "tcp"}[tcp]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, withTrusted("127.0.0.1/32"))
			ctx := testCtx(t)
			var opts []phoneOption
			if tcp {
				opts = append(opts, overTCP())
			}
			agent := h.newPhone(t, "alice", opts...)
			caller := h.newPhone(t, "5551234")
			c, inv := connect(t, h, agent, caller)
			bridged(t, ctx, c, inv, caller, agent)

			dlg := agent.waitAnswered(t)
			if err := dlg.Bye(ctx); err != nil {
				t.Fatalf("agent bye: %v", err)
			}
			bye := caller.waitBye(t)
			if bye.CallID().Value() != c.callID() {
				t.Fatalf("caller got BYE for %s, want %s", bye.CallID().Value(), c.callID())
			}
			h.events.waitCall(t, c.callID(), acd.EvCompleted)
			evs, _ := h.events.snapshot()
			if done, _ := callEvent(evs, c.callID(), acd.EvCompleted); done.Reason != acd.ReasonAgent || done.Agent != "a1" {
				t.Fatalf("completed event %+v, want ended by agent a1", done)
			}
		})
	}
}

// An agent phone that declines puts the call back in the queue; the agent
// is not offered it again at once but the next free agent is.
func TestCallDeclinedGoesToNextAgent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"))
	ctx := testCtx(t)
	busy := h.newPhone(t, "bob", answering(gosip.StatusBusyHere))
	mustStatus(t, busy.register(t, ctx, 120), 200)
	caller := h.newPhone(t, "5551234")
	c := caller.dial(t, ctx, "100", caller.sdp("0"), false)
	if c.err != nil {
		t.Fatalf("caller not answered: %v", c.err)
	}
	busy.waitInvite(t)
	evs := h.events.waitFor(t, "ring-no-answer", func(evs []acd.Event) bool {
		_, ok := callEvent(evs, c.callID(), acd.EvRingNoAnswer)
		return ok
	})
	if ev, _ := callEvent(evs, c.callID(), acd.EvRingNoAnswer); ev.Agent != "a2" || ev.Reason != "busy" {
		t.Fatalf("ring-no-answer %+v, want a2 busy", ev)
	}

	agent := h.newPhone(t, "alice")
	mustStatus(t, agent.register(t, ctx, 120), 200)
	inv := agent.waitInvite(t)
	h.events.waitCall(t, c.callID(), acd.EvConnected)
	bridged(t, ctx, c, inv, caller, agent)
	caller.hangup(t, ctx, c)
	agent.waitBye(t)
	h.events.waitCall(t, c.callID(), acd.EvCompleted)
}

// An agent phone registered over TCP is called back over its own
// connection (RFC 5626 §5), its Contact port not listening for TCP.
func TestCallAgentOverTCP(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"))
	ctx := testCtx(t)
	agent := h.newPhone(t, "alice", overTCP())
	caller := h.newPhone(t, "5551234")
	c, inv := connect(t, h, agent, caller)
	if inv.Transport() != "TCP" {
		t.Fatalf("agent INVITE came over %s, want TCP", inv.Transport())
	}
	bridged(t, ctx, c, inv, caller, agent)
	caller.hangup(t, ctx, c)
	agent.waitBye(t)
	h.events.waitCall(t, c.callID(), acd.EvCompleted)
}
