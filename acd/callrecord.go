package acd

import (
	"errors"
	"sync"
	"time"

	"github.com/sme/acd/agents"
)

// EvCallRecord is one line per finished call that sums the call up
// (Event.Record), for whoever wants a call without assembling events:
// billing, a CRM, a spreadsheet. It is derived from the call's events and
// written after them, so the two cannot disagree; measurements never count
// it (acd/report reads it only to complete a call whose first events were
// in a log file since deleted). A crash may lose a record whose call's
// events are on disk, never the reverse.
const EvCallRecord EventType = "call-record"

// Outcomes in call records: the words acd/report uses.
const (
	OutcomeAnswered  = "answered"
	OutcomeAbandoned = "abandoned"
	OutcomeTimedOut  = "timed-out"
	// OutcomeOverflowed: sent out of the queue by an overflow rule or
	// closed hours (EvOverflowed); a flow-out.
	OutcomeOverflowed = "overflowed"
	OutcomeDropped    = "dropped"
	OutcomeRejected   = "rejected"
)

// CallRecord is one finished call. Times are those of the call's events;
// durations are in milliseconds.
type CallRecord struct {
	Queue string `json:"queue"`
	// Caller is the caller's number, masked (MaskNumber) when the
	// recorder is told to.
	Caller string `json:"caller,omitempty"`
	// Agent answered the call.
	Agent string `json:"agent,omitempty"`
	// Entered is when the call entered the queue (for a rejected call,
	// when it was refused); Offered the first offer to an agent; Answered
	// the answer; Ended when the caller's leg ended. Offered and Answered
	// are left out when they did not happen.
	Entered  time.Time `json:"entered"`
	Offered  time.Time `json:"offered,omitzero"`
	Answered time.Time `json:"answered,omitzero"`
	Ended    time.Time `json:"ended"`
	// WaitMS is the queue wait: entered to answered (ring time included),
	// or to the end for an unanswered call. RingMS sums the time agents'
	// phones rang for it, over every offer. TalkMS runs from the answer to
	// the end; WrapUpMS is the answering agent's wrap-up after it.
	WaitMS   int64 `json:"wait_ms"`
	RingMS   int64 `json:"ring_ms"`
	TalkMS   int64 `json:"talk_ms"`
	WrapUpMS int64 `json:"wrap_up_ms"`
	// Outcome is one of the Outcome constants; Reason the end event's.
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
	// Attempts counts the offers made.
	Attempts int `json:"attempts"`
	// Partial: the recorder did not see the call enter (it entered on
	// another node, or before a restart); Entered is derived from the
	// wait the later events carry, and Offered and RingMS may be short.
	Partial bool `json:"partial,omitempty"`
	// WrapUpCut: the record was written before the wrap-up ended, because
	// the ACD stopped; WrapUpMS runs to the stop.
	WrapUpCut bool `json:"wrap_up_cut,omitempty"`
}

// CallRecorder is an EventLog that hands every event to Next and, after
// the event that finishes a call, appends the call's record to Next too.
// A call is finished when its caller's leg ends (abandoned, timed out,
// dropped, or rejected before queueing), except an answered call: its
// record waits for the end of the agent's wrap-up, the first agent-state
// event of that agent after the completed event that is not wrap-up, so
// the record holds the wrap-up time. The engine knows nothing of records.
// Records still waiting for a wrap-up when the ACD stops are written by
// Close, marked WrapUpCut.
type CallRecorder struct {
	next EventLog
	mask bool
	now  func() time.Time

	mu       sync.Mutex
	calls    map[string]*recording // by call id, until the call ends
	wrapping map[string]*recording // by agent, answered calls in wrap-up
}

// recording is a record being assembled.
type recording struct {
	rec      CallRecord
	callID   string
	node     string
	ringFrom time.Time // an offer rings since
	wrapFrom time.Time // the agent's wrap-up began
	callback bool      // the caller asked to be called back
}

// NewCallRecorder returns a recorder writing to next; maskCaller masks
// callers' numbers in records (not in the events passed on).
func NewCallRecorder(next EventLog, maskCaller bool) *CallRecorder {
	return &CallRecorder{next: next, mask: maskCaller, now: time.Now,
		calls: map[string]*recording{}, wrapping: map[string]*recording{}}
}

// Append implements EventLog: ev goes to Next, then any record it
// finishes. Both are attempted; the errors are joined.
func (r *CallRecorder) Append(ev Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.next.Append(ev)
	for _, rec := range r.fold(ev) {
		err = errors.Join(err, r.next.Append(rec))
	}
	return err
}

// Close writes the records still waiting for the end of a wrap-up, with
// the wrap-up so far. Call it once the engine has stopped, before closing
// Next.
func (r *CallRecorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	var err error
	for agent, s := range r.wrapping {
		s.rec.WrapUpCut = true
		if !s.wrapFrom.IsZero() {
			s.rec.WrapUpMS = max(0, now.Sub(s.wrapFrom).Milliseconds())
		}
		err = errors.Join(err, r.next.Append(s.event(now)))
		delete(r.wrapping, agent)
	}
	return err
}

