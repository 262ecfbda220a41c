package acd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// The engine's side of callbacks (callback.go). A call whose caller asked
// to be called back keeps its callState, its place in the store (same
// arrival and priority) and its routing steps, but no longer has a caller
// leg, so:
//   - its max-wait and waited-overflow timers are stopped: a pending
//     callback never times out or overflows (it would be lost), and a
//     ring-no-answer never times it out either;
//   - it is not routed until the caller's original leg has ended
//     (phaseCallbackHeld), so the caller is never called back while still
//     on the line hearing the confirmation;
//   - Ended is ignored for it until it is connected: the leg that ends is
//     the old one, or nothing;
//   - it is not routed while the node drains (shutdown): the agent would
//     be rung by a process about to stop; it stays in the book for the
//     next one;
//   - it is written to the CallbackBook whenever it changes, and Run puts
//     the book's callbacks back in their queues at their original place.
//     A new callback is written before the request is acknowledged (the
//     caller is told only once it is in the book); a callback is taken out
//     (connected, failed) or changed only after the batch's events are
//     durable (commit), so a crash between the two leaves it in the book
//     and it is made again rather than lost without a record.

// CallbackOffer reports whether the waiting call id may be offered a
// callback now, and the queue's policy: the queue has one, its estimated
// wait (EWT, overflow.go) is at least OfferAfter, and there is a number to
// call back (the caller's own, or one they may type with AskNumber).
func (e *Engine) CallbackOffer(ctx context.Context, id queue.CallID) (CallbackPolicy, bool) {
	var (
		p  CallbackPolicy
		ok bool
	)
	err := e.do(ctx, func() {
		cs := e.calls[id]
		if cs == nil || cs.phase != phaseWaiting || cs.callback != nil || e.bookBlocked != nil {
			return
		}
		q := e.queues[cs.call.Queue]
		if q.Callback == nil || e.ewt[q.Name].Value() < q.Callback.OfferAfter {
			return
		}
		if !q.Callback.AskNumber && !ValidCallbackNumber(cs.call.Caller) {
			return // withheld or odd number, none to type: pressing the digit could only fail
		}
		p, ok = q.Callback.withDefaults(), true
	})
	return p, ok && err == nil
}

// RequestCallback turns waiting call id into a callback to number (""
// for the number the caller called from): it keeps its place, the
// callback-requested event is in the log and the callback in the book when
// it returns, and the caller's leg should then end with ReasonCallback.
// ErrNoCallback if the call is not waiting or its queue offers none;
// ErrNoCallbackNumber without a number that can be dialled.
func (e *Engine) RequestCallback(ctx context.Context, id queue.CallID, number string) error {
	return e.doErr(ctx, func() error { return e.requestCallback(id, number) })
}

func (e *Engine) requestCallback(id queue.CallID, number string) error {
	cs := e.calls[id]
	if cs == nil || cs.phase != phaseWaiting || cs.callback != nil || e.queues[cs.call.Queue].Callback == nil {
		return fmt.Errorf("request callback for %s: %w", id, ErrNoCallback)
	}
	if number == "" {
		number = cs.call.Caller
	}
	if !ValidCallbackNumber(number) {
		return fmt.Errorf("request callback for %s to %q: %w", id, MaskNumber(number), ErrNoCallbackNumber)
	}
	now := time.Now()
	// In the book first: a caller is told they will be called back only
	// if a restart cannot lose it; otherwise they wait on as before.
	cs.callback = &PendingCallback{Call: cs.call, Number: number, Requested: now}
	if err := e.writeBook(); err != nil {
		cs.callback = nil
		return fmt.Errorf("request callback for %s: %w", id, err)
	}
	for _, t := range []*time.Timer{cs.maxWait, cs.overflow} {
		if t != nil {
			t.Stop()
		}
	}
	cs.maxWait, cs.overflow = nil, nil
	cs.phase = phaseCallbackHeld
	c := cs.call
	e.emit(Event{Time: now, Type: EvCallbackRequested, CallID: string(id), Queue: c.Queue, Caller: c.Caller,
		Target: number, WaitMS: c.Wait(now).Milliseconds(), Attempts: c.Attempts, Priority: c.Priority})
	return nil
}

// callbackEnded handles Ended for a callback not connected: the original
// caller leg has gone, so a held callback may now be routed. It reports
// whether the call was such a callback (ended must do nothing more).
func (e *Engine) callbackEnded(cs *callState) bool {
	if cs.callback == nil || cs.phase == phaseConnected {
		return false
	}
	if cs.phase == phaseCallbackHeld {
		cs.phase = phaseWaiting
		e.dirty = true
	}
	return true
}

// callbackOf is what an offer of cs tells the telephony side: nil for a
// call with a live caller.
func (e *Engine) callbackOf(cs *callState) *Callback {
	if cs.callback == nil {
		return nil
	}
	p := e.policyOf(cs.call.Queue)
	return &Callback{Number: cs.callback.Number, URI: p.TrunkURI(cs.callback.Number),
		RingTimeout: p.RingTimeout, Attempt: cs.callback.Attempts + 1}
}

