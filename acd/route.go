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
	// Steps are the queue's routing steps in order. Which one applies to a
	// call follows from its wait alone (queue.StepAt); once every step is
	// over, or when there are none, any agent of the queue will do.
	Steps []queue.Step
	// Weight decides between callers of equal effective priority in
	// different queues: the heavier queue's caller is served first, however
	// long the other has waited. Default 0.
	Weight int
	// PriorityAging raises the effective priority of the queue's waiting
	// calls by one for every full PriorityAging they have waited
	// (queue.Call.PriorityAt); 0 turns ageing off.
	PriorityAging time.Duration
}

// Offer is one routing decision: ring these agents for this call. Only
// ring-all names more than one agent.
type Offer struct {
	Call   queue.CallID
	Queue  string
	Agents []string
}

// Route decides which waiting calls go to which available agents, by the
// rules of Router.Route: serving order (effective priority, queue weight,
// arrival), eligibility (queue, routing step, the call's own
// requirements, its prefer window), then the queue's strategy. It is
// pure: no clock, no I/O, randomness only from rng, inputs left
// unchanged. It is (&Router{}).Route; an engine that routes often keeps a
// Router to reuse its memory.
func Route(now time.Time, waiting []queue.Call, available []agents.Agent, policies map[string]QueuePolicy, rng *rand.Rand) []Offer {
	var r Router
	return r.Route(now, waiting, available, policies, rng)
}

// Router routes like Route and keeps the memory it needed for the next
// pass, so a busy engine does not allocate in proportion to its queues.
// Nothing else carries over: each result depends only on the arguments.
// The zero value is ready to use; a Router is not safe for concurrent use.
type Router struct {
	qidx  map[string]int32 // queue name → index in qs
	qs    []routeQueue
	free  []bool  // free[i]: available[i] is Available and not yet offered
	callQ []int32 // callQ[i]: index in qs of waiting[i]'s queue, or -1
	order []int32 // indexes of waiting, bucketed by queue, each in queue.Before order
	runs  []routeRun
	heap  []routeHead
	cands []agents.Agent
	index []int
	reqs  queue.Requirements // a call's step and own requirements merged
}

// routeQueue is one routable queue during a pass.
type routeQueue struct {
	name string
	pol  QueuePolicy
	// pool lists the Available agents serving the queue (indexes into
	// available), whether or not they are still free.
	pool []int32
	// dry[s]: no free agent meets step s's requirements. Agents are only
	// ever taken during a pass, so a dry step stays dry.
	dry []bool
	// exhausted: no agent of pool is free any more.
	exhausted bool
	// The queue's calls are order[start : start+n].
	start, n, fill int
}

// routeRun is a queue's calls of one base priority, positions [pos, end)
// of order, arrival first. Along a run the wait only shrinks, so the
// effective priority and the routing step only go down: each run is
// already in serving order and a pass merges the runs.
type routeRun struct {
	q        int32
	pos, end int
}

// routeHead is a run's next call with its serving-order key.
type routeHead struct {
	run     int32
	prio    int // effective priority
	weight  int
	arrived time.Time
	id      queue.CallID
	queue   string
}

// Route decides which waiting calls go to which available agents.
//
// Calls are served one at a time across all queues, in this order:
//
//  1. higher effective priority: the call's priority plus, in a queue with
//     PriorityAging, one for each full period waited;
//  2. then the queue with the higher Weight;
//  3. then earlier arrival;
//  4. then call id, then queue name, so the order is total.
//
// Without ageing and with equal weights that is queue.Before, the order
// stores keep. At its turn a call may have the agents still free that are
// Available, serve its queue and meet its requirements: those of its
// current routing step (queue.StepAt of its wait) and its own, all of
// them. While a call is in its prefer window (queue.Call.Preferring) only
// its preferred agent may take it, if free and otherwise eligible; the
// call is skipped, not the queue: later calls may have the other agents.
// An agent who already missed this call is passed over while another
// can take it. The queue's strategy picks among them. A call nobody can
// take is skipped, so it never holds up the calls after it, and a later
// call only gets an agent that no earlier call could use. Each agent
// appears in at most one offer.
func (r *Router) Route(now time.Time, waiting []queue.Call, available []agents.Agent, policies map[string]QueuePolicy, rng *rand.Rand) []Offer {
	r.free = resize(r.free, len(available))
	nfree := 0
	for i := range available {
		r.free[i] = available[i].State == agents.Available
		if r.free[i] {
			nfree++
		}
	}
	if nfree == 0 || len(waiting) == 0 {
		return nil
	}
	r.indexQueues(policies)
	r.poolAgents(available)
	r.bucketCalls(waiting)
	r.heap = r.heap[:0]
	for i := range r.runs {
		r.heap = append(r.heap, r.head(int32(i), waiting, now))
	}
	for i := len(r.heap)/2 - 1; i >= 0; i-- {
		r.down(i)
	}

	var offers []Offer
	for len(r.heap) > 0 && nfree > 0 {
		run := &r.runs[r.heap[0].run]
		q := &r.qs[run.q]
		if q.exhausted {
			r.pop()
			continue
		}
		call := &waiting[r.order[run.pos]]
		s := queue.StepAt(q.pol.Steps, call.Wait(now))
		if q.dry[s] {
			run.pos = r.skipStep(waiting, now, q, run, s)
		} else {
			if off, ok := r.serve(now, call, q, s, available, rng); ok {
				nfree -= len(off.Agents)
				offers = append(offers, off)
			}
			run.pos++
		}
		if run.pos >= run.end {
			r.pop()
			continue
		}
		r.heap[0] = r.head(r.heap[0].run, waiting, now)
		r.down(0)
	}
	return offers
}

