package acd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sme/acd/acd/hours"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// EvOverflowed: a rule sent the call out of its queue (Reason names the
// rule: "closed", "no-agents", "queue-length", "estimated-wait",
// "waited"). It is a flow-out of that queue (METRICS.md): neither answered
// nor abandoned. Target names the queue the call went on to, where it gets
// a new "entered" event, or the external SIP URI it was transferred to (no
// further events: the outside leg is the partner's to record); without a
// target the ACD hung up.
const EvOverflowed EventType = "overflowed"

// Overflow rule conditions.
const (
	// WhenNoAgents: on arrival, no agent of the queue is logged in (every
	// one is Offline; paused or busy agents count as logged in).
	WhenNoAgents = "no-agents"
	// WhenQueueLength: on arrival, more than Over calls already wait.
	WhenQueueLength = "queue-length"
	// WhenEstimatedWait: on arrival, the queue's EWT exceeds OverWait.
	WhenEstimatedWait = "estimated-wait"
	// WhenWaited: while waiting, the call has waited OverWait.
	WhenWaited = "waited"
	// ReasonClosed: the call arrived outside the queue's business hours.
	ReasonClosed = "closed"
)

// Destination is where a rule sends a call: Queue; else URI, an external
// SIP URI the telephony side transfers the call to (Telephony.Forward);
// else Exit, voicemail or a message then hang-up (Telephony.Exit, exit.go);
// else a hang-up, with Status as the final response to a call not yet
// answered (on arrival) and a BYE otherwise.
type Destination struct {
	Queue  string
	URI    string
	Status int
	// Exit is ExitVoicemail or ExitMessage; Prompt the library prompt it
	// plays first ("" for the default, see withDefaults) and MaxLength
	// bounds a voicemail message (0: DefaultVoicemailMax).
	Exit      string
	Prompt    string
	MaxLength time.Duration
}

// target is what the overflowed event names: the next queue, the URI or
// the exit.
func (d Destination) target() string {
	switch {
	case d.Queue != "":
		return d.Queue
	case d.Exit != "":
		return d.Exit
	}
	return d.URI
}

// OverflowRule is one of a queue's ordered overflow rules.
type OverflowRule struct {
	When     string
	Over     int           // WhenQueueLength
	OverWait time.Duration // WhenEstimatedWait, WhenWaited
	Dest     Destination
}

// ArrivalState is what arrival rules look at.
type ArrivalState struct {
	LoggedIn int           // agents of the queue not Offline
	Waiting  int           // calls already waiting in the queue
	EWT      time.Duration // the queue's estimated wait
}

// ArrivalRule returns the first of rules that applies to a call arriving
// in state s. Pure; WhenWaited rules are never arrival rules.
func ArrivalRule(rules []OverflowRule, s ArrivalState) (OverflowRule, bool) {
	for _, r := range rules {
		switch {
		case r.When == WhenNoAgents && s.LoggedIn == 0,
			r.When == WhenQueueLength && s.Waiting > r.Over,
			r.When == WhenEstimatedWait && s.EWT > r.OverWait:
			return r, true
		}
	}
	return OverflowRule{}, false
}

// WaitedRule returns the WhenWaited rule that fires first: the one with
// the shortest limit, the earlier in order on a tie.
func WaitedRule(rules []OverflowRule) (OverflowRule, bool) {
	var best OverflowRule
	found := false
	for _, r := range rules {
		if r.When == WhenWaited && (!found || r.OverWait < best.OverWait) {
			best, found = r, true
		}
	}
	return best, found
}

// EWT is the estimated wait time of a queue, estimated as Asterisk's
// app_queue does: an exponentially weighted average of the queue waits of
// answered calls, new = (3·old + sample)/4, starting from 0. It is fed
// one sample per connected call (its wait from entering the queue to the
// answer). Zero value ready to use.
type EWT struct{ d time.Duration }

// Add folds one answered call's wait into the estimate.
func (e *EWT) Add(sample time.Duration) { e.d = (3*e.d + sample) / 4 }

// Value is the current estimate.
func (e EWT) Value() time.Duration { return e.d }

// RejectError refuses a call on arrival with a SIP status (closed, or an
// overflow rule that hangs up). It wraps ErrRejected.
type RejectError struct {
	Status int
	Reason string
}

// ErrRejected is wrapped by every RejectError.
var ErrRejected = errors.New("call rejected")

func (e *RejectError) Error() string {
	return fmt.Sprintf("call rejected (%s): status %d", e.Reason, e.Status)
}

func (e *RejectError) Unwrap() error { return ErrRejected }

// maxHops bounds how many queues a call passes through on arrival; config
// validation forbids cycles, so this only guards against a bad EngineConfig.
const maxHops = 8

// SetHours replaces a queue's business hours (nil: always open) without a
// restart; the next arrival uses them. Safe from any goroutine.
func (e *Engine) SetHours(name string, s *hours.Schedule) error {
	return e.SetSchedule(name, s, nil)
}

// Hours returns a queue's current business hours (nil: always open).
func (e *Engine) Hours(name string) (*hours.Schedule, bool) {
	if _, ok := e.queues[name]; !ok {
		return nil, false
	}
	e.hoursMu.RLock()
	defer e.hoursMu.RUnlock()
	return e.hours[name], true
}

