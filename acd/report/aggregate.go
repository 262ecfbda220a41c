package report

import (
	"sort"
	"time"
)

// Rule is the counting rule every report states.
const Rule = "Each call counts in the interval in which it entered the queue, for every figure, " +
	"so in every interval Offered = Answered + Abandoned + Flow-outs (timed out) + Callbacks + Dropped (ended by the ACD) + Open (no end in the log); " +
	"a call whose caller asked to be called back is a flow-out of its own (Callbacks = connected + failed + pending), never in Ans, Ab, SL or ASA, " +
	"and one that connected counts as answered via callback in AHT and for its agent. " +
	"rejected calls (queue full) never entered and are not offered. " +
	"Agents' state times (occupancy, utilisation, pauses) are clock time cut at interval boundaries."

// Options choose what a report measures and how.
type Options struct {
	// Interval cuts the report into periods; the zero Interval gives totals only.
	Interval Interval
	// Location is the time zone of periods and printed times (default UTC).
	Location *time.Location
	// Threshold is T of the service level (default 20 s); QueueThreshold
	// overrides it per queue (from each queue's configured service_level).
	Threshold      time.Duration
	QueueThreshold map[string]time.Duration
	// Short is S, the short-abandon threshold (default 5 s).
	Short time.Duration
	// SL is the service-level formula shown as "SL" (default sl_b).
	SL Formula
}

func (o Options) withDefaults() Options {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Threshold <= 0 {
		o.Threshold = 20 * time.Second
	}
	if o.Short <= 0 {
		o.Short = 5 * time.Second
	}
	if o.SL == "" {
		o.SL = SLB
	}
	return o
}

// ThresholdFor is T for the named queue.
func (o Options) ThresholdFor(queue string) time.Duration {
	if t, ok := o.QueueThreshold[queue]; ok && t > 0 {
		return t
	}
	return o.Threshold
}

// QueuePeriod is one queue's tallies in one period; a zero Start means the
// total over the whole log.
type QueuePeriod struct {
	Queue      string
	Start, End time.Time
	Threshold  time.Duration
	Counts     QueueCounts
}

// AgentPeriod is one agent's tallies in one period (zero Start: total).
type AgentPeriod struct {
	Agent      string
	Start, End time.Time
	Counts     AgentCounts
}

// Report holds the measurements of a dataset.
type Report struct {
	Options Options
	// From and To bound the events read.
	From, To time.Time
	// Queues lists each queue's periods in time order, then its total.
	Queues []QueuePeriod
	// Agents likewise, per agent.
	Agents []AgentPeriod
	Calls  []CallRecord
	Torn   []TornLine
	// Warnings come from building the records.
	Warnings []string
}

type periodKey struct {
	name  string
	start int64 // UnixNano of the period start; total = minimum int64
}

const totalKey = -1 << 63

// Compute measures a dataset.
func Compute(ds Dataset, opt Options) *Report {
	opt = opt.withDefaults()
	r := &Report{Options: opt, From: ds.Start, To: ds.End, Calls: ds.Calls, Warnings: ds.Warnings}
	queues := map[periodKey]*QueuePeriod{}
	agents := map[periodKey]*AgentPeriod{}
	qp := func(name string, start, end time.Time, total bool) *QueuePeriod {
		k := periodKey{name, start.UnixNano()}
		if total {
			k.start, start, end = totalKey, time.Time{}, time.Time{}
		}
		p := queues[k]
		if p == nil {
			p = &QueuePeriod{Queue: name, Start: start, End: end, Threshold: opt.ThresholdFor(name)}
			queues[k] = p
		}
		return p
	}
	ap := func(name string, start, end time.Time, total bool) *AgentPeriod {
		k := periodKey{name, start.UnixNano()}
		if total {
			k.start, start, end = totalKey, time.Time{}, time.Time{}
		}
		p := agents[k]
		if p == nil {
			p = &AgentPeriod{Agent: name, Start: start, End: end}
			agents[k] = p
		}
		return p
	}
	for i := range ds.Calls {
		c := &ds.Calls[i]
		start, end := opt.Interval.Period(c.Entered, opt.Location)
		t := opt.ThresholdFor(c.Queue)
		for _, total := range periods(opt.Interval) {
			qp(c.Queue, start, end, total).Counts.AddCall(c, t, opt.Short)
			for _, a := range c.Rung {
				ap(a, start, end, total).Counts.Offered++
			}
			for _, a := range c.Missed {
				ap(a, start, end, total).Counts.Missed++
			}
			if answeredBy(c.Outcome) && c.Agent != "" {
				a := &ap(c.Agent, start, end, total).Counts
				a.Answered++
				if c.handled {
					a.Handled++
					a.Talk += c.Talk
					a.WrapUp += c.WrapUp
				}
			}
		}
	}
	for _, iv := range ds.Agents {
		ap(iv.Agent, time.Time{}, time.Time{}, true).Counts.addState(iv.State, iv.Reason, iv.End.Sub(iv.Start))
		if opt.Interval.IsZero() {
			continue
		}
		for from := iv.Start; from.Before(iv.End); {
			start, end := opt.Interval.Period(from, opt.Location)
			to := end
			if iv.End.Before(to) {
				to = iv.End
			}
			ap(iv.Agent, start, end, false).Counts.addState(iv.State, iv.Reason, to.Sub(from))
			from = to
		}
	}
	for _, p := range queues {
		r.Queues = append(r.Queues, *p)
	}
	for _, p := range agents {
		r.Agents = append(r.Agents, *p)
	}
	sort.Slice(r.Queues, func(i, j int) bool {
		a, b := r.Queues[i], r.Queues[j]
		return a.Queue < b.Queue || a.Queue == b.Queue && periodLess(a.Start, b.Start)
	})
	sort.Slice(r.Agents, func(i, j int) bool {
		a, b := r.Agents[i], r.Agents[j]
		return a.Agent < b.Agent || a.Agent == b.Agent && periodLess(a.Start, b.Start)
	})
	return r
}

// periods says which tallies a call goes to: its period (unless totals
// only) and the total.
func periods(iv Interval) []bool {
	if iv.IsZero() {
		return []bool{true}
	}
	return []bool{false, true}
}

// periodLess orders periods by start, the total (zero start) last.
func periodLess(a, b time.Time) bool {
	switch {
	case a.IsZero():
		return false
	case b.IsZero():
		return true
	}
	return a.Before(b)
}
