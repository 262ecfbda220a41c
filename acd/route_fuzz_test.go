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

// FuzzRoute turns arbitrary bytes into a routing problem (up to 20 calls in
// 3 queues, up to 10 agents in every state, a strategy or none per queue)
// and checks the properties Route promises, whatever the input.
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

// rtQueues are the queues the fuzzer spreads calls and agents over.
var rtQueues = []string{"q0", "q1", "q2"}

type rtFuzzReader struct{ data []byte }

// next returns the next input byte, or 0 once the input is used up, so
// every byte string decodes to some problem.
func (r *rtFuzzReader) next() byte {
	if len(r.data) == 0 {
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

// rtDecodeRoute builds a routing problem from fuzz bytes. IDs are handed
// out in a scrambled order so input position and id order differ, and
// counters come from small ranges so strategies meet plenty of ties.
func rtDecodeRoute(data []byte) (waiting []queue.Call, team []agents.Agent, pol map[string]QueuePolicy, seed uint64) {
	r := rtFuzzReader{data}
	strategies := Strategies()
	pol = map[string]QueuePolicy{}
	for _, q := range rtQueues {
		// one value past the strategies leaves the queue without a policy
		if k := int(r.next()) % (len(strategies) + 1); k < len(strategies) {
			pol[q] = QueuePolicy{Name: q, Strategy: strategies[k]}
		}
	}
	seed = uint64(r.next())<<8 | uint64(r.next())
	nAgents := int(r.next()) % 11
	agentOff := int(r.next())
	for i := range nAgents {
		st := agents.State(r.next() % 8)
		if st > agents.Paused {
			st = agents.Available // bias toward agents that can be offered
		}
		mask := r.next()
		var qs []string
		for j, q := range rtQueues {
			if mask&(1<<j) != 0 {
				qs = append(qs, q)
			}
		}
		c := r.next()
		a := agents.Agent{
			ID:          fmt.Sprintf("a%02d", (i*7+agentOff)%11), // 7 and 11 coprime: ids unique
			State:       st,
			Queues:      qs,
			StateSince:  rtT0.Add(-time.Hour),
			IdleSince:   rtT0.Add(-time.Duration(c&3) * time.Minute),
			LastOffered: rtT0.Add(-time.Duration(c>>2&3) * time.Minute),
			CallsTaken:  int(c >> 4 & 3),
			TalkTime:    time.Duration(c>>6) * time.Minute,
		}
		if mask&0x08 != 0 {
			a.LastOffered = time.Time{} // never offered a call
		}
		team = append(team, a)
	}
	nCalls := int(r.next()) % 21
	callOff := int(r.next())
	for i := range nCalls {
		b := r.next()
		c := queue.Call{
			ID:       queue.CallID(fmt.Sprintf("c%02d", (i*13+callOff)%21)), // 13 and 21 coprime
			Queue:    rtQueues[int(b&3)%len(rtQueues)],
			Priority: int(b>>2&3) % 3,
			Arrived:  rtT0.Add(-time.Duration(r.next()%16) * time.Second),
		}
		if b&0x80 != 0 {
			mask := uint16(r.next()) | uint16(r.next())<<8
			for j, a := range team {
				if mask&(1<<j) != 0 {
					c.Missed = append(c.Missed, a.ID)
				}
			}
			if mask&(1<<15) != 0 {
				c.Missed = append(c.Missed, "gone") // an agent no longer logged in
			}
		}
		waiting = append(waiting, c)
	}
	return waiting, team, pol, seed
}

// rtCheckFuzzInput decodes data, routes it and checks every property:
// the invariants, unchanged inputs, determinism per seed and independence
// from the order the calls are handed over in.
func rtCheckFuzzInput(t testing.TB, data []byte) {
	t.Helper()
	waiting, team, pol, seed := rtDecodeRoute(data)
	wantWaiting, wantTeam, wantPol := rtCloneCalls(waiting), rtCloneAgents(team), maps.Clone(pol)
	rng := func() *rand.Rand { return rand.New(rand.NewPCG(seed, 2)) }

	offers := Route(rtT0, waiting, team, pol, rng())
	rtCheckRoute(t, waiting, team, pol, offers)
	if !reflect.DeepEqual(waiting, wantWaiting) || !reflect.DeepEqual(team, wantTeam) || !reflect.DeepEqual(pol, wantPol) {
		t.Errorf("Route changed its inputs")
	}
	if again := Route(rtT0, waiting, team, pol, rng()); !reflect.DeepEqual(again, offers) {
		t.Errorf("same seed, different offers: %s then %s", rtFormat(offers), rtFormat(again))
	}
	if sorted := Route(rtT0, rtSortedCalls(waiting), team, pol, rng()); !reflect.DeepEqual(sorted, offers) {
		t.Errorf("sorted input gave %s, input order gave %s", rtFormat(sorted), rtFormat(offers))
	}
	if t.Failed() {
		t.Logf("problem:\n%s\noffers: %s", rtDescribe(waiting, team, pol, seed), rtFormat(offers))
	}
}

// rtLess is the ordering a picking strategy minimises (ties go to the
// smaller id), or nil for strategies that do not pick by a counter.
func rtLess(name string) func(a, b agents.Agent) bool {
	switch name {
	case "longest-idle":
		return func(a, b agents.Agent) bool { return a.IdleSince.Before(b.IdleSince) }
	case "round-robin":
		return func(a, b agents.Agent) bool { return a.LastOffered.Before(b.LastOffered) }
	case "fewest-calls":
		return func(a, b agents.Agent) bool { return a.CallsTaken < b.CallsTaken }
	case "least-talk-time":
		return func(a, b agents.Agent) bool { return a.TalkTime < b.TalkTime }
	}
	return nil
}

// rtCheckRoute checks offers against the rules of Route. Calls and agents
// must have unique ids. Besides the structural invariants it replays the
// serving order: for each call X (queue.Before order) the agents still free
// at X's turn are the Available agents of X's queue not offered to a call
// before X; of those, the ones who did not miss X if any. X must be offered
// whenever that set is non-empty, only to agents of that set, to all of
// them for ring-all, and to the best of them for the counter strategies.
func rtCheckRoute(t testing.TB, waiting []queue.Call, team []agents.Agent, pol map[string]QueuePolicy, offers []Offer) {
	t.Helper()
	byAgent := map[string]agents.Agent{}
	nAvailable := 0
	for _, a := range team {
		byAgent[a.ID] = a
		if a.State == agents.Available {
			nAvailable++
		}
	}
	byCall := map[queue.CallID]queue.Call{}
	for _, c := range waiting {
		byCall[c.ID] = c
	}
	policy := func(q string) (Strategy, bool) {
		p, ok := pol[q]
		return p.Strategy, ok && p.Strategy != nil
	}

	offerOf := map[queue.CallID]Offer{}
	owner := map[string]queue.CallID{}
	total, single, singleWaiting := 0, 0, 0
	for _, o := range offers {
		c, ok := byCall[o.Call]
		if !ok {
			t.Errorf("offer for %s, which is not waiting", o.Call)
			continue
		}
		if _, dup := offerOf[o.Call]; dup {
			t.Errorf("call %s offered twice", o.Call)
		}
		offerOf[o.Call] = o
		if o.Queue != c.Queue {
			t.Errorf("offer for %s names queue %q, the call waits in %q", o.Call, o.Queue, c.Queue)
		}
		if len(o.Agents) == 0 {
			t.Errorf("empty offer for %s", o.Call)
		}
		s, ok := policy(c.Queue)
		if !ok {
			t.Errorf("call %s offered though queue %q has no strategy", o.Call, c.Queue)
		} else if s.Name() != "ring-all" {
			single += len(o.Agents)
			if len(o.Agents) != 1 {
				t.Errorf("%s offer for %s names %d agents", s.Name(), o.Call, len(o.Agents))
			}
		}
		total += len(o.Agents)
		for _, id := range o.Agents {
			a, ok := byAgent[id]
			switch {
			case !ok:
				t.Errorf("offer for %s names unknown agent %s", o.Call, id)
			case a.State != agents.Available:
				t.Errorf("offer for %s names agent %s, who is %s", o.Call, id, a.State)
			case !a.InQueue(c.Queue):
				t.Errorf("offer for %s in %s names agent %s of %v", o.Call, c.Queue, id, a.Queues)
			}
			if prev, dup := owner[id]; dup {
				t.Errorf("agent %s offered for %s and %s", id, prev, o.Call)
			}
			owner[id] = o.Call
		}
	}
	for _, c := range waiting {
		if s, ok := policy(c.Queue); ok && s.Name() != "ring-all" {
			singleWaiting++
		}
	}
	if total > nAvailable {
		t.Errorf("%d agents offered, only %d available", total, nAvailable)
	}
	if single > min(singleWaiting, nAvailable) {
		t.Errorf("%d agents offered in one-agent queues, more than min(%d waiting, %d available)", single, singleWaiting, nAvailable)
	}

	order := rtSortedCalls(waiting)
	for xi, x := range order {
		s, ok := policy(x.Queue)
		if !ok {
			continue
		}
		var free, fresh []string
		for _, a := range team {
			if a.State != agents.Available || !a.InQueue(x.Queue) {
				continue
			}
			if by, taken := owner[a.ID]; taken && queue.Before(byCall[by], x) {
				continue
			}
			free = append(free, a.ID)
			if !slices.Contains(x.Missed, a.ID) {
				fresh = append(fresh, a.ID)
			}
		}
		cands := fresh
		if len(cands) == 0 {
			cands = free
		}
		o, offered := offerOf[x.ID]
		if !offered {
			if len(cands) > 0 {
				t.Errorf("call %s got no offer though %v were free at its turn", x.ID, cands)
			}
			for _, y := range order[xi+1:] {
				if _, yOffered := offerOf[y.ID]; yOffered && y.Queue == x.Queue {
					t.Errorf("call %s offered before %s, which precedes it in queue %s", y.ID, x.ID, x.Queue)
				}
			}
			continue
		}
		for _, id := range o.Agents {
			if !slices.Contains(cands, id) {
				t.Errorf("call %s offered to %s; the candidates at its turn were %v (missed %v)", x.ID, id, cands, x.Missed)
			}
		}
		switch less := rtLess(s.Name()); {
		case s.Name() == "ring-all":
			got := slices.Sorted(slices.Values(o.Agents))
			if !slices.Equal(got, slices.Sorted(slices.Values(cands))) {
				t.Errorf("ring-all call %s rang %v, want every candidate %v", x.ID, got, cands)
			}
		case less != nil && len(o.Agents) == 1:
			chosen := byAgent[o.Agents[0]]
			for _, id := range cands {
				c := byAgent[id]
				if less(c, chosen) || (!less(chosen, c) && c.ID < chosen.ID) {
					t.Errorf("%s call %s rang %s, but %s was better", s.Name(), x.ID, chosen.ID, c.ID)
				}
			}
		}
	}
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
		fmt.Fprintf(&b, "queue %s: %s\n", q, name)
	}
	for _, a := range team {
		fmt.Fprintf(&b, "agent %s %s queues=%v idle=%s offered=%s calls=%d talk=%s\n", a.ID, a.State, a.Queues,
			rtT0.Sub(a.IdleSince), rtT0.Sub(a.LastOffered), a.CallsTaken, a.TalkTime)
	}
	for _, c := range waiting {
		fmt.Fprintf(&b, "call %s %s prio=%d waited=%s missed=%v\n", c.ID, c.Queue, c.Priority, c.Wait(rtT0), c.Missed)
	}
	return b.String()
}
