package acd

import (
	"context"
	"errors"
	"time"

	"github.com/sme/acd/agents"
)

// route runs Route over this node's waiting calls and the reachable
// available agents, claims each chosen agent in the store and hands the
// offer to the telephony side.
func (e *Engine) route(ctx context.Context) {
	if !e.anyWaiting() {
		return // nothing of ours to route: spare the store the reads
	}
	now := time.Now()
	all, err := e.store.Agents(ctx)
	if err != nil {
		e.log.Error("route: list agents", "err", err)
		return
	}
	contacts := map[string][]Contact{}
	var free []agents.Agent
	var byUser map[string][]Contact // with a ContactsLister: every available agent's, read at once
	if e.lister != nil {
		var users []string
		for _, a := range all {
			if a.State == agents.Available {
				users = append(users, a.Username)
			}
		}
		if len(users) == 0 {
			return
		}
		lctx, cancel := context.WithTimeout(ctx, e.storeTimeout)
		byUser, err = e.lister.ContactsOf(lctx, users, now)
		cancel()
		if err != nil {
			e.log.Error("route: list contacts", "err", err)
			return
		}
	}
	for _, a := range all {
		if a.State != agents.Available {
			continue
		}
		var cs []Contact
		if byUser != nil {
			cs = byUser[a.Username]
		} else if cs, err = e.store.Contacts(ctx, a.Username, now); err != nil {
			continue
		}
		if len(cs) == 0 {
			continue // not reachable: never offer a call to a phone that is not there
		}
		contacts[a.ID] = cs
		free = append(free, a)
	}
	if len(free) == 0 {
		return
	}
	waiting, err := e.store.Waiting(ctx)
	if err != nil {
		e.log.Error("route: list waiting calls", "err", err)
		return
	}
	mine := waiting[:0] // Waiting returned our own copy: filter it in place
	for _, c := range waiting {
		if cs := e.calls[c.ID]; cs != nil && e.routable(cs) {
			mine = append(mine, c)
		}
	}
	byID := map[string]agents.Agent{}
	for _, a := range free {
		byID[a.ID] = a
	}
	for _, off := range e.router.Route(now, mine, free, e.policies, e.rng) {
		e.offer(ctx, off, byID, contacts, now)
	}
}

func (e *Engine) offer(ctx context.Context, off Offer, byID map[string]agents.Agent, contacts map[string][]Contact, now time.Time) {
	c, claimed, err := e.store.Claim(ctx, off.Call, off.Agents, now)
	if err != nil {
		switch {
		case errors.Is(err, ErrCallNotWaiting):
			// This node's waiting call is gone from the store: another
			// node reaped it (this one lost its lease) or the store lost it.
			e.lostWaiting = true
			e.scheduleRepair()
		case !errors.Is(err, ErrNoAgentClaimed):
			e.log.Error("route: claim", "call_id", off.Call, "err", err)
			// The claim may have been written before the error.
			for _, id := range off.Agents {
				e.suspect(id)
			}
			e.lostWaiting = true
			e.scheduleRepair()
		}
		e.dirty = e.dirty || errors.Is(err, ErrNoAgentClaimed)
		return
	}
	cs := e.calls[off.Call]
	c.Attempts++
	cs.call, cs.phase, cs.ringing = c, phaseRinging, claimed
	a := Assignment{Call: c, RingTimeout: e.queues[c.Queue].RingTimeout, Callback: e.callbackOf(cs)}
	for _, id := range claimed {
		ag := byID[id]
		ag.State, ag.StateSince, ag.LastOffered = agents.Ringing, now, now
		a.Targets = append(a.Targets, Target{Agent: ag, Contacts: contacts[id]})
		e.emit(Event{Time: now, Type: EvAgentState, Agent: id, State: agents.Ringing.String(), Reason: "offer", CallID: string(c.ID)})
	}
	e.emit(Event{Time: now, Type: EvOffered, CallID: string(c.ID), Queue: c.Queue, Agents: claimed, Attempts: c.Attempts,
		WaitMS: c.Wait(now).Milliseconds()})
	e.tel.Offer(a)
}

// anyWaiting reports whether a call of this node waits for an agent.
func (e *Engine) anyWaiting() bool {
	for _, cs := range e.calls {
		if e.routable(cs) {
			return true
		}
	}
	return false
}
