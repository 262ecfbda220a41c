package acd

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// Table tests for skills-based routing: routing steps chosen by the wait,
// requirements (AND) of the step and of the call, best-skill, priority
// ageing and queue weights. Most cases use longest-idle with the agents
// who do not qualify idle longest, so a rule that leaks shows at once.

// rtSkilled returns a with these skills.
func rtSkilled(a agents.Agent, skills map[string]int) agents.Agent {
	a.Skills = skills
	return a
}

// rtNeeds returns c with its own requirements.
func rtNeeds(c queue.Call, r queue.Requirements) queue.Call {
	c.Requirements = r
	return c
}

// rtBillingSteps: 20 s billing ≥ 4, then 40 s billing ≥ 2, then anyone.
func rtBillingSteps() []queue.Step {
	return []queue.Step{
		{Requirements: queue.Requirements{"billing": 4}, Duration: 20 * time.Second},
		{Requirements: queue.Requirements{"billing": 2}, Duration: 40 * time.Second},
	}
}

func rtPolicy(name string, s Strategy, steps []queue.Step) QueuePolicy {
	return QueuePolicy{Name: name, Strategy: s, Steps: steps}
}

// rtBillingTeam: the less qualified, the longer idle.
func rtBillingTeam() []agents.Agent {
	return []agents.Agent{
		rtSkilled(rtIdle(rtAgent("lo", agents.Available, "billing"), 4*time.Hour), map[string]int{"billing": 1}),
		rtSkilled(rtIdle(rtAgent("mid", agents.Available, "billing"), 3*time.Hour), map[string]int{"billing": 2}),
		rtSkilled(rtIdle(rtAgent("hi", agents.Available, "billing"), 2*time.Hour), map[string]int{"billing": 4}),
		rtSkilled(rtIdle(rtAgent("top", agents.Available, "billing"), time.Hour), map[string]int{"billing": 5}),
	}
}

