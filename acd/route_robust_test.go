package acd

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

func TestRouteQueueWithoutPolicyGetsNoOffers(t *testing.T) {
	waiting := []queue.Call{
		rtCall("b1", "billing", 5, time.Hour),   // no policy at all
		rtCall("p1", "support", 5, time.Hour),   // policy without a strategy
		rtCall("s1", "sales", 0, time.Second),   // served
		rtCall("x1", "unknown", 9, 2*time.Hour), // nobody heard of this queue
	}
	team := []agents.Agent{
		rtAgent("a1", agents.Available, "billing", "support", "sales", "unknown"),
		rtAgent("a2", agents.Available, "billing"),
	}
	pol := map[string]QueuePolicy{
		"sales":   {Name: "sales", Strategy: LongestIdle{}},
		"support": {Name: "support"},
	}
	got := Route(rtT0, waiting, team, pol, rtRNG())
	if want := "s1@sales:a1"; rtFormat(got) != want {
		t.Fatalf("offers = %q, want %q", rtFormat(got), want)
	}
}

// TestRouteUnsortedInputGivesTheSameOffers: the store hands calls over in
// serving order, but Route must not depend on it.
func TestRouteUnsortedInputGivesTheSameOffers(t *testing.T) {
	waiting, team := rtTeam()
	sorted := rtSortedCalls(waiting)
	if slices.EqualFunc(sorted, waiting, func(a, b queue.Call) bool { return a.ID == b.ID }) {
		t.Fatal("fixture is already sorted; the test would prove nothing")
	}
	for _, s := range Strategies() {
		t.Run(s.Name(), func(t *testing.T) {
			pol := rtPolicies(s, "sales", "support", "billing")
			want := Route(rtT0, sorted, team, pol, rtRNG())
			if len(want) == 0 {
				t.Fatal("no offers")
			}
			shuffle := rand.New(rand.NewPCG(3, 4))
			for i := range 50 {
				in := rtCloneCalls(waiting)
				if i > 0 {
					shuffle.Shuffle(len(in), func(x, y int) { in[x], in[y] = in[y], in[x] })
				}
				got := Route(rtT0, in, team, pol, rtRNG())
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("permutation %d: offers = %s, sorted input gave %s", i, rtFormat(got), rtFormat(want))
				}
			}
		})
	}
}

func TestRouteDoesNotChangeItsInputs(t *testing.T) {
	waiting, team := rtTeam() // unsorted, so Route has to order the calls itself
	for _, s := range Strategies() {
		t.Run(s.Name(), func(t *testing.T) {
			pol := rtPolicies(s, "sales", "support", "billing")
			wantWaiting, wantTeam, wantPol := rtCloneCalls(waiting), rtCloneAgents(team), maps.Clone(pol)
			got := Route(rtT0, waiting, team, pol, rtRNG())
			if len(got) == 0 {
				t.Fatal("no offers")
			}
			if !reflect.DeepEqual(waiting, wantWaiting) {
				t.Errorf("waiting changed:\n got %+v\nwant %+v", waiting, wantWaiting)
			}
			if !reflect.DeepEqual(team, wantTeam) {
				t.Errorf("agents changed:\n got %+v\nwant %+v", team, wantTeam)
			}
			if !reflect.DeepEqual(pol, wantPol) {
				t.Errorf("policies changed: got %v want %v", pol, wantPol)
			}
			// the offers own their slices: changing them leaves the inputs alone
			for _, o := range got {
				for i := range o.Agents {
					o.Agents[i] = "scribbled"
				}
			}
			if !reflect.DeepEqual(team, wantTeam) {
				t.Errorf("offer shares memory with the agents")
			}
		})
	}
}

func TestRouteIsDeterministicForASeed(t *testing.T) {
	waiting, team := rtTeam()
	for _, s := range Strategies() {
		t.Run(s.Name(), func(t *testing.T) {
			pol := rtPolicies(s, "sales", "support", "billing")
			first := Route(rtT0, waiting, team, pol, rtRNG())
			for range 20 {
				if got := Route(rtT0, waiting, team, pol, rtRNG()); !reflect.DeepEqual(got, first) {
					t.Fatalf("offers = %s, first run gave %s", rtFormat(got), rtFormat(first))
				}
			}
		})
	}
}

