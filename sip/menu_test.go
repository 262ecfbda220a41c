package sip

import (
	"context"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/ivr"
	"github.com/sme/acd/sip/media"
)

// menuHarness has queues support (100) and sales (200) and a menu on 500:
// 1 → sales, 2 → support, default support.
func menuHarness(t *testing.T, timeout time.Duration) *harness {
	t.Helper()
	menus := map[string]ivr.Menu{"main": {Name: "main", Number: "500", Timeout: timeout, Repeats: 1,
		Options: map[string]ivr.Target{"1": {Queue: "sales"}, "2": {Queue: "support"}},
		Default: ivr.Target{Queue: "support"}}}
	sales := acd.QueueConfig{Name: "sales", Number: "200", Strategy: acd.LongestIdle{},
		RingTimeout: 10 * time.Second, ServiceLevel: 20 * time.Second, FullStatus: gosip.StatusBusyHere}
	return newHarness(t, withTrusted("127.0.0.1/32"), withMenus(menus, sales))
}

// menuEvents waits for the call's entered event and returns it with the
// menu-choice event before it.
func menuEvents(t *testing.T, h *harness, callID string) (menu, entered acd.Event) {
	t.Helper()
	evs := h.events.waitFor(t, "entered after menu", func(evs []acd.Event) bool {
		_, ok := callEvent(evs, callID, acd.EvEntered)
		return ok
	})
	menu, ok := callEvent(evs, callID, acd.EvMenu)
	if !ok {
		t.Fatalf("no menu-choice event:\n%s", formatEvents(evs))
	}
	entered, _ = callEvent(evs, callID, acd.EvEntered)
	if types := callTypes(evs, callID); types[0] != acd.EvMenu {
		t.Fatalf("events %v: menu-choice must come first", types)
	}
	return menu, entered
}

func TestMenuRFC4733Digit(t *testing.T) {
	t.Parallel()
	h := menuHarness(t, 10*time.Second)
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
	c := caller.dial(t, ctx, "500", caller.sdp("0 101"), false)
	if c.err != nil {
		t.Fatalf("menu call not answered: %v (statuses %v)", c.err, c.statuses)
	}
	ans, err := media.ParseOffer(c.dlg.InviteResponse.Body())
	if err != nil {
		t.Fatal(err)
	}
	streamCtx, stop := context.WithCancel(ctx)
	defer stop()
	caller.streamRTP(streamCtx, ans.Addr, 0x11)
	sendDigits(t, caller, ans.Addr, "1")
	menu, entered := menuEvents(t, h, c.callID())
	if menu.Digit != "1" || menu.Queue != "sales" || menu.Menu != "main" || menu.Reason != ivr.ReasonChoice {
		t.Errorf("menu event = %+v", menu)
	}
	if entered.Queue != "sales" {
		t.Errorf("entered %q, want sales", entered.Queue)
	}
	caller.hangup(t, ctx, c)
	h.events.waitCall(t, c.callID(), acd.EvAbandoned)
}

func TestMenuTimeoutDefault(t *testing.T) {
	t.Parallel()
	h := menuHarness(t, 200*time.Millisecond)
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
	start := time.Now()
	c := caller.dial(t, ctx, "500", caller.sdp("0 101"), false)
	if c.err != nil {
		t.Fatalf("menu call not answered: %v", c.err)
	}
	menu, entered := menuEvents(t, h, c.callID())
	if menu.Digit != "" || menu.Queue != "support" || menu.Reason != ivr.ReasonTimeout || entered.Queue != "support" {
		t.Errorf("menu %+v, entered %+v", menu, entered)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("default after %s, want two timeouts (400ms)", d)
	}
	caller.hangup(t, ctx, c)
}

func TestMenuSIPInfo(t *testing.T) {
	t.Parallel()
	h := menuHarness(t, 10*time.Second)
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
	c := caller.dial(t, ctx, "500", caller.sdp("0"), false)
	if c.err != nil {
		t.Fatalf("menu call not answered: %v", c.err)
	}
	req := gosip.NewRequest(gosip.INFO, c.dlg.InviteRequest.Recipient)
	req.AppendHeader(gosip.NewHeader("Content-Type", "application/dtmf-relay"))
	req.SetBody([]byte("Signal=1\r\nDuration=160\r\n"))
	res, err := c.dlg.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, res, 200)
	menu, entered := menuEvents(t, h, c.callID())
	if menu.Digit != "1" || entered.Queue != "sales" {
		t.Errorf("menu %+v, entered %+v", menu, entered)
	}
	caller.hangup(t, ctx, c)
}

func TestInfoDigit(t *testing.T) {
	tests := []struct {
		ct, body, want string
		ok             bool
	}{
		{"application/dtmf-relay", "Signal=1\r\nDuration=160\r\n", "1", true},
		{"application/dtmf-relay", "signal= #\nDuration=160", "#", true},
		{"application/dtmf-relay", "Signal=11\r\n", "#", true},
		{"application/dtmf-relay", "Duration=160\r\n", "", false},
		{"application/dtmf", "5", "5", true},
		{"application/dtmf-relay", "Signal=x\r\n", "", false},
		{"text/plain", "Signal=1", "", false},
	}
	for _, tt := range tests {
		got, ok := infoDigit(tt.ct, tt.body)
		if got != tt.want || ok != tt.ok {
			t.Errorf("infoDigit(%q, %q) = %q, %v; want %q, %v", tt.ct, tt.body, got, ok, tt.want, tt.ok)
		}
	}
}
