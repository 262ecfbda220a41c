package acd

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// The routing tests share a fixed clock and a fixed seed: Route reads
// neither the time nor global randomness, so every result is repeatable.
// Helpers carry an "rt" prefix because other test files share package acd.
var rtT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// rtRNG is the seeded source every routing test starts from.
func rtRNG() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// rtAgent is an agent in state st serving queues, idle and never offered
// since an hour before rtT0.
func rtAgent(id string, st agents.State, queues ...string) agents.Agent {
	return agents.Agent{
		ID: id, Username: id, State: st, Queues: queues,
		StateSince: rtT0.Add(-time.Hour), IdleSince: rtT0.Add(-time.Hour),
	}
}

// rtIdle returns a with IdleSince set to ago before rtT0.
func rtIdle(a agents.Agent, ago time.Duration) agents.Agent {
	a.IdleSince = rtT0.Add(-ago)
	return a
}

// rtCall is a call in queue q with priority prio that arrived ago before rtT0.
func rtCall(id, q string, prio int, ago time.Duration, missed ...string) queue.Call {
	return queue.Call{ID: queue.CallID(id), Queue: q, Caller: "+100" + id, Priority: prio, Arrived: rtT0.Add(-ago), Missed: missed}
}

// rtPolicies gives every named queue strategy s.
func rtPolicies(s Strategy, queues ...string) map[string]QueuePolicy {
	p := make(map[string]QueuePolicy, len(queues))
	for _, q := range queues {
		p[q] = QueuePolicy{Name: q, Strategy: s}
	}
	return p
}

// rtFormat renders offers as "c1@sales:a1,a2 c2@support:a3", calls and
// agents sorted, so a table can state the expected result in one string.
func rtFormat(offers []Offer) string {
	parts := make([]string, 0, len(offers))
	for _, o := range offers {
		ids := slices.Clone(o.Agents)
		slices.Sort(ids)
		parts = append(parts, fmt.Sprintf("%s@%s:%s", o.Call, o.Queue, strings.Join(ids, ",")))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// rtStrategyFunc is a Strategy built from a function, for the tests that
// need a strategy which spies or misbehaves.
type rtStrategyFunc func(now time.Time, call queue.Call, c []agents.Agent) []int

func (rtStrategyFunc) Name() string { return "test" }

func (f rtStrategyFunc) Choose(now time.Time, call queue.Call, c []agents.Agent, _ *rand.Rand) []int {
	return f(now, call, c)
}

func rtCloneCalls(cs []queue.Call) []queue.Call {
	if cs == nil {
		return nil
	}
	out := make([]queue.Call, len(cs))
	for i, c := range cs {
		c.Missed = slices.Clone(c.Missed)
		c.Requirements = maps.Clone(c.Requirements)
		out[i] = c
	}
	return out
}

func rtCloneAgents(as []agents.Agent) []agents.Agent {
	if as == nil {
		return nil
	}
	out := make([]agents.Agent, len(as))
	for i, a := range as {
		a.Queues = slices.Clone(a.Queues)
		a.Skills = maps.Clone(a.Skills)
		if a.Pending != nil {
			p := *a.Pending
			a.Pending = &p
		}
		out[i] = a
	}
	return out
}

func rtSortedCalls(cs []queue.Call) []queue.Call {
	out := rtCloneCalls(cs)
	slices.SortFunc(out, func(a, b queue.Call) int {
		switch {
		case queue.Before(a, b):
			return -1
		case queue.Before(b, a):
			return 1
		}
		return 0
	})
	return out
}
