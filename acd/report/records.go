package report

import (
	"fmt"
	"sort"
	"time"
	"unicode"

	"github.com/sme/acd/acd"
)

// Outcome is how a call left the ACD.
type Outcome string

// The outcomes. Timed-out calls are flow-outs (METRICS.md): neither answered
// nor abandoned. Rejected calls never entered a queue and are not offered.
const (
	OutcomeAnswered  Outcome = "answered"
	OutcomeAbandoned Outcome = "abandoned"
	OutcomeTimedOut  Outcome = "timed-out"
	// OutcomeOverflowed: an overflow rule or closed hours sent the call out
	// of the queue (acd.EvOverflowed), a flow-out like timed-out. A call
	// sent on to another queue starts a new record there.
	OutcomeOverflowed Outcome = "overflowed"
	OutcomeRejected   Outcome = "rejected"
	OutcomeDropped    Outcome = "dropped"
	// OutcomeOpen: the log holds no end for the call: it was still in
	// progress when the log ends, or its end was lost in a crash.
	OutcomeOpen Outcome = "open"
)

// CallRecord is one call, assembled from its events.
type CallRecord struct {
	CallID string
	Node   string
	Queue  string
	Caller string
	// Agent answered the call.
	Agent string
	// Entered is when the call entered the queue (for a rejected call, when
	// it was refused). Offered is the first offer, Answered the answer,
	// Ended when it left the ACD; each is zero when it did not happen.
	Entered  time.Time
	Offered  time.Time
	Answered time.Time
	Ended    time.Time
	// Wait is the queue wait: from entering to the answer (ring time
	// included), or to leaving the queue unanswered.
	Wait time.Duration
	// Ring sums the time agents' phones rang for the call, over all offers.
	Ring time.Duration
	Talk time.Duration
	// WrapUp is the answering agent's wrap-up state after the call.
	WrapUp   time.Duration
	Outcome  Outcome
	Reason   string
	Attempts int
	// Rung lists the agents rung, once per offer; Missed those who rang
	// without answering (no answer, busy, declined, unreachable).
	Rung   []string
	Missed []string
	// Partial: the log does not hold the call's entered event (it is in an
	// older file); Entered was derived from the wait the events carry. A
	// call record (acd.EvCallRecord) of the call, when the log holds one,
	// completes it instead.
	Partial bool
	// Callback: the caller asked to be called back (callback.go);
	// CallbackWait is their wait until they asked.
	Callback     bool
	CallbackWait time.Duration

	ringFrom time.Time // an offer is ringing since
	ended    bool      // an end event was seen
	handled  bool      // completed: talk time is known
}

