package report

import (
	"math"
	"testing"
	"time"
)

func near(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol
}

// METRICS.md's worked example: T = 20 s, Ans = 1000, Ab = 60, Ans≤T = 860,
// Ab≤T = 20, Ab>T = 40. sl_e and sl_f need Ab≤S and flow-outs, which the
// example does not give: 12 short abandons, and 40 timed-out calls of which
// 10 within T (so Offered = 1100 and 860 + 20 + 10 = 890 left within T).
func TestReportSLWorkedExample(t *testing.T) {
	q := QueueCounts{Offered: 1100, Answered: 1000, Abandoned: 60, FlowOuts: 40,
		AnsweredWithinT: 860, AbandonedWithinT: 20, AbandonedWithinS: 12, LeftWithinT: 890}
	for _, tc := range []struct {
		f     Formula
		want  float64 // percent, as METRICS.md rounds it
		exact float64
	}{
		{SLA, 86.0, 860.0 / 1000},
		{SLB, 83.0, 880.0 / 1060},
		{SLC, 81.1, 860.0 / 1060},
		{SLD, 82.7, 860.0 / 1040},
		{SLE, 82.3, 872.0 / 1060},
		{SLF, 80.9, 890.0 / 1100},
	} {
		got := q.SL(tc.f)
		if math.Round(got*1000)/10 != tc.want || !near(got, tc.exact, 1e-12) {
			t.Errorf("%s = %.4f, want %.1f %% (%.6f)", tc.f, got, tc.want, tc.exact)
		}
	}
}

// A hand-built queue: T = 20 s, S = 5 s, each outcome and each boundary
// (a wait of exactly T or S counts as within).
func handCalls() []CallRecord {
	s := time.Second
	answered := func(wait, talk, wrap time.Duration) CallRecord {
		return CallRecord{Outcome: OutcomeAnswered, Wait: wait, Talk: talk, WrapUp: wrap, handled: true}
	}
	return []CallRecord{
		answered(3*s, 60*s, 10*s), answered(10*s, 120*s, 10*s), answered(20*s, 180*s, 10*s),
		answered(25*s, 240*s, 10*s), answered(40*s, 300*s, 10*s),
		{Outcome: OutcomeAbandoned, Wait: 2 * s}, {Outcome: OutcomeAbandoned, Wait: 5 * s},
		{Outcome: OutcomeAbandoned, Wait: 15 * s}, {Outcome: OutcomeAbandoned, Wait: 30 * s},
		{Outcome: OutcomeTimedOut, Wait: 10 * s}, {Outcome: OutcomeTimedOut, Wait: 60 * s},
		{Outcome: OutcomeDropped, Wait: 8 * s},
		{Outcome: OutcomeOpen},
		{Outcome: OutcomeRejected},
	}
}

