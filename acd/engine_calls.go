package acd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

type callPhase int

const (
	phaseWaiting callPhase = iota
	phaseRinging
	phaseConnected
	// Callbacks (engine_callback.go): queued but not routed until the
	// caller's old leg ends; the agent answered and the caller is being
	// dialled; out of the store until a retry is due.
	phaseCallbackHeld
	phaseCallbackDialing
	phaseCallbackRetry
)

// callState is the engine's view of one call on this node.
type callState struct {
	call      queue.Call
	phase     callPhase
	ringing   []string
	agent     string
	connected time.Time
	expired   bool // max wait passed while an agent rang
	maxWait   *time.Timer
	// stepEnd fires when the call's current routing step ends.
	stepEnd *time.Timer
	// overflow fires when the queue's waited rule applies; overflowDue
	// records that it fired while an agent rang.
	overflow    *time.Timer
	overflowDue bool
	// callback is set once the caller asked to be called back; retry
	// fires when its next attempt is due (engine_callback.go).
	callback *PendingCallback
	retry    *time.Timer
}

// Enqueue puts a new call in the named queue. It fails with ErrUnknownQueue,
// ErrQueueFull or ErrShuttingDown, which the SIP side turns into a status.
// The call's arrival time and base priority are set here.
func (e *Engine) Enqueue(ctx context.Context, c queue.Call) error {
	return e.doErr(ctx, func() error { return e.enqueue(e.ctx, c) })
}

func (e *Engine) enqueue(ctx context.Context, c queue.Call) error { return e.admit(ctx, c, 0) }

// admit enqueues a call arriving in c.Queue, hops queues after the one it
// was first sent to. Before queueing, the queue's business hours and
// arrival overflow rules may send it on: to another queue (the call enters
// this queue and flows out at once, so "entered" then "overflowed" here,
// and a new "entered" there: METRICS.md counts a call in each queue it
// entered, and its wait in the next queue starts when it enters it), or
// refused with a RejectError ("rejected" event, never entered), or
// transferred to an external URI ("entered" then "overflowed"; Enqueue
// succeeds, so the caller is answered, and the engine holds nothing).
func (e *Engine) admit(ctx context.Context, c queue.Call, hops int) error {
	q, ok := e.queues[c.Queue]
	switch {
	case !ok:
		return fmt.Errorf("enqueue %s: queue %q: %w", c.ID, c.Queue, ErrUnknownQueue)
	case e.draining:
		return fmt.Errorf("enqueue %s: %w", c.ID, ErrShuttingDown)
	case e.calls[c.ID] != nil:
		return fmt.Errorf("enqueue %s: call already queued", c.ID)
	}
	now := time.Now()
	c.Arrived = now
	if c.Priority == 0 {
		c.Priority = q.Priority
	}
	if dest, reason, leave := e.arrivalDecision(ctx, q, now); leave && hops < maxHops {
		if dest.Queue == "" && dest.URI == "" && dest.Exit == "" {
			e.emit(Event{Time: now, Type: EvRejected, CallID: string(c.ID), Queue: c.Queue, Caller: c.Caller, Reason: reason})
			return fmt.Errorf("enqueue %s: %w", c.ID, &RejectError{Status: dest.Status, Reason: reason})
		}
		e.emit(Event{Time: now, Type: EvEntered, CallID: string(c.ID), Queue: c.Queue, Caller: c.Caller, Priority: c.Priority})
		e.emit(Event{Time: now, Type: EvOverflowed, CallID: string(c.ID), Queue: c.Queue, Caller: c.Caller, Reason: reason, Target: dest.target(), Priority: c.Priority})
		if dest.Exit != "" && dest.Queue == "" {
			e.exit(c, dest, reason) // a flow-out, answered by the telephony side
			return nil
		}
		if dest.Queue == "" {
			e.forward(c, dest.URI, reason) // a flow-out: the engine holds nothing of it
			return nil
		}
		next := c
		next.Queue, next.Arrived = dest.Queue, time.Time{}
		return e.admit(ctx, next, hops+1)
	}
	if err := e.store.Enqueue(ctx, c, q.MaxLength); err != nil {
		if errors.Is(err, ErrQueueFull) {
			e.emit(Event{Time: now, Type: EvRejected, CallID: string(c.ID), Queue: c.Queue, Caller: c.Caller, Reason: ReasonQueueFull})
		} else {
			e.ghost(c.ID) // the caller is refused, but the store may have queued the call
		}
		return fmt.Errorf("enqueue %s: %w", c.ID, err)
	}
	cs := &callState{call: c}
	e.calls[c.ID] = cs
	e.emit(Event{Time: now, Type: EvEntered, CallID: string(c.ID), Queue: c.Queue, Caller: c.Caller, Priority: c.Priority})
	if q.MaxWait > 0 {
		id := c.ID
		tctx := context.WithoutCancel(ctx) // the caller's ctx ends when Enqueue returns
		cs.maxWait = time.AfterFunc(q.MaxWait, func() { e.submit(func() { e.maxWaitReached(tctx, id) }) })
	}
	e.watchStep(cs, now)
	e.watchWaited(ctx, cs)
	e.dirty = true
	return nil
}