// serve offers the call to the best of the free agents who can take it at
// step s, and marks the queue exhausted or the step dry when it learns
// that no later call can be served there either.
func (r *Router) serve(now time.Time, call *queue.Call, q *routeQueue, s int, available []agents.Agent, rng *rand.Rand) (Offer, bool) {
	need := queue.RequirementsAt(q.pol.Steps, s)
	cands, index := r.cands[:0], r.index[:0]
	anyFree, stepMet, fresh := false, false, 0
	prefer := call.Preferring(call.Wait(now))
	for _, ai := range q.pool {
		if !r.free[ai] {
			continue
		}
		anyFree = true
		a := &available[ai]
		if !need.MetBy(a.Skills) {
			continue
		}
		stepMet = true
		if !call.Requirements.MetBy(a.Skills) || (prefer && a.ID != call.Preferred) {
			continue
		}
		if !slices.Contains(call.Missed, a.ID) {
			fresh++
		}
		cands = append(cands, *a)
		index = append(index, int(ai))
	}
	r.cands, r.index = cands, index
	switch {
	case !anyFree:
		q.exhausted = true
		return Offer{}, false
	case !stepMet:
		q.dry[s] = true // the call's own requirements only narrow the step's
		return Offer{}, false
	case len(cands) == 0:
		return Offer{}, false
	}
	if fresh > 0 && fresh < len(cands) {
		n := 0
		for i, a := range cands {
			if !slices.Contains(call.Missed, a.ID) {
				cands[n], index[n] = a, index[i]
				n++
			}
		}
		cands, index = cands[:n], index[:n]
	}
	c := *call
	c.Requirements = r.merge(need, call.Requirements)
	picked := q.pol.Strategy.Choose(now, c, cands, rng)
	offer := Offer{Call: call.ID, Queue: call.Queue}
	for _, p := range picked {
		if p < 0 || p >= len(cands) || !r.free[index[p]] {
			continue // a strategy that misbehaves cannot double-book an agent
		}
		r.free[index[p]] = false
		offer.Agents = append(offer.Agents, cands[p].ID)
	}
	return offer, len(offer.Agents) > 0
}

// merge is everything a call must meet: its step's requirements and its
// own, the higher level where both name a skill. The result may be r.reqs,
// reused by the next call.
func (r *Router) merge(step, own queue.Requirements) queue.Requirements {
	switch {
	case len(own) == 0:
		return step
	case len(step) == 0:
		return own
	}
	if r.reqs == nil {
		r.reqs = queue.Requirements{}
	}
	clear(r.reqs)
	for k, v := range step {
		r.reqs[k] = v
	}
	for k, v := range own {
		r.reqs[k] = max(r.reqs[k], v)
	}
	return r.reqs
}

