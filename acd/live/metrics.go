package live

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/report"
	"github.com/sme/acd/agents"
)

// Bucket bounds in seconds. Every queue's service-level threshold T is added
// to the wait buckets, so rate(acd_wait_seconds_bucket{le="<T>"}) gives the
// share answered within T exactly.
var (
	waitBuckets = []float64{1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200}
	talkBuckets = []float64{10, 30, 60, 120, 180, 300, 450, 600, 900, 1200, 1800, 3600}
)

// metrics are the tracker's Prometheus counters and histograms. They count
// from the start of the process (Prometheus handles restarts); they are
// not "today" figures.
type metrics struct {
	entered  *prometheus.CounterVec
	calls    *prometheus.CounterVec
	noAnswer *prometheus.CounterVec
	wait     *prometheus.HistogramVec
	talk     *prometheus.HistogramVec
	sip      *prometheus.CounterVec
}

// callOutcomes are the outcome label values of acd_calls_total.
var callOutcomes = []report.Outcome{report.OutcomeAnswered, report.OutcomeAbandoned, report.OutcomeTimedOut, report.OutcomeOverflowed, report.OutcomeDropped, report.OutcomeRejected}

func newMetrics(queues []string, thresholds []time.Duration) metrics {
	wb := slices.Clone(waitBuckets)
	for _, t := range thresholds {
		if s := t.Seconds(); !slices.Contains(wb, s) {
			wb = append(wb, s)
		}
	}
	slices.Sort(wb)
	m := metrics{
		entered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "acd_calls_entered_total",
			Help: "Calls that entered the queue (METRICS.md's Offered).",
		}, []string{"queue"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "acd_calls_total",
			Help: "Calls by how they left the queue: answered, abandoned (caller hung up while queued or ringing), " +
				"timed-out and overflowed (flow-outs), dropped (ended by the ACD), rejected (queue full, never entered).",
		}, []string{"queue", "outcome"}),
		noAnswer: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "acd_ring_no_answer_total",
			Help: "Offers an agent did not take, by reason (no-answer, busy, declined, unreachable).",
		}, []string{"queue", "reason"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "acd_wait_seconds",
			Help:    "Queue wait of calls that left the queue, from entering to answer (ring time included) or to leaving unanswered, by outcome.",
			Buckets: wb,
		}, []string{"queue", "outcome"}),
		talk: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "acd_talk_seconds",
			Help:    "Talk time of completed calls, from answer to hang-up.",
			Buckets: talkBuckets,
		}, []string{"queue"}),
		sip: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "acd_sip_responses_total",
			Help: "SIP responses the ACD sent, by status code.",
		}, []string{"code"}),
	}
	// Create every configured queue's series at zero, so rates and alerts
	// work before the first call.
	for _, q := range queues {
		m.entered.WithLabelValues(q)
		m.talk.WithLabelValues(q)
		for _, o := range callOutcomes {
			m.calls.WithLabelValues(q, string(o))
			if o != report.OutcomeRejected {
				m.wait.WithLabelValues(q, string(o))
			}
		}
	}
	return m
}

func (m metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.entered, m.calls, m.noAnswer, m.wait, m.talk, m.sip}
}

func (m metrics) describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.collectors() {
		c.Describe(ch)
	}
}

func (m metrics) collect(ch chan<- prometheus.Metric) {
	for _, c := range m.collectors() {
		c.Collect(ch)
	}
}

// sipResponse counts one response; a code outside 100–699 is "other", so a
// bad value cannot grow the label set.
func (m metrics) sipResponse(code int) {
	label := "other"
	if code >= 100 && code <= 699 {
		label = strconv.Itoa(code)
	}
	m.sip.WithLabelValues(label).Inc()
}

// SnapshotFunc reads the live picture; (*acd.Engine).Snapshot is one.
type SnapshotFunc func(context.Context) (acd.Snapshot, error)

// SnapshotCollector exports what is live right now, read from the store at
// scrape time: acd_calls_waiting{queue}, acd_longest_wait_seconds{queue}
// and acd_agents{queue,state}. An agent in several queues counts in each.
type SnapshotCollector struct {
	snap    SnapshotFunc
	timeout time.Duration
	waiting *prometheus.Desc
	longest *prometheus.Desc
	agents  *prometheus.Desc
}

// NewSnapshotCollector collects from snap, giving it timeout per scrape.
func NewSnapshotCollector(snap SnapshotFunc, timeout time.Duration) *SnapshotCollector {
	return &SnapshotCollector{
		snap: snap, timeout: timeout,
		waiting: prometheus.NewDesc("acd_calls_waiting", "Calls waiting in the queue now (ringing calls excluded).", []string{"queue"}, nil),
		longest: prometheus.NewDesc("acd_longest_wait_seconds", "Queue wait of the longest-waiting call now; 0 when none waits.", []string{"queue"}, nil),
		agents:  prometheus.NewDesc("acd_agents", "Agents of the queue in each state now.", []string{"queue", "state"}, nil),
	}
}

// Describe sends the three descriptors.
func (c *SnapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.waiting
	ch <- c.longest
	ch <- c.agents
}

// Collect reads one snapshot. When it fails the scrape reports an error
// for these metrics and still serves the others.
func (c *SnapshotCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	s, err := c.snap(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.waiting, err)
		return
	}
	for _, q := range s.Queues {
		ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(q.Waiting), q.Name)
		ch <- prometheus.MustNewConstMetric(c.longest, prometheus.GaugeValue, float64(q.LongestWaitMS)/1000, q.Name)
		for _, st := range AgentStates() {
			ch <- prometheus.MustNewConstMetric(c.agents, prometheus.GaugeValue, float64(q.AgentsByState[st]), q.Name, st)
		}
	}
}

// AgentStates lists every agent state name, in the state machine's order.
func AgentStates() []string {
	var out []string
	for s := agents.State(0); s < 64; s++ {
		if _, err := agents.ParseState(s.String()); err != nil {
			break
		}
		out = append(out, s.String())
	}
	return out
}