func TestRouteOffersOnlyAgentsMeetingTheCallsStep(t *testing.T) {
	billing := map[string]QueuePolicy{"billing": rtPolicy("billing", LongestIdle{}, rtBillingSteps())}
	tests := []struct {
		name    string
		waiting []queue.Call
		agents  []agents.Agent
		pol     map[string]QueuePolicy
		want    string
	}{
		{"first step: billing at least 4", []queue.Call{rtCall("c1", "billing", 0, 10*time.Second)}, rtBillingTeam(), billing, "c1@billing:hi"},
		{"first step at once", []queue.Call{rtCall("c1", "billing", 0, 0)}, rtBillingTeam(), billing, "c1@billing:hi"},
		{"second step exactly when the first ends", []queue.Call{rtCall("c1", "billing", 0, 20*time.Second)}, rtBillingTeam(), billing, "c1@billing:mid"},
		{"still the second step", []queue.Call{rtCall("c1", "billing", 0, 60*time.Second-time.Nanosecond)}, rtBillingTeam(), billing, "c1@billing:mid"},
		{"any agent of the queue once the steps are over", []queue.Call{rtCall("c1", "billing", 0, 60*time.Second)}, rtBillingTeam(), billing, "c1@billing:lo"},
		{
			"a last step without duration stays for ever",
			[]queue.Call{rtCall("c1", "billing", 0, 5*time.Hour)}, rtBillingTeam(),
			map[string]QueuePolicy{"billing": rtPolicy("billing", LongestIdle{}, []queue.Step{
				{Requirements: queue.Requirements{"billing": 4}, Duration: 20 * time.Second},
				{Requirements: queue.Requirements{"billing": 2}},
			})},
			"c1@billing:mid",
		},
		{
			"nobody meets the step: no offer",
			[]queue.Call{rtCall("c1", "billing", 0, time.Second)}, rtBillingTeam()[:2], billing, "",
		},
		{
			"an agent of another queue is not offered, whatever the skills",
			[]queue.Call{rtCall("c1", "billing", 0, 30*time.Second)},
			[]agents.Agent{
				rtSkilled(rtIdle(rtAgent("other", agents.Available, "support"), 9*time.Hour), map[string]int{"billing": 5}),
				rtSkilled(rtAgent("mid", agents.Available, "billing"), map[string]int{"billing": 2}),
			},
			billing, "c1@billing:mid",
		},
		{
			"an agent without the skill is level 0",
			[]queue.Call{rtCall("c1", "billing", 0, 30*time.Second)},
			[]agents.Agent{
				rtIdle(rtAgent("none", agents.Available, "billing"), 9*time.Hour),
				rtSkilled(rtIdle(rtAgent("french", agents.Available, "billing"), 8*time.Hour), map[string]int{"french": 5}),
			},
			billing, "",
		},
		{
			"requirements combine with AND",
			[]queue.Call{rtCall("c1", "q", 0, 0)},
			[]agents.Agent{
				rtSkilled(rtIdle(rtAgent("b", agents.Available, "q"), 9*time.Hour), map[string]int{"billing": 5}),
				rtSkilled(rtIdle(rtAgent("f", agents.Available, "q"), 8*time.Hour), map[string]int{"french": 5}),
				rtSkilled(rtIdle(rtAgent("bf-low", agents.Available, "q"), 7*time.Hour), map[string]int{"billing": 2, "french": 2}),
				rtSkilled(rtAgent("bf", agents.Available, "q"), map[string]int{"billing": 3, "french": 2}),
			},
			map[string]QueuePolicy{"q": rtPolicy("q", LongestIdle{}, []queue.Step{{Requirements: queue.Requirements{"billing": 3, "french": 2}}})},
			"c1@q:bf",
		},
		{
			"the call's own requirements add to the step's",
			[]queue.Call{rtNeeds(rtCall("c1", "billing", 0, 30*time.Second), queue.Requirements{"french": 3})},
			[]agents.Agent{
				rtSkilled(rtIdle(rtAgent("mid", agents.Available, "billing"), 9*time.Hour), map[string]int{"billing": 2}),
				rtSkilled(rtIdle(rtAgent("fr", agents.Available, "billing"), 8*time.Hour), map[string]int{"french": 5}),
				rtSkilled(rtAgent("mid-fr", agents.Available, "billing"), map[string]int{"billing": 2, "french": 3}),
			},
			billing, "c1@billing:mid-fr",
		},
		{
			"the call's own level counts where it is above the step's",
			[]queue.Call{rtNeeds(rtCall("c1", "billing", 0, 30*time.Second), queue.Requirements{"billing": 5})},
			rtBillingTeam(), billing, "c1@billing:top",
		},
		{
			"the step's level counts where it is above the call's",
			[]queue.Call{rtNeeds(rtCall("c1", "billing", 0, 0), queue.Requirements{"billing": 1})},
			rtBillingTeam(), billing, "c1@billing:hi",
		},
		{
			"no steps: any agent of the queue",
			[]queue.Call{rtCall("c1", "billing", 0, 0)}, rtBillingTeam(),
			map[string]QueuePolicy{"billing": rtPolicy("billing", LongestIdle{}, nil)},
			"c1@billing:lo",
		},
		{
			"no steps, but the call's own requirements",
			[]queue.Call{rtNeeds(rtCall("c1", "billing", 0, 0), queue.Requirements{"billing": 2})}, rtBillingTeam(),
			map[string]QueuePolicy{"billing": rtPolicy("billing", LongestIdle{}, nil)},
			"c1@billing:mid",
		},
		{
			"a step with no requirements takes anyone",
			[]queue.Call{rtCall("c1", "billing", 0, 0)}, rtBillingTeam(),
			map[string]QueuePolicy{"billing": rtPolicy("billing", LongestIdle{}, []queue.Step{{Duration: time.Minute}, {Requirements: queue.Requirements{"billing": 5}}})},
			"c1@billing:lo",
		},
		{
			"each call at its own step",
			[]queue.Call{
				rtCall("new", "billing", 0, 5*time.Second), rtCall("mid-wait", "billing", 0, 30*time.Second),
				rtCall("long", "billing", 0, 2*time.Minute),
			},
			rtBillingTeam(), billing,
			// served longest first: long takes lo (most idle), mid-wait mid, new hi
			"long@billing:lo mid-wait@billing:mid new@billing:hi",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Route(rtT0, tt.waiting, tt.agents, tt.pol, rtRNG())
			rtCheckRoute(t, rtT0, tt.waiting, tt.agents, tt.pol, got)
			if rtFormat(got) != tt.want {
				t.Fatalf("offers = %q, want %q", rtFormat(got), tt.want)
			}
		})
	}
	// Every strategy keeps to the eligible agents.
	for _, s := range Strategies() {
		t.Run("all strategies/"+s.Name(), func(t *testing.T) {
			for _, wait := range []time.Duration{0, 20 * time.Second, time.Minute} {
				pol := map[string]QueuePolicy{"billing": rtPolicy("billing", s, rtBillingSteps())}
				waiting := []queue.Call{rtCall("c1", "billing", 0, wait)}
				got := Route(rtT0, waiting, rtBillingTeam(), pol, rtRNG())
				rtCheckRoute(t, rtT0, waiting, rtBillingTeam(), pol, got)
				if len(got) != 1 {
					t.Fatalf("wait %v: offers %s, want one", wait, rtFormat(got))
				}
			}
		})
	}
}

