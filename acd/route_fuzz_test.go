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
	// Skills come last, so an input written before they existed still
	// decodes to the same problem, without steps or skills.
	for _, q := range rtQueues {
		b := r.next()
		p, ok := pol[q]
		if !ok {
			continue
		}
		p.Weight = int(b&3) - 1
		p.PriorityAging = time.Duration(b>>2&3) * 3 * time.Second
		for range int(b>>4) % 4 {
			p.Steps = append(p.Steps, queue.Step{Requirements: rtFuzzRequirements(&r, 1), Duration: time.Duration(r.next()%4) * 4 * time.Second})
		}
		pol[q] = p
	}
	for i := range team {
		if b := r.next(); b != 0 {
			team[i].Skills = map[string]int{}
			for j, skill := range rtSkills {
				if lvl := int(b>>(2*j)&3) + int(r.next()&1)*2; lvl > 0 {
					team[i].Skills[skill] = lvl // 1 to 5
				}
			}
		}
	}
	for i := range waiting {
		if b := r.next(); b&3 == 3 {
			waiting[i].Requirements = rtFuzzRequirements(&r, 1)
		}
	}
	// Preferred agents (the customer file's) come last for the same reason:
	// one of the team or one not logged in, with a window that is over for
	// some calls and not for others (calls waited up to 15 s).
	for i := range waiting {
		b := r.next()
		if b&7 != 7 {
			continue
		}
		if k := int(b>>3) % (len(team) + 1); k < len(team) {
			waiting[i].Preferred = team[k].ID
		} else {
			waiting[i].Preferred = "gone"
		}
		waiting[i].PreferFor = time.Duration(r.next()%20) * time.Second
	}
	return waiting, team, pol, seed
}

// rtSkills are the skills the fuzzer hands out; few, so they often match.
var rtSkills = []string{"billing", "french", "german", "tech"}

