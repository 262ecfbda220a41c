package acd

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// This file is what the engine does when its store is shared with other
// nodes (Notifier, LeaseKeeper), and how it repairs the store after an
// operation failed half-way (a store that went away and came back).

// Repair retries start after repairFirst and back off to repairMax.
const (
	repairFirst = 500 * time.Millisecond
	repairMax   = 10 * time.Second
)

// startCluster starts listening to other nodes and keeping this node's
// lease, when the store offers either. It runs on the engine goroutine.
func (e *Engine) startCluster(ctx context.Context) {
	if e.notifier != nil {
		e.helpers.Add(2)
		go func() { defer e.helpers.Done(); e.listen(ctx) }()
		go func() { defer e.helpers.Done(); e.announcer(ctx) }()
	}
	if e.leases != nil {
		e.refreshLeases()
		lease := e.leases.Lease()
		var refresh, reap func()
		refresh = func() {
			e.submit(func() {
				next := lease / 3
				if !e.refreshLeases() {
					// Renew as soon as the store is back: its outage eats
					// into the lease.
					next = max(lease/10, 50*time.Millisecond)
				}
				time.AfterFunc(next, refresh)
			})
		}
		reap = func() {
			e.submit(func() {
				e.reap()
				time.AfterFunc(lease/2, reap)
			})
		}
		time.AfterFunc(lease/3, refresh)
		time.AfterFunc(lease/2, reap)
	}
}

// storeCtx bounds one call to the Notifier or LeaseKeeper.
func (e *Engine) storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(e.ctx, e.storeTimeout)
}

// listen turns other nodes' notifications into routing passes. Nudges
// that arrive while one is already waiting in ops are coalesced.
func (e *Engine) listen(ctx context.Context) {
	ch, err := e.notifier.Subscribe(ctx)
	if err != nil {
		e.log.Error("subscribe to other nodes' notifications; routing will wait for local events", "err", err)
		return
	}
	for range ch {
		if e.nudging.CompareAndSwap(false, true) {
			e.submit(func() {
				e.nudging.Store(false)
				e.dirty = true
			})
		}
	}
}

// announce asks the announcer to notify the other nodes; requests made
// while one is pending are coalesced. It never blocks.
func (e *Engine) announce() {
	if e.notifier == nil {
		return
	}
	select {
	case e.announceCh <- struct{}{}:
	default:
	}
}

// announcer sends the notifications announce asks for, off the engine
// goroutine so a slow store does not hold routing up.
func (e *Engine) announcer(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.announceCh:
		}
		nctx, cancel := context.WithTimeout(ctx, e.storeTimeout)
		err := e.notifier.Notify(nctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			e.log.Debug("notify other nodes", "err", err)
		}
	}
}

// refreshLeases renews this node's lease and reports whether it could. The
// first failure and the recovery are logged; on recovery the engine checks
// that the store still holds this node's waiting calls.
func (e *Engine) refreshLeases() bool {
	ctx, cancel := e.storeCtx()
	err := e.leases.RefreshLeases(ctx)
	cancel()
	if err != nil {
		if e.storeDownSince.IsZero() {
			e.storeDownSince = time.Now()
			e.log.Error("store unreachable: lease not renewed; calls in progress go on, new calls are refused until it is back",
				"lease", e.leases.Lease(), "err", err)
		}
		return false
	}
	if !e.storeDownSince.IsZero() {
		e.log.Warn("store reachable again", "down_for", time.Since(e.storeDownSince).Round(time.Millisecond))
		e.storeDownSince = time.Time{}
		// Every node's lease may have run out during the outage; give the
		// others a lease to renew theirs before taking them for dead.
		e.reapAfter = time.Now().Add(e.leases.Lease())
		e.lostWaiting = true
		e.dirty = true
		e.announce()
		e.scheduleRepair()
	}
	return true
}

// reap frees what dead nodes held, recording why. It renews this node's
// own lease first, so a node back from a long store outage never reaps
// itself. It also routes again when this node has calls waiting, in case a
// notification was lost.
//
// After an outage of the store, during which no node could renew its
// lease, it waits a lease before reaping again.
func (e *Engine) reap() {
	if !e.refreshLeases() || time.Now().Before(e.reapAfter) {
		return
	}
	e.dirty = e.dirty || e.anyWaiting()
	now := time.Now()
	ctx, cancel := e.storeCtx()
	r, err := e.leases.ReapExpired(ctx, now)
	cancel()
	if err != nil {
		e.log.Error("reap expired leases", "err", err)
	}
	if r.Empty() {
		return
	}
	e.log.Warn("freed what lost nodes held", "nodes", r.Nodes, "agents", r.Agents, "calls", len(r.Calls))
	for _, c := range r.Calls {
		e.emit(Event{Time: now, Type: EvDropped, CallID: string(c.ID), Queue: c.Queue, Caller: c.Caller, Reason: ReasonNodeLost,
			WaitMS: c.Wait(now).Milliseconds(), Attempts: c.Attempts, Priority: c.Priority})
	}
	for _, id := range r.Agents {
		a, err := e.store.Agent(e.ctx, id)
		if err != nil {
			e.log.Error("read agent freed from a lost node", "agent", id, "err", err)
			continue
		}
		e.emit(Event{Time: now, Type: EvAgentState, Agent: id, State: a.State.String(), Reason: ReasonNodeLost})
	}
	if len(r.Agents) > 0 {
		e.dirty = true
		e.announce()
	}
}

