// Package acd is the core of the call distributor: the pure Route function
// and its strategies, the engine that turns call and agent events into
// offers, the Store and Telephony interfaces it drives, and the event log
// that measurements are computed from. It knows nothing of SIP or Redis.
package acd

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// QueuePolicy is what Route needs to know about one queue.
type QueuePolicy struct {
	Name     string
	Strategy Strategy
}

// Offer is one routing decision: ring these agents for this call. Only
// ring-all names more than one agent.
type Offer struct {
	Call   queue.CallID
	Queue  string
	Agents []string
}

// Route decides which waiting calls go to which available agents. It is
// pure: no clock, no I/O, randomness only from rng, inputs left unchanged.
//
// Calls are served in queue.Before order (priority, then arrival) across all
// queues, so an agent who serves several queues gets the caller who has
// waited longest among them. Each agent appears in at most one offer, and
// only Available agents of the call's queue are offered. An agent who
// already missed this call is passed over while another agent can take it.
func Route(now time.Time, waiting []queue.Call, available []agents.Agent, policies map[string]QueuePolicy, rng *rand.Rand) []Offer {
	free := make([]bool, len(available))
	nfree := 0
	for i, a := range available {
		if a.State == agents.Available {
			free[i] = true
			nfree++
		}
	}
	if nfree == 0 || len(waiting) == 0 {
		return nil
	}
	order := servingOrder(waiting)
	var offers []Offer
	candidates := make([]agents.Agent, 0, nfree)
	index := make([]int, 0, nfree)
	// dry marks queues with no free agent left: agents are only ever taken
	// during a pass, so later calls of that queue cannot be served either.
	dry := map[string]bool{}
	for _, ci := range order {
		if nfree == 0 {
			break
		}
		call := waiting[ci]
		pol, ok := policies[call.Queue]
		if !ok || pol.Strategy == nil || dry[call.Queue] {
			continue
		}
		candidates, index = eligible(call, available, free, candidates[:0], index[:0])
		if len(candidates) == 0 {
			dry[call.Queue] = true
			continue
		}
		picked := pol.Strategy.Choose(now, call, candidates, rng)
		if len(picked) == 0 {
			continue
		}
		offer := Offer{Call: call.ID, Queue: call.Queue, Agents: make([]string, 0, len(picked))}
		for _, p := range picked {
			if p < 0 || p >= len(candidates) || !free[index[p]] {
				continue // a strategy that misbehaves cannot double-book an agent
			}
			free[index[p]] = false
			nfree--
			offer.Agents = append(offer.Agents, candidates[p].ID)
		}
		if len(offer.Agents) > 0 {
			offers = append(offers, offer)
		}
	}
	return offers
}

// servingOrder returns indexes of waiting in queue.Before order without
// touching the caller's slice.
func servingOrder(waiting []queue.Call) []int {
	order := make([]int, len(waiting))
	for i := range order {
		order[i] = i
	}
	sorted := slices.IsSortedFunc(waiting, compareCalls)
	if !sorted {
		slices.SortFunc(order, func(a, b int) int { return compareCalls(waiting[a], waiting[b]) })
	}
	return order
}

func compareCalls(a, b queue.Call) int {
	switch {
	case queue.Before(a, b):
		return -1
	case queue.Before(b, a):
		return 1
	}
	return 0
}

// eligible collects the free agents of the call's queue, preferring those
// who have not already missed this call.
func eligible(call queue.Call, available []agents.Agent, free []bool, cands []agents.Agent, index []int) ([]agents.Agent, []int) {
	fresh := 0
	for i := range available {
		a := &available[i]
		if !free[i] || !a.InQueue(call.Queue) {
			continue
		}
		if !slices.Contains(call.Missed, a.ID) {
			fresh++
		}
		cands = append(cands, *a)
		index = append(index, i)
	}
	if fresh == 0 || fresh == len(cands) {
		return cands, index
	}
	n := 0
	for i, a := range cands {
		if !slices.Contains(call.Missed, a.ID) {
			cands[n], index[n] = a, index[i]
			n++
		}
	}
	return cands[:n], index[:n]
}
