package acd

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// rtStrategyNames is every name the config file may use, no more.
var rtStrategyNames = []string{"ring-all", "longest-idle", "round-robin", "fewest-calls", "least-talk-time", "random", "best-skill"}

func TestStrategiesAreExactlyTheDocumentedSeven(t *testing.T) {
	var got []string
	for _, s := range Strategies() {
		got = append(got, s.Name())
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(rtStrategyNames))
	if !slices.Equal(got, want) {
		t.Fatalf("strategy names = %v, want exactly %v", got, want)
	}
}

func TestStrategyByName(t *testing.T) {
	want := map[string]Strategy{
		"ring-all":        RingAll{},
		"longest-idle":    LongestIdle{},
		"round-robin":     RoundRobin{},
		"fewest-calls":    FewestCalls{},
		"least-talk-time": LeastTalkTime{},
		"random":          Random{},
		"best-skill":      BestSkill{},
	}
	if len(want) != len(rtStrategyNames) {
		t.Fatalf("table covers %d names, want %d", len(want), len(rtStrategyNames))
	}
	for _, name := range rtStrategyNames {
		t.Run(name, func(t *testing.T) {
			s, err := StrategyByName(name)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if s.Name() != name {
				t.Errorf("Name() = %q", s.Name())
			}
			if reflect.TypeOf(s) != reflect.TypeOf(want[name]) {
				t.Errorf("type %T, want %T", s, want[name])
			}
		})
	}
	// Near misses and other products' names are config errors, never a
	// silent default.
	for _, name := range []string{
		"", "ringall", "Ring-All", "RANDOM", " random", "random ", "round_robin", "roundrobin",
		"linear", "leastrecent", "fewestcalls", "rrmemory", "wrandom", "top-down", "default",
		"best_skill", "bestskill", "skills",
	} {
		t.Run(fmt.Sprintf("unknown %q", name), func(t *testing.T) {
			s, err := StrategyByName(name)
			if !errors.Is(err, ErrUnknownStrategy) {
				t.Fatalf("err = %v, want ErrUnknownStrategy", err)
			}
			if s != nil {
				t.Errorf("strategy = %v, want nil", s)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", name)) {
				t.Errorf("error %q does not name %q", err, name)
			}
		})
	}
}

// rtChooseOne runs s over candidates, checks it named exactly one valid
// index and returns that agent's id.
func rtChooseOne(t *testing.T, s Strategy, candidates []agents.Agent, rng *rand.Rand) string {
	t.Helper()
	got := s.Choose(rtT0, rtCall("c1", "sales", 0, time.Minute), candidates, rng)
	if len(got) != 1 || got[0] < 0 || got[0] >= len(candidates) {
		t.Fatalf("%s chose %v from %d candidates, want one valid index", s.Name(), got, len(candidates))
	}
	return candidates[got[0]].ID
}

// rtPermutations calls fn with every ordering of as (n! of them; keep n small).
func rtPermutations(as []agents.Agent, fn func([]agents.Agent)) {
	var rec func(k int)
	p := slices.Clone(as)
	rec = func(k int) {
		if k == len(p) {
			fn(slices.Clone(p))
			return
		}
		for i := k; i < len(p); i++ {
			p[k], p[i] = p[i], p[k]
			rec(k + 1)
			p[k], p[i] = p[i], p[k]
		}
	}
	rec(0)
}

type rtPickCase struct {
	name       string
	candidates []agents.Agent
	want       string
}

// rtRunPickCases checks each case in every ordering of its candidates: the
// winner, ties included, must not depend on input order.
func rtRunPickCases(t *testing.T, s Strategy, cases []rtPickCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rtPermutations(tc.candidates, func(c []agents.Agent) {
				if got := rtChooseOne(t, s, c, rtRNG()); got != tc.want {
					var order []string
					for _, a := range c {
						order = append(order, a.ID)
					}
					t.Fatalf("%s over %v chose %s, want %s", s.Name(), order, got, tc.want)
				}
			})
		})
	}
}

// rtA is an available agent with the four counters strategies compare.
func rtA(id string, idleAgo, offeredAgo time.Duration, calls int, talk time.Duration) agents.Agent {
	a := rtAgent(id, agents.Available, "sales")
	a.IdleSince, a.LastOffered, a.CallsTaken, a.TalkTime = rtT0.Add(-idleAgo), rtT0.Add(-offeredAgo), calls, talk
	return a
}

