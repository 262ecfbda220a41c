package report

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/sme/acd/acd"
)

// A synthetic morning in Paris (CET, +01:00), 15-minute intervals, T = 20 s,
// S = 5 s. Interval A is 09:00–09:15, B is 09:15–09:30.
//
//	c1 enters 09:10:00, a1 rings 09:10:02, answers 09:10:08 (wait 8 s), talks 240 s, wraps 30 s  → A
//	c2 enters 09:14:59.999; a2 rings and misses; a1 answers 09:15:26.999 (wait 27 s), talks 274 s, wraps 10 s → A
//	c3 enters 09:15:00.000 exactly, abandons after 3 s (short)                                      → B
//	c4 enters 09:16:00, abandons after 30 s                                                          → B
//	c5 enters 09:17:00, times out after 120 s (flow-out)                                             → B
//	c6 enters 09:21:00, a1 answers 09:21:05 (wait 5 s), talks 120 s, wraps 10 s                      → B
//	c7 is rejected at 09:22:00 (queue full): not offered                                             → B
//	c8 enters 09:24:00 and has no end in the log (open)                                              → B
//
// a2 pauses for lunch 09:20–09:25. Both agents log out at 09:30.
func syntheticEvents(t testing.TB) []acd.Event {
	paris := mustZone(t, "Europe/Paris")
	at := func(h, m, s, ms int) time.Time { return time.Date(2025, 3, 4, h, m, s, ms*1e6, paris) }
	const q = "support"
	call := func(tm time.Time, typ acd.EventType, id string, f func(*acd.Event)) acd.Event {
		ev := acd.Event{Time: tm, Type: typ, CallID: id, Queue: q, Node: "acd-1"}
		if f != nil {
			f(&ev)
		}
		return ev
	}
	state := func(tm time.Time, agent, st, reason string) acd.Event {
		return acd.Event{Time: tm, Type: acd.EvAgentState, Agent: agent, State: st, Reason: reason}
	}
	caller := func(n string) func(*acd.Event) { return func(e *acd.Event) { e.Caller = n } }
	offer := func(n int, a ...string) func(*acd.Event) { return func(e *acd.Event) { e.Agents, e.Attempts = a, n } }
	by := func(a string) func(*acd.Event) { return func(e *acd.Event) { e.Agent = a } }
	return []acd.Event{
		state(at(8, 55, 0, 0), "a1", "available", "login"),
		state(at(9, 0, 0, 0), "a2", "available", "login"),
		call(at(9, 10, 0, 0), acd.EvEntered, "c1", caller("+33612345678")),
		state(at(9, 10, 2, 0), "a1", "ringing", "offer"),
		call(at(9, 10, 2, 0), acd.EvOffered, "c1", offer(1, "a1")),
		state(at(9, 10, 8, 0), "a1", "busy", "answer"),
		call(at(9, 10, 8, 0), acd.EvConnected, "c1", by("a1")),
		call(at(9, 14, 8, 0), acd.EvCompleted, "c1", by("a1")),
		state(at(9, 14, 8, 0), "a1", "wrap-up", "hangup"),
		state(at(9, 14, 38, 0), "a1", "available", "wrap-up-done"),
		call(at(9, 14, 59, 999), acd.EvEntered, "c2", caller("+33698765432")),
		state(at(9, 15, 0, 500), "a2", "ringing", "offer"),
		call(at(9, 15, 0, 500), acd.EvOffered, "c2", offer(1, "a2")),
		call(at(9, 15, 0, 0), acd.EvEntered, "c3", nil),
		call(at(9, 15, 3, 0), acd.EvAbandoned, "c3", nil),
		call(at(9, 15, 10, 999), acd.EvRingNoAnswer, "c2", by("a2")),
		state(at(9, 15, 10, 999), "a2", "available", "miss"),
		state(at(9, 15, 11, 0), "a1", "ringing", "offer"),
		call(at(9, 15, 11, 0), acd.EvOffered, "c2", offer(2, "a1")),
		state(at(9, 15, 26, 999), "a1", "busy", "answer"),
		call(at(9, 15, 26, 999), acd.EvConnected, "c2", by("a1")),
		call(at(9, 16, 0, 0), acd.EvEntered, "c4", nil),
		call(at(9, 16, 30, 0), acd.EvAbandoned, "c4", nil),
		call(at(9, 17, 0, 0), acd.EvEntered, "c5", nil),
		call(at(9, 19, 0, 0), acd.EvTimedOut, "c5", nil),
		state(at(9, 20, 0, 0), "a2", "paused", "lunch"),
		call(at(9, 20, 0, 999), acd.EvCompleted, "c2", by("a1")),
		state(at(9, 20, 0, 999), "a1", "wrap-up", "hangup"),
		state(at(9, 20, 10, 999), "a1", "available", "wrap-up-done"),
		call(at(9, 21, 0, 0), acd.EvEntered, "c6", nil),
		state(at(9, 21, 1, 0), "a1", "ringing", "offer"),
		call(at(9, 21, 1, 0), acd.EvOffered, "c6", offer(1, "a1")),
		state(at(9, 21, 5, 0), "a1", "busy", "answer"),
		call(at(9, 21, 5, 0), acd.EvConnected, "c6", by("a1")),
		call(at(9, 22, 0, 0), acd.EvRejected, "c7", nil),
		call(at(9, 23, 5, 0), acd.EvCompleted, "c6", by("a1")),
		state(at(9, 23, 5, 0), "a1", "wrap-up", "hangup"),
		state(at(9, 23, 15, 0), "a1", "available", "wrap-up-done"),
		call(at(9, 24, 0, 0), acd.EvEntered, "c8", nil),
		state(at(9, 25, 0, 0), "a2", "available", "unpause"),
		state(at(9, 30, 0, 0), "a1", "offline", "logout"),
		state(at(9, 30, 0, 0), "a2", "offline", "logout"),
	}
}

