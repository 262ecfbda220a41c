package acd

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// Strategy picks which of the eligible agents to ring for a call. It is a
// small value with no hidden state: anything it remembers (like the
// round-robin position) lives in the agents' counters in the store.
type Strategy interface {
	// Name is the name used in the config file.
	Name() string
	// Choose returns indexes into candidates (never empty) of the agents to
	// ring: one, or all of them for ring-all. call is the call as Route
	// sees it at now: its Requirements are everything it must meet at its
	// current routing step, the step's and its own together (the higher
	// level where both name a skill). Choose must neither change nor keep
	// call.Requirements or candidates.
	Choose(now time.Time, call queue.Call, candidates []agents.Agent, rng *rand.Rand) []int
}

// ErrUnknownStrategy is returned for a strategy name we do not implement;
// we never fall back to a default silently.
var ErrUnknownStrategy = errors.New("unknown routing strategy")

// StrategyByName returns the strategy configured under name.
func StrategyByName(name string) (Strategy, error) {
	for _, s := range Strategies() {
		if s.Name() == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("strategy %q: %w", name, ErrUnknownStrategy)
}

// Strategies lists every strategy we implement.
func Strategies() []Strategy {
	return []Strategy{RingAll{}, LongestIdle{}, RoundRobin{}, FewestCalls{}, LeastTalkTime{}, Random{}, BestSkill{}}
}

// RingAll rings every eligible agent; the first to answer gets the call.
type RingAll struct{}

// Name implements Strategy.
func (RingAll) Name() string { return "ring-all" }

// Choose implements Strategy.
func (RingAll) Choose(_ time.Time, _ queue.Call, c []agents.Agent, _ *rand.Rand) []int {
	all := make([]int, len(c))
	for i := range all {
		all[i] = i
	}
	return all
}

// LongestIdle rings the agent who has been free the longest since their
// last call (or login): the fairest default for a small team.
type LongestIdle struct{}

// Name implements Strategy.
func (LongestIdle) Name() string { return "longest-idle" }

// Choose implements Strategy.
func (LongestIdle) Choose(_ time.Time, _ queue.Call, c []agents.Agent, _ *rand.Rand) []int {
	return minBy(c, func(a, b agents.Agent) bool { return a.IdleSince.Before(b.IdleSince) })
}

// RoundRobin rings the agent offered a call least recently, so offers rotate.
type RoundRobin struct{}

// Name implements Strategy.
func (RoundRobin) Name() string { return "round-robin" }

// Choose implements Strategy.
func (RoundRobin) Choose(_ time.Time, _ queue.Call, c []agents.Agent, _ *rand.Rand) []int {
	return minBy(c, func(a, b agents.Agent) bool { return a.LastOffered.Before(b.LastOffered) })
}

// FewestCalls rings the agent who has answered the fewest calls.
type FewestCalls struct{}

// Name implements Strategy.
func (FewestCalls) Name() string { return "fewest-calls" }

// Choose implements Strategy.
func (FewestCalls) Choose(_ time.Time, _ queue.Call, c []agents.Agent, _ *rand.Rand) []int {
	return minBy(c, func(a, b agents.Agent) bool { return a.CallsTaken < b.CallsTaken })
}

// LeastTalkTime rings the agent with the least total talk time.
type LeastTalkTime struct{}

// Name implements Strategy.
func (LeastTalkTime) Name() string { return "least-talk-time" }

// Choose implements Strategy.
func (LeastTalkTime) Choose(_ time.Time, _ queue.Call, c []agents.Agent, _ *rand.Rand) []int {
	return minBy(c, func(a, b agents.Agent) bool { return a.TalkTime < b.TalkTime })
}

// Random rings an agent drawn from rng, so a seeded rng makes it repeatable.
type Random struct{}

// Name implements Strategy.
func (Random) Name() string { return "random" }

// Choose implements Strategy.
func (Random) Choose(_ time.Time, _ queue.Call, c []agents.Agent, rng *rand.Rand) []int {
	return []int{rng.IntN(len(c))}
}

// BestSkill rings the agent most proficient in what the call needs now: the
// highest sum of the agent's levels in the skills the call's current
// routing step and the call itself require, then the longest idle, then
// the smaller id. The sum, not the maximum, because every candidate already
// meets each minimum: the sum prefers an agent strong in all of them over
// one who excels in a single skill. Where nothing is required (no steps, or
// the steps are over) every score is 0 and it picks as longest-idle does.
type BestSkill struct{}

// Name implements Strategy.
func (BestSkill) Name() string { return "best-skill" }

// Choose implements Strategy.
func (BestSkill) Choose(_ time.Time, call queue.Call, c []agents.Agent, _ *rand.Rand) []int {
	best, bestScore := 0, skillScore(c[0].Skills, call.Requirements)
	for i := 1; i < len(c); i++ {
		score := skillScore(c[i].Skills, call.Requirements)
		switch {
		case score != bestScore:
			if score > bestScore {
				best, bestScore = i, score
			}
		case !c[i].IdleSince.Equal(c[best].IdleSince):
			if c[i].IdleSince.Before(c[best].IdleSince) {
				best = i
			}
		case c[i].ID < c[best].ID:
			best = i
		}
	}
	return []int{best}
}

// skillScore is what best-skill ranks agents by: the sum of the agent's
// levels in the required skills (0 for a skill the agent lacks).
func skillScore(skills map[string]int, need queue.Requirements) int {
	score := 0
	for skill := range need {
		score += skills[skill]
	}
	return score
}

// minBy returns the index of the least candidate by less; ties go to the
// smaller agent id so the choice never depends on input order.
func minBy(c []agents.Agent, less func(a, b agents.Agent) bool) []int {
	best := 0
	for i := 1; i < len(c); i++ {
		switch {
		case less(c[i], c[best]):
			best = i
		case !less(c[best], c[i]) && c[i].ID < c[best].ID:
			best = i
		}
	}
	return []int{best}
}
