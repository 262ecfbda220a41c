package live_test

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris without the system's zoneinfo

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/live"
	"github.com/sme/acd/acd/report"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// recLog records what the tracker forwards; err makes Append fail.
type recLog struct {
	mu  sync.Mutex
	evs []acd.Event
	err error
}

func (l *recLog) Append(ev acd.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evs = append(l.evs, ev)
	return l.err
}

func (l *recLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.evs)
}

var queues = []acd.QueueConfig{
	{Name: "support", Number: "100", ServiceLevel: 20 * time.Second},
	{Name: "sales", Number: "200"}, // no service level: the 20 s default
}

// at is 2 March 2026 at the given clock time in UTC.
func at(hms string) time.Time {
	t, err := time.Parse(time.DateTime, "2026-03-02 "+hms)
	if err != nil {
		panic(err)
	}
	return t
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

// dayEvents is one morning of calls in queue support (T = 20 s, S = 5 s):
//
//	c1 answered after 10 s, talked 300 s   (Ans≤T)
//	c2 answered after 30 s                 (Ans>T, still talking)
//	c3 abandoned after 3 s                 (Ab≤S≤T)
//	c4 abandoned after 25 s                (Ab>T)
//	c5 timed out after 120 s               (flow-out)
//	c6 rejected (queue full)               (not offered)
//	c7 still waiting                       (open)
//	c8 in sales, answered after 21 s       (Ans>T with the default T)
//
// Agent-state events are mixed in; they do not count.
func dayEvents() []acd.Event {
	return []acd.Event{
		{Time: at("09:00:00"), Type: acd.EvEntered, CallID: "c1", Queue: "support"},
		{Time: at("09:00:05"), Type: acd.EvOffered, CallID: "c1", Queue: "support", Agents: []string{"a1"}},
		{Time: at("09:00:05"), Type: acd.EvAgentState, Agent: "a1", State: "ringing"},
		{Time: at("09:00:10"), Type: acd.EvConnected, CallID: "c1", Queue: "support", Agent: "a1", WaitMS: ms(10 * time.Second)},
		{Time: at("09:01:00"), Type: acd.EvEntered, CallID: "c2", Queue: "support"},
		{Time: at("09:01:20"), Type: acd.EvRingNoAnswer, CallID: "c2", Queue: "support", Agent: "a2", Reason: "no-answer"},
		{Time: at("09:01:30"), Type: acd.EvConnected, CallID: "c2", Queue: "support", Agent: "a3", WaitMS: ms(30 * time.Second)},
		{Time: at("09:02:00"), Type: acd.EvEntered, CallID: "c3", Queue: "support"},
		{Time: at("09:02:03"), Type: acd.EvAbandoned, CallID: "c3", Queue: "support", WaitMS: ms(3 * time.Second), Reason: "caller"},
		{Time: at("09:03:00"), Type: acd.EvEntered, CallID: "c4", Queue: "support"},
		{Time: at("09:03:25"), Type: acd.EvAbandoned, CallID: "c4", Queue: "support", WaitMS: ms(25 * time.Second), Reason: "caller"},
		{Time: at("09:04:00"), Type: acd.EvEntered, CallID: "c5", Queue: "support"},
		{Time: at("09:05:10"), Type: acd.EvCompleted, CallID: "c1", Queue: "support", Agent: "a1", WaitMS: ms(10 * time.Second), TalkMS: ms(300 * time.Second)},
		{Time: at("09:06:00"), Type: acd.EvTimedOut, CallID: "c5", Queue: "support", WaitMS: ms(120 * time.Second), Reason: "max-wait"},
		{Time: at("09:07:00"), Type: acd.EvRejected, CallID: "c6", Queue: "support", Reason: "queue-full"},
		{Time: at("09:10:00"), Type: acd.EvEntered, CallID: "c7", Queue: "support"},
		{Time: at("09:11:00"), Type: acd.EvEntered, CallID: "c8", Queue: "sales"},
		{Time: at("09:11:21"), Type: acd.EvConnected, CallID: "c8", Queue: "sales", Agent: "a1", WaitMS: ms(21 * time.Second)},
		{Time: at("09:11:21"), Type: acd.EvAgentState, Agent: "a1", State: "busy"},
	}
}

func todayOf(t *testing.T, tr *live.Tracker, queue string) live.Today {
	t.Helper()
	for _, q := range tr.Today() {
		if q.Queue == queue {
			return q
		}
	}
	t.Fatalf("no queue %s in %+v", queue, tr.Today())
	return live.Today{}
}

func near(got report.Num, want float64) bool { return math.Abs(float64(got)-want) < 1e-9 }

func TestTodayFromEvents(t *testing.T) {
	clk := &clock{t: at("09:30:00")}
	next := &recLog{}
	tr := live.NewTracker(next, queues, time.UTC, clk.now)
	for _, ev := range dayEvents() {
		if err := tr.Append(ev); err != nil {
			t.Fatal(err)
		}
	}
	if next.len() != len(dayEvents()) {
		t.Fatalf("forwarded %d events, want %d", next.len(), len(dayEvents()))
	}
	s := todayOf(t, tr, "support")
	counts := [][2]int{
		{s.Offered, 6}, {s.Answered, 2}, {s.Abandoned, 2}, {s.ShortAbandoned, 1}, {s.FlowOuts, 1},
		{s.Open, 1}, {s.Rejected, 1}, {s.AnsweredWithinT, 1}, {s.AbandonedWithinT, 1}, {s.Dropped, 0},
	}
	for i, c := range counts {
		if c[0] != c[1] {
			t.Errorf("support tally %d = %d, want %d (%+v)", i, c[0], c[1], s)
		}
	}
	// sl_b = (Ans≤T + Ab≤T) / (Ans + Ab) = (1 + 1) / (2 + 2).
	if !near(s.ServiceLevel, 0.5) {
		t.Errorf("SL %v, want 0.5", s.ServiceLevel)
	}
	// ASA = (10 + 30) / 2.
	if !near(s.ASAS, 20) {
		t.Errorf("ASA %v, want 20", s.ASAS)
	}
	// Ab / Offered = 2/6; without short abandons (2-1)/(6-1).
	if !near(s.AbandonRate, 2.0/6) || !near(s.AbandonRateExShort, 1.0/5) {
		t.Errorf("abandon rate %v / %v, want 1/3 and 1/5", s.AbandonRate, s.AbandonRateExShort)
	}
	if s.ThresholdS != 20 || !near(s.LongestWaitS, 120) {
		t.Errorf("T %v, longest %v", s.ThresholdS, s.LongestWaitS)
	}

	sales := todayOf(t, tr, "sales")
	if sales.Offered != 1 || sales.Answered != 1 || sales.AnsweredWithinT != 0 || !near(sales.ServiceLevel, 0) || !near(sales.ASAS, 21) {
		t.Errorf("sales %+v", sales)
	}
	if !near(sales.AbandonRate, 0) {
		t.Errorf("sales abandon rate %v, want 0", sales.AbandonRate)
	}
}

// The tracker and `acd report` must agree: same events, same figures.
func TestTodayAgreesWithReport(t *testing.T) {
	evs := dayEvents()
	for _, f := range report.Formulas() {
		tr := live.NewTracker(nil, queues, time.UTC, func() time.Time { return at("12:00:00") }, live.WithFormula(f))
		for _, ev := range evs {
			_ = tr.Append(ev)
		}
		rep := report.Compute(report.Build(evs, report.BuildOptions{}), report.Options{
			QueueThreshold: map[string]time.Duration{"support": 20 * time.Second}, SL: f,
		})
		for _, qp := range rep.Queues {
			got := todayOf(t, tr, qp.Queue)
			c := qp.Counts
			if got.Offered != c.Offered || got.Answered != c.Answered || got.Abandoned != c.Abandoned || got.Open != c.Open ||
				got.FlowOuts != c.FlowOuts || got.Rejected != c.Rejected {
				t.Fatalf("%s %s: live %+v, report %+v", f, qp.Queue, got, c)
			}
			for name, pair := range map[string][2]float64{
				"SL":      {float64(got.ServiceLevel), c.SL(f)},
				"ASA":     {float64(got.ASAS), c.ASA()},
				"abandon": {float64(got.AbandonRate), c.AbandonRate()},
			} {
				if pair[0] != pair[1] && !(math.IsNaN(pair[0]) && math.IsNaN(pair[1])) {
					t.Errorf("%s %s %s: live %v, report %v", f, qp.Queue, name, pair[0], pair[1])
				}
			}
		}
	}
}

func TestEmptyDayIsUndefinedNotZero(t *testing.T) {
	tr := live.NewTracker(nil, queues, time.UTC, func() time.Time { return at("08:00:00") })
	s := todayOf(t, tr, "support")
	for name, v := range map[string]report.Num{"SL": s.ServiceLevel, "ASA": s.ASAS, "abandon": s.AbandonRate, "longest": s.LongestWaitS} {
		if !math.IsNaN(float64(v)) {
			t.Errorf("%s = %v with no calls, want undefined", name, v)
		}
	}
}

func TestDayRolloverInConfiguredZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	local := func(s string) time.Time {
		tm, err := time.ParseInLocation(time.DateTime, s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	clk := &clock{t: local("2026-03-02 23:50:00")}
	tr := live.NewTracker(nil, queues, paris, clk.now)
	if d := tr.Day(); !d.Equal(local("2026-03-02 00:00:00")) {
		t.Fatalf("day %v", d)
	}

	// c1 enters at 23:55 Paris and is answered after midnight.
	_ = tr.Append(acd.Event{Time: local("2026-03-02 23:55:00"), Type: acd.EvEntered, CallID: "c1", Queue: "support"})
	_ = tr.Append(acd.Event{Time: local("2026-03-02 23:58:00"), Type: acd.EvEntered, CallID: "c0", Queue: "support"})
	_ = tr.Append(acd.Event{Time: local("2026-03-02 23:58:02"), Type: acd.EvAbandoned, CallID: "c0", Queue: "support", WaitMS: 2000})
	if s := todayOf(t, tr, "support"); s.Offered != 2 || s.Open != 1 || s.Abandoned != 1 {
		t.Fatalf("before midnight %+v", s)
	}

	// 00:00:10 in Paris is still 2 March in UTC: the day turns all the same.
	clk.set(local("2026-03-03 00:00:10"))
	if clk.now().UTC().Day() != 2 {
		t.Fatal("test clock should still be on 2 March in UTC")
	}
	if s := todayOf(t, tr, "support"); s.Offered != 0 || s.Open != 0 || s.Abandoned != 0 || !math.IsNaN(float64(s.ServiceLevel)) {
		t.Fatalf("after midnight %+v", s)
	}
	if d := tr.Day(); !d.Equal(local("2026-03-03 00:00:00")) {
		t.Fatalf("day %v", d)
	}

	// c1's answer counts on the day it entered, not today.
	_ = tr.Append(acd.Event{Time: local("2026-03-03 00:00:10"), Type: acd.EvConnected, CallID: "c1", Queue: "support", WaitMS: ms(5*time.Minute + 10*time.Second)})
	if s := todayOf(t, tr, "support"); s.Offered != 0 || s.Answered != 0 {
		t.Fatalf("yesterday's call counted today: %+v", s)
	}
	// A call entering after midnight counts.
	_ = tr.Append(acd.Event{Time: local("2026-03-03 00:01:00"), Type: acd.EvEntered, CallID: "c2", Queue: "support"})
	clk.set(local("2026-03-03 00:01:05"))
	_ = tr.Append(acd.Event{Time: local("2026-03-03 00:01:05"), Type: acd.EvConnected, CallID: "c2", Queue: "support", WaitMS: 5000})
	s := todayOf(t, tr, "support")
	if s.Offered != 1 || s.Answered != 1 || !near(s.ServiceLevel, 1) || !near(s.ASAS, 5) {
		t.Fatalf("new day %+v", s)
	}
	// c1 completing later is still yesterday's call.
	_ = tr.Append(acd.Event{Time: local("2026-03-03 00:03:10"), Type: acd.EvCompleted, CallID: "c1", Queue: "support", WaitMS: ms(5*time.Minute + 10*time.Second), TalkMS: ms(3 * time.Minute)})
	if s := todayOf(t, tr, "support"); s.Answered != 1 || s.Offered != 1 {
		t.Fatalf("after c1 completed %+v", s)
	}
}

func TestReplayRestoresTodayWithoutForwarding(t *testing.T) {
	clk := &clock{t: at("09:30:00")}
	next := &recLog{}
	tr := live.NewTracker(next, queues, time.UTC, clk.now)
	yesterday := acd.Event{Time: at("09:00:00").AddDate(0, 0, -1), Type: acd.EvEntered, CallID: "old", Queue: "support"}
	tr.Replay(append([]acd.Event{yesterday}, dayEvents()...))
	if next.len() != 0 {
		t.Fatalf("replay forwarded %d events", next.len())
	}
	s := todayOf(t, tr, "support")
	if s.Offered != 6 || s.Answered != 2 || s.Open != 1 || !near(s.ServiceLevel, 0.5) {
		t.Fatalf("after replay %+v", s)
	}
	// The call still waiting at restart is answered live: it moves from
	// open to answered and is not offered twice.
	_ = tr.Append(acd.Event{Time: at("09:30:00"), Type: acd.EvConnected, CallID: "c7", Queue: "support", WaitMS: ms(20 * time.Minute)})
	if s := todayOf(t, tr, "support"); s.Offered != 6 || s.Answered != 3 || s.Open != 0 {
		t.Fatalf("after c7 answered %+v", s)
	}
}

// A tracker started in the middle of calls (no replay) counts each call
// once, whichever of its events it sees.
func TestCallsInProgressAtStartCountOnce(t *testing.T) {
	tr := live.NewTracker(nil, queues, time.UTC, func() time.Time { return at("10:00:00") })
	// Seen from connected on.
	_ = tr.Append(acd.Event{Time: at("09:59:00"), Type: acd.EvConnected, CallID: "x1", Queue: "support", WaitMS: 8000})
	_ = tr.Append(acd.Event{Time: at("09:59:30"), Type: acd.EvCompleted, CallID: "x1", Queue: "support", WaitMS: 8000, TalkMS: 30000})
	// Seen only completing.
	_ = tr.Append(acd.Event{Time: at("09:59:40"), Type: acd.EvCompleted, CallID: "x2", Queue: "support", WaitMS: 40000, TalkMS: 10000})
	// Seen only abandoning.
	_ = tr.Append(acd.Event{Time: at("09:59:50"), Type: acd.EvAbandoned, CallID: "x3", Queue: "support", WaitMS: 4000})
	s := todayOf(t, tr, "support")
	if s.Offered != 3 || s.Answered != 2 || s.Abandoned != 1 || s.AnsweredWithinT != 1 || s.Open != 0 || !near(s.ASAS, 24) {
		t.Fatalf("%+v", s)
	}
}

func TestNextLogErrorIsReturnedAndEventStillCounted(t *testing.T) {
	boom := errors.New("disk full")
	tr := live.NewTracker(&recLog{err: boom}, queues, time.UTC, func() time.Time { return at("10:00:00") })
	if err := tr.Append(acd.Event{Time: at("09:59:00"), Type: acd.EvEntered, CallID: "c1", Queue: "support"}); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if s := todayOf(t, tr, "support"); s.Offered != 1 {
		t.Fatalf("%+v", s)
	}
}

func TestUnconfiguredQueueIsShownAfterConfiguredOnes(t *testing.T) {
	tr := live.NewTracker(nil, queues, time.UTC, func() time.Time { return at("10:00:00") })
	_ = tr.Append(acd.Event{Time: at("09:59:00"), Type: acd.EvEntered, CallID: "c1", Queue: "legacy"})
	var names []string
	for _, q := range tr.Today() {
		names = append(names, q.Queue)
	}
	if len(names) != 3 || names[0] != "support" || names[1] != "sales" || names[2] != "legacy" {
		t.Fatalf("queues %v", names)
	}
	if q := todayOf(t, tr, "legacy"); q.ThresholdS != 20 || q.Offered != 1 {
		t.Fatalf("%+v", q)
	}
}
