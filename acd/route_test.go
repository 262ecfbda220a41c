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

func TestRouteWithNothingToDoOffersNothing(t *testing.T) {
	pol := rtPolicies(LongestIdle{}, "sales")
	tests := []struct {
		name    string
		waiting []queue.Call
		agents  []agents.Agent
		pol     map[string]QueuePolicy
	}{
		{"nil everything", nil, nil, nil},
		{"no calls", nil, []agents.Agent{rtAgent("a1", agents.Available, "sales")}, pol},
		{"no agents", []queue.Call{rtCall("c1", "sales", 0, time.Minute)}, nil, pol},
		{"no policies", []queue.Call{rtCall("c1", "sales", 0, time.Minute)}, []agents.Agent{rtAgent("a1", agents.Available, "sales")}, nil},
		{"nobody available", []queue.Call{rtCall("c1", "sales", 0, time.Minute)}, []agents.Agent{
			rtAgent("a1", agents.Busy, "sales"), rtAgent("a2", agents.Paused, "sales"),
		}, pol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Route(rtT0, tt.waiting, tt.agents, tt.pol, rtRNG()); len(got) != 0 {
				t.Fatalf("offers = %s, want none", rtFormat(got))
			}
		})
	}
}

// TestRouteOffersOnlyAvailableAgents puts one agent in each state in front
// of one call, for every strategy: only the Available one may ring.
func TestRouteOffersOnlyAvailableAgents(t *testing.T) {
	for _, s := range Strategies() {
		for _, st := range agents.States() {
			t.Run(s.Name()+"/"+st.String(), func(t *testing.T) {
				got := Route(rtT0, []queue.Call{rtCall("c1", "sales", 0, time.Minute)},
					[]agents.Agent{rtAgent("a1", st, "sales")}, rtPolicies(s, "sales"), rtRNG())
				want := ""
				if st == agents.Available {
					want = "c1@sales:a1"
				}
				if rtFormat(got) != want {
					t.Fatalf("offers = %q, want %q", rtFormat(got), want)
				}
			})
		}
		t.Run(s.Name()+"/one agent in each state", func(t *testing.T) {
			var team []agents.Agent
			for i, st := range agents.States() {
				// the unavailable agents are the ones every strategy would prefer
				a := rtIdle(rtAgent(st.String(), st, "sales"), time.Duration(10-i)*time.Hour)
				a.CallsTaken, a.TalkTime = 0, 0
				if st == agents.Available {
					a.CallsTaken, a.TalkTime, a.LastOffered = 9, time.Hour, rtT0
				}
				team = append(team, a)
			}
			waiting := []queue.Call{
				rtCall("c1", "sales", 0, 3*time.Minute), rtCall("c2", "sales", 0, 2*time.Minute),
				rtCall("c3", "sales", 0, time.Minute),
			}
			got := Route(rtT0, waiting, team, rtPolicies(s, "sales"), rtRNG())
			if want := "c1@sales:available"; rtFormat(got) != want {
				t.Fatalf("offers = %q, want %q", rtFormat(got), want)
			}
		})
	}
}

func TestRouteOffersOnlyAgentsOfTheCallsQueue(t *testing.T) {
	pol := func(s Strategy) map[string]QueuePolicy { return rtPolicies(s, "sales", "support", "billing") }
	tests := []struct {
		name    string
		waiting []queue.Call
		agents  []agents.Agent
		want    string
	}{
		{
			name:    "agents of other queues and of none are not offered",
			waiting: []queue.Call{rtCall("c1", "sales", 0, time.Minute)},
			agents:  []agents.Agent{rtAgent("p1", agents.Available, "support"), rtAgent("n1", agents.Available)},
			want:    "",
		},
		{
			name:    "the one agent of the queue is",
			waiting: []queue.Call{rtCall("c1", "sales", 0, time.Minute)},
			agents: []agents.Agent{
				rtIdle(rtAgent("p1", agents.Available, "support"), 5*time.Hour),
				rtAgent("s1", agents.Available, "sales"),
				rtIdle(rtAgent("n1", agents.Available), 5*time.Hour),
			},
			want: "c1@sales:s1",
		},
		{
			name:    "a queue nobody serves gets nothing while others are served",
			waiting: []queue.Call{rtCall("b1", "billing", 0, time.Hour), rtCall("c1", "sales", 0, time.Minute)},
			agents:  []agents.Agent{rtAgent("s1", agents.Available, "sales", "support")},
			want:    "c1@sales:s1",
		},
		{
			name: "each call gets an agent of its own queue",
			waiting: []queue.Call{
				rtCall("c1", "sales", 0, 2*time.Minute), rtCall("p1", "support", 0, time.Minute),
			},
			agents: []agents.Agent{rtAgent("sup", agents.Available, "support"), rtAgent("sal", agents.Available, "sales")},
			want:   "c1@sales:sal p1@support:sup",
		},
		{
			name:    "queue names match exactly",
			waiting: []queue.Call{rtCall("c1", "sales", 0, time.Minute)},
			agents:  []agents.Agent{rtAgent("a1", agents.Available, "Sales", "sales ", "sale")},
			want:    "",
		},
	}
	for _, s := range Strategies() {
		for _, tt := range tests {
			t.Run(s.Name()+"/"+tt.name, func(t *testing.T) {
				got := Route(rtT0, tt.waiting, tt.agents, pol(s), rtRNG())
				if rtFormat(got) != tt.want {
					t.Fatalf("offers = %q, want %q", rtFormat(got), tt.want)
				}
			})
		}
	}
}