func (e *Engine) policyOf(queueName string) CallbackPolicy {
	if p := e.queues[queueName].Callback; p != nil {
		return p.withDefaults()
	}
	return CallbackPolicy{}.withDefaults()
}

// CallbackAgentAnswered reports that agentID answered the offer of
// callback id: the agent is Busy (on the phone, hearing ringback) while
// the caller is dialled, and the other agents rung are released. The
// result of dialling comes with CallbackResult.
func (e *Engine) CallbackAgentAnswered(ctx context.Context, id queue.CallID, agentID string) error {
	return e.doErr(ctx, func() error { return e.callbackAgentAnswered(e.ctx, id, agentID) })
}

func (e *Engine) callbackAgentAnswered(ctx context.Context, id queue.CallID, agentID string) error {
	cs := e.calls[id]
	if cs == nil || cs.callback == nil || cs.phase != phaseRinging || !slices.Contains(cs.ringing, agentID) {
		return fmt.Errorf("callback %s answered by %s: %w", id, agentID, ErrUnknownCall)
	}
	e.takeAnswer(ctx, cs, agentID, time.Now())
	cs.phase, cs.agent, cs.ringing = phaseCallbackDialing, agentID, nil
	return nil
}

// CallbackResult reports how dialling the caller of callback id ended:
// CallbackAnswered (the call is connected: the connected event, reason
// "callback", is in the log when it returns, and the callback leaves the
// book), ReasonShutdown (not counted as an attempt; kept in the book), or
// why the caller was not reached: the agent is freed without a miss or a
// wrap-up, and the call is retried after the queue's retry_after, back at
// its original place, until its attempt limit (then callback-failed).
func (e *Engine) CallbackResult(ctx context.Context, id queue.CallID, result string) error {
	return e.doErr(ctx, func() error { return e.callbackResult(e.ctx, id, result) })
}

func (e *Engine) callbackResult(ctx context.Context, id queue.CallID, result string) error {
	cs := e.calls[id]
	if cs == nil || cs.callback == nil || cs.phase != phaseCallbackDialing {
		return fmt.Errorf("callback %s result %s: %w", id, result, ErrUnknownCall)
	}
	now := time.Now()
	cb, c, agentID := cs.callback, cs.call, cs.agent
	p := e.policyOf(c.Queue)
	if result != ReasonShutdown {
		cb.Attempts++
		e.emit(Event{Time: now, Type: EvCallbackAttempt, CallID: string(id), Queue: c.Queue, Agent: agentID,
			Target: cb.Number, Reason: result, Attempts: cb.Attempts})
	}
	if result == CallbackAnswered {
		cs.phase, cs.connected = phaseConnected, now
		cs.stopTimers()
		ewt := e.ewt[c.Queue]
		ewt.Add(c.Wait(now))
		e.ewt[c.Queue] = ewt
		e.emit(Event{Time: now, Type: EvConnected, CallID: string(id), Queue: c.Queue, Agent: agentID, Caller: c.Caller,
			Reason: ReasonCallback, WaitMS: c.Wait(now).Milliseconds(), Attempts: c.Attempts, Priority: c.Priority})
		e.bookDirty = true // out of the book once connected is durable
		return nil
	}
	// The agent answered and waited for nothing: free them at once.
	if _, err := e.apply(ctx, agentID, agents.Event{Kind: agents.Hangup}, now); err == nil {
		e.apply(ctx, agentID, agents.Event{Kind: agents.WrapUpDone}, now)
	}
	cs.agent = ""
	if result != ReasonShutdown && cb.Attempts >= p.Attempts {
		e.forget(id)
		e.emit(Event{Time: now, Type: EvCallbackFailed, CallID: string(id), Queue: c.Queue, Caller: c.Caller,
			Target: cb.Number, Reason: result, WaitMS: c.Wait(now).Milliseconds(), Attempts: c.Attempts, Priority: c.Priority})
		e.bookDirty = true
		return nil
	}
	e.holdForRetry(cs, now.Add(p.RetryAfter))
	e.bookDirty = true
	return nil
}

// holdForRetry keeps a callback out of routing (and out of the store)
// until due, then requeues it at its original place.
func (e *Engine) holdForRetry(cs *callState, due time.Time) {
	cs.phase = phaseCallbackRetry
	cs.callback.Due = due
	id := cs.call.ID
	if cs.retry != nil {
		cs.retry.Stop()
	}
	cs.retry = time.AfterFunc(time.Until(due), func() { e.submit(func() { e.callbackDue(id) }) })
}