// TestRouteHandsStrategiesOnlyFreeEligibleCandidates spies on what Route
// passes to a strategy: the clock it was given, the call, and only the
// agents that are still free, Available and in the call's queue.
func TestRouteHandsStrategiesOnlyFreeEligibleCandidates(t *testing.T) {
	type seen struct {
		call  queue.CallID
		cands string
	}
	var calls []seen
	spy := rtStrategyFunc(func(now time.Time, call queue.Call, c []agents.Agent) []int {
		if !now.Equal(rtT0) {
			t.Errorf("strategy got now = %v, want %v", now, rtT0)
		}
		ids := make([]string, len(c))
		for i, a := range c {
			ids[i] = a.ID
		}
		calls = append(calls, seen{call.ID, strings.Join(ids, ",")})
		return []int{0}
	})
	waiting := []queue.Call{
		rtCall("s2", "sales", 0, time.Minute),
		rtCall("s1", "sales", 0, 2*time.Minute, "a1"),
		rtCall("p1", "support", 0, 90*time.Second),
		rtCall("s3", "sales", 0, 30*time.Second),
		rtCall("s4", "sales", 0, 10*time.Second),
	}
	team := []agents.Agent{
		rtAgent("a1", agents.Available, "sales", "support"),
		rtAgent("a2", agents.Available, "sales"),
		rtAgent("a3", agents.Ringing, "sales", "support"),
		rtAgent("a4", agents.Available, "support"),
		rtAgent("a5", agents.Available, "sales"),
	}
	got := Route(rtT0, waiting, team, rtPolicies(spy, "sales", "support"), rtRNG())
	want := []seen{
		{"s1", "a2,a5"}, // a1 missed s1, so only the fresh agents
		{"p1", "a1,a4"}, // a3 is ringing
		{"s2", "a5"},    // a2 went to s1, a1 to p1
		// s3, s4: nobody of sales is left, and Route does not ask
	}
	if !slices.Equal(calls, want) {
		t.Fatalf("strategy saw %v, want %v", calls, want)
	}
	if w := "p1@support:a1 s1@sales:a2 s2@sales:a5"; rtFormat(got) != w {
		t.Fatalf("offers = %q, want %q", rtFormat(got), w)
	}
}

// TestRouteSurvivesAMisbehavingStrategy: whatever a strategy returns, Route
// neither panics nor double-books an agent nor makes an empty offer.
func TestRouteSurvivesAMisbehavingStrategy(t *testing.T) {
	tests := []struct {
		name string
		pick func(c []agents.Agent) []int
		want string
	}{
		{"nothing", func([]agents.Agent) []int { return nil }, ""},
		{"empty", func([]agents.Agent) []int { return []int{} }, ""},
		{"out of range", func(c []agents.Agent) []int { return []int{-1, len(c), 1 << 30} }, ""},
		{"the same agent thrice", func([]agents.Agent) []int { return []int{0, 0, 0} }, "c1@sales:a1 c2@sales:a2 c3@sales:a3"},
		{"everyone twice", func(c []agents.Agent) []int {
			var all []int
			for i := range c {
				all = append(all, i, i)
			}
			return all
		}, "c1@sales:a1,a2,a3"},
		{"valid among junk", func(c []agents.Agent) []int { return []int{-7, len(c) - 1, len(c) + 3} }, "c1@sales:a3 c2@sales:a2 c3@sales:a1"},
	}
	waiting := []queue.Call{rtCall("c1", "sales", 0, 3*time.Minute), rtCall("c2", "sales", 0, 2*time.Minute), rtCall("c3", "sales", 0, time.Minute)}
	team := []agents.Agent{rtAgent("a1", agents.Available, "sales"), rtAgent("a2", agents.Available, "sales"), rtAgent("a3", agents.Available, "sales")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := rtStrategyFunc(func(_ time.Time, _ queue.Call, c []agents.Agent) []int { return tt.pick(c) })
			got := Route(rtT0, waiting, team, rtPolicies(s, "sales"), rtRNG())
			if rtFormat(got) != tt.want {
				t.Fatalf("offers = %q, want %q", rtFormat(got), tt.want)
			}
			for _, o := range got {
				if len(o.Agents) == 0 {
					t.Fatalf("empty offer for %s", o.Call)
				}
			}
		})
	}
}