// AgentInterval is a stretch of time an agent spent in one logged-in state
// (available, ringing, busy, wrap-up, paused).
type AgentInterval struct {
	Agent string `json:"agent"`
	State string `json:"state"`
	// Reason is the pause reason, for paused.
	Reason string    `json:"reason,omitempty"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	// Open: the log ends in this state; End is the last event's time.
	Open bool `json:"open,omitempty"`
}

// Dataset is what a log holds, ready to be measured.
type Dataset struct {
	Calls  []CallRecord
	Agents []AgentInterval
	// Start and End are the first and last events' times.
	Start, End time.Time
	// Warnings are events that did not fit (unknown types, calls without
	// a queue): reported, never silently dropped.
	Warnings []string
}

// BuildOptions say how to build records.
type BuildOptions struct {
	// MaskCaller hides callers' numbers but for their last digits.
	MaskCaller bool
}

type agentTrack struct {
	cur      *AgentInterval
	lastCall *CallRecord // the call the agent last completed
	wrapCall *CallRecord // the call the current wrap-up belongs to
}

// Build assembles call records and agent intervals from events in log
// order. An agent's state before its first event is unknown and not
// counted; states still open at the end are closed at the last event.
func Build(events []acd.Event, opt BuildOptions) Dataset {
	var ds Dataset
	calls := map[string]*CallRecord{}
	var order []*CallRecord
	agents := map[string]*agentTrack{}
	records := map[string]*acd.CallRecord{}
	for _, ev := range events {
		if ev.Type == acd.EvMenu || ev.Type == acd.EvAnnounced || ev.Type == acd.EvVoicemail {
			continue // IVR before the queue, announcements, voicemail after it: not queue steps
		}
		if ev.Type == acd.EvCallRecord {
			// A summary of events the log also holds: never counted.
			if ev.Record != nil {
				records[ev.CallID] = ev.Record
			}
			continue
		}
		if ds.Start.IsZero() || ev.Time.Before(ds.Start) {
			ds.Start = ev.Time
		}
		if ev.Time.After(ds.End) {
			ds.End = ev.Time
		}
		if ev.Type == acd.EvAgentState {
			ds.agentState(agents, ev)
			continue
		}
		if ev.CallID == "" {
			ds.Warnings = append(ds.Warnings, fmt.Sprintf("%s event at %s without call_id ignored", ev.Type, ev.Time.Format(time.RFC3339Nano)))
			continue
		}
		c := calls[ev.CallID]
		if c == nil || (c.ended && (ev.Type == acd.EvEntered || ev.Type == acd.EvRejected)) {
			c = &CallRecord{CallID: ev.CallID, Node: ev.Node, Queue: ev.Queue, Partial: ev.Type != acd.EvEntered && ev.Type != acd.EvRejected}
			calls[ev.CallID] = c
			order = append(order, c)
		}
		if err := c.apply(ev); err != nil {
			ds.Warnings = append(ds.Warnings, err.Error())
		}
		if ev.Type == acd.EvCompleted && ev.Agent != "" {
			track(agents, ev.Agent).lastCall = c
		}
	}
	for _, a := range agents {
		ds.closeState(a, ds.End, true)
	}
	for _, c := range order {
		if rec := records[c.CallID]; c.Partial && rec != nil {
			c.complete(rec)
		}
		if opt.MaskCaller {
			c.Caller = MaskNumber(c.Caller)
		}
		if !c.ended && c.Outcome == "" {
			c.Outcome = OutcomeOpen
		}
		ds.Calls = append(ds.Calls, *c)
	}
	sort.SliceStable(ds.Agents, func(i, j int) bool { return ds.Agents[i].Start.Before(ds.Agents[j].Start) })
	return ds
}

func track(m map[string]*agentTrack, id string) *agentTrack {
	a := m[id]
	if a == nil {
		a = &agentTrack{}
		m[id] = a
	}
	return a
}

func (ds *Dataset) agentState(m map[string]*agentTrack, ev acd.Event) {
	a := track(m, ev.Agent)
	ds.closeState(a, ev.Time, false)
	if ev.State == "offline" {
		return
	}
	iv := &AgentInterval{Agent: ev.Agent, State: ev.State, Start: ev.Time}
	if ev.State == "paused" {
		iv.Reason = ev.Reason
	}
	a.cur = iv
	if ev.State == "wrap-up" {
		a.wrapCall, a.lastCall = a.lastCall, nil
	}
}

func (ds *Dataset) closeState(a *agentTrack, at time.Time, open bool) {
	if a.cur == nil {
		return
	}
	if at.Before(a.cur.Start) { // the clock stepped back
		at = a.cur.Start
	}
	a.cur.End, a.cur.Open = at, open
	if a.cur.State == "wrap-up" && a.wrapCall != nil {
		a.wrapCall.WrapUp += at.Sub(a.cur.Start)
		a.wrapCall = nil
	}
	ds.Agents = append(ds.Agents, *a.cur)
	a.cur = nil
}

// apply folds one call event into the record.
func (c *CallRecord) apply(ev acd.Event) error {
	if c.Queue == "" {
		c.Queue = ev.Queue
	}
	if ev.Caller != "" {
		c.Caller = ev.Caller
	}
	if ev.Attempts > c.Attempts {
		c.Attempts = ev.Attempts
	}
	wait := time.Duration(ev.WaitMS) * time.Millisecond
	if c.Entered.IsZero() && ev.Type != acd.EvRingNoAnswer {
		c.Entered = ev.Time.Add(-wait - time.Duration(ev.TalkMS)*time.Millisecond)
	}
	if c.applyCallback(ev) {
		return nil
	}
	switch ev.Type {
	case acd.EvEntered:
		c.Entered = ev.Time
	case acd.EvRejected:
		c.end(ev, OutcomeRejected)
	case acd.EvOffered:
		c.stopRing(ev.Time)
		if c.Offered.IsZero() {
			c.Offered = ev.Time
		}
		c.ringFrom = ev.Time
		c.Rung = append(c.Rung, ev.Agents...)
	case acd.EvRingNoAnswer:
		c.stopRing(ev.Time)
		c.Missed = append(c.Missed, ev.Agent)
	case acd.EvConnected:
		c.stopRing(ev.Time)
		c.Answered, c.Agent, c.Outcome = ev.Time, ev.Agent, OutcomeAnswered
		c.Wait = ev.Time.Sub(c.Entered)
	case acd.EvCompleted:
		if c.Answered.IsZero() { // connected was in an older file
			c.Answered, c.Agent, c.Outcome = ev.Time.Add(-time.Duration(ev.TalkMS)*time.Millisecond), ev.Agent, OutcomeAnswered
			c.Wait = c.Answered.Sub(c.Entered)
		}
		c.Talk, c.handled = ev.Time.Sub(c.Answered), true
		c.end(ev, OutcomeAnswered)
	case acd.EvAbandoned:
		c.end(ev, OutcomeAbandoned)
	case acd.EvTimedOut:
		c.end(ev, OutcomeTimedOut)
	case acd.EvOverflowed:
		c.end(ev, OutcomeOverflowed)
	case acd.EvDropped:
		c.end(ev, OutcomeDropped)
	default:
		return fmt.Errorf("call %s: unknown event type %q at %s ignored", c.CallID, ev.Type, ev.Time.Format(time.RFC3339Nano))
	}
	if c.Callback && c.Outcome == OutcomeAnswered {
		c.Outcome = OutcomeCallback // connected by calling the caller back
	}
	return nil
}

// complete fills in a partial call, whose first events were in a log file
// no longer read, from its call record (acd.CallRecorder), which the log
// holds after the call's last event. A record that is itself partial, or
// that is not of this call's end, is not used.
func (c *CallRecord) complete(rec *acd.CallRecord) {
	if rec.Partial || rec.Entered.IsZero() || !c.ended || !rec.Ended.Equal(c.Ended) {
		return
	}
	c.Entered, c.Partial = rec.Entered, false
	if !rec.Offered.IsZero() {
		c.Offered = rec.Offered
	}
	c.Ring = max(c.Ring, time.Duration(rec.RingMS)*time.Millisecond)
	c.Attempts = max(c.Attempts, rec.Attempts)
	if answeredBy(c.Outcome) {
		c.Wait = c.Answered.Sub(c.Entered)
	} else {
		c.Wait = c.Ended.Sub(c.Entered)
	}
}

func (c *CallRecord) stopRing(at time.Time) {
	if !c.ringFrom.IsZero() {
		c.Ring += at.Sub(c.ringFrom)
		c.ringFrom = time.Time{}
	}
}

func (c *CallRecord) end(ev acd.Event, o Outcome) {
	c.stopRing(ev.Time)
	c.Ended, c.Outcome, c.Reason, c.ended = ev.Time, o, ev.Reason, true
	if o != OutcomeAnswered {
		c.Wait = ev.Time.Sub(c.Entered)
	}
}

// MaskNumber hides a caller's number but for its last three digits: every
// other letter and digit becomes "*", while "+", separators and the length
// stay, so masked numbers can still be told apart and compared.
func MaskNumber(s string) string {
	b := []rune(s)
	keep := 3
	for i := len(b) - 1; i >= 0; i-- {
		r := b[i]
		switch {
		case r >= '0' && r <= '9' && keep > 0:
			keep--
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b[i] = '*'
		}
	}
	return string(b)
}
