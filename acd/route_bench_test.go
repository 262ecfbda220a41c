package acd

import (
	"fmt"
	"math/rand/v2"
	"slices"
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

// rtSkillsProblem builds a seeded skills-routing problem: nQueues queues
// with three routing steps over nSkills skills (20 s two skills at 4 or
// more, 40 s one skill at 2 or more, then for ever one skill at 1 or more,
// or anyone in every other queue), some weighted, some ageing; agents with
// five skills each in one to three queues, one in freeEvery Available;
// calls that waited up to ten minutes, so every step is in use, a fifth at
// a higher priority and one in twenty with requirements of its own. With
// dry set, no free agent has any skill and every step requires one, so
// Route finds nobody for anyone: the most work for no offer.
func rtSkillsProblem(nCalls, nAgents, nQueues, nSkills, freeEvery int, dry bool) ([]queue.Call, []agents.Agent, map[string]QueuePolicy) {
	gen := rand.New(rand.NewPCG(5, 6))
	skill := func() string { return fmt.Sprintf("skill-%02d", gen.IntN(nSkills)) }
	queues := make([]string, nQueues)
	pol := map[string]QueuePolicy{}
	for i := range queues {
		queues[i] = fmt.Sprintf("queue-%02d", i)
		steps := []queue.Step{
			{Requirements: queue.Requirements{skill(): 4, skill(): 4}, Duration: 20 * time.Second},
			{Requirements: queue.Requirements{skill(): 2}, Duration: 40 * time.Second},
			{Requirements: queue.Requirements{skill(): 1}},
		}
		if i%2 == 1 && !dry {
			steps = steps[:2] // then anyone
		}
		p := QueuePolicy{Name: queues[i], Strategy: BestSkill{}, Steps: steps}
		if i%4 == 0 {
			p.Weight = 5
		}
		if i%3 == 0 {
			p.PriorityAging = 30 * time.Second
		}
		pol[queues[i]] = p
	}
	busy := []agents.State{agents.Busy, agents.WrapUp, agents.Ringing, agents.Paused, agents.Offline}
	team := make([]agents.Agent, nAgents)
	for i := range team {
		a := agents.Agent{
			ID:          fmt.Sprintf("agent-%05d", i),
			State:       busy[i%len(busy)],
			IdleSince:   rtT0.Add(-time.Duration(gen.IntN(3600)) * time.Second),
			LastOffered: rtT0.Add(-time.Duration(gen.IntN(3600)) * time.Second),
			Skills:      map[string]int{},
		}
		for range 1 + gen.IntN(3) {
			a.Queues = append(a.Queues, queues[gen.IntN(nQueues)])
		}
		for range 5 {
			a.Skills[skill()] = 1 + gen.IntN(5)
		}
		if i%freeEvery == 0 {
			a.State = agents.Available
			if dry {
				a.Skills = nil
			}
		}
		team[i] = a
	}
	waiting := make([]queue.Call, nCalls)
	for i := range waiting {
		c := queue.Call{
			ID:      queue.CallID(fmt.Sprintf("call-%06d", i)),
			Queue:   queues[gen.IntN(nQueues)],
			Arrived: rtT0.Add(-time.Duration(gen.IntN(600_000)) * time.Millisecond),
		}
		if gen.IntN(5) == 0 {
			c.Priority = 1
		}
		if gen.IntN(20) == 0 {
			c.Requirements = queue.Requirements{skill(): 1 + gen.IntN(3)}
		}
		waiting[i] = c
	}
	return rtSortedCalls(waiting), team, pol
}

// BenchmarkRouteSkills measures the routing decision after one event at
// the scale of issue 3: 1,000 or 10,000 waiting calls, 1,000 agents (10 %
// free), 50 skills, 20 queues with routing steps, weights and ageing,
// best-skill. Each iteration is one event: the clock moves on 50 ms, so
// calls change step and priority as they would. "router" reuses one
// Router as the engine does; "route" is the allocating Route. p99-ns is
// the 99th percentile of the iterations' times.
func BenchmarkRouteSkills(b *testing.B) {
	for _, dry := range []bool{false, true} {
		for _, calls := range []int{1_000, 10_000} {
			for _, reuse := range []bool{true, false} {
				name := fmt.Sprintf("calls=%d/agents=1000/skills=50", calls)
				if dry {
					name += "/no-match"
				}
				if reuse {
					name += "/router"
				} else {
					name += "/route"
				}
				b.Run(name, func(b *testing.B) {
					waiting, team, pol := rtSkillsProblem(calls, 1_000, 20, 50, 10, dry)
					rng := rtRNG()
					var r Router
					route := Route
					if reuse {
						route = r.Route
						r.Route(rtT0, waiting, team, pol, rng) // warm up the buffers
					}
					times := make([]time.Duration, 1<<14)
					n, offers := 0, 0
					now := rtT0
					b.ReportAllocs()
					for b.Loop() {
						start := time.Now()
						offers = len(route(now, waiting, team, pol, rng))
						times[n%len(times)] = time.Since(start)
						n++
						now = now.Add(50 * time.Millisecond)
					}
					times = times[:min(n, len(times))]
					slices.Sort(times)
					b.ReportMetric(float64(times[len(times)*99/100]), "p99-ns")
					b.ReportMetric(float64(offers), "offers/op")
				})
			}
		}
	}
}