// syntheticReport runs the events through the whole path: JSON lines as
// FileLog writes them, ReadLog, Build, Compute.
func syntheticReport(t testing.TB, iv Interval) *Report {
	t.Helper()
	evs, torn, err := ReadLog(bytes.NewReader(logLines(t, syntheticEvents(t)...)))
	if err != nil || torn != nil {
		t.Fatalf("ReadLog: %v, torn %v", err, torn)
	}
	ds := Build(evs, BuildOptions{MaskCaller: true})
	if len(ds.Warnings) > 0 {
		t.Fatalf("warnings: %v", ds.Warnings)
	}
	return Compute(ds, Options{Interval: iv, Location: mustZone(t, "Europe/Paris"),
		Threshold: 20 * time.Second, Short: 5 * time.Second})
}

func findQueue(t testing.TB, r *Report, queue, hhmm string) QueueCounts {
	t.Helper()
	for _, p := range r.Queues {
		if p.Queue == queue && (hhmm == "total" && p.Start.IsZero() || !p.Start.IsZero() && p.Start.In(r.Options.Location).Format("15:04") == hhmm) {
			return p.Counts
		}
	}
	t.Fatalf("no period %s for queue %s in %+v", hhmm, queue, r.Queues)
	return QueueCounts{}
}

func findAgent(t testing.TB, r *Report, agent, hhmm string) AgentCounts {
	t.Helper()
	for _, p := range r.Agents {
		if p.Agent == agent && (hhmm == "total" && p.Start.IsZero() || !p.Start.IsZero() && p.Start.In(r.Options.Location).Format("15:04") == hhmm) {
			return p.Counts
		}
	}
	t.Fatalf("no period %s for agent %s", hhmm, agent)
	return AgentCounts{}
}

