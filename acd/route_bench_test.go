package acd

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// rtBenchProblem builds a seeded routing problem: calls spread over nQueues
// (a fifth of them at a higher priority, some missed before), agents in
// one or two queues of which one in freeEvery is Available and the rest in
// the other states. Calls come in serving order, as Store.Waiting gives them.
func rtBenchProblem(nCalls, nAgents, nQueues, freeEvery int, strategy Strategy) ([]queue.Call, []agents.Agent, map[string]QueuePolicy) {
	gen := rand.New(rand.NewPCG(1, 2))
	queues := make([]string, nQueues)
	for i := range queues {
		queues[i] = fmt.Sprintf("queue-%d", i)
	}
	busy := []agents.State{agents.Busy, agents.WrapUp, agents.Ringing, agents.Paused, agents.Offline}
	team := make([]agents.Agent, nAgents)
	for i := range team {
		a := agents.Agent{
			ID:          fmt.Sprintf("agent-%05d", gen.IntN(1_000_000)*nAgents+i),
			State:       busy[i%len(busy)],
			Queues:      []string{queues[gen.IntN(nQueues)]},
			IdleSince:   rtT0.Add(-time.Duration(gen.IntN(3600)) * time.Second),
			LastOffered: rtT0.Add(-time.Duration(gen.IntN(3600)) * time.Second),
			CallsTaken:  gen.IntN(50),
			TalkTime:    time.Duration(gen.IntN(4*3600)) * time.Second,
		}
		if i%freeEvery == 0 {
			a.State = agents.Available
		}
		if gen.IntN(3) == 0 {
			a.Queues = append(a.Queues, queues[gen.IntN(nQueues)])
		}
		team[i] = a
	}
	waiting := make([]queue.Call, nCalls)
	for i := range waiting {
		c := queue.Call{
			ID:      queue.CallID(fmt.Sprintf("call-%06d", i)),
			Queue:   queues[gen.IntN(nQueues)],
			Arrived: rtT0.Add(-time.Duration(gen.IntN(3600)) * time.Second),
		}
		if gen.IntN(5) == 0 {
			c.Priority = 1
		}
		if gen.IntN(10) == 0 {
			c.Missed = []string{team[gen.IntN(nAgents)].ID}
		}
		waiting[i] = c
	}
	return rtSortedCalls(waiting), team, rtPolicies(strategy, queues...)
}

// BenchmarkRoute measures one routing pass. "large" is a busy contact
// centre: 10,000 waiting calls, 1,000 agents of whom 10 % are free, 5
// queues. "small" is a team of 10 (half free) with 20 callers in 2 queues.
func BenchmarkRoute(b *testing.B) {
	sizes := []struct {
		name                             string
		calls, agents, queues, freeEvery int
	}{
		{"small/calls=20/agents=10", 20, 10, 2, 2},
		{"large/calls=10000/agents=1000", 10_000, 1_000, 5, 10},
	}
	for _, size := range sizes {
		for _, s := range Strategies() {
			b.Run(size.name+"/"+s.Name(), func(b *testing.B) {
				waiting, team, pol := rtBenchProblem(size.calls, size.agents, size.queues, size.freeEvery, s)
				rng := rtRNG()
				b.ReportAllocs()
				var offers int
				for b.Loop() {
					offers = len(Route(rtT0, waiting, team, pol, rng))
				}
				b.ReportMetric(float64(offers), "offers/op")
			})
		}
	}

	// Unsorted input costs Route a sort of the calls.
	b.Run("large/calls=10000/agents=1000/unsorted/longest-idle", func(b *testing.B) {
		waiting, team, pol := rtBenchProblem(10_000, 1_000, 5, 10, LongestIdle{})
		rand.New(rand.NewPCG(3, 4)).Shuffle(len(waiting), func(i, j int) { waiting[i], waiting[j] = waiting[j], waiting[i] })
		rng := rtRNG()
		b.ReportAllocs()
		for b.Loop() {
			Route(rtT0, waiting, team, pol, rng)
		}
	})

	// The worst case: the free agents serve only a queue nobody waits in,
	// so Route looks at every call and every agent and offers nothing.
	b.Run("large/calls=10000/agents=1000/no-match/longest-idle", func(b *testing.B) {
		waiting, team, pol := rtBenchProblem(10_000, 1_000, 5, 10, LongestIdle{})
		for i := range team {
			if team[i].State == agents.Available {
				team[i].Queues = []string{"night-shift"}
			}
		}
		pol["night-shift"] = QueuePolicy{Name: "night-shift", Strategy: LongestIdle{}}
		rng := rtRNG()
		b.ReportAllocs()
		var offers int
		for b.Loop() {
			offers = len(Route(rtT0, waiting, team, pol, rng))
		}
		b.ReportMetric(float64(offers), "offers/op")
	})
}