func TestReportQueueFormulasByHand(t *testing.T) {
	var q QueueCounts
	calls := handCalls()
	for i := range calls {
		q.AddCall(&calls[i], 20*time.Second, 5*time.Second)
	}
	ints := []struct {
		name      string
		got, want int
	}{
		{"offered", q.Offered, 13}, {"answered", q.Answered, 5}, {"abandoned", q.Abandoned, 4},
		{"flow-outs", q.FlowOuts, 2}, {"dropped", q.Dropped, 1}, {"open", q.Open, 1}, {"rejected", q.Rejected, 1},
		{"Ans≤T", q.AnsweredWithinT, 3}, {"Ab≤T", q.AbandonedWithinT, 3}, {"Ab≤S", q.AbandonedWithinS, 2},
		{"left≤T", q.LeftWithinT, 8}, {"handled", q.Handled, 5},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if q.Offered != q.Answered+q.Abandoned+q.FlowOuts+q.Dropped+q.Open {
		t.Errorf("offered %d is not the sum of the outcomes", q.Offered)
	}
	figs := []struct {
		name      string
		got, want float64
	}{
		{"sl_a", q.SL(SLA), 3.0 / 5},
		{"sl_b", q.SL(SLB), 6.0 / 9},
		{"sl_c", q.SL(SLC), 3.0 / 9},
		{"sl_d", q.SL(SLD), 3.0 / 6},
		{"sl_e", q.SL(SLE), 5.0 / 9},
		{"sl_f", q.SL(SLF), 8.0 / 13},
		{"ASA", q.ASA(), 98.0 / 5},
		{"AHT", q.AHT(), 950.0 / 5},
		{"avg talk", q.AvgTalk(), 180},
		{"avg wrap-up", q.AvgWrapUp(), 10},
		{"abandon rate", q.AbandonRate(), 4.0 / 13},
		{"abandon rate ex short", q.AbandonRateExShort(), 2.0 / 11},
		{"longest wait", q.LongestWait.Seconds(), 60},
		{"longest abandon wait", q.LongestAbandonWait.Seconds(), 30},
	}
	for _, f := range figs {
		if !near(f.got, f.want, 1e-12) {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	var sum QueueCounts
	sum.Add(q)
	sum.Add(q)
	if sum.Offered != 26 || sum.LongestWait != q.LongestWait || !near(sum.SL(SLB), q.SL(SLB), 1e-12) {
		t.Errorf("Add: %+v", sum)
	}
}

func TestReportUndefinedFiguresAreNaN(t *testing.T) {
	var q QueueCounts
	for _, f := range Formulas() {
		if !math.IsNaN(q.SL(f)) {
			t.Errorf("%s of no calls = %v, want undefined", f, q.SL(f))
		}
	}
	if !math.IsNaN(q.ASA()) || !math.IsNaN(q.AHT()) || !math.IsNaN(q.AbandonRate()) {
		t.Error("ASA, AHT or abandon rate of no calls is defined")
	}
	var a AgentCounts
	if !math.IsNaN(a.Occupancy()) || !math.IsNaN(a.Utilisation()) || !math.IsNaN(a.AHT()) {
		t.Error("occupancy, utilisation or AHT of an agent never logged in is defined")
	}
}

// Occupancy excludes pauses; utilisation includes them. 30 min busy, 10
// wrap-up, 15 available, 5 ringing, 20 paused (lunch 15, break 5):
// occupancy 40/60, utilisation 40/80.
func TestReportAgentOccupancyUtilisation(t *testing.T) {
	var a AgentCounts
	m := time.Minute
	a.addState("busy", "", 30*m)
	a.addState("wrap-up", "", 10*m)
	a.addState("available", "", 15*m)
	a.addState("ringing", "", 5*m)
	a.addState("paused", "lunch", 15*m)
	a.addState("paused", "break", 5*m)
	if !near(a.Occupancy(), 40.0/60, 1e-12) || !near(a.Utilisation(), 40.0/80, 1e-12) {
		t.Errorf("occupancy %v utilisation %v, want %v and %v", a.Occupancy(), a.Utilisation(), 40.0/60, 0.5)
	}
	if a.LoggedIn() != 80*m || a.Pause["lunch"] != 15*m || a.Pause["break"] != 5*m {
		t.Errorf("logged in %v, pauses %v", a.LoggedIn(), a.Pause)
	}
}

func TestReportParseFormulaAndInterval(t *testing.T) {
	for _, f := range Formulas() {
		if g, err := ParseFormula(string(f)); err != nil || g != f || f.Describe() == "" {
			t.Errorf("ParseFormula(%q) = %q, %v", f, g, err)
		}
	}
	if _, err := ParseFormula("sl_g"); err == nil {
		t.Error("sl_g parsed")
	}
	for in, want := range map[string]Interval{"15m": Min15, "30m": Min30, "60m": Min60, "1h": Min60, "day": Day, "total": {}} {
		if got, err := ParseInterval(in); err != nil || got != want {
			t.Errorf("ParseInterval(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseInterval("20m"); err == nil {
		t.Error("20m parsed")
	}
}

func TestReportMaskNumber(t *testing.T) {
	for in, want := range map[string]string{
		"+442071234567": "+*********567",
		"0612-345-678":  "****-***-678",
		"alice42":       "*****42",
		"12":            "12",
		"":              "",
	} {
		if got := MaskNumber(in); got != want {
			t.Errorf("MaskNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
