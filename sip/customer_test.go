package sip

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
)

func TestQuotedText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"Dupont", 64, "Dupont"},
		{`Dupont "le grand"`, 64, `Dupont \"le grand\"`},
		{`back\slash`, 64, `back\\slash`},
		{"Evil\r\nX-Injected: 1", 64, "EvilX-Injected: 1"},
		{"tab\tand\x00nul\x7fdel\u0085nel\u2028ls", 64, "tabandnuldelnells"},
		{"  Café Ōsaka 大阪  ", 64, "Café Ōsaka 大阪"},
		{"bad\xffutf8", 64, "bad\uFFFDutf8"},
		{"abcdefgh", 5, "abcde"},
		{`abcd"efgh`, 5, `abcd\"`},
		{"", 64, ""},
	} {
		if got := quotedText(tc.in, tc.max); got != tc.want {
			t.Errorf("quotedText(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

// customerLookup is a customer file of one caller, recording the lookups.
type customerLookup struct {
	mu      sync.Mutex
	number  string
	c       Customer
	lookups []string
}

func (f *customerLookup) lookup(_ context.Context, number, queue string) (Customer, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups = append(f.lookups, number+"@"+queue)
	return f.c, number == f.number
}

// TestKnownCustomerReachesTheAgentsPhone: a known caller (by
// P-Asserted-Identity from the trunk) gets the customer's priority, and the
// agent's INVITE shows the name (escaped) and account; a name trying to
// add a header line does not.
func TestKnownCustomerReachesTheAgentsPhone(t *testing.T) {
	t.Parallel()
	f := &customerLookup{number: "+33612345678", c: Customer{Name: "Dupont \"SA\"\r\nX-Injected: yes", Account: "C-42", Priority: 7}}
	h := newHarness(t, withTrusted("127.0.0.1/32"), withCustomers(f.lookup), withQueue(func(q *acd.QueueConfig) { q.Priority = 2 }))
	agent := h.newPhone(t, "alice")
	caller := h.newPhone(t, "5551234")
	ctx := testCtx(t)
	mustStatus(t, agent.register(t, ctx, 120), 200)
	c := caller.dial(t, ctx, "100", caller.sdp("0 8 101"), false,
		gosip.NewHeader("P-Asserted-Identity", "<sip:+33612345678@trunk.example;user=phone>"))
	if c.err != nil {
		t.Fatalf("caller not answered: %v", c.err)
	}
	inv := agent.waitInvite(t)
	h.events.waitCall(t, c.callID(), acd.EvConnected)
	all, _ := h.events.snapshot()
	if e, ok := callEvent(all, c.callID(), acd.EvEntered); !ok || e.Priority != 7 || e.Caller != "+33612345678" {
		t.Errorf("entered event %+v, want priority 7 and the caller's number", e)
	}
	if from := inv.From(); from == nil || from.DisplayName != `Dupont \"SA\"X-Injected: yes` || from.Address.User != "+33612345678" {
		t.Errorf("agent INVITE From %v, want the customer's name as display name", inv.From())
	}
	if hdr := inv.GetHeader("X-ACD-Customer"); hdr == nil || hdr.Value() != `name="Dupont \"SA\"X-Injected: yes"; account="C-42"` {
		t.Errorf("agent INVITE X-ACD-Customer %v", hdr)
	}
	if hdr := inv.GetHeader("X-Injected"); hdr != nil {
		t.Errorf("the customer name injected a header: %v", hdr)
	}
	if raw := inv.String(); strings.Count(raw, "X-ACD-Customer:") != 1 {
		t.Errorf("agent INVITE:\n%s", raw)
	}
	f.mu.Lock()
	if len(f.lookups) != 1 || f.lookups[0] != "+33612345678@support" {
		t.Errorf("lookups %v, want one for the asserted number in support", f.lookups)
	}
	f.mu.Unlock()
	caller.hangup(t, ctx, c)
	agent.waitBye(t)
}

// TestUnknownCallerKeepsTheQueueDefaults: no customer, no header; the
// display name is the caller's number, and the queue's priority stands.
func TestUnknownCallerKeepsTheQueueDefaults(t *testing.T) {
	t.Parallel()
	f := &customerLookup{number: "+33612345678", c: Customer{Name: "Dupont", Priority: 7, Preferred: "a2", PreferFor: time.Minute}}
	h := newHarness(t, withTrusted("127.0.0.1/32"), withCustomers(f.lookup), withQueue(func(q *acd.QueueConfig) { q.Priority = 2 }))
	agent := h.newPhone(t, "alice")
	caller := h.newPhone(t, "5551234")
	c, inv := connect(t, h, agent, caller)
	if hdr := inv.GetHeader("X-ACD-Customer"); hdr != nil {
		t.Errorf("unknown caller, yet X-ACD-Customer %v", hdr)
	}
	if from := inv.From(); from == nil || from.DisplayName != "5551234" {
		t.Errorf("agent INVITE From %v, want the number as display name", inv.From())
	}
	all, _ := h.events.snapshot()
	if e, _ := callEvent(all, c.callID(), acd.EvEntered); e.Priority != 2 {
		t.Errorf("entered with priority %d, want the queue's 2", e.Priority)
	}
	caller.hangup(t, testCtx(t), c)
	agent.waitBye(t)
}
