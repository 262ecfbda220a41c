package acd

import (
	"context"
	"fmt"
	"time"

	"github.com/sme/acd/queue"
)

// EvAnnounced: a waiting caller was told their position (Position, 1 =
// next) and, when known, their estimated wait (EstimatedMS; absent when
// not announced); WaitMS is the wait so far. It is informational: reports
// and call records ignore it, and it neither starts nor ends queue wait.
const EvAnnounced EventType = "announced"

// Announcement is what a waiting caller is told.
type Announcement struct {
	// Position counts the caller itself and the calls of the same queue
	// that routing serves first (see Engine.Announce): 1 = next in line.
	Position int
	// Wait is the estimated remaining wait, valid when WaitKnown.
	Wait      time.Duration
	WaitKnown bool
}

// Announce tells a waiting call's leg what to announce, and records it
// with an "announced" event (durable before Announce returns).
//
// Position is 1 plus the calls waiting in the same queue (on any node: the
// store is read) that routing serves first: a higher effective priority
// (the priority plus the queue's PriorityAging bonus at this moment), or
// the same priority and an earlier arrival (then call id), as Route orders
// calls of one queue. Calls already ringing an agent are not counted.
//
// The estimated wait is Asterisk app_queue's: the queue's EWT (the
// exponentially weighted average of answered calls' queue waits, new =
// (3·old + sample)/4, see EWT) minus the time this caller has already
// waited. It is unknown (WaitKnown false) while the queue has no estimate
// (EWT 0: no call answered since start, as Asterisk, which then stays
// silent) and once the caller has waited longer than the estimate, about
// which an average of past waits says nothing.
//
// A call that is not waiting (unknown here, ringing an agent, connected)
// gets ErrCallNotWaiting; a store failure is returned wrapped.
func (e *Engine) Announce(ctx context.Context, id queue.CallID) (Announcement, error) {
	var (
		a   Announcement
		err error
	)
	if derr := e.do(ctx, func() { a, err = e.tellPosition(e.ctx, id, time.Now()) }); derr != nil {
		return Announcement{}, fmt.Errorf("announce %s: %w", id, derr)
	}
	return a, err
}

func (e *Engine) tellPosition(ctx context.Context, id queue.CallID, now time.Time) (Announcement, error) {
	cs := e.calls[id]
	if cs == nil || cs.phase != phaseWaiting {
		return Announcement{}, fmt.Errorf("announce %s: %w", id, ErrCallNotWaiting)
	}
	waiting, err := e.store.Waiting(ctx)
	if err != nil {
		return Announcement{}, fmt.Errorf("announce %s: %w", id, err)
	}
	me := cs.call
	a := Announcement{Position: Position(now, me, waiting, e.queues[me.Queue].PriorityAging)}
	waited := me.Wait(now)
	if ewt := e.ewt[me.Queue].Value(); ewt > 0 && ewt > waited {
		a.Wait, a.WaitKnown = ewt-waited, true
	}
	ev := Event{Time: now, Type: EvAnnounced, CallID: string(id), Queue: me.Queue, Position: a.Position,
		WaitMS: waited.Milliseconds(), Priority: me.Priority}
	if a.WaitKnown {
		ev.EstimatedMS = max(a.Wait.Milliseconds(), 1)
	}
	e.emit(ev)
	return a, nil
}

// Position is call's place in its queue at now among waiting (which may
// or may not hold call itself): 1 plus the calls of the same queue that
// are served first, by effective priority with the queue's PriorityAging,
// then arrival, then id. Pure.
func Position(now time.Time, call queue.Call, waiting []queue.Call, aging time.Duration) int {
	mine := call.PriorityAt(now, aging)
	pos := 1
	for i := range waiting {
		c := &waiting[i]
		if c.Queue != call.Queue || c.ID == call.ID {
			continue
		}
		p := c.PriorityAt(now, aging)
		if p > mine || (p == mine && ahead(c, &call)) {
			pos++
		}
	}
	return pos
}

// ahead orders two calls of equal effective priority: earlier arrival,
// then call id (queue.Ahead without the base priority).
func ahead(a, b *queue.Call) bool {
	if c := a.Arrived.Compare(b.Arrived); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}
