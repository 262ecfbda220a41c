package acd

// The route fuzzer: FuzzRoute, checking one input, and describing a failing problem.

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// FuzzRoute turns arbitrary bytes into a routing problem (up to 20 calls in
// 3 queues, up to 10 agents in every state, a strategy or none per queue;
// then routing steps, weights and priority ageing per queue, skills per
// agent, requirements and a preferred agent per call) and checks the properties Route
// promises, whatever the input.
func FuzzRoute(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0})
	f.Add(slices.Repeat([]byte{0xff}, 128))
	// One entry per strategy, used by all three queues, so each strategy's
	// path is in the corpus from the start.
	for k := range len(Strategies()) + 1 {
		gen := rand.New(rand.NewPCG(uint64(k), 2))
		b := make([]byte, 128)
		for i := range b {
			b[i] = byte(gen.UintN(256))
		}
		b[0], b[1], b[2] = byte(k), byte(k), byte(k)
		f.Add(b)
	}
	// Busy team, full queues: every agent available in every queue, ten
	// agents and twenty calls, ring-all next to longest-idle and random.
	b := []byte{0, 1, 5, 0x12, 0x34, 10, 3, 17}
	for range 10 {
		b = append(b, 7, 7, 0x5a)
	}
	b = append(b, 20)
	for i := range 20 {
		b = append(b, byte(i)|0x80, byte(i%16), byte(1<<(i%8)), byte(i%3))
	}
	f.Add(b)

	f.Fuzz(func(t *testing.T, data []byte) {
		rtCheckFuzzInput(t, data)
	})
}

// rtCheckFuzzInput decodes data, routes it and checks every property:
// the invariants, unchanged inputs, determinism per seed and independence
// from the order the calls are handed over in.
func rtCheckFuzzInput(t testing.TB, data []byte) {
	t.Helper()
	waiting, team, pol, seed := rtDecodeRoute(data)
	wantWaiting, wantTeam, wantPol := rtCloneCalls(waiting), rtCloneAgents(team), rtClonePolicies(pol)
	rng := func() *rand.Rand { return rand.New(rand.NewPCG(seed, 2)) }

	offers := Route(rtT0, waiting, team, pol, rng())
	rtCheckRoute(t, rtT0, waiting, team, pol, offers)
	if !reflect.DeepEqual(waiting, wantWaiting) || !reflect.DeepEqual(team, wantTeam) || !reflect.DeepEqual(pol, wantPol) {
		t.Errorf("Route changed its inputs")
	}
	if again := Route(rtT0, waiting, team, pol, rng()); !reflect.DeepEqual(again, offers) {
		t.Errorf("same seed, different offers: %s then %s", rtFormat(offers), rtFormat(again))
	}
	// A Router reused after another problem decides the same.
	var router Router
	if sorted := router.Route(rtT0, rtSortedCalls(waiting), team, pol, rng()); !reflect.DeepEqual(sorted, offers) {
		t.Errorf("sorted input gave %s, input order gave %s", rtFormat(sorted), rtFormat(offers))
	}
	if reused := router.Route(rtT0, waiting, team, pol, rng()); !reflect.DeepEqual(reused, offers) {
		t.Errorf("reused router gave %s, fresh %s", rtFormat(reused), rtFormat(offers))
	}
	if t.Failed() {
		t.Logf("problem:\n%s\noffers: %s", rtDescribe(waiting, team, pol, seed), rtFormat(offers))
	}
}

// rtClonePolicies copies policies down to the steps' requirements.
func rtClonePolicies(pol map[string]QueuePolicy) map[string]QueuePolicy {
	if pol == nil {
		return nil
	}
	out := make(map[string]QueuePolicy, len(pol))
	for k, p := range pol {
		if p.Steps != nil {
			steps := make([]queue.Step, len(p.Steps))
			for i, s := range p.Steps {
				s.Requirements = maps.Clone(s.Requirements)
				steps[i] = s
			}
			p.Steps = steps
		}
		out[k] = p
	}
	return out
}

// rtDescribe prints a routing problem for a failure message.
func rtDescribe(waiting []queue.Call, team []agents.Agent, pol map[string]QueuePolicy, seed uint64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d\n", seed)
	for _, q := range slices.Sorted(maps.Keys(pol)) {
		name := "<nil>"
		if pol[q].Strategy != nil {
			name = pol[q].Strategy.Name()
		}
		p := pol[q]
		fmt.Fprintf(&b, "queue %s: %s weight=%d aging=%s steps=%v\n", q, name, p.Weight, p.PriorityAging, p.Steps)
	}
	for _, a := range team {
		fmt.Fprintf(&b, "agent %s %s queues=%v skills=%v idle=%s offered=%s calls=%d talk=%s\n", a.ID, a.State, a.Queues, a.Skills,
			rtT0.Sub(a.IdleSince), rtT0.Sub(a.LastOffered), a.CallsTaken, a.TalkTime)
	}
	for _, c := range waiting {
		fmt.Fprintf(&b, "call %s %s prio=%d waited=%s missed=%v needs=%v prefers=%q for %s\n", c.ID, c.Queue, c.Priority, c.Wait(rtT0),
			c.Missed, c.Requirements, c.Preferred, c.PreferFor)
	}
	return b.String()
}