// skipStep returns the position after the calls of the run, from its
// current one, that are at step s, which is dry. Along a run the wait only
// shrinks, so they come in one block, found by binary search.
func (r *Router) skipStep(waiting []queue.Call, now time.Time, q *routeQueue, run *routeRun, s int) int {
	if s == 0 {
		return run.end
	}
	start := queue.StepStart(q.pol.Steps, s)
	lo, hi := run.pos+1, run.end
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if waiting[r.order[mid]].Wait(now) >= start {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// indexQueues numbers the queues that have a strategy.
func (r *Router) indexQueues(policies map[string]QueuePolicy) {
	if r.qidx == nil {
		r.qidx = make(map[string]int32, len(policies))
	}
	clear(r.qidx)
	r.qs = r.qs[:0]
	for name, pol := range policies {
		if pol.Strategy == nil {
			continue
		}
		r.qidx[name] = int32(len(r.qs))
		r.qs = slices.Grow(r.qs, 1)[:len(r.qs)+1]
		q := &r.qs[len(r.qs)-1]
		q.name, q.pol, q.pool, q.exhausted, q.n = name, pol, q.pool[:0], false, 0
		q.dry = resize(q.dry, len(pol.Steps)+1)
		clear(q.dry)
	}
}

// poolAgents lists each queue's Available agents, in input order.
func (r *Router) poolAgents(available []agents.Agent) {
	for i := range available {
		if !r.free[i] {
			continue
		}
		for _, name := range available[i].Queues {
			qi, ok := r.qidx[name]
			if !ok {
				continue
			}
			q := &r.qs[qi]
			if n := len(q.pool); n > 0 && q.pool[n-1] == int32(i) {
				continue // the queue listed twice
			}
			q.pool = append(q.pool, int32(i))
		}
	}
	for i := range r.qs {
		r.qs[i].exhausted = len(r.qs[i].pool) == 0
	}
}

// bucketCalls groups the calls of the queues that have free agents by
// queue, each in queue.Before order (as the store hands them over; sorted
// here if not: a subsequence of a sorted list is sorted), and cuts each
// queue's calls into runs of one priority.
func (r *Router) bucketCalls(waiting []queue.Call) {
	r.callQ = resize(r.callQ, len(waiting))
	total, sorted := 0, true
	for i := range waiting {
		if i > 0 && sorted && queue.Ahead(&waiting[i], &waiting[i-1]) {
			sorted = false
		}
		qi, ok := r.qidx[waiting[i].Queue]
		if !ok || r.qs[qi].exhausted {
			r.callQ[i] = -1
			continue
		}
		r.callQ[i] = qi
		r.qs[qi].n++
		total++
	}
	pos := 0
	for i := range r.qs {
		r.qs[i].start, r.qs[i].fill = pos, pos
		pos += r.qs[i].n
	}
	r.order = resize(r.order, total)
	for i, qi := range r.callQ {
		if qi >= 0 {
			q := &r.qs[qi]
			r.order[q.fill] = int32(i)
			q.fill++
		}
	}
	r.runs = r.runs[:0]
	before := func(a, b int32) int {
		switch {
		case queue.Ahead(&waiting[a], &waiting[b]):
			return -1
		case queue.Ahead(&waiting[b], &waiting[a]):
			return 1
		}
		return 0
	}
	for qi := range r.qs {
		q := &r.qs[qi]
		calls := r.order[q.start : q.start+q.n]
		if !sorted {
			slices.SortFunc(calls, before)
		}
		for j := 0; j < len(calls); {
			k := j + 1
			for k < len(calls) && waiting[calls[k]].Priority == waiting[calls[j]].Priority {
				k++
			}
			r.runs = append(r.runs, routeRun{q: int32(qi), pos: q.start + j, end: q.start + k})
			j = k
		}
	}
}

// head is the serving-order key of run ri's current call.
func (r *Router) head(ri int32, waiting []queue.Call, now time.Time) routeHead {
	run := &r.runs[ri]
	q := &r.qs[run.q]
	c := &waiting[r.order[run.pos]]
	return routeHead{run: ri, prio: c.PriorityAt(now, q.pol.PriorityAging), weight: q.pol.Weight,
		arrived: c.Arrived, id: c.ID, queue: q.name}
}

// served reports whether a is served before b (see Route).
func (a *routeHead) served(b *routeHead) bool {
	switch {
	case a.prio != b.prio:
		return a.prio > b.prio
	case a.weight != b.weight:
		return a.weight > b.weight
	case !a.arrived.Equal(b.arrived):
		return a.arrived.Before(b.arrived)
	case a.id != b.id:
		return a.id < b.id
	}
	return a.queue < b.queue
}

// down restores the heap below i.
func (r *Router) down(i int) {
	h := r.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if rr := l + 1; rr < len(h) && h[rr].served(&h[l]) {
			m = rr
		}
		if !h[m].served(&h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// pop drops the heap's first run.
func (r *Router) pop() {
	n := len(r.heap) - 1
	r.heap[0] = r.heap[n]
	r.heap = r.heap[:n]
	r.down(0)
}

// resize returns s with length n, reusing its array when large enough.
// The contents are not cleared.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