// TestRouteRotatesThroughTheTeam drives several rounds through the agent
// state machine: one call per round, the chosen agent rings, answers, talks
// a minute and wraps up. Every fair strategy must then take turns, because
// what it remembers lives in the agents' counters, not in the strategy.
func TestRouteRotatesThroughTheTeam(t *testing.T) {
	for _, name := range []string{"longest-idle", "round-robin", "fewest-calls", "least-talk-time"} {
		t.Run(name, func(t *testing.T) {
			s, err := StrategyByName(name)
			if err != nil {
				t.Fatal(err)
			}
			team := []agents.Agent{
				rtAgent("a3", agents.Available, "sales"), rtAgent("a1", agents.Available, "sales"),
				rtAgent("a2", agents.Available, "sales"),
			}
			var got []string
			now := rtT0
			for round := range 7 {
				call := rtCall(fmt.Sprintf("c%d", round), "sales", 0, 0)
				call.Arrived = now
				offers := Route(now, []queue.Call{call}, team, rtPolicies(s, "sales"), rtRNG())
				if len(offers) != 1 || len(offers[0].Agents) != 1 {
					t.Fatalf("round %d: offers = %s", round, rtFormat(offers))
				}
				id := offers[0].Agents[0]
				got = append(got, id)
				i := slices.IndexFunc(team, func(a agents.Agent) bool { return a.ID == id })
				for _, step := range []struct {
					kind  agents.EventKind
					after time.Duration
				}{{agents.Offer, time.Second}, {agents.Answer, 5 * time.Second}, {agents.Hangup, time.Minute}, {agents.WrapUpDone, 10 * time.Second}} {
					now = now.Add(step.after)
					if team[i], err = team[i].Apply(agents.Event{Kind: step.kind}, now); err != nil {
						t.Fatalf("round %d: %v", round, err)
					}
				}
			}
			if want := []string{"a1", "a2", "a3", "a1", "a2", "a3", "a1"}; !slices.Equal(got, want) {
				t.Fatalf("agents in turn = %v, want %v", got, want)
			}
		})
	}
}

// TestRouteRoundRobinRotatesOnMissedOffers: round-robin compares the time of
// the last offer, so it rotates even when nobody answers.
func TestRouteRoundRobinRotatesOnMissedOffers(t *testing.T) {
	team := []agents.Agent{
		rtAgent("b", agents.Available, "sales"), rtAgent("c", agents.Available, "sales"),
		rtAgent("a", agents.Available, "sales"),
	}
	var got []string
	now := rtT0
	for round := range 6 {
		call := rtCall(fmt.Sprintf("c%d", round), "sales", 0, time.Minute)
		offers := Route(now, []queue.Call{call}, team, rtPolicies(RoundRobin{}, "sales"), rtRNG())
		if len(offers) != 1 {
			t.Fatalf("round %d: offers = %s", round, rtFormat(offers))
		}
		id := offers[0].Agents[0]
		got = append(got, id)
		i := slices.IndexFunc(team, func(a agents.Agent) bool { return a.ID == id })
		var err error
		now = now.Add(time.Second)
		if team[i], err = team[i].Apply(agents.Event{Kind: agents.Offer}, now); err != nil {
			t.Fatal(err)
		}
		now = now.Add(20 * time.Second)
		if team[i], err = team[i].Apply(agents.Event{Kind: agents.Cancel}, now); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"a", "b", "c", "a", "b", "c"}; !slices.Equal(got, want) {
		t.Fatalf("agents in turn = %v, want %v", got, want)
	}
}

// TestRouteInvariantsOnSeededRandomInputs runs the fuzz target's checks over
// a fixed set of generated inputs, so plain `go test` covers them too.
func TestRouteInvariantsOnSeededRandomInputs(t *testing.T) {
	gen := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 320)
	for i := range 2000 {
		for j := range buf {
			buf[j] = byte(gen.UintN(256))
		}
		rtCheckFuzzInput(t, buf)
		if t.Failed() {
			t.Fatalf("input %d: %x", i, buf)
		}
	}
}