// watchStep arms a timer for the end of the call's current routing step
// or of its prefer window, whichever comes first (queue.Call.NextChange).
// Route works both out from the wait alone; the timer only makes sure a
// routing pass runs the moment the call may go to more agents, since no
// other event may come. One timer per call is alive at a time.
func (e *Engine) watchStep(cs *callState, now time.Time) {
	end, ok := cs.call.NextChange(e.queues[cs.call.Queue].Steps, cs.call.Wait(now))
	if !ok {
		return
	}
	id := cs.call.ID
	cs.stepEnd = time.AfterFunc(cs.call.Arrived.Add(end).Sub(now), func() { e.submit(func() { e.stepEnded(id) }) })
}

// stepEnded routes again for a call whose routing step just ended, and
// watches the next one. A call that is ringing keeps its timers: it may
// come back to the queue.
func (e *Engine) stepEnded(id queue.CallID) {
	cs := e.calls[id]
	if cs == nil || cs.phase == phaseConnected {
		return
	}
	e.dirty = true
	e.watchStep(cs, time.Now())
}

func (e *Engine) maxWaitReached(ctx context.Context, id queue.CallID) {
	cs := e.calls[id]
	if cs == nil {
		return
	}
	if cs.phase == phaseRinging {
		cs.expired = true // decided when the ringing ends
		return
	}
	if cs.phase != phaseWaiting {
		return
	}
	if _, err := e.store.Remove(ctx, id); err != nil {
		e.log.Warn("max wait: remove from queue", "call_id", id, "err", err)
		if !errors.Is(err, ErrCallNotWaiting) {
			defer e.ghost(id) // after timeOut has forgotten the call
		}
	}
	e.timeOut(cs, time.Now())
}

func (e *Engine) timeOut(cs *callState, now time.Time) {
	c := cs.call
	e.forget(c.ID)
	e.emit(Event{Time: now, Type: EvTimedOut, CallID: string(c.ID), Queue: c.Queue, Caller: c.Caller,
		Reason: ReasonMaxWait, WaitMS: c.Wait(now).Milliseconds(), Attempts: c.Attempts})
	e.tel.Drop(c.ID, ReasonMaxWait)
}

func (e *Engine) forget(id queue.CallID) {
	if cs := e.calls[id]; cs != nil {
		cs.stopTimers()
	}
	delete(e.calls, id)
}

func (cs *callState) stopTimers() {
	if cs.maxWait != nil {
		cs.maxWait.Stop()
	}
	if cs.stepEnd != nil {
		cs.stepEnd.Stop()
	}
	if cs.overflow != nil {
		cs.overflow.Stop()
	}
	if cs.retry != nil {
		cs.retry.Stop()
	}
}

// Answered reports that agentID picked up the call. The connected event is
// in the log when it returns, before the SIP side bridges the audio. Other
// agents still ringing for the call are released.
func (e *Engine) Answered(ctx context.Context, id queue.CallID, agentID string) error {
	return e.doErr(ctx, func() error { return e.answered(e.ctx, id, agentID) })
}

func (e *Engine) answered(ctx context.Context, id queue.CallID, agentID string) error {
	cs := e.calls[id]
	if cs == nil || cs.phase != phaseRinging || !slices.Contains(cs.ringing, agentID) {
		return fmt.Errorf("answered %s by %s: %w", id, agentID, ErrUnknownCall)
	}
	now := time.Now()
	e.takeAnswer(ctx, cs, agentID, now)
	cs.phase, cs.agent, cs.connected, cs.ringing = phaseConnected, agentID, now, nil
	cs.stopTimers()
	c := cs.call
	ewt := e.ewt[c.Queue]
	ewt.Add(c.Wait(now))
	e.ewt[c.Queue] = ewt
	e.emit(Event{Time: now, Type: EvConnected, CallID: string(id), Queue: c.Queue, Agent: agentID, Caller: c.Caller,
		WaitMS: c.Wait(now).Milliseconds(), Attempts: c.Attempts, Priority: c.Priority})
	return nil
}

// takeAnswer makes agentID, who answered cs, Busy and releases the other
// agents rung for it.
func (e *Engine) takeAnswer(ctx context.Context, cs *callState, agentID string, now time.Time) {
	e.apply(ctx, agentID, agents.Event{Kind: agents.Answer}, now)
	for _, other := range cs.ringing {
		if other != agentID {
			e.apply(ctx, other, agents.Event{Kind: agents.Cancel}, now)
		}
	}
}

// NotAnswered reports that no rung agent took the call. Each agent is
// released (a miss counts towards auto-pause; "cancelled" does not) and the
// call goes back to the head of its queue, or times out if its max wait
// passed meanwhile.
func (e *Engine) NotAnswered(ctx context.Context, id queue.CallID, results []RingResult) error {
	return e.doErr(ctx, func() error { return e.notAnswered(e.ctx, id, results) })
}