// TestRouteServesCallsInPriorityThenArrivalOrder uses longest-idle, which is
// deterministic, so each case names exactly who rings for whom.
func TestRouteServesCallsInPriorityThenArrivalOrder(t *testing.T) {
	tests := []struct {
		name    string
		waiting []queue.Call
		agents  []agents.Agent
		want    string
	}{
		{
			name: "an agent in two queues gets the longest waiter across them",
			waiting: []queue.Call{
				rtCall("s1", "sales", 0, 10*time.Second), rtCall("p1", "support", 0, 40*time.Second),
				rtCall("s2", "sales", 0, 5*time.Second),
			},
			agents: []agents.Agent{rtAgent("a1", agents.Available, "sales", "support")},
			want:   "p1@support:a1",
		},
		{
			name: "a higher priority call goes first though it arrived later",
			waiting: []queue.Call{
				rtCall("old", "sales", 0, 5*time.Minute), rtCall("vip", "sales", 5, time.Second),
			},
			agents: []agents.Agent{rtAgent("a1", agents.Available, "sales")},
			want:   "vip@sales:a1",
		},
		{
			name: "priority wins across queues too",
			waiting: []queue.Call{
				rtCall("old", "sales", 0, 5*time.Minute), rtCall("vip", "support", 1, time.Second),
			},
			agents: []agents.Agent{rtAgent("a1", agents.Available, "sales", "support")},
			want:   "vip@support:a1",
		},
		{
			name: "calls that arrived together go by call id",
			waiting: []queue.Call{
				rtCall("c-b", "sales", 0, time.Minute), rtCall("c-a", "sales", 0, time.Minute),
			},
			agents: []agents.Agent{rtAgent("a1", agents.Available, "sales")},
			want:   "c-a@sales:a1",
		},
		{
			name: "the head call gets the best agent, the next call the next best",
			waiting: []queue.Call{
				rtCall("c3", "sales", 0, time.Minute), rtCall("c2", "sales", 0, 2*time.Minute),
				rtCall("c1", "sales", 0, 3*time.Minute),
			},
			agents: []agents.Agent{
				rtIdle(rtAgent("a1", agents.Available, "sales"), time.Minute),
				rtIdle(rtAgent("a2", agents.Available, "sales"), time.Hour),
			},
			want: "c1@sales:a2 c2@sales:a1",
		},
		{
			name: "a call no free agent can take does not hold up later calls",
			waiting: []queue.Call{
				rtCall("s1", "sales", 0, time.Hour), rtCall("p1", "support", 0, time.Minute),
			},
			agents: []agents.Agent{rtAgent("a1", agents.Busy, "sales"), rtAgent("a2", agents.Available, "support")},
			want:   "p1@support:a2",
		},
		{
			name: "a shared agent taken by a higher call leaves the dedicated one for the rest",
			waiting: []queue.Call{
				rtCall("s1", "sales", 0, time.Hour), rtCall("vip", "support", 2, time.Second),
			},
			agents: []agents.Agent{
				rtIdle(rtAgent("both", agents.Available, "sales", "support"), 3*time.Hour),
				rtAgent("sal", agents.Available, "sales"),
			},
			want: "s1@sales:sal vip@support:both",
		},
		{
			name: "the longest waiter of a lower priority still beats newer calls of its priority",
			waiting: []queue.Call{
				rtCall("new", "support", 0, time.Second), rtCall("vip", "sales", 1, time.Second),
				rtCall("old", "support", 0, time.Hour),
			},
			agents: []agents.Agent{
				rtAgent("a1", agents.Available, "sales", "support"), rtAgent("a2", agents.Available, "support"),
			},
			want: "old@support:a2 vip@sales:a1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Route(rtT0, tt.waiting, tt.agents, rtPolicies(LongestIdle{}, "sales", "support"), rtRNG())
			if rtFormat(got) != tt.want {
				t.Fatalf("offers = %q, want %q", rtFormat(got), tt.want)
			}
		})
	}
}

