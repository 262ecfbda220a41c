package acd

// A reused Router decides exactly as a fresh Route does.

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// TestRouterReuseGivesTheSameOffers: a Router that routed other problems
// before decides exactly as a fresh Route does.
func TestRouterReuseGivesTheSameOffers(t *testing.T) {
	var r Router
	waiting, team := rtTeam()
	problems := []struct {
		waiting []queue.Call
		team    []agents.Agent
		pol     map[string]QueuePolicy
	}{
		{waiting, team, rtPolicies(LongestIdle{}, "sales", "support", "billing")},
		{[]queue.Call{rtCall("c1", "billing", 0, 30*time.Second), rtCall("c2", "billing", 0, time.Second)}, rtBillingTeam(),
			map[string]QueuePolicy{"billing": rtPolicy("billing", BestSkill{}, rtBillingSteps())}},
		{waiting[:3], team[:2], rtPolicies(RingAll{}, "sales")},
		{nil, team, rtPolicies(LongestIdle{}, "sales")},
		{waiting, team, rtPolicies(FewestCalls{}, "sales", "support", "billing", "nowhere")},
	}
	for round := range 3 {
		for i, p := range slices.Backward(problems) {
			want := Route(rtT0, p.waiting, p.team, p.pol, rtRNG())
			if got := r.Route(rtT0, p.waiting, p.team, p.pol, rtRNG()); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d problem %d: reused router gave %s, fresh %s", round, i, rtFormat(got), rtFormat(want))
			}
		}
	}
}