func TestRingAllChoosesEveryCandidate(t *testing.T) {
	for n := 1; n <= 6; n++ {
		var c []agents.Agent
		for i := range n {
			c = append(c, rtA(fmt.Sprintf("a%d", i), time.Duration(i)*time.Minute, 0, i, 0))
		}
		got := RingAll{}.Choose(rtT0, rtCall("c1", "sales", 0, 0), c, rtRNG())
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: chose %v, want %v", n, got, want)
		}
	}
}

func TestLongestIdleChoosesTheOldestIdleSince(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	sameInstant := rtA("a", time.Hour, 0, 0, 0)
	sameInstant.IdleSince = sameInstant.IdleSince.In(ny)
	rtRunPickCases(t, LongestIdle{}, []rtPickCase{
		{"single", []agents.Agent{rtA("a", time.Minute, 0, 0, 0)}, "a"},
		{"oldest wins", []agents.Agent{
			rtA("a", time.Minute, 0, 0, 0), rtA("b", time.Hour, 0, 0, 0), rtA("c", 30*time.Minute, 0, 0, 0),
		}, "b"},
		{"a nanosecond counts", []agents.Agent{
			rtA("a", time.Hour, 0, 0, 0), rtA("b", time.Hour+time.Nanosecond, 0, 0, 0),
		}, "b"},
		{"ties go to the smaller id", []agents.Agent{
			rtA("c", time.Hour, 0, 0, 0), rtA("b", time.Hour, 0, 0, 0), rtA("d", time.Minute, 0, 0, 0),
		}, "b"},
		{"ids compare as strings", []agents.Agent{
			rtA("agent-10", time.Hour, 0, 0, 0), rtA("agent-9", time.Hour, 0, 0, 0),
		}, "agent-10"},
		{"the same instant in another zone is a tie", []agents.Agent{rtA("b", time.Hour, 0, 0, 0), sameInstant}, "a"},
		{"never stamped counts as idle longest", []agents.Agent{
			rtA("a", time.Hour, 0, 0, 0), {ID: "z", State: agents.Available},
		}, "z"},
		{"other counters do not matter", []agents.Agent{
			rtA("a", time.Minute, 9*time.Hour, 0, 0), rtA("b", 2*time.Minute, 0, 99, 9*time.Hour),
		}, "b"},
	})
}

func TestRoundRobinChoosesTheLeastRecentlyOffered(t *testing.T) {
	rtRunPickCases(t, RoundRobin{}, []rtPickCase{
		{"single", []agents.Agent{rtA("a", 0, time.Minute, 0, 0)}, "a"},
		{"oldest offer wins", []agents.Agent{
			rtA("a", 0, time.Minute, 0, 0), rtA("b", 0, 3*time.Minute, 0, 0), rtA("c", 0, 2*time.Minute, 0, 0),
		}, "b"},
		{"never offered goes first", []agents.Agent{
			rtA("a", 0, time.Hour, 0, 0), func() agents.Agent { a := rtA("b", 0, 0, 0, 0); a.LastOffered = time.Time{}; return a }(),
		}, "b"},
		{"ties go to the smaller id", []agents.Agent{
			rtA("c", 0, time.Hour, 0, 0), rtA("a", 0, time.Hour, 0, 0), rtA("b", 0, time.Minute, 0, 0),
		}, "a"},
		{"idle time does not matter", []agents.Agent{
			rtA("a", 9*time.Hour, time.Minute, 0, 0), rtA("b", 0, 2*time.Minute, 9, time.Hour),
		}, "b"},
	})
}

// TestRoundRobinRotatesWhenLastOfferedIsUpdated simulates the store: after
// each offer the chosen agent's LastOffered becomes the time of the offer.
func TestRoundRobinRotatesWhenLastOfferedIsUpdated(t *testing.T) {
	team := []agents.Agent{
		rtA("a", 0, 2*time.Minute, 0, 0), rtA("b", 0, 3*time.Minute, 0, 0),
		rtA("c", 0, time.Minute, 0, 0), rtA("d", 0, 4*time.Minute, 0, 0),
	}
	var got []string
	for round := range 9 {
		now := rtT0.Add(time.Duration(round) * time.Minute)
		if round == 4 {
			// a new agent logs in, never offered: they go next, then the
			// rotation carries on
			e := rtA("e", 0, 0, 0, 0)
			e.LastOffered = time.Time{}
			team = append(team, e)
		}
		idx := RoundRobin{}.Choose(now, rtCall("c", "sales", 0, 0), team, rtRNG())
		if len(idx) != 1 {
			t.Fatalf("round %d: chose %v", round, idx)
		}
		got = append(got, team[idx[0]].ID)
		team[idx[0]].LastOffered = now
	}
	if want := []string{"d", "b", "a", "c", "e", "d", "b", "a", "c"}; !slices.Equal(got, want) {
		t.Fatalf("offers went to %v, want %v", got, want)
	}
}