func (e *Engine) notAnswered(ctx context.Context, id queue.CallID, results []RingResult) error {
	cs := e.calls[id]
	if cs == nil || cs.phase != phaseRinging {
		return fmt.Errorf("not answered %s: %w", id, ErrUnknownCall)
	}
	now := time.Now()
	c := &cs.call
	for _, agentID := range cs.ringing {
		reason := ReasonCancelled
		for _, r := range results {
			if r.Agent == agentID {
				reason = r.Reason
			}
		}
		if reason == ReasonCancelled {
			e.apply(ctx, agentID, agents.Event{Kind: agents.Cancel}, now)
			continue
		}
		e.emit(Event{Time: now, Type: EvRingNoAnswer, CallID: string(id), Queue: c.Queue, Agent: agentID, Reason: reason, Attempts: c.Attempts})
		c.Missed = append(c.Missed, agentID)
		a, err := e.apply(ctx, agentID, agents.Event{Kind: agents.Miss}, now)
		if err == nil && e.cfg.MaxMisses > 0 && a.Misses >= e.cfg.MaxMisses && a.State == agents.Available {
			e.apply(ctx, agentID, agents.Event{Kind: agents.Pause, Reason: ReasonNoAnswer}, now)
		}
	}
	cs.ringing = nil
	q := e.queues[c.Queue]
	if cs.callback == nil && (cs.expired || (q.MaxWait > 0 && c.Wait(now) >= q.MaxWait)) {
		e.timeOut(cs, now)
		return nil
	}
	if cs.overflowDue && cs.callback == nil {
		e.waitedFlowOut(ctx, cs, now) // claimed, so no longer in the store
		return nil
	}
	cs.phase = phaseWaiting
	if err := e.store.Requeue(ctx, *c); err != nil {
		if e.callbackRequeueFailed(cs, now, err) {
			return nil
		}
		e.log.Error("requeue after no answer failed; dropping call", "call_id", id, "err", err)
		e.forget(id)
		e.ghost(id) // the requeue may have been written after all
		e.emit(Event{Time: now, Type: EvDropped, CallID: string(id), Queue: c.Queue, Reason: "store-error"})
		e.tel.Drop(id, "store-error")
		return nil
	}
	e.dirty = true
	return nil
}

// Ended reports that the caller leg is gone: hung up by the caller or the
// agent, silent too long, or dropped at shutdown. It records the outcome
// and frees whatever the call held.
func (e *Engine) Ended(ctx context.Context, id queue.CallID, reason string) error {
	return e.doErr(ctx, func() error { return e.ended(e.ctx, id, reason) })
}

func (e *Engine) ended(ctx context.Context, id queue.CallID, reason string) error {
	cs := e.calls[id]
	if cs == nil {
		return nil // already timed out or dropped: nothing held
	}
	if e.callbackEnded(cs) {
		return nil // the old leg of a pending callback
	}
	now := time.Now()
	c := cs.call
	e.forget(id)
	ev := Event{Time: now, CallID: string(id), Queue: c.Queue, Caller: c.Caller, Reason: reason, Attempts: c.Attempts, Priority: c.Priority}
	switch cs.phase {
	case phaseWaiting:
		if _, err := e.store.Remove(ctx, id); err != nil && !errors.Is(err, ErrCallNotWaiting) {
			e.log.Warn("remove ended call", "call_id", id, "err", err)
			e.ghost(id)
		}
		ev.Type, ev.WaitMS = abandonType(reason), c.Wait(now).Milliseconds()
	case phaseRinging:
		for _, a := range cs.ringing {
			e.apply(ctx, a, agents.Event{Kind: agents.Cancel}, now)
		}
		ev.Type, ev.WaitMS, ev.Agents = abandonType(reason), c.Wait(now).Milliseconds(), cs.ringing
		e.dirty = true
	case phaseConnected:
		ev.Type, ev.Agent = EvCompleted, cs.agent
		ev.WaitMS = cs.connected.Sub(c.Arrived).Milliseconds()
		ev.TalkMS = now.Sub(cs.connected).Milliseconds()
		e.emit(ev)
		e.hangup(ctx, cs.agent, c.Queue, now)
		return nil
	}
	e.emit(ev)
	return nil
}

// abandonType tells a caller who gave up from a call the ACD ended.
func abandonType(reason string) EventType {
	if reason == ReasonShutdown {
		return EvDropped
	}
	return EvAbandoned
}

// MenuChoice records that call id left IVR menu for queue by digit (""
// after a timeout) for reason (ivr.ReasonChoice, …), before it is enqueued.
func (e *Engine) MenuChoice(ctx context.Context, id queue.CallID, caller, menu, digit, queueName, reason string) error {
	return e.do(ctx, func() {
		e.emit(Event{Type: EvMenu, CallID: string(id), Caller: caller, Menu: menu, Digit: digit, Queue: queueName, Reason: reason})
	})
}