// rtTeam is a mixed workload: overlapping queues, every agent state,
// priorities, ties in arrival and calls that were missed before.
func rtTeam() ([]queue.Call, []agents.Agent) {
	waiting := []queue.Call{
		rtCall("c01", "sales", 0, 9*time.Minute, "a2"),
		rtCall("c02", "support", 1, 1*time.Minute),
		rtCall("c03", "sales", 0, 7*time.Minute),
		rtCall("c04", "billing", 0, 7*time.Minute, "a5", "a6"),
		rtCall("c05", "support", 0, 12*time.Minute, "a1"),
		rtCall("c06", "sales", 2, 30*time.Second),
		rtCall("c07", "billing", 0, 2*time.Minute),
		rtCall("c08", "support", 0, 7*time.Minute),
		rtCall("c09", "sales", 0, 7*time.Minute),
		rtCall("c10", "support", 1, 3*time.Minute, "a3", "a4"),
		rtCall("c11", "nowhere", 9, time.Hour),
	}
	mk := func(id string, st agents.State, idle time.Duration, calls int, talk time.Duration, queues ...string) agents.Agent {
		a := rtIdle(rtAgent(id, st, queues...), idle)
		a.CallsTaken, a.TalkTime, a.LastOffered = calls, talk, rtT0.Add(-idle/2)
		a.Skills = map[string]int{"english": 5}
		return a
	}
	team := []agents.Agent{
		mk("a1", agents.Available, 50*time.Minute, 3, 20*time.Minute, "sales", "support"),
		mk("a2", agents.Available, 70*time.Minute, 1, 40*time.Minute, "sales"),
		mk("a3", agents.Available, 20*time.Minute, 5, 10*time.Minute, "support"),
		mk("a4", agents.Busy, 90*time.Minute, 0, 0, "sales", "support", "billing"),
		mk("a5", agents.Available, 10*time.Minute, 2, 30*time.Minute, "billing", "sales"),
		mk("a6", agents.Paused, 80*time.Minute, 0, 0, "billing"),
		mk("a7", agents.Available, 60*time.Minute, 2, 25*time.Minute, "support", "billing"),
		mk("a8", agents.WrapUp, 5*time.Minute, 4, 50*time.Minute, "sales"),
		mk("a9", agents.Available, 40*time.Minute, 0, 60*time.Minute, "sales", "support", "billing"),
	}
	team[3].Pending = &agents.Event{Kind: agents.Pause, Reason: "lunch"}
	team[5].PauseReason = "training"
	return waiting, team
}

func TestRouteNeverOffersAnAgentOrACallTwice(t *testing.T) {
	waiting, team := rtTeam()
	for _, s := range Strategies() {
		t.Run(s.Name(), func(t *testing.T) {
			pol := rtPolicies(s, "sales", "support", "billing")
			got := Route(rtT0, waiting, team, pol, rtRNG())
			if len(got) == 0 {
				t.Fatal("no offers")
			}
			rtCheckRoute(t, rtT0, waiting, team, pol, got)
			seenAgent := map[string]queue.CallID{}
			seenCall := map[queue.CallID]bool{}
			for _, o := range got {
				if seenCall[o.Call] {
					t.Errorf("call %s offered twice: %s", o.Call, rtFormat(got))
				}
				seenCall[o.Call] = true
				for _, id := range o.Agents {
					if prev, ok := seenAgent[id]; ok {
						t.Errorf("agent %s offered for %s and %s", id, prev, o.Call)
					}
					seenAgent[id] = o.Call
				}
			}
		})
	}
}