func TestFewestCallsChoosesTheAgentWithFewestAnsweredCalls(t *testing.T) {
	rtRunPickCases(t, FewestCalls{}, []rtPickCase{
		{"single", []agents.Agent{rtA("a", 0, 0, 7, 0)}, "a"},
		{"fewest wins", []agents.Agent{rtA("a", 0, 0, 4, 0), rtA("b", 0, 0, 2, 0), rtA("c", 0, 0, 3, 0)}, "b"},
		{"zero calls wins", []agents.Agent{rtA("a", 0, 0, 1, 0), rtA("b", 0, 0, 0, 0)}, "b"},
		{"ties go to the smaller id", []agents.Agent{rtA("c", 0, 0, 1, 0), rtA("b", 0, 0, 1, 0), rtA("a", 0, 0, 2, 0)}, "b"},
		{"talk and idle time do not matter", []agents.Agent{
			rtA("a", 9*time.Hour, 9*time.Hour, 5, 0), rtA("b", 0, 0, 4, 9*time.Hour),
		}, "b"},
	})
}

func TestLeastTalkTimeChoosesTheAgentWhoTalkedLeast(t *testing.T) {
	rtRunPickCases(t, LeastTalkTime{}, []rtPickCase{
		{"single", []agents.Agent{rtA("a", 0, 0, 0, time.Hour)}, "a"},
		{"least wins", []agents.Agent{
			rtA("a", 0, 0, 0, 3*time.Minute), rtA("b", 0, 0, 0, 90*time.Second), rtA("c", 0, 0, 0, 2*time.Minute),
		}, "b"},
		{"a nanosecond counts", []agents.Agent{
			rtA("a", 0, 0, 0, time.Minute), rtA("b", 0, 0, 0, time.Minute-time.Nanosecond),
		}, "b"},
		{"ties go to the smaller id", []agents.Agent{
			rtA("c", 0, 0, 0, time.Minute), rtA("b", 0, 0, 0, time.Minute), rtA("a", 0, 0, 0, time.Hour),
		}, "b"},
		{"call count does not matter", []agents.Agent{
			rtA("a", 9*time.Hour, 0, 0, 2*time.Minute), rtA("b", 0, 0, 50, time.Minute),
		}, "b"},
	})
}

func rtTeamOf(n int) []agents.Agent {
	team := make([]agents.Agent, n)
	for i := range team {
		team[i] = rtA(fmt.Sprintf("a%d", i), time.Hour, time.Hour, 0, 0)
	}
	return team
}

func TestRandomIsRepeatableForASeed(t *testing.T) {
	team := rtTeamOf(7)
	r1, r2 := rtRNG(), rtRNG()
	var first, second []string
	for range 100 {
		first = append(first, rtChooseOne(t, Random{}, team, r1))
		second = append(second, rtChooseOne(t, Random{}, team, r2))
	}
	if !slices.Equal(first, second) {
		t.Fatalf("same seed, different choices:\n%v\n%v", first, second)
	}
	// and it is not a constant in disguise
	if len(slices.Compact(slices.Sorted(slices.Values(first)))) < 2 {
		t.Fatalf("100 draws all picked %s", first[0])
	}
}

func TestRandomPicksEveryAgentOverManySeeds(t *testing.T) {
	team := rtTeamOf(5)
	count := map[string]int{}
	const seeds = 200
	for seed := range uint64(seeds) {
		count[rtChooseOne(t, Random{}, team, rand.New(rand.NewPCG(seed, 2)))]++
	}
	for _, a := range team {
		// 40 expected each; a fixed set of seeds makes this exact, not flaky
		if count[a.ID] < seeds/len(team)/4 {
			t.Errorf("agent %s picked %d times over %d seeds: %v", a.ID, count[a.ID], seeds, count)
		}
	}
}