// suspect notes that an agent's last transition here may not have reached
// the store; repair brings the agent to the state this node's calls imply.
func (e *Engine) suspect(id string) {
	e.suspects[id] = true
	e.scheduleRepair()
}

// ghost notes that a call this node no longer serves may still wait in the
// store (removing it failed); repair removes it.
func (e *Engine) ghost(id queue.CallID) {
	e.ghosts[id] = true
	e.scheduleRepair()
}

func (e *Engine) needsRepair() bool {
	return len(e.suspects) > 0 || len(e.ghosts) > 0 || e.lostWaiting
}

// scheduleRepair arms the repair timer unless it is armed or nothing needs
// repair. Retries back off while the store keeps failing.
func (e *Engine) scheduleRepair() {
	if e.repairArmed || !e.needsRepair() {
		return
	}
	e.repairArmed = true
	d := max(e.repairBackoff, repairFirst)
	time.AfterFunc(d, func() { e.submit(e.repair) })
}

// repair brings the store back in line with this node's calls after
// operations that failed and may or may not have been written: calls left
// queued are removed, waiting calls the store lost are put back at the
// head of their queue, and agents are moved to the state this node's calls
// imply. Whatever still fails is retried later.
func (e *Engine) repair() {
	ctx := e.ctx // repairArmed stays set until the end: failures below must not arm another timer
	for id := range e.ghosts {
		if cs := e.calls[id]; cs != nil && cs.phase == phaseWaiting {
			delete(e.ghosts, id) // waiting here after all: not a ghost
			continue
		}
		if _, err := e.store.Remove(ctx, id); err == nil || errors.Is(err, ErrCallNotWaiting) {
			delete(e.ghosts, id)
		}
	}
	if e.lostWaiting {
		e.requeueLost(ctx)
	}
	for _, id := range slices.Sorted(maps.Keys(e.suspects)) {
		if e.fixAgent(ctx, id) {
			delete(e.suspects, id)
		}
	}
	e.repairArmed = false
	if e.needsRepair() {
		e.repairBackoff = min(2*max(e.repairBackoff, repairFirst), repairMax)
		e.scheduleRepair()
	} else {
		e.repairBackoff = 0
	}
}

// requeueLost puts back every call waiting on this node that the store no
// longer has in a queue (a failed claim that was written after all, or a
// store that lost data or reaped this node during an outage).
func (e *Engine) requeueLost(ctx context.Context) {
	waiting, err := e.store.Waiting(ctx)
	if err != nil {
		return
	}
	in := make(map[queue.CallID]bool, len(waiting))
	for _, c := range waiting {
		in[c.ID] = true
	}
	ok := true
	for id, cs := range e.calls {
		if cs.phase != phaseWaiting || in[id] {
			continue
		}
		if err := e.store.Requeue(ctx, cs.call); err != nil {
			ok = false
			continue
		}
		e.log.Warn("call put back in its queue: the store had lost it", "call_id", id, "queue", cs.call.Queue)
		e.dirty = true
	}
	e.lostWaiting = !ok
}

// heldState is the state this node's calls put agent id in: Ringing for an
// offer, Busy on a connected call, WrapUp while its wrap-up timer runs;
// false when this node holds nothing of the agent.
func (e *Engine) heldState(id string) (agents.State, bool) {
	for _, cs := range e.calls {
		switch {
		case cs.phase == phaseRinging && slices.Contains(cs.ringing, id):
			return agents.Ringing, true
		case (cs.phase == phaseConnected || cs.phase == phaseCallbackDialing) && cs.agent == id:
			return agents.Busy, true
		}
	}
	if _, ok := e.wrapping[id]; ok {
		return agents.WrapUp, true
	}
	return agents.Offline, false
}

// fixAgent moves agent id to the state heldState gives, and frees it when
// this node holds nothing of it. It reports whether the agent needs no
// more repair: done, or held by another node (whose events the store
// refuses from this one), or unknown.
func (e *Engine) fixAgent(ctx context.Context, id string) bool {
	a, err := e.store.Agent(ctx, id)
	if errors.Is(err, ErrUnknownAgent) {
		return true
	}
	if err != nil {
		return false
	}
	want, held := e.heldState(id)
	var steps []agents.EventKind
	switch {
	case !held:
		switch a.State {
		case agents.Ringing:
			steps = []agents.EventKind{agents.Cancel}
		case agents.Busy:
			steps = []agents.EventKind{agents.Hangup, agents.WrapUpDone}
		case agents.WrapUp:
			steps = []agents.EventKind{agents.WrapUpDone}
		}
	case want == agents.Busy:
		switch a.State {
		case agents.Ringing:
			steps = []agents.EventKind{agents.Answer}
		case agents.Available:
			steps = []agents.EventKind{agents.Offer, agents.Answer}
		}
	case want == agents.WrapUp:
		switch a.State {
		case agents.Ringing:
			steps = []agents.EventKind{agents.Answer, agents.Hangup}
		case agents.Busy:
			steps = []agents.EventKind{agents.Hangup}
		}
	}
	now := time.Now()
	for _, k := range steps {
		if _, err := e.apply(ctx, id, agents.Event{Kind: k}, now); err != nil {
			if errors.Is(err, agents.ErrInvalidTransition) {
				e.log.Warn("agent repair refused: another node holds the agent", "agent", id, "state", a.State, "want", want, "held", held)
				return true
			}
			return false
		}
	}
	if len(steps) > 0 {
		e.log.Warn("agent repaired after a failed store operation", "agent", id, "was", a.State, "steps", steps)
	}
	return true
}