// TestRouteOfferCountIsMinOfWaitingAndAvailable: one agent per offer, and
// with every agent eligible for every call none stays idle while calls wait.
func TestRouteOfferCountIsMinOfWaitingAndAvailable(t *testing.T) {
	for _, s := range Strategies() {
		if s.Name() == "ring-all" {
			continue
		}
		for nCalls := 0; nCalls <= 5; nCalls++ {
			for nFree := 0; nFree <= 5; nFree++ {
				t.Run(fmt.Sprintf("%s/calls=%d/free=%d", s.Name(), nCalls, nFree), func(t *testing.T) {
					var waiting []queue.Call
					for i := range nCalls {
						waiting = append(waiting, rtCall(fmt.Sprintf("c%d", i), "sales", 0, time.Duration(10-i)*time.Minute))
					}
					team := []agents.Agent{rtAgent("busy", agents.Busy, "sales"), rtAgent("ringing", agents.Ringing, "sales")}
					for i := range nFree {
						team = append(team, rtIdle(rtAgent(fmt.Sprintf("a%d", i), agents.Available, "sales"), time.Duration(i)*time.Minute))
					}
					got := Route(rtT0, waiting, team, rtPolicies(s, "sales"), rtRNG())
					if want := min(nCalls, nFree); len(got) != want {
						t.Fatalf("%d offers, want %d: %s", len(got), want, rtFormat(got))
					}
					for _, o := range got {
						if len(o.Agents) != 1 {
							t.Fatalf("offer %s names %d agents, want 1", o.Call, len(o.Agents))
						}
					}
					// the calls served are the ones that waited longest
					var served, want []queue.CallID
					for i, o := range got {
						served = append(served, o.Call)
						want = append(want, queue.CallID(fmt.Sprintf("c%d", i)))
					}
					slices.Sort(served)
					if !slices.Equal(served, want) {
						t.Fatalf("served %v, want the longest waiting %v", served, want)
					}
				})
			}
		}
	}
}

func TestRouteRingAllOffersEveryEligibleAgentInOneOffer(t *testing.T) {
	tests := []struct {
		name    string
		waiting []queue.Call
		agents  []agents.Agent
		want    string
	}{
		{
			name:    "every available agent of the queue rings for the head call",
			waiting: []queue.Call{rtCall("c2", "sales", 0, time.Minute), rtCall("c1", "sales", 0, 2*time.Minute)},
			agents: []agents.Agent{
				rtAgent("a1", agents.Available, "sales"), rtAgent("a2", agents.Available, "sales", "support"),
				rtAgent("a3", agents.Available, "sales"), rtAgent("a4", agents.Busy, "sales"),
				rtAgent("a5", agents.Available, "support"), rtAgent("a6", agents.Paused, "sales"),
			},
			want: "c1@sales:a1,a2,a3",
		},
		{
			name:    "each queue rings its own agents",
			waiting: []queue.Call{rtCall("c1", "sales", 0, 2*time.Minute), rtCall("p1", "support", 0, time.Minute)},
			agents: []agents.Agent{
				rtAgent("a1", agents.Available, "sales"), rtAgent("a2", agents.Available, "support"),
				rtAgent("a3", agents.Available, "sales"), rtAgent("a4", agents.Available, "support"),
			},
			want: "c1@sales:a1,a3 p1@support:a2,a4",
		},
		{
			name:    "a shared agent rings only for the first call across queues",
			waiting: []queue.Call{rtCall("c1", "sales", 0, 2*time.Minute), rtCall("p1", "support", 1, time.Second)},
			agents: []agents.Agent{
				rtAgent("both", agents.Available, "sales", "support"), rtAgent("sal", agents.Available, "sales"),
			},
			want: "c1@sales:sal p1@support:both",
		},
		{
			name:    "agents who missed the call are left out while others can ring",
			waiting: []queue.Call{rtCall("c1", "sales", 0, time.Minute, "a1", "a3")},
			agents: []agents.Agent{
				rtAgent("a1", agents.Available, "sales"), rtAgent("a2", agents.Available, "sales"),
				rtAgent("a3", agents.Available, "sales"), rtAgent("a4", agents.Available, "sales"),
			},
			want: "c1@sales:a2,a4",
		},
		{
			name:    "when all of them missed it they all ring again",
			waiting: []queue.Call{rtCall("c1", "sales", 0, time.Minute, "a1", "a2")},
			agents:  []agents.Agent{rtAgent("a1", agents.Available, "sales"), rtAgent("a2", agents.Available, "sales")},
			want:    "c1@sales:a1,a2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Route(rtT0, tt.waiting, tt.agents, rtPolicies(RingAll{}, "sales", "support"), rtRNG())
			if rtFormat(got) != tt.want {
				t.Fatalf("offers = %q, want %q", rtFormat(got), tt.want)
			}
		})
	}
}