func TestRandomNeverIndexesOutOfRange(t *testing.T) {
	rng := rtRNG()
	for n := 1; n <= 16; n++ {
		team := rtTeamOf(n)
		seen := make([]bool, n)
		for range 1000 {
			got := Random{}.Choose(rtT0, rtCall("c1", "sales", 0, 0), team, rng)
			if len(got) != 1 || got[0] < 0 || got[0] >= n {
				t.Fatalf("n=%d: chose %v", n, got)
			}
			seen[got[0]] = true
		}
		if i := slices.Index(seen, false); i >= 0 {
			t.Errorf("n=%d: index %d never chosen in 1000 draws", n, i)
		}
	}
}

// TestStrategiesKeepTheirContract runs every strategy over seeded random
// candidate lists with many ties: a non-empty answer of distinct valid
// indexes, one for all but ring-all, candidates left unchanged, and for
// the counter strategies the best agent by counter then id.
func TestStrategiesKeepTheirContract(t *testing.T) {
	gen := rand.New(rand.NewPCG(1, 2))
	for _, s := range Strategies() {
		t.Run(s.Name(), func(t *testing.T) {
			rng := rtRNG()
			call := queue.Call{ID: "c1", Queue: "sales", Requirements: queue.Requirements{"french": 1}}
			less := rtLess(rtT0, call, nil, s.Name())
			for round := range 500 {
				n := 1 + gen.IntN(9)
				ids := gen.Perm(n)
				c := make([]agents.Agent, n)
				for i := range c {
					c[i] = rtA(fmt.Sprintf("a%d", ids[i]), time.Duration(gen.IntN(3))*time.Minute,
						time.Duration(gen.IntN(3))*time.Minute, gen.IntN(3), time.Duration(gen.IntN(3))*time.Second)
					c[i].Skills = map[string]int{"french": 1 + gen.IntN(5)}
				}
				before := rtCloneAgents(c)
				got := s.Choose(rtT0, call, c, rng)
				if !reflect.DeepEqual(c, before) {
					t.Fatalf("round %d: Choose changed its candidates", round)
				}
				if len(got) == 0 {
					t.Fatalf("round %d: chose nothing from %d", round, n)
				}
				if s.Name() == "ring-all" {
					if len(got) != n {
						t.Fatalf("round %d: ring-all chose %v of %d", round, got, n)
					}
				} else if len(got) != 1 {
					t.Fatalf("round %d: chose %v, want one", round, got)
				}
				seen := map[int]bool{}
				for _, i := range got {
					if i < 0 || i >= n || seen[i] {
						t.Fatalf("round %d: chose %v from %d", round, got, n)
					}
					seen[i] = true
				}
				if less == nil {
					continue
				}
				best := slices.Clone(c)
				slices.SortFunc(best, func(a, b agents.Agent) int {
					switch {
					case less(a, b):
						return -1
					case less(b, a):
						return 1
					}
					return strings.Compare(a.ID, b.ID)
				})
				if c[got[0]].ID != best[0].ID {
					t.Fatalf("round %d: chose %s, want %s", round, c[got[0]].ID, best[0].ID)
				}
			}
		})
	}
}

// TestStrategiesIgnoreTheClockAndTheCall: the counters decide, not when
// or for which call Route asks. (best-skill also reads the call's
// Requirements, which these calls lack; TestRouteBestSkill covers them.)
func TestStrategiesIgnoreTheClockAndTheCall(t *testing.T) {
	team := []agents.Agent{
		rtA("a", time.Minute, 3*time.Minute, 2, time.Hour), rtA("b", time.Hour, time.Minute, 1, time.Minute),
		rtA("c", 30*time.Minute, 2*time.Hour, 3, 2*time.Minute),
	}
	calls := []queue.Call{rtCall("c1", "sales", 0, 0), rtCall("c2", "support", 9, time.Hour, "a", "b", "c")}
	for _, s := range Strategies() {
		want := s.Choose(rtT0, calls[0], team, rtRNG())
		for _, now := range []time.Time{rtT0.Add(-24 * time.Hour), rtT0.Add(time.Hour), {}} {
			for _, c := range calls {
				if got := s.Choose(now, c, team, rtRNG()); !slices.Equal(got, want) {
					t.Errorf("%s at %v for %s chose %v, want %v", s.Name(), now, c.ID, got, want)
				}
			}
		}
	}
}
