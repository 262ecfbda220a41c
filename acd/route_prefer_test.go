package acd

import (
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// Table tests for the prefer window: a returning customer's call goes to
// their preferred (or last) agent only, while it has waited less than
// PreferFor; then to anyone eligible. The other agents idle longest, so a
// preference that leaks or is ignored shows at once.

// rtPrefers returns c preferring agent for the first window of its wait.
func rtPrefers(c queue.Call, agent string, window time.Duration) queue.Call {
	c.Preferred, c.PreferFor = agent, window
	return c
}

func TestRoutePreferWindow(t *testing.T) {
	support := rtPolicies(LongestIdle{}, "support")
	team := func() []agents.Agent {
		return []agents.Agent{
			rtIdle(rtAgent("idle", agents.Available, "support"), 5*time.Hour),
			rtIdle(rtAgent("pref", agents.Available, "support"), time.Minute),
		}
	}
	busyPref := func() []agents.Agent {
		a := team()
		a[1].State = agents.Busy
		return a
	}
	tests := []struct {
		name    string
		waiting []queue.Call
		agents  []agents.Agent
		pol     map[string]QueuePolicy
		want    string
	}{
		{
			"in the window the preferred agent gets the call, not the longest idle",
			[]queue.Call{rtPrefers(rtCall("c1", "support", 0, 2*time.Second), "pref", 15*time.Second)},
			team(), support, "c1@support:pref",
		},
		{
			"in the window a busy preferred agent is waited for",
			[]queue.Call{rtPrefers(rtCall("c1", "support", 0, 14*time.Second), "pref", 15*time.Second)},
			busyPref(), support, "",
		},
		{
			"a preferred agent not logged in (not in the list) is waited for too",
			[]queue.Call{rtPrefers(rtCall("c1", "support", 0, time.Second), "gone", 15*time.Second)},
			team(), support, "",
		},
		{
			"the window ends exactly at PreferFor: anyone eligible",
			[]queue.Call{rtPrefers(rtCall("c1", "support", 0, 15*time.Second), "pref", 15*time.Second)},
			busyPref(), support, "c1@support:idle",
		},
		{
			"after the window the strategy decides, even with the preferred agent free",
			[]queue.Call{rtPrefers(rtCall("c1", "support", 0, time.Minute), "pref", 15*time.Second)},
			team(), support, "c1@support:idle",
		},
		{
			"no window: no preference",
			[]queue.Call{rtPrefers(rtCall("c1", "support", 0, 0), "pref", 0)},
			team(), support, "c1@support:idle",
		},
		{
			"a preferred agent who missed the call gives up the preference",
			[]queue.Call{rtPrefers(rtCall("c1", "support", 0, 2*time.Second, "pref"), "pref", 15*time.Second)},
			team(), support, "c1@support:idle",
		},
		{
			"a preferred agent of another queue is not offered: the call waits out the window",
			[]queue.Call{rtPrefers(rtCall("c1", "support", 0, time.Second), "sales", 15*time.Second)},
			append(team(), rtAgent("sales", agents.Available, "sales")), support, "",
		},
		{
			"a preferred agent who does not meet the step is not offered",
			[]queue.Call{rtPrefers(rtCall("c1", "billing", 0, time.Second), "mid", 15*time.Second)},
			rtBillingTeam(), map[string]QueuePolicy{"billing": rtPolicy("billing", LongestIdle{}, rtBillingSteps())}, "",
		},
		{
			"a preferred agent meeting the step is offered though others rank higher",
			[]queue.Call{rtPrefers(rtCall("c1", "billing", 0, time.Second), "hi", 15*time.Second)},
			rtBillingTeam(), map[string]QueuePolicy{"billing": rtPolicy("billing", BestSkill{}, rtBillingSteps())}, "c1@billing:hi",
		},
		{
			"a waiting preferring call holds up nobody behind it",
			[]queue.Call{
				rtPrefers(rtCall("vip", "support", 5, time.Second), "pref", 15*time.Second),
				rtCall("c2", "support", 0, 30*time.Second),
			},
			busyPref(), support, "c2@support:idle",
		},
		{
			"the preferred agent goes to the preferring call, the others to the calls behind",
			[]queue.Call{
				rtCall("c2", "support", 0, 30*time.Second),
				rtPrefers(rtCall("c1", "support", 0, time.Second), "pref", 15*time.Second),
			},
			team(), support, "c1@support:pref c2@support:idle",
		},
		{
			"a call ahead takes the preferred agent when it may: serving order first",
			[]queue.Call{
				rtCall("c2", "support", 0, 30*time.Second),
				rtPrefers(rtCall("c1", "support", 0, time.Second), "idle", 15*time.Second),
			},
			[]agents.Agent{rtIdle(rtAgent("idle", agents.Available, "support"), 5*time.Hour)},
			support, "c2@support:idle",
		},
		{
			"two calls preferring one agent: the first served gets it, the other waits",
			[]queue.Call{
				rtPrefers(rtCall("late", "support", 0, time.Second), "pref", 15*time.Second),
				rtPrefers(rtCall("early", "support", 0, 3*time.Second), "pref", 15*time.Second),
			},
			team(), support, "early@support:pref",
		},
		{
			"ring-all rings only the preferred agent in the window",
			[]queue.Call{rtPrefers(rtCall("c1", "support", 0, time.Second), "pref", 15*time.Second)},
			team(), rtPolicies(RingAll{}, "support"), "c1@support:pref",
		},
		{
			"a preferring call does not dry up its step for the calls after it",
			[]queue.Call{
				rtPrefers(rtCall("c1", "billing", 0, 2*time.Second), "nobody", 15*time.Second),
				rtCall("c2", "billing", 0, time.Second),
			},
			rtBillingTeam(), map[string]QueuePolicy{"billing": rtPolicy("billing", LongestIdle{}, rtBillingSteps())}, "c2@billing:hi",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rtFormat(Route(rtT0, tt.waiting, tt.agents, tt.pol, rtRNG()))
			if got != tt.want {
				t.Errorf("offers %q, want %q", got, tt.want)
			}
			rtCheckRoute(t, rtT0, tt.waiting, tt.agents, tt.pol, Route(rtT0, tt.waiting, tt.agents, tt.pol, rtRNG()))
		})
	}
}
