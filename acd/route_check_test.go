package acd

// The reference checker for Route: eligibility, serving order and the rules offers must keep.

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

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
