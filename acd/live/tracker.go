// Package live keeps the ACD's live measurements: today's per-queue tallies
// (service level, ASA, abandonment rate, as defined in METRICS.md), the
// Prometheus counters and histograms, and a feed of changes for wallboards.
//
// A Tracker sits between the engine and the durable event log as a tee:
// every event is first appended to the wrapped log, then counted, then
// announced to subscribers. The event log stays the source of truth; the
// tracker only saves re-reading it on every wallboard refresh. Its tallies
// use report.QueueCounts, so the wallboard's SL, ASA and abandonment rate
// are computed by the very formulas `acd report` prints.
//
// What is live right now (calls waiting, longest wait, agents by state) is
// not tracked from events: it is read from the store at read time through
// acd.Snapshot, which stays right across nodes and restarts.
package live

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/report"
)

// Defaults match `acd report`'s.
const (
	// DefaultThreshold is T for a queue without a configured service level.
	DefaultThreshold = 20 * time.Second
	// DefaultShort is S, the short-abandon threshold.
	DefaultShort = 5 * time.Second
)

// Tracker is an acd.EventLog that forwards every event to the next log and
// keeps today's figures per queue. It is safe for concurrent use.
type Tracker struct {
	next    acd.EventLog
	loc     *time.Location
	now     func() time.Time
	formula report.Formula
	short   time.Duration
	deflt   time.Duration

	mu sync.Mutex
	// order lists queue names: configured queues first, in config order,
	// then any other queue an event named.
	order     []string
	threshold map[string]time.Duration
	number    map[string]string
	// day is the start of the current day in loc; today holds the tallies
	// of calls that entered the queue since then.
	day   time.Time
	today map[string]*report.QueueCounts
	// calls holds calls seen entering and not yet ended.
	calls map[string]*openCall
	seq   uint64
	subs  map[*subscriber]struct{}

	metrics metrics
}

// openCall is what the tracker remembers of a call in progress.
type openCall struct {
	queue   string
	entered time.Time
	// answered: the connected event was counted; tallied: the call is in
	// today's tallies as open (it entered today and has not been decided).
	answered, tallied bool
}

// Option adjusts a Tracker.
type Option func(*Tracker)

// WithFormula chooses the service-level formula shown as SL (default sl_b).
func WithFormula(f report.Formula) Option { return func(t *Tracker) { t.formula = f } }

// WithShortAbandon sets S, the short-abandon threshold (default 5 s).
func WithShortAbandon(s time.Duration) Option { return func(t *Tracker) { t.short = s } }

// WithDefaultThreshold sets T for queues without a service level (default 20 s).
func WithDefaultThreshold(d time.Duration) Option { return func(t *Tracker) { t.deflt = d } }

// NewTracker wraps next (which may be nil in tests). queues gives the
// queues to show, in order, and each one's service-level threshold T; loc
// is the time zone whose midnight starts "today"; now is the clock (nil
// means time.Now).
func NewTracker(next acd.EventLog, queues []acd.QueueConfig, loc *time.Location, now func() time.Time, opts ...Option) *Tracker {
	if loc == nil {
		loc = time.Local
	}
	if now == nil {
		now = time.Now
	}
	t := &Tracker{
		next: next, loc: loc, now: now,
		formula: report.SLB, short: DefaultShort, deflt: DefaultThreshold,
		threshold: map[string]time.Duration{},
		number:    map[string]string{},
		calls:     map[string]*openCall{},
		subs:      map[*subscriber]struct{}{},
	}
	for _, o := range opts {
		o(t)
	}
	var thresholds []time.Duration
	for _, q := range queues {
		if _, dup := t.threshold[q.Name]; dup {
			continue
		}
		t.order = append(t.order, q.Name)
		t.number[q.Name] = q.Number
		t.threshold[q.Name] = t.deflt
		if q.ServiceLevel > 0 {
			t.threshold[q.Name] = q.ServiceLevel
		}
		thresholds = append(thresholds, t.threshold[q.Name])
	}
	t.metrics = newMetrics(t.order, thresholds)
	t.resetDay(t.now())
	return t
}

// Append forwards ev to the next log, then counts it and tells subscribers.
// The event is counted even when the next log fails: the step it records
// happened (the engine goes on and logs the failure loudly), and the
// wallboard shows what happened. Append never blocks on a subscriber.
func (t *Tracker) Append(ev acd.Event) error {
	var err error
	if t.next != nil {
		err = t.next.Append(ev)
	}
	t.mu.Lock()
	t.rollover(t.now())
	t.count(ev, true)
	t.seq++
	t.publish(Change{Seq: t.seq, Type: ev.Type, Queue: ev.Queue, Agent: ev.Agent})
	t.mu.Unlock()
	return err
}

// Replay folds events already in the log (e.g. read back at start-up) into
// today's tallies, so a restart does not zero the wallboard. Events from
// before today are skipped; nothing is forwarded, announced or added to the
// Prometheus counters, which start at zero with the process as Prometheus
// expects.
func (t *Tracker) Replay(events []acd.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rollover(t.now())
	for _, ev := range events {
		if ev.Time.Before(t.day) {
			continue
		}
		t.count(ev, false)
	}
}

// CountSIPResponse counts one SIP response the ACD sent, by status code,
// for acd_sip_responses_total{code}.
func (t *Tracker) CountSIPResponse(code int) { t.metrics.sipResponse(code) }

// Day is the start of the current day in the tracker's zone.
func (t *Tracker) Day() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rollover(t.now())
	return t.day
}

// rollover starts a new day when the clock has passed midnight in loc.
func (t *Tracker) rollover(now time.Time) {
	if start := startOfDay(now, t.loc); !start.Equal(t.day) {
		t.resetDay(now)
	}
}