// TestRouteACallNobodyQualifiesForHoldsUpNobody: a call whose step (or own
// requirements) nobody free meets is skipped; the calls after it, in any
// queue and at any step, are still served.
func TestRouteACallNobodyQualifiesForHoldsUpNobody(t *testing.T) {
	billing := map[string]QueuePolicy{"billing": rtPolicy("billing", LongestIdle{}, rtBillingSteps())}
	mid := rtSkilled(rtAgent("mid", agents.Available, "billing"), map[string]int{"billing": 2})
	tests := []struct {
		name    string
		waiting []queue.Call
		agents  []agents.Agent
		pol     map[string]QueuePolicy
		want    string
	}{
		{
			"a higher-priority call at a strict step leaves the agent to a lower one at a wider step",
			[]queue.Call{rtCall("strict", "billing", 5, time.Second), rtCall("wide", "billing", 0, 30*time.Second)},
			[]agents.Agent{mid}, billing, "wide@billing:mid",
		},
		{
			"own requirements nobody meets do not make the step dry for the next call",
			[]queue.Call{
				rtNeeds(rtCall("french", "billing", 1, 30*time.Second), queue.Requirements{"french": 5}),
				rtCall("plain", "billing", 0, 25*time.Second),
			},
			[]agents.Agent{mid}, billing, "plain@billing:mid",
		},
		{
			"steps need not widen: calls after a dry later step are still served",
			[]queue.Call{
				rtCall("w40", "q", 0, 40*time.Second), rtCall("w35", "q", 0, 35*time.Second),
				rtNeeds(rtCall("w30", "q", 0, 30*time.Second), queue.Requirements{"french": 1}),
				rtCall("w25", "q", 0, 25*time.Second), rtCall("w10", "q", 0, 10*time.Second), rtCall("w5", "q", 0, 5*time.Second),
			},
			[]agents.Agent{rtSkilled(rtAgent("fr", agents.Available, "q"), map[string]int{"french": 3})},
			map[string]QueuePolicy{"q": rtPolicy("q", LongestIdle{}, []queue.Step{
				{Requirements: queue.Requirements{"french": 3}, Duration: 20 * time.Second},
				{Requirements: queue.Requirements{"billing": 3}},
			})},
			"w10@q:fr",
		},
		{
			"a queue nobody qualifies for does not hold up another",
			[]queue.Call{rtCall("b1", "billing", 3, time.Hour-time.Second), rtCall("s1", "sales", 0, time.Second)},
			[]agents.Agent{rtAgent("both", agents.Available, "billing", "sales")},
			map[string]QueuePolicy{
				"billing": rtPolicy("billing", LongestIdle{}, []queue.Step{{Requirements: queue.Requirements{"billing": 1}}}),
				"sales":   rtPolicy("sales", LongestIdle{}, nil),
			},
			"s1@sales:both",
		},
		{
			"an agent taken by an earlier call leaves the next without anyone qualified",
			[]queue.Call{rtCall("c1", "billing", 0, 30*time.Second), rtCall("c2", "billing", 0, 25*time.Second)},
			[]agents.Agent{mid, rtSkilled(rtAgent("lo", agents.Available, "billing"), map[string]int{"billing": 1})},
			billing, "c1@billing:mid",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Route(rtT0, tt.waiting, tt.agents, tt.pol, rtRNG())
			rtCheckRoute(t, rtT0, tt.waiting, tt.agents, tt.pol, got)
			if rtFormat(got) != tt.want {
				t.Fatalf("offers = %q, want %q", rtFormat(got), tt.want)
			}
		})
	}
}

