package acd

// Table tests for the serving order across queues: priority ageing and queue weights.

import (
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// TestRoutePriorityAging: off by default; on, a call gains one priority
// point per full period waited, in its own queue only.
func TestRoutePriorityAging(t *testing.T) {
	aged := func(aging time.Duration) map[string]QueuePolicy {
		return map[string]QueuePolicy{
			"sales": {Name: "sales", Strategy: LongestIdle{}, PriorityAging: aging},
			"vip":   {Name: "vip", Strategy: LongestIdle{}},
		}
	}
	shared := []agents.Agent{rtAgent("a1", agents.Available, "sales", "vip")}
	tests := []struct {
		name    string
		waiting []queue.Call
		pol     map[string]QueuePolicy
		want    string
	}{
		{"off: priority beats any wait", []queue.Call{rtCall("old", "sales", 0, 10*time.Hour), rtCall("vip", "vip", 1, time.Second)}, aged(0), "vip@vip:a1"},
		{"on: a long wait overtakes a higher priority", []queue.Call{rtCall("old", "sales", 0, 90*time.Second), rtCall("vip", "vip", 2, time.Second)}, aged(30 * time.Second), "old@sales:a1"},
		{"just short of the second period", []queue.Call{rtCall("old", "sales", 0, 60*time.Second-time.Nanosecond), rtCall("vip", "vip", 2, time.Second)}, aged(30 * time.Second), "vip@vip:a1"},
		{"equal effective priority: the earlier arrival", []queue.Call{rtCall("old", "sales", 0, 60*time.Second), rtCall("vip", "vip", 2, 59*time.Second)}, aged(30 * time.Second), "old@sales:a1"},
		{"the other queue's calls do not age", []queue.Call{rtCall("s1", "sales", 1, time.Second), rtCall("v1", "vip", 0, time.Hour)}, aged(30 * time.Second), "s1@sales:a1"},
		{
			"ageing reorders calls inside one queue",
			[]queue.Call{rtCall("hi", "sales", 3, 10*time.Second), rtCall("lo", "sales", 0, 2*time.Minute)},
			aged(30 * time.Second), "lo@sales:a1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Route(rtT0, tt.waiting, shared, tt.pol, rtRNG())
			rtCheckRoute(t, rtT0, tt.waiting, shared, tt.pol, got)
			if rtFormat(got) != tt.want {
				t.Fatalf("offers = %q, want %q", rtFormat(got), tt.want)
			}
		})
	}
}

// TestRouteQueueWeights: among callers of equal effective priority the
// heavier queue's goes first, however long the other waited.
func TestRouteQueueWeights(t *testing.T) {
	weighted := func(sales, support int, aging time.Duration) map[string]QueuePolicy {
		return map[string]QueuePolicy{
			"sales":   {Name: "sales", Strategy: LongestIdle{}, Weight: sales, PriorityAging: aging},
			"support": {Name: "support", Strategy: LongestIdle{}, Weight: support},
		}
	}
	shared := rtIdle(rtAgent("both", agents.Available, "sales", "support"), 3*time.Hour)
	tests := []struct {
		name    string
		waiting []queue.Call
		agents  []agents.Agent
		pol     map[string]QueuePolicy
		want    string
	}{
		{"the heavier queue first, though its caller came later", []queue.Call{rtCall("s1", "sales", 0, time.Hour), rtCall("p1", "support", 0, time.Second)}, []agents.Agent{shared}, weighted(0, 5, 0), "p1@support:both"},
		{"equal weights: arrival", []queue.Call{rtCall("s1", "sales", 0, time.Hour), rtCall("p1", "support", 0, time.Second)}, []agents.Agent{shared}, weighted(5, 5, 0), "s1@sales:both"},
		{"a negative weight goes after the default", []queue.Call{rtCall("s1", "sales", 0, time.Hour), rtCall("p1", "support", 0, time.Second)}, []agents.Agent{shared}, weighted(-1, 0, 0), "p1@support:both"},
		{"priority beats weight", []queue.Call{rtCall("s1", "sales", 1, time.Second), rtCall("p1", "support", 0, time.Hour)}, []agents.Agent{shared}, weighted(0, 9, 0), "s1@sales:both"},
		{"aged priority beats weight", []queue.Call{rtCall("s1", "sales", 0, time.Minute), rtCall("p1", "support", 0, time.Hour)}, []agents.Agent{shared}, weighted(0, 9, 30*time.Second), "s1@sales:both"},
		{
			"a dedicated agent still serves the lighter queue",
			[]queue.Call{rtCall("s1", "sales", 0, time.Hour), rtCall("p1", "support", 0, time.Second)},
			[]agents.Agent{shared, rtAgent("sal", agents.Available, "sales")}, weighted(0, 5, 0),
			"p1@support:both s1@sales:sal",
		},
		{
			"weight and steps: the heavier caller nobody qualifies for gives way",
			[]queue.Call{rtCall("s1", "sales", 0, time.Hour), rtCall("p1", "support", 0, time.Second)},
			[]agents.Agent{shared},
			map[string]QueuePolicy{
				"sales":   {Name: "sales", Strategy: LongestIdle{}},
				"support": {Name: "support", Strategy: LongestIdle{}, Weight: 5, Steps: []queue.Step{{Requirements: queue.Requirements{"english": 1}}}},
			},
			"s1@sales:both",
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
