package sip

import (
	"slices"
	"testing"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

func TestParseFeatureCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		number string
		ok     bool
		want   agents.Event
	}{
		{"*71", true, agents.Event{Kind: agents.Login}},
		{"*72", true, agents.Event{Kind: agents.Logout}},
		{"*73", true, agents.Event{Kind: agents.Pause, Reason: "break"}},
		{"*7312", true, agents.Event{Kind: agents.Pause, Reason: "code-12"}},
		{"*730", true, agents.Event{Kind: agents.Pause, Reason: "code-0"}},
		{"*74", true, agents.Event{Kind: agents.Unpause}},
		{"*75", false, agents.Event{}},
		{"*70", false, agents.Event{}},
		{"*73ab", false, agents.Event{}},
		{"*7312a", false, agents.Event{}},
		{"*73*1", false, agents.Event{}},
		{"*711", false, agents.Event{}}, // digits only follow *73
		{"*7412", false, agents.Event{}},
		{"*7", false, agents.Event{}},
		{"*", false, agents.Event{}},
		{"", false, agents.Event{}},
		{"71", false, agents.Event{}},
		{"100", false, agents.Event{}},
		{"#73", false, agents.Event{}},
	}
	for _, tt := range tests {
		got, ok := parseFeatureCode(tt.number)
		if ok != tt.ok || got.Kind != tt.want.Kind || got.Reason != tt.want.Reason {
			t.Errorf("parseFeatureCode(%q) = %+v, %v; want %+v, %v", tt.number, got, ok, tt.want, tt.ok)
		}
	}
}

// Feature codes always need authentication, even from a trusted trunk's
// address: the ACD must know which agent dialled. The change is applied,
// the call answered and then hung up by the ACD.
func TestFeatureCodes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.0/8"))
	ctx := testCtx(t)
	p := h.newPhone(t, "alice")

	dial := func(t *testing.T, code string) *call {
		t.Helper()
		c := p.dial(t, ctx, code, p.sdp("0 101"), true)
		if i := slices.Index(c.statuses, gosip.StatusUnauthorized); i < 0 {
			t.Fatalf("%s from a trusted address was not challenged: %v", code, c.statuses)
		}
		return c
	}
	steps := []struct {
		code   string
		state  agents.State
		reason string
	}{
		{"*71", agents.Available, ""},
		{"*73", agents.Paused, "break"},
		{"*7312", agents.Paused, "code-12"},
		{"*74", agents.Available, ""},
		{"*72", agents.Offline, ""},
	}
	for _, st := range steps {
		t.Run(st.code, func(t *testing.T) {
			c := dial(t, st.code)
			if c.err != nil {
				t.Fatalf("%s not answered: %v (statuses %v)", st.code, c.err, c.statuses)
			}
			bye := p.waitBye(t) // the ACD hangs up once the change is made
			if bye.CallID().Value() != c.callID() {
				t.Fatalf("BYE for call %s, want %s", bye.CallID().Value(), c.callID())
			}
			a := h.agent(t, "a1")
			if a.State != st.state || a.PauseReason != st.reason {
				t.Fatalf("after %s agent is %s/%q, want %s/%q", st.code, a.State, a.PauseReason, st.state, st.reason)
			}
		})
	}
	evs, _ := h.events.snapshot()
	var states []string
	for _, ev := range evs {
		if ev.Type == acd.EvAgentState && ev.Agent == "a1" {
			states = append(states, ev.State+"/"+ev.Reason)
		}
	}
	want := []string{"available/login", "paused/break", "paused/code-12", "available/unpause", "offline/logout"}
	if !slices.Equal(states, want) {
		t.Fatalf("agent-state events %v, want %v", states, want)
	}

	t.Run("refused change", func(t *testing.T) {
		res := dial(t, "*74").response(t) // unpause while offline
		if res.StatusCode != gosip.StatusForbidden || res.Reason != "Not Allowed In Current State" {
			t.Fatalf("got %q, want 403 Not Allowed In Current State", res.StartLine())
		}
	})
	t.Run("unanswerable offer changes nothing", func(t *testing.T) {
		res := p.dial(t, ctx, "*71", p.sdp("18"), true).response(t) // G.729 only
		if res.StatusCode != gosip.StatusNotAcceptableHere {
			t.Fatalf("got %q, want 488", res.StartLine())
		}
		if a := h.agent(t, "a1"); a.State != agents.Offline {
			t.Fatalf("agent is %s after a *71 that was refused with 488", a.State)
		}
	})
	t.Run("without credentials", func(t *testing.T) {
		res := p.dial(t, ctx, "*73", p.sdp("0"), false).response(t)
		if res.StatusCode != gosip.StatusUnauthorized {
			t.Fatalf("got %q, want a 401 challenge", res.StartLine())
		}
		if a := h.agent(t, "a1"); a.State != agents.Offline {
			t.Fatalf("agent is %s after an unauthenticated *73", a.State)
		}
	})
	t.Run("not an agent", func(t *testing.T) {
		q := h.newPhone(t, "carol")
		c := q.dial(t, ctx, "*71", q.sdp("0"), true)
		if res := c.response(t); res.StatusCode != gosip.StatusForbidden {
			t.Fatalf("carol dialling *71 got %q, want 403", res.StartLine())
		}
	})
}