// TestRouteMissedAgentsAreALastResort checks, for every strategy, that an
// agent who let the call ring out is passed over while another agent can
// take it, and used when nobody else can.
func TestRouteMissedAgentsAreALastResort(t *testing.T) {
	tests := []struct {
		name    string
		waiting []queue.Call
		agents  []agents.Agent
		want    string // "" plus anyOf when the choice is the strategy's
		anyOf   []string
	}{
		{
			name:    "skipped while another eligible agent is free",
			waiting: []queue.Call{rtCall("c1", "sales", 0, time.Minute, "a1")},
			// a1 is whom every deterministic strategy would pick otherwise
			agents: []agents.Agent{rtIdle(rtAgent("a1", agents.Available, "sales"), 9*time.Hour), rtAgent("a2", agents.Available, "sales")},
			want:   "c1@sales:a2",
		},
		{
			name:    "used when the only eligible agent",
			waiting: []queue.Call{rtCall("c1", "sales", 0, time.Minute, "a1")},
			agents: []agents.Agent{
				rtAgent("a1", agents.Available, "sales"), rtAgent("a2", agents.Busy, "sales"),
				rtAgent("a3", agents.Available, "support"),
			},
			want: "c1@sales:a1",
		},
		{
			name:    "used when the fresh agents went to earlier calls",
			waiting: []queue.Call{rtCall("c1", "sales", 0, time.Minute, "a1"), rtCall("vip", "support", 3, time.Second)},
			agents:  []agents.Agent{rtAgent("a1", agents.Available, "sales"), rtAgent("a2", agents.Available, "sales", "support")},
			want:    "c1@sales:a1 vip@support:a2",
		},
		{
			name:    "misses by agents who are not free do not matter",
			waiting: []queue.Call{rtCall("c1", "sales", 0, time.Minute, "a2", "ghost")},
			agents:  []agents.Agent{rtAgent("a1", agents.Available, "sales"), rtAgent("a2", agents.Busy, "sales")},
			want:    "c1@sales:a1",
		},
		{
			name:    "a miss on one call does not count against another",
			waiting: []queue.Call{rtCall("c1", "sales", 0, 2*time.Minute, "a2"), rtCall("c2", "sales", 0, time.Minute)},
			agents: []agents.Agent{
				rtIdle(rtAgent("a1", agents.Available, "sales"), 2*time.Hour),
				rtIdle(rtAgent("a2", agents.Available, "sales"), 3*time.Hour),
			},
			want: "c1@sales:a1 c2@sales:a2",
		},
		{
			name:    "when every eligible agent missed, all are candidates again",
			waiting: []queue.Call{rtCall("c1", "sales", 0, time.Minute, "a1", "a2")},
			agents:  []agents.Agent{rtAgent("a1", agents.Available, "sales"), rtAgent("a2", agents.Available, "sales")},
			anyOf:   []string{"c1@sales:a1", "c1@sales:a2", "c1@sales:a1,a2"},
		},
	}
	for _, s := range Strategies() {
		for _, tt := range tests {
			t.Run(s.Name()+"/"+tt.name, func(t *testing.T) {
				pol := rtPolicies(s, "sales", "support")
				got := Route(rtT0, tt.waiting, tt.agents, pol, rtRNG())
				rtCheckRoute(t, rtT0, tt.waiting, tt.agents, pol, got)
				if tt.anyOf != nil {
					if !slices.Contains(tt.anyOf, rtFormat(got)) {
						t.Fatalf("offers = %q, want one of %q", rtFormat(got), tt.anyOf)
					}
					return
				}
				if rtFormat(got) != tt.want {
					t.Fatalf("offers = %q, want %q", rtFormat(got), tt.want)
				}
			})
		}
	}
}

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