func TestReportSyntheticLogQueues(t *testing.T) {
	r := syntheticReport(t, Min15)
	a, b, tot := findQueue(t, r, "support", "09:00"), findQueue(t, r, "support", "09:15"), findQueue(t, r, "support", "total")
	type counts struct{ off, ans, ab, short, flow, drop, open, rej, ansT int }
	got := func(q QueueCounts) counts {
		return counts{q.Offered, q.Answered, q.Abandoned, q.AbandonedWithinS, q.FlowOuts, q.Dropped, q.Open, q.Rejected, q.AnsweredWithinT}
	}
	if g, w := got(a), (counts{2, 2, 0, 0, 0, 0, 0, 0, 1}); g != w {
		t.Errorf("09:00: %+v, want %+v", g, w)
	}
	if g, w := got(b), (counts{5, 1, 2, 1, 1, 0, 1, 1, 1}); g != w {
		t.Errorf("09:15: %+v, want %+v", g, w)
	}
	if g, w := got(tot), (counts{7, 3, 2, 1, 1, 0, 1, 1, 2}); g != w {
		t.Errorf("total: %+v, want %+v", g, w)
	}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"A sl_b", a.SL(SLB), 0.5}, {"A ASA", a.ASA(), 17.5}, {"A AHT", a.AHT(), 277}, {"A longest", a.LongestWait.Seconds(), 27},
		{"B sl_a", b.SL(SLA), 1}, {"B sl_b", b.SL(SLB), 2.0 / 3}, {"B sl_c", b.SL(SLC), 1.0 / 3}, {"B sl_d", b.SL(SLD), 0.5},
		{"B sl_e", b.SL(SLE), 2.0 / 3}, {"B sl_f", b.SL(SLF), 2.0 / 5}, {"B ASA", b.ASA(), 5}, {"B AHT", b.AHT(), 130},
		{"B ab rate", b.AbandonRate(), 2.0 / 5}, {"B ab rate ex short", b.AbandonRateExShort(), 1.0 / 4},
		{"B longest", b.LongestWait.Seconds(), 120}, {"B longest abandon", b.LongestAbandonWait.Seconds(), 30},
		{"total ASA", tot.ASA(), 40.0 / 3}, {"total sl_b", tot.SL(SLB), 3.0 / 5}, {"total AHT", tot.AHT(), (554.0 + 130) / 3},
	} {
		if !near(f.got, f.want, 1e-9) {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	for _, p := range r.Queues {
		c := p.Counts
		if c.Offered != c.Answered+c.Abandoned+c.FlowOuts+c.Dropped+c.Open {
			t.Errorf("%s %s: offered %d ≠ ans+ab+flow+dropped+open", p.Queue, p.Start, c.Offered)
		}
	}
	// The same log by the hour, and by day: one period holding everything.
	for _, iv := range []Interval{Min60, Day} {
		r := syntheticReport(t, iv)
		if len(r.Queues) != 2 || r.Queues[0].Counts != tot {
			t.Errorf("%s: %+v, want one period equal to the total", iv, r.Queues)
		}
	}
}

func TestReportSyntheticLogCallRecords(t *testing.T) {
	r := syntheticReport(t, Min15)
	byID := map[string]CallRecord{}
	for _, c := range r.Calls {
		byID[c.CallID] = c
	}
	c2 := byID["c2"]
	ms := time.Millisecond
	if c2.Outcome != OutcomeAnswered || c2.Agent != "a1" || c2.Wait != 27*time.Second || c2.Talk != 274*time.Second ||
		c2.WrapUp != 10*time.Second || c2.Ring != 10499*ms+15999*ms || c2.Attempts != 2 ||
		!slices.Equal(c2.Rung, []string{"a2", "a1"}) || !slices.Equal(c2.Missed, []string{"a2"}) || c2.Caller != "+********432" {
		t.Errorf("c2 = %+v", c2)
	}
	want := map[string]Outcome{"c1": OutcomeAnswered, "c3": OutcomeAbandoned, "c4": OutcomeAbandoned, "c5": OutcomeTimedOut,
		"c6": OutcomeAnswered, "c7": OutcomeRejected, "c8": OutcomeOpen}
	for id, o := range want {
		if byID[id].Outcome != o {
			t.Errorf("%s outcome %s, want %s", id, byID[id].Outcome, o)
		}
	}
	if c1 := byID["c1"]; c1.WrapUp != 30*time.Second || c1.Ring != 6*time.Second || c1.Partial {
		t.Errorf("c1 = %+v", c1)
	}
}

func TestReportSyntheticLogAgents(t *testing.T) {
	r := syntheticReport(t, Min15)
	s := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	a1A, a1B, a2A, a2B := findAgent(t, r, "a1", "09:00"), findAgent(t, r, "a1", "09:15"), findAgent(t, r, "a2", "09:00"), findAgent(t, r, "a2", "09:15")
	if a1A.Offered != 2 || a1A.Answered != 2 || a1A.Missed != 0 || a1A.Talk != s(514) || a1A.WrapUp != s(40) {
		t.Errorf("a1 09:00 calls: %+v", a1A)
	}
	if a1A.LoggedIn() != s(900) || a1A.States["busy"] != s(240) || a1A.States["wrap-up"] != s(30) || !near(a1A.Occupancy(), 0.3, 1e-12) {
		t.Errorf("a1 09:00 states %v occupancy %v", a1A.States, a1A.Occupancy())
	}
	if a1B.Offered != 1 || a1B.Answered != 1 || a1B.LoggedIn() != s(900) || !near(a1B.Occupancy(), 414.0/900, 1e-12) {
		t.Errorf("a1 09:15: %+v occupancy %v", a1B, a1B.Occupancy())
	}
	if a2A.Offered != 1 || a2A.Missed != 1 || a2A.Answered != 0 || a2A.States["available"] != s(900) {
		t.Errorf("a2 09:00: %+v", a2A)
	}
	if a2B.Pause["lunch"] != s(300) || a2B.LoggedIn() != s(900) || a2B.Occupancy() != 0 || a2B.Utilisation() != 0 {
		t.Errorf("a2 09:15: %+v", a2B)
	}
	if a1 := findAgent(t, r, "a1", "08:45"); a1.LoggedIn() != s(300) {
		t.Errorf("a1 08:45: logged in %v, want the 5 minutes after login", a1.LoggedIn())
	}
	tot := findAgent(t, r, "a1", "total")
	if tot.LoggedIn() != 35*time.Minute || tot.Handled != 3 || !near(tot.AHT(), (514.0+40+120+10)/3, 1e-9) {
		t.Errorf("a1 total: %+v", tot)
	}
}

// Call events whose entered event is in an older (unread) file still give
// a record, its entry time derived from the wait the events carry.
func TestReportPartialCallFromRotatedLog(t *testing.T) {
	t0 := time.Date(2025, 3, 4, 9, 0, 30, 0, time.UTC)
	ds := Build([]acd.Event{
		{Time: t0, Type: acd.EvConnected, CallID: "x", Queue: "q", Agent: "a", WaitMS: 45000},
		{Time: t0.Add(time.Minute), Type: acd.EvCompleted, CallID: "x", Queue: "q", Agent: "a", WaitMS: 45000, TalkMS: 60000},
		{Time: t0.Add(2 * time.Minute), Type: acd.EvCompleted, CallID: "y", Queue: "q", Agent: "a", WaitMS: 10000, TalkMS: 30000},
		{Time: t0.Add(3 * time.Minute), Type: "teleported", CallID: "z", Queue: "q"},
	}, BuildOptions{})
	x, y := ds.Calls[0], ds.Calls[1]
	if !x.Partial || !x.Entered.Equal(t0.Add(-45*time.Second)) || x.Wait != 45*time.Second || x.Talk != time.Minute {
		t.Errorf("x = %+v", x)
	}
	if !y.Partial || !y.Entered.Equal(t0.Add(2*time.Minute-40*time.Second)) || y.Wait != 10*time.Second || y.Talk != 30*time.Second {
		t.Errorf("y = %+v", y)
	}
	if len(ds.Warnings) != 1 {
		t.Errorf("warnings %v, want one for the unknown event type", ds.Warnings)
	}
}
