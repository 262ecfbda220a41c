package acd

import (
	"context"
	"errors"
	"time"

	"github.com/sme/acd/agents"
)

// apply moves an agent through the store and records the change. A refused
// transition is returned but not logged as an error: events can be stale.
func (e *Engine) apply(ctx context.Context, id string, ev agents.Event, now time.Time) (agents.Agent, error) {
	before, _ := e.store.Agent(ctx, id)
	a, err := e.store.Apply(ctx, id, ev, now)
	if err != nil {
		if !errors.Is(err, agents.ErrInvalidTransition) {
			e.log.Error("agent transition failed", "agent", id, "event", ev.Kind, "err", err)
			if !errors.Is(err, ErrUnknownAgent) {
				e.suspect(id) // the store may or may not have it: check later
			}
		}
		return a, err
	}
	if a.State != before.State || a.PauseReason != before.PauseReason {
		e.emit(Event{Time: now, Type: EvAgentState, Agent: id, State: a.State.String(), Reason: stateReason(ev, a)})
	}
	if a.State == agents.Available {
		e.dirty = true
		e.announce() // other nodes' waiting calls may want this agent
	}
	return a, nil
}

func stateReason(ev agents.Event, a agents.Agent) string {
	if a.State == agents.Paused {
		return a.PauseReason
	}
	return ev.Kind.String()
}

// hangup ends the agent's call and runs wrap-up for the queue's wrap-up time.
func (e *Engine) hangup(ctx context.Context, agentID, queueName string, now time.Time) {
	a, err := e.apply(ctx, agentID, agents.Event{Kind: agents.Hangup}, now)
	if err != nil {
		return
	}
	wrap := e.queues[queueName].WrapUp
	if wrap <= 0 {
		e.apply(ctx, agentID, agents.Event{Kind: agents.WrapUpDone}, now)
		return
	}
	// The caller's ctx ends when Ended returns; the timer must outlive it.
	ctx = context.WithoutCancel(ctx)
	started := a.StateSince
	e.wrapping[agentID] = started
	time.AfterFunc(wrap, func() {
		e.submit(func() {
			if e.wrapping[agentID].Equal(started) {
				delete(e.wrapping, agentID)
			}
			// Only end the wrap-up this timer started: a pause or logout
			// since then may have led to another call and wrap-up.
			cur, err := e.store.Agent(ctx, agentID)
			if err != nil {
				if !errors.Is(err, ErrUnknownAgent) {
					e.log.Error("end of wrap-up: read agent", "agent", agentID, "err", err)
					e.suspect(agentID) // repair ends the wrap-up once the store answers
				}
				return
			}
			if cur.State != agents.WrapUp || !cur.StateSince.Equal(started) {
				return
			}
			e.apply(ctx, agentID, agents.Event{Kind: agents.WrapUpDone}, time.Now())
		})
	})
}

// Command applies an agent's own request (login, logout, pause, unpause)
// from the HTTP API or a feature code, and returns the agent afterwards.
func (e *Engine) Command(ctx context.Context, agentID string, ev agents.Event) (agents.Agent, error) {
	var (
		a   agents.Agent
		err error
	)
	switch ev.Kind {
	case agents.Login, agents.Logout, agents.Pause, agents.Unpause:
	default:
		return a, agents.ErrInvalidTransition
	}
	if derr := e.do(ctx, func() { a, err = e.apply(e.ctx, agentID, ev, time.Now()) }); derr != nil {
		return a, derr
	}
	return a, err
}

// Nudge asks for a routing pass, e.g. after a phone registered, here and
// (with a Notifier store) on the other nodes.
func (e *Engine) Nudge() {
	e.submit(func() { e.dirty = true })
	e.announce()
}

// Drain stops taking new calls; calls in progress go on.
func (e *Engine) Drain(ctx context.Context) error {
	return e.do(ctx, func() { e.draining = true })
}

// DropAll asks the telephony side to end every call still held, at the end
// of the shutdown grace period.
func (e *Engine) DropAll(ctx context.Context, reason string) error {
	return e.do(ctx, func() {
		for id := range e.calls {
			e.tel.Drop(id, reason)
		}
	})
}

// ActiveCalls counts the calls this node still holds.
func (e *Engine) ActiveCalls(ctx context.Context) (int, error) {
	var n int
	err := e.do(ctx, func() { n = len(e.calls) })
	return n, err
}