// resetDay zeroes today's tallies and forgets calls that entered more than
// a day before: their end, if it ever comes, counts on a past day anyway.
func (t *Tracker) resetDay(now time.Time) {
	t.day = startOfDay(now, t.loc)
	t.today = map[string]*report.QueueCounts{}
	for _, q := range t.order {
		t.today[q] = &report.QueueCounts{}
	}
	for id, c := range t.calls {
		if c.entered.Before(t.day.AddDate(0, 0, -1)) {
			delete(t.calls, id)
		}
	}
}

// startOfDay is local midnight (or the first instant of the day, where a
// zone skips midnight) of the day holding now.
func startOfDay(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// counts returns the named queue's tallies for today, adding an
// unconfigured queue at the end of the order.
func (t *Tracker) counts(queue string) *report.QueueCounts {
	c := t.today[queue]
	if c == nil {
		if _, known := t.threshold[queue]; !known {
			t.order = append(t.order, queue)
			t.threshold[queue] = t.deflt
		}
		c = &report.QueueCounts{}
		t.today[queue] = c
	}
	return c
}

// count folds one event into today's tallies and, when live, into the
// Prometheus metrics. A call counts on the day it entered the queue
// (METRICS.md's rule), so the end of a call that entered before midnight
// does not touch today's figures.
func (t *Tracker) count(ev acd.Event, live bool) {
	if ev.Type == acd.EvAgentState || ev.Queue == "" {
		return
	}
	c := t.calls[ev.CallID]
	wait := time.Duration(ev.WaitMS) * time.Millisecond
	entered := ev.Time.Add(-wait)
	if ev.Type == acd.EvCompleted {
		entered = entered.Add(-time.Duration(ev.TalkMS) * time.Millisecond)
	}
	if c != nil {
		// The entered event's own time is exact; the carried wait is cut to
		// milliseconds. Use it like the report does.
		entered = c.entered
	}
	today := !entered.Before(t.day)
	if ev.Type != acd.EvEntered && ev.Type != acd.EvRejected && ev.Type != acd.EvRingNoAnswer && ev.Type != acd.EvOffered {
		wait = ev.Time.Sub(entered)
	}

	if t.countCallback(ev, c, entered, today, live) {
		return
	}
	var outcome report.Outcome
	switch ev.Type {
	case acd.EvEntered:
		tallied := !ev.Time.Before(t.day)
		t.calls[ev.CallID] = &openCall{queue: ev.Queue, entered: ev.Time, tallied: tallied}
		if live {
			t.metrics.entered.WithLabelValues(ev.Queue).Inc()
		}
		if tallied {
			q := t.counts(ev.Queue)
			q.Offered++
			q.Open++
		}
		return
	case acd.EvRejected:
		if live {
			t.metrics.calls.WithLabelValues(ev.Queue, string(report.OutcomeRejected)).Inc()
		}
		if !ev.Time.Before(t.day) {
			t.counts(ev.Queue).Rejected++
		}
		return
	case acd.EvRingNoAnswer:
		if live {
			t.metrics.noAnswer.WithLabelValues(ev.Queue, ev.Reason).Inc()
		}
		return
	case acd.EvOffered:
		return
	case acd.EvConnected:
		outcome = report.OutcomeAnswered
	case acd.EvCompleted:
		delete(t.calls, ev.CallID)
		if live {
			t.metrics.talk.WithLabelValues(ev.Queue).Observe(float64(ev.TalkMS) / 1000)
		}
		if today {
			q := t.counts(ev.Queue)
			q.Handled++
			q.Talk += time.Duration(ev.TalkMS) * time.Millisecond
		}
		if c != nil && c.answered {
			return
		}
		// The connected event was not seen (the tracker started after
		// it): count the answer now, as the report does.
		wait = time.Duration(ev.WaitMS) * time.Millisecond
		outcome = report.OutcomeAnswered
	case acd.EvAbandoned:
		outcome = report.OutcomeAbandoned
	case acd.EvTimedOut:
		outcome = report.OutcomeTimedOut
	case acd.EvOverflowed:
		outcome = report.OutcomeOverflowed
	case acd.EvDropped:
		outcome = report.OutcomeDropped
	default:
		return
	}

	if live {
		t.metrics.calls.WithLabelValues(ev.Queue, string(outcome)).Inc()
		t.metrics.wait.WithLabelValues(ev.Queue, string(outcome)).Observe(wait.Seconds())
	}
	wasOpen := c != nil && c.tallied
	switch {
	case ev.Type != acd.EvConnected:
		delete(t.calls, ev.CallID)
	case c == nil:
		// Connected without a seen entry: remember the answer, so its
		// completed event does not count it again.
		t.calls[ev.CallID] = &openCall{queue: ev.Queue, entered: entered, answered: true}
	default:
		c.answered, c.tallied = true, false
	}
	if !today {
		return
	}
	q := t.counts(ev.Queue)
	if wasOpen {
		// Tallied as open when it entered today; now it is decided.
		q.Offered--
		q.Open--
	}
	q.AddCall(&report.CallRecord{Queue: ev.Queue, Outcome: outcome, Wait: wait}, t.threshold[ev.Queue], t.short)
}

// Describe and Collect make the tracker's counters and histograms a
// prometheus.Collector.
func (t *Tracker) Describe(ch chan<- *prometheus.Desc) { t.metrics.describe(ch) }

// Collect sends the current values of the tracker's metrics.
func (t *Tracker) Collect(ch chan<- prometheus.Metric) { t.metrics.collect(ch) }

// SyncEvents implements acd.Syncer by forwarding to the next log.
func (t *Tracker) SyncEvents() error {
	if t.next == nil {
		return nil
	}
	return acd.SyncEvents(t.next)
}
