package acd

// Decoding fuzz bytes into a routing problem: calls, agents, policies, skills.

import (
	"fmt"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

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