// fold updates the recordings with ev and returns the records it finishes.
func (r *CallRecorder) fold(ev Event) []Event {
	switch ev.Type {
	case EvCallRecord, EvMenu, EvAnnounced, EvVoicemail:
		return nil
	case EvAgentState:
		s := r.wrapping[ev.Agent]
		switch {
		case s == nil:
			return nil
		case ev.State == agents.WrapUp.String():
			if s.wrapFrom.IsZero() {
				s.wrapFrom = ev.Time
			}
			return nil
		}
		delete(r.wrapping, ev.Agent)
		if !s.wrapFrom.IsZero() {
			s.rec.WrapUpMS = max(0, ev.Time.Sub(s.wrapFrom).Milliseconds())
		}
		return []Event{s.event(ev.Time)}
	}
	if ev.CallID == "" {
		return nil
	}
	s := r.calls[ev.CallID]
	if s == nil {
		s = &recording{callID: ev.CallID, node: ev.Node, rec: CallRecord{Queue: ev.Queue}}
		s.rec.Partial = ev.Type != EvEntered && ev.Type != EvRejected
		r.calls[ev.CallID] = s
	}
	c := &s.rec
	switch ev.Type {
	case EvConnected, EvCompleted, EvAbandoned, EvTimedOut, EvOverflowed, EvDropped, EvCallbackFailed:
		if c.Entered.IsZero() { // partial: the events carry the wait so far
			c.Entered = ev.Time.Add(-time.Duration(ev.WaitMS+ev.TalkMS) * time.Millisecond)
		}
	}
	if ev.Caller != "" {
		c.Caller = ev.Caller
		if r.mask {
			c.Caller = MaskNumber(ev.Caller)
		}
	}
	c.Attempts = max(c.Attempts, ev.Attempts)
	if out, ok := s.foldCallback(ev); ok {
		if len(out) > 0 {
			delete(r.calls, ev.CallID)
		}
		return out
	}
	switch ev.Type {
	case EvEntered:
		c.Entered = ev.Time
		return nil
	case EvOffered:
		s.stopRing(ev.Time)
		if c.Offered.IsZero() {
			c.Offered = ev.Time
		}
		s.ringFrom = ev.Time
		return nil
	case EvRingNoAnswer:
		s.stopRing(ev.Time)
		return nil
	case EvConnected:
		s.stopRing(ev.Time)
		c.Answered, c.Agent = ev.Time, ev.Agent
		c.WaitMS = ev.Time.Sub(c.Entered).Milliseconds()
		return nil
	case EvCompleted:
		if c.Answered.IsZero() { // connected before a restart
			c.Answered, c.Agent = ev.Time.Add(-time.Duration(ev.TalkMS)*time.Millisecond), ev.Agent
			c.WaitMS = c.Answered.Sub(c.Entered).Milliseconds()
		}
		c.TalkMS = ev.Time.Sub(c.Answered).Milliseconds()
		s.end(ev, OutcomeAnswered)
		if s.callback {
			c.Outcome = OutcomeCallback
		}
		delete(r.calls, ev.CallID)
		if c.Agent == "" {
			return []Event{s.event(ev.Time)}
		}
		var out []Event
		if prev := r.wrapping[c.Agent]; prev != nil {
			// Its wrap-up's end was never seen: write it as it is.
			out = append(out, prev.event(ev.Time))
		}
		r.wrapping[c.Agent] = s
		return out
	case EvAbandoned, EvTimedOut, EvOverflowed, EvDropped, EvRejected:
		outcome := map[EventType]string{EvAbandoned: OutcomeAbandoned, EvTimedOut: OutcomeTimedOut, EvOverflowed: OutcomeOverflowed,
			EvDropped: OutcomeDropped, EvRejected: OutcomeRejected}[ev.Type]
		if ev.Type == EvRejected && c.Entered.IsZero() {
			c.Entered = ev.Time
		}
		s.stopRing(ev.Time)
		c.WaitMS = max(0, ev.Time.Sub(c.Entered).Milliseconds())
		s.end(ev, outcome)
		delete(r.calls, ev.CallID)
		return []Event{s.event(ev.Time)}
	}
	return nil // an event type this version does not know
}

func (s *recording) stopRing(at time.Time) {
	if !s.ringFrom.IsZero() {
		s.rec.RingMS += max(0, at.Sub(s.ringFrom).Milliseconds())
		s.ringFrom = time.Time{}
	}
}

func (s *recording) end(ev Event, outcome string) {
	s.rec.Ended, s.rec.Outcome, s.rec.Reason = ev.Time, outcome, ev.Reason
}

// event is the record's line, written at t.
func (s *recording) event(t time.Time) Event {
	rec := s.rec
	return Event{Time: t, Type: EvCallRecord, Node: s.node, CallID: s.callID, Queue: rec.Queue, Agent: rec.Agent, Record: &rec}
}

// SyncEvents implements Syncer by forwarding to the next log.
func (r *CallRecorder) SyncEvents() error { return SyncEvents(r.next) }
