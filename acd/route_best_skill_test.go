package acd

// Table tests for the best-skill strategy.

import (
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

func TestRouteBestSkill(t *testing.T) {
	need := func(r queue.Requirements) map[string]QueuePolicy {
		return map[string]QueuePolicy{"q": rtPolicy("q", BestSkill{}, []queue.Step{{Requirements: r}})}
	}
	sk := func(id string, idle time.Duration, skills map[string]int) agents.Agent {
		return rtSkilled(rtIdle(rtAgent(id, agents.Available, "q"), idle), skills)
	}
	tests := []struct {
		name    string
		waiting []queue.Call
		agents  []agents.Agent
		pol     map[string]QueuePolicy
		want    string
	}{
		{
			"the highest level in the required skill",
			[]queue.Call{rtCall("c1", "q", 0, 0)},
			[]agents.Agent{sk("b3", 3*time.Hour, map[string]int{"billing": 3}), sk("b5", 0, map[string]int{"billing": 5}), sk("b4", time.Hour, map[string]int{"billing": 4})},
			need(queue.Requirements{"billing": 2}), "c1@q:b5",
		},
		{
			"the highest sum over the required skills, not the highest single level",
			[]queue.Call{rtCall("c1", "q", 0, 0)},
			[]agents.Agent{
				sk("b5f2", 3*time.Hour, map[string]int{"billing": 5, "french": 2}), // 7
				sk("b4f4", 0, map[string]int{"billing": 4, "french": 4}),           // 8
				sk("b3f3", time.Hour, map[string]int{"billing": 3, "french": 3}),   // 6
			},
			need(queue.Requirements{"billing": 2, "french": 2}), "c1@q:b4f4",
		},
		{
			"skills not required do not count",
			[]queue.Call{rtCall("c1", "q", 0, 0)},
			[]agents.Agent{sk("b3g5", 3*time.Hour, map[string]int{"billing": 3, "german": 5}), sk("b4", 0, map[string]int{"billing": 4})},
			need(queue.Requirements{"billing": 1}), "c1@q:b4",
		},
		{
			"equal scores: the longest idle",
			[]queue.Call{rtCall("c1", "q", 0, 0)},
			[]agents.Agent{sk("a", time.Hour, map[string]int{"billing": 4}), sk("b", 2*time.Hour, map[string]int{"billing": 4}), sk("c", 3*time.Hour, map[string]int{"billing": 3})},
			need(queue.Requirements{"billing": 1}), "c1@q:b",
		},
		{
			"equal scores and idle times: the smaller id",
			[]queue.Call{rtCall("c1", "q", 0, 0)},
			[]agents.Agent{sk("z", time.Hour, map[string]int{"billing": 4}), sk("m", time.Hour, map[string]int{"billing": 4})},
			need(queue.Requirements{"billing": 1}), "c1@q:m",
		},
		{
			"nothing required: longest idle",
			[]queue.Call{rtCall("c1", "q", 0, 0)},
			[]agents.Agent{sk("expert", time.Hour, map[string]int{"billing": 5}), sk("idle", 2*time.Hour, nil)},
			need(nil), "c1@q:idle",
		},
		{
			"only the current step's skills count",
			[]queue.Call{rtCall("c1", "q", 0, 30*time.Second)},
			[]agents.Agent{
				sk("french", 0, map[string]int{"billing": 2, "french": 5}),
				sk("billing", time.Hour, map[string]int{"billing": 3}),
			},
			map[string]QueuePolicy{"q": rtPolicy("q", BestSkill{}, []queue.Step{
				{Requirements: queue.Requirements{"billing": 2, "french": 1}, Duration: 20 * time.Second},
				{Requirements: queue.Requirements{"billing": 2}},
			})},
			"c1@q:billing",
		},
		{
			"the call's own requirements count too",
			[]queue.Call{rtNeeds(rtCall("c1", "q", 0, 0), queue.Requirements{"french": 1})},
			[]agents.Agent{
				sk("b5f1", time.Hour, map[string]int{"billing": 5, "french": 1}), // 6
				sk("b3f4", 0, map[string]int{"billing": 3, "french": 4}),         // 7
			},
			need(queue.Requirements{"billing": 2}), "c1@q:b3f4",
		},
		{
			"the best goes to the first call, the next best to the second",
			[]queue.Call{rtCall("c2", "q", 0, time.Second), rtCall("c1", "q", 0, 2*time.Second)},
			[]agents.Agent{sk("b3", 0, map[string]int{"billing": 3}), sk("b5", 0, map[string]int{"billing": 5}), sk("b1", 0, map[string]int{"billing": 1})},
			need(queue.Requirements{"billing": 2}), "c1@q:b5 c2@q:b3",
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