// rtFuzzRequirements reads up to two requirements with levels from min to 5.
func rtFuzzRequirements(r *rtFuzzReader, min int) queue.Requirements {
	b := r.next()
	if b&0x80 != 0 {
		return nil
	}
	req := queue.Requirements{}
	for range 1 + int(b>>6&1) {
		skill := rtSkills[int(b&3)]
		req[skill] = min + int(b>>2&7)%(6-min)
		b = r.next()
	}
	return req
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

// rtCounterLess is the ordering a counter strategy minimises (ties go to
// the smaller id), or nil for strategies that do not pick by a counter.
func rtCounterLess(name string) func(a, b agents.Agent) bool {
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

// rtStepRequirements is what a call that waited wait needs at its step in
// steps, worked out independently of queue.StepAt: step i lasts its
// duration after the steps before it; a step without one lasts for ever;
// after the last, nothing is required.
func rtStepRequirements(steps []queue.Step, wait time.Duration) queue.Requirements {
	var end time.Duration
	for _, s := range steps {
		if s.Duration == 0 || wait < end+s.Duration {
			return s.Requirements
		}
		end += s.Duration
	}
	return nil
}

// rtEligible is the reference rule for who may take call c at now, before
// other calls take agents and before missed agents are set aside. In its
// prefer window (unless the preferred agent missed it) a call may go to
// its preferred agent only.
func rtEligible(now time.Time, a agents.Agent, c queue.Call, pol map[string]QueuePolicy) bool {
	if a.State != agents.Available || !a.InQueue(c.Queue) {
		return false
	}
	if c.Preferred != "" && now.Sub(c.Arrived) < c.PreferFor && !slices.Contains(c.Missed, c.Preferred) && a.ID != c.Preferred {
		return false
	}
	for _, need := range []queue.Requirements{rtStepRequirements(pol[c.Queue].Steps, now.Sub(c.Arrived)), c.Requirements} {
		for skill, lvl := range need {
			if a.Skills[skill] < lvl {
				return false
			}
		}
	}
	return true
}

// rtServingOrder sorts calls the way Route documents, worked out by brute
// force: effective priority (with ageing), queue weight, arrival, id.
func rtServingOrder(now time.Time, waiting []queue.Call, pol map[string]QueuePolicy) []queue.Call {
	out := rtCloneCalls(waiting)
	eff := func(c queue.Call) int {
		p := c.Priority
		if a := pol[c.Queue].PriorityAging; a > 0 && now.After(c.Arrived) {
			p += int(now.Sub(c.Arrived) / a)
		}
		return p
	}
	slices.SortStableFunc(out, func(a, b queue.Call) int {
		switch {
		case eff(a) != eff(b):
			return eff(b) - eff(a)
		case pol[a.Queue].Weight != pol[b.Queue].Weight:
			return pol[b.Queue].Weight - pol[a.Queue].Weight
		case !a.Arrived.Equal(b.Arrived):
			return a.Arrived.Compare(b.Arrived)
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	return out
}

// rtCheckRoute checks offers against the rules of Route. Calls and agents
// must have unique ids. Besides the structural invariants (only eligible
// agents, none twice, no more single-agent offers than min(waiting,
// available)) it replays the serving order: for each call X the agents
// still free at X's turn are those eligible for X (Available, in X's queue,
// meeting X's step and own requirements) not offered to a call served
// before X; of those, the ones who did not miss X if any. X must be
// offered whenever that set is non-empty (so a call is never skipped for
// one served after it), only to agents of that set, to all of them for
// ring-all, and to the best of them for the strategies that rank.
func rtCheckRoute(t testing.TB, now time.Time, waiting []queue.Call, team []agents.Agent, pol map[string]QueuePolicy, offers []Offer) {
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
			case !rtEligible(now, a, c, pol):
				t.Errorf("offer for %s (step needs %v, call needs %v) names agent %s with skills %v", o.Call,
					rtStepRequirements(pol[c.Queue].Steps, now.Sub(c.Arrived)), c.Requirements, id, a.Skills)
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

	order := rtServingOrder(now, waiting, pol)
	rank := map[queue.CallID]int{}
	for i, c := range order {
		rank[c.ID] = i
	}
	for _, x := range order {
		s, ok := policy(x.Queue)
		if !ok {
			continue
		}
		var free, fresh []string
		for _, a := range team {
			if !rtEligible(now, a, x, pol) {
				continue
			}
			if by, taken := owner[a.ID]; taken && rank[by] < rank[x.ID] {
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
			for _, id := range cands {
				if by, taken := owner[id]; taken {
					t.Errorf("call %s was skipped for %s, served after it, though %s could take it", x.ID, by, id)
				}
			}
			if len(cands) > 0 {
				t.Errorf("call %s got no offer though %v were free at its turn", x.ID, cands)
			}
			continue
		}
		for _, id := range o.Agents {
			if !slices.Contains(cands, id) {
				t.Errorf("call %s offered to %s; the candidates at its turn were %v (missed %v)", x.ID, id, cands, x.Missed)
			}
		}
		switch less := rtLess(now, x, pol, s.Name()); {
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

// rtLess is the ordering a ranking strategy minimises for call c (ties go
// to the smaller id), or nil for strategies that do not rank.
func rtLess(now time.Time, c queue.Call, pol map[string]QueuePolicy, name string) func(a, b agents.Agent) bool {
	if name != "best-skill" {
		return rtCounterLess(name)
	}
	skills := map[string]bool{}
	for skill := range rtStepRequirements(pol[c.Queue].Steps, now.Sub(c.Arrived)) {
		skills[skill] = true
	}
	for skill := range c.Requirements {
		skills[skill] = true
	}
	score := func(a agents.Agent) int {
		n := 0
		for skill := range skills {
			n += a.Skills[skill]
		}
		return n
	}
	return func(a, b agents.Agent) bool {
		if sa, sb := score(a), score(b); sa != sb {
			return sa > sb
		}
		return a.IdleSince.Before(b.IdleSince)
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