// callbackRequeueFailed handles a failed requeue of cs after an offer
// nobody took: a live call is dropped (its caller hears the end), but a
// callback has no caller on the line, and dropping it would lose it. It
// is held for a retry instead (callbackDue requeues it; Requeue is
// idempotent, should the failed one have been written after all). It
// reports whether cs was a callback.
func (e *Engine) callbackRequeueFailed(cs *callState, now time.Time, err error) bool {
	if cs.callback == nil {
		return false
	}
	e.log.Error("requeue callback after no answer failed; retrying later", "call_id", cs.call.ID, "err", err)
	e.holdForRetry(cs, now.Add(e.policyOf(cs.call.Queue).RetryAfter))
	e.bookDirty = true
	return true
}

// callbackDue puts a callback whose retry is due back in its queue.
func (e *Engine) callbackDue(id queue.CallID) {
	cs := e.calls[id]
	if cs == nil || cs.callback == nil || cs.phase != phaseCallbackRetry {
		return
	}
	if err := e.store.Requeue(e.ctx, cs.call); err != nil {
		e.log.Error("callback retry: requeue failed; trying again later", "call_id", id, "err", err)
		e.holdForRetry(cs, time.Now().Add(e.policyOf(cs.call.Queue).RetryAfter))
		return
	}
	cs.phase, cs.callback.Due = phaseWaiting, time.Time{}
	e.dirty = true
	e.bookDirty = true
}

// saveCallbacks writes every pending callback to the book now. Changes
// that may wait for the batch's commit set e.bookDirty instead.
func (e *Engine) saveCallbacks() {
	if err := e.writeBook(); err != nil {
		e.log.Error("callback book write failed: pending callbacks may not survive a restart", "err", err)
	}
}

// writeBook writes every pending callback to the book.
func (e *Engine) writeBook() error {
	e.bookDirty = false
	if e.bookBlocked != nil {
		return fmt.Errorf("write callback book: the book could not be read at start: %w", e.bookBlocked)
	}
	var pending []PendingCallback
	for _, cs := range e.calls {
		if cs.callback != nil && cs.phase != phaseConnected {
			p := *cs.callback
			p.Call = cs.call
			pending = append(pending, p)
		}
	}
	slices.SortFunc(pending, func(a, b PendingCallback) int { return strings.Compare(string(a.Call.ID), string(b.Call.ID)) })
	if err := e.callbackBook().Save(pending); err != nil {
		return fmt.Errorf("write callback book: %w", err)
	}
	return nil
}

// callbackBook is the configured book, or one in memory.
func (e *Engine) callbackBook() CallbackBook {
	if e.cfg.Callbacks == nil {
		e.cfg.Callbacks = &memBook{}
	}
	return e.cfg.Callbacks
}

// routable reports whether cs may be routed now: waiting, and not a
// callback while the node drains (its agent and caller would be rung by a
// process about to stop; the book keeps it for the next one).
func (e *Engine) routable(cs *callState) bool {
	return cs.phase == phaseWaiting && !(e.draining && cs.callback != nil)
}

// restoreCallbacks puts the book's callbacks back in their queues with
// their original arrival and priority; one whose retry is not yet due
// waits for it. A callback of a queue that no longer offers callbacks is
// given up (callback-failed, reason "no-callback-queue").
func (e *Engine) restoreCallbacks(ctx context.Context) {
	pending, err := e.callbackBook().Load()
	if err != nil {
		if !errors.Is(err, ErrBookKeptAside) {
			e.bookBlocked = err
			e.log.Error("callback book unreadable: not restored, not overwritten, no callbacks offered until a restart reads it", "err", err)
			return
		}
		e.log.Error("pending callbacks not restored", "err", err)
		return
	}
	now := time.Now()
	changed := false
	for _, p := range pending {
		c := p.Call
		if e.calls[c.ID] != nil {
			continue
		}
		if q, ok := e.queues[c.Queue]; !ok || q.Callback == nil {
			e.emit(Event{Time: now, Type: EvCallbackFailed, CallID: string(c.ID), Queue: c.Queue, Caller: c.Caller,
				Target: p.Number, Reason: "no-callback-queue", Attempts: c.Attempts})
			changed = true
			continue
		}
		cb := p
		cs := &callState{call: c, callback: &cb}
		e.calls[c.ID] = cs
		if p.Due.After(now) {
			e.holdForRetry(cs, p.Due)
		} else {
			// With a shared store the call may still be there (a quick
			// restart): take it out first so it is queued once.
			if _, err := e.store.Remove(ctx, c.ID); err != nil && !errors.Is(err, ErrCallNotWaiting) {
				e.log.Warn("restore callback: remove stale entry", "call_id", c.ID, "err", err)
			}
			if err := e.store.Enqueue(ctx, c, 0); err != nil {
				e.log.Error("restore callback: enqueue failed; retrying later", "call_id", c.ID, "err", err)
				e.holdForRetry(cs, now.Add(e.policyOf(c.Queue).RetryAfter))
			} else {
				cs.phase = phaseWaiting
			}
		}
		e.watchStep(cs, now)
		e.log.Info("pending callback restored", "call_id", c.ID, "queue", c.Queue, "number", MaskNumber(p.Number), "attempts", p.Attempts)
		e.dirty = true
	}
	if changed {
		e.saveCallbacks()
	}
}
