package sip

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/sip/media"
)

// TestCallbackHangupDuringConfirmation: a caller who accepted a
// callback hangs up while the confirmation plays (the usual thing to do).
// Their BYE must not free the held callback while their leg still lives:
// the callback would be offered at once to a SIP side that still holds a
// leg of the call and must refuse it (a spurious offer, an attempt
// counted, again until the old leg is gone). The callback is offered once
// the old leg has ended, exactly once.
func TestCallbackHangupDuringConfirmation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"),
		withQueue(func(q *acd.QueueConfig) {
			q.Callback = &acd.CallbackPolicy{Trunk: "sip:back@127.0.0.1:{number}",
				Attempts: 1, RetryAfter: time.Minute, RingTimeout: 5 * time.Second}
		}),
		withSIPConfig(func(c *Config) {
			c.Prompt = func(_, name string) ([]int16, bool) {
				if name == "callback-confirm" {
					return make([]int16, 8000*20), true // 20 s: the caller hangs up first
				}
				return nil, false
			}
		}))
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
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
	id := c.callID()
	waitOffered(t, h, id)
	sendDigits(t, caller, ans.Addr, "1")
	h.events.waitCall(t, id, acd.EvCallbackRequested)

	alice := h.newPhone(t, "alice")
	alice.register(t, ctx, 300) // free now, but the caller is still on the line
	h.events.waitFor(t, "alice logged in", func(evs []acd.Event) bool {
		return slices.ContainsFunc(evs, func(ev acd.Event) bool {
			return ev.Type == acd.EvAgentState && ev.State == agents.Available.String()
		})
	})
	caller.hangup(t, ctx, c)
	alice.waitInvite(t)
	evs, _ := h.events.snapshot()
	offered := 0
	for _, ev := range evs {
		if ev.CallID == id && ev.Type == acd.EvOffered {
			offered++
		}
	}
	if offered != 1 {
		t.Errorf("%d offered events when alice's phone rang, want 1:\n%s", offered, formatEvents(evs))
	}
}