// arrivalDecision says whether a call arriving in q at now leaves at once,
// where, and why: closed hours first, then the queue's arrival rules in
// order. The store is read only for the rules that need it.
func (e *Engine) arrivalDecision(ctx context.Context, q QueueConfig, now time.Time) (Destination, string, bool) {
	if sc, closed := e.schedule(q.Name); !sc.Open(now) {
		return closed, ReasonClosed, true
	}
	if len(q.Overflow) == 0 {
		return Destination{}, "", false
	}
	// Until read, the state is one that triggers no rule: a store error
	// never sends callers away.
	s := ArrivalState{LoggedIn: 1}
	for _, r := range q.Overflow {
		switch r.When {
		case WhenNoAgents:
			all, err := e.store.Agents(ctx)
			if err != nil {
				e.log.Warn("overflow: list agents", "queue", q.Name, "err", err)
				continue
			}
			s.LoggedIn = 0
			for _, a := range all {
				if a.State != agents.Offline && a.InQueue(q.Name) {
					s.LoggedIn++
				}
			}
		case WhenQueueLength:
			waiting, err := e.store.Waiting(ctx)
			if err != nil {
				e.log.Warn("overflow: list waiting calls", "queue", q.Name, "err", err)
				continue
			}
			s.Waiting = 0
			for _, c := range waiting {
				if c.Queue == q.Name {
					s.Waiting++
				}
			}
		}
	}
	s.EWT = e.ewt[q.Name].Value()
	r, ok := ArrivalRule(q.Overflow, s)
	return r.Dest, r.When, ok
}

// watchWaited arms the timer of the queue's waited rule for a call.
func (e *Engine) watchWaited(ctx context.Context, cs *callState) {
	r, ok := WaitedRule(e.queues[cs.call.Queue].Overflow)
	if !ok {
		return
	}
	id := cs.call.ID
	tctx := context.WithoutCancel(ctx)
	cs.overflow = time.AfterFunc(r.OverWait, func() { e.submit(func() { e.waitedReached(tctx, id) }) })
}

// waitedReached runs the waited rule for a call: a waiting call flows out
// now; a ringing one when its ringing ends unanswered.
func (e *Engine) waitedReached(ctx context.Context, id queue.CallID) {
	cs := e.calls[id]
	if cs == nil || cs.callback != nil {
		// A pending callback never flows out (engine_callback.go): its
		// timer is stopped when the callback is requested, but one that
		// fired meanwhile has its work queued behind the request.
		return
	}
	switch cs.phase {
	case phaseRinging:
		cs.overflowDue = true
		return
	case phaseConnected:
		return
	}
	if _, err := e.store.Remove(ctx, id); err != nil {
		e.log.Warn("overflow: remove from queue", "call_id", id, "err", err)
		if errors.Is(err, ErrCallNotWaiting) {
			return // claimed meanwhile: the offer decides
		}
		defer e.ghost(id)
	}
	e.waitedFlowOut(ctx, cs, time.Now())
}

// forward hands a call that has flowed out to the telephony side, to be
// transferred to an external SIP URI.
func (e *Engine) forward(c queue.Call, uri, reason string) {
	e.log.Info("overflow: forwarding call to external uri", "call_id", c.ID, "queue", c.Queue,
		"caller", MaskNumber(c.Caller), "uri", uri, "reason", reason)
	e.tel.Forward(c.ID, uri, reason)
}

// waitedFlowOut moves a call that is no longer in the store out of its
// queue by the waited rule: into the rule's queue, or hung up with a BYE.
func (e *Engine) waitedFlowOut(ctx context.Context, cs *callState, now time.Time) {
	r, _ := WaitedRule(e.queues[cs.call.Queue].Overflow)
	c := cs.call
	e.forget(c.ID)
	e.emit(Event{Time: now, Type: EvOverflowed, CallID: string(c.ID), Queue: c.Queue, Caller: c.Caller,
		Reason: WhenWaited, Target: r.Dest.target(), WaitMS: c.Wait(now).Milliseconds(), Attempts: c.Attempts, Priority: c.Priority})
	if r.Dest.Exit != "" && r.Dest.Queue == "" {
		e.exit(c, r.Dest, WhenWaited)
		return
	}
	if r.Dest.URI != "" && r.Dest.Queue == "" {
		e.forward(c, r.Dest.URI, WhenWaited)
		return
	}
	if r.Dest.Queue == "" {
		e.tel.Drop(c.ID, WhenWaited)
		return
	}
	next := c
	next.Queue, next.Missed = r.Dest.Queue, nil
	if err := e.admit(ctx, next, 1); err != nil {
		e.log.Warn("overflow: enqueue in target queue failed; hanging up", "call_id", c.ID, "queue", r.Dest.Queue, "err", err)
		if !errors.Is(err, ErrQueueFull) && !errors.Is(err, ErrRejected) {
			e.emit(Event{Time: now, Type: EvDropped, CallID: string(c.ID), Queue: r.Dest.Queue, Caller: c.Caller, Reason: "overflow-failed"})
		}
		e.tel.Drop(c.ID, "overflow-failed")
	}
}
