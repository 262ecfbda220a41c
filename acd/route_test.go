package acd

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

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