// TestRouteHandsStrategiesTheRequirementsOfTheStep: the call a strategy
// sees carries what it must meet now, the step's and its own merged, and
// Route leaves the caller's values alone.
func TestRouteHandsStrategiesTheRequirementsOfTheStep(t *testing.T) {
	var seen []queue.Requirements
	spy := rtStrategyFunc(func(_ time.Time, call queue.Call, c []agents.Agent) []int {
		seen = append(seen, maps.Clone(call.Requirements))
		return []int{0}
	})
	steps := []queue.Step{
		{Requirements: queue.Requirements{"billing": 4}, Duration: 20 * time.Second},
		{Requirements: queue.Requirements{"billing": 2, "french": 1}, Duration: 40 * time.Second},
	}
	waiting := []queue.Call{
		rtNeeds(rtCall("c1", "q", 0, 5*time.Minute), queue.Requirements{"german": 2}), // steps over: own only
		rtNeeds(rtCall("c2", "q", 0, time.Minute-time.Second), queue.Requirements{"billing": 3, "german": 1}),
		rtCall("c3", "q", 0, 30*time.Second),
		rtCall("c4", "q", 0, 10*time.Second),
		rtCall("c5", "p", 0, time.Second), // a queue without steps
	}
	everything := map[string]int{"billing": 5, "french": 5, "german": 5}
	var team []agents.Agent
	for _, id := range []string{"a1", "a2", "a3", "a4"} {
		team = append(team, rtSkilled(rtAgent(id, agents.Available, "q"), maps.Clone(everything)))
	}
	team = append(team, rtAgent("a5", agents.Available, "p"))
	pol := map[string]QueuePolicy{"q": rtPolicy("q", spy, steps), "p": rtPolicy("p", spy, nil)}
	wantWaiting, wantTeam := rtCloneCalls(waiting), rtCloneAgents(team)
	wantSteps := []queue.Step{
		{Requirements: queue.Requirements{"billing": 4}, Duration: 20 * time.Second},
		{Requirements: queue.Requirements{"billing": 2, "french": 1}, Duration: 40 * time.Second},
	}
	got := Route(rtT0, waiting, team, pol, rtRNG())
	want := []queue.Requirements{
		{"german": 2},
		{"billing": 3, "french": 1, "german": 1},
		{"billing": 2, "french": 1},
		{"billing": 4},
		nil,
	}
	if !reflect.DeepEqual(seen, want) {
		t.Fatalf("strategy saw %v, want %v", seen, want)
	}
	if len(got) != 5 {
		t.Fatalf("offers %s", rtFormat(got))
	}
	if !reflect.DeepEqual(waiting, wantWaiting) || !reflect.DeepEqual(team, wantTeam) || !reflect.DeepEqual(steps, wantSteps) {
		t.Error("Route changed its inputs")
	}
}
