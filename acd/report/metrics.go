package report

import (
	"fmt"
	"math"
	"time"
)

// Formula names a service-level formula of METRICS.md.
type Formula string

// The six service-level formulas; SLB is the default (ICMI's).
const (
	SLA Formula = "sl_a" // Ans≤T / Ans
	SLB Formula = "sl_b" // (Ans≤T + Ab≤T) / (Ans + Ab)
	SLC Formula = "sl_c" // Ans≤T / (Ans + Ab)
	SLD Formula = "sl_d" // Ans≤T / (Ans + Ab>T)
	SLE Formula = "sl_e" // (Ans≤T + Ab≤S) / (Ans + Ab)
	SLF Formula = "sl_f" // left the queue within T for any reason / Offered
)

// Formulas lists every formula in order.
func Formulas() []Formula { return []Formula{SLA, SLB, SLC, SLD, SLE, SLF} }

// ParseFormula accepts "sl_a" … "sl_f".
func ParseFormula(s string) (Formula, error) {
	for _, f := range Formulas() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("parse service-level formula %q: want one of sl_a, sl_b, sl_c, sl_d, sl_e, sl_f", s)
}

// Describe gives the formula in METRICS.md notation.
func (f Formula) Describe() string {
	return map[Formula]string{
		SLA: "Ans≤T / Ans",
		SLB: "(Ans≤T + Ab≤T) / (Ans + Ab)",
		SLC: "Ans≤T / (Ans + Ab)",
		SLD: "Ans≤T / (Ans + Ab>T)",
		SLE: "(Ans≤T + Ab≤S) / (Ans + Ab)",
		SLF: "left the queue within T for any reason / Offered",
	}[f]
}

// QueueCounts are the raw tallies of one queue in one period: every call
// counts in the period in which it entered the queue. The figures are
// derived from them by the methods below, so one tally serves every
// definition.
type QueueCounts struct {
	// Offered = Answered + Abandoned + FlowOuts + Callbacks + Dropped + Open.
	Offered   int
	Answered  int
	Abandoned int
	// FlowOuts are calls that timed out of the queue.
	FlowOuts int
	// Callbacks are calls whose caller asked to be called back, a
	// flow-out of their own (callback.go); CallbacksConnected and
	// CallbacksFailed say how many were made and given up.
	Callbacks          int
	CallbacksConnected int
	CallbacksFailed    int
	Dropped            int
	Open               int
	// Rejected calls were refused before entering (queue full): not offered.
	Rejected int

	AnsweredWithinT  int
	AbandonedWithinT int
	AbandonedWithinS int
	// LeftWithinT counts calls that left the queue (answered, abandoned,
	// flowed out, dropped) with a wait ≤ T: sl_f's numerator.
	LeftWithinT int

	// AnsweredWait sums the queue wait of answered calls.
	AnsweredWait time.Duration
	// LongestWait is the longest queue wait of any call that left the
	// queue; LongestAbandonWait that of abandoned calls.
	LongestWait        time.Duration
	LongestAbandonWait time.Duration

	// Handled counts answered calls whose end is in the log; Talk and
	// WrapUp sum their talk and wrap-up time.
	Handled int
	Talk    time.Duration
	WrapUp  time.Duration
}

// AddCall counts one call with threshold T and short-abandon threshold S.
func (q *QueueCounts) AddCall(c *CallRecord, t, s time.Duration) {
	if c.Outcome == OutcomeRejected {
		q.Rejected++
		return
	}
	q.Offered++
	if isCallback(c.Outcome) {
		q.addCallback(c, t)
		return
	}
	left := true
	switch c.Outcome {
	case OutcomeAnswered:
		q.Answered++
		q.AnsweredWait += c.Wait
		if c.Wait <= t {
			q.AnsweredWithinT++
		}
		if c.handled {
			q.Handled++
			q.Talk += c.Talk
			q.WrapUp += c.WrapUp
		}
	case OutcomeAbandoned:
		q.Abandoned++
		if c.Wait <= t {
			q.AbandonedWithinT++
		}
		if c.Wait <= s {
			q.AbandonedWithinS++
		}
		q.LongestAbandonWait = max(q.LongestAbandonWait, c.Wait)
	case OutcomeTimedOut, OutcomeOverflowed:
		q.FlowOuts++
	case OutcomeDropped:
		q.Dropped++
	default:
		q.Open++
		left = false
	}
	if left {
		q.LongestWait = max(q.LongestWait, c.Wait)
		if c.Wait <= t {
			q.LeftWithinT++
		}
	}
}

// Add sums two tallies.
func (q *QueueCounts) Add(o QueueCounts) {
	q.Offered += o.Offered
	q.Answered += o.Answered
	q.Abandoned += o.Abandoned
	q.FlowOuts += o.FlowOuts
	q.Callbacks += o.Callbacks
	q.CallbacksConnected += o.CallbacksConnected
	q.CallbacksFailed += o.CallbacksFailed
	q.Dropped += o.Dropped
	q.Open += o.Open
	q.Rejected += o.Rejected
	q.AnsweredWithinT += o.AnsweredWithinT
	q.AbandonedWithinT += o.AbandonedWithinT
	q.AbandonedWithinS += o.AbandonedWithinS
	q.LeftWithinT += o.LeftWithinT
	q.AnsweredWait += o.AnsweredWait
	q.LongestWait = max(q.LongestWait, o.LongestWait)
	q.LongestAbandonWait = max(q.LongestAbandonWait, o.LongestAbandonWait)
	q.Handled += o.Handled
	q.Talk += o.Talk
	q.WrapUp += o.WrapUp
}

// ratio is num/den, NaN when den is 0 (the figure is undefined, not 0).
func ratio(num, den float64) float64 {
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// SL is the service level by formula f, as a fraction; NaN when undefined.
func (q QueueCounts) SL(f Formula) float64 {
	ans, ab := float64(q.Answered), float64(q.Abandoned)
	ansT, abT, abS := float64(q.AnsweredWithinT), float64(q.AbandonedWithinT), float64(q.AbandonedWithinS)
	switch f {
	case SLA:
		return ratio(ansT, ans)
	case SLB:
		return ratio(ansT+abT, ans+ab)
	case SLC:
		return ratio(ansT, ans+ab)
	case SLD:
		return ratio(ansT, ans+(ab-abT))
	case SLE:
		return ratio(ansT+abS, ans+ab)
	case SLF:
		return ratio(float64(q.LeftWithinT), float64(q.Offered))
	}
	return math.NaN()
}

// ASA is the average speed of answer in seconds: Σ wait of answered / Ans.
func (q QueueCounts) ASA() float64 {
	return ratio(q.AnsweredWait.Seconds(), float64(q.Answered))
}

// AHT is the average handle time in seconds, (talk + wrap-up) / handled;
// AvgTalk and AvgWrapUp are its two parts (there is no hold in this ACD).
func (q QueueCounts) AHT() float64 { return ratio((q.Talk + q.WrapUp).Seconds(), float64(q.Handled)) }

// AvgTalk is the average talk time of handled calls in seconds.
func (q QueueCounts) AvgTalk() float64 { return ratio(q.Talk.Seconds(), float64(q.Handled)) }

// AvgWrapUp is the average wrap-up time of handled calls in seconds.
func (q QueueCounts) AvgWrapUp() float64 { return ratio(q.WrapUp.Seconds(), float64(q.Handled)) }

// AbandonRate is Ab / Offered.
func (q QueueCounts) AbandonRate() float64 {
	return ratio(float64(q.Abandoned), float64(q.Offered))
}

// AbandonRateExShort is (Ab − Ab≤S) / (Offered − Ab≤S).
func (q QueueCounts) AbandonRateExShort() float64 {
	s := float64(q.AbandonedWithinS)
	return ratio(float64(q.Abandoned)-s, float64(q.Offered)-s)
}

// AgentCounts are one agent's tallies in one period. Call figures (offers,
// answers, misses, talk, wrap-up) count in the period the call entered the
// queue, like the queue figures; state times are clock time cut at the
// period's boundaries, since time in a state has no single moment.
type AgentCounts struct {
	Offered  int
	Answered int
	Missed   int
	Handled  int
	// Talk and WrapUp sum the agent's handled calls.
	Talk   time.Duration
	WrapUp time.Duration
	// States sums time per logged-in state; Pause per pause reason.
	States map[string]time.Duration
	Pause  map[string]time.Duration
}

func (a *AgentCounts) addState(state, reason string, d time.Duration) {
	if a.States == nil {
		a.States = map[string]time.Duration{}
	}
	a.States[state] += d
	if state == "paused" {
		if a.Pause == nil {
			a.Pause = map[string]time.Duration{}
		}
		a.Pause[reason] += d
	}
}

// LoggedIn is the time in any logged-in state.
func (a AgentCounts) LoggedIn() time.Duration {
	var d time.Duration
	for _, v := range a.States {
		d += v
	}
	return d
}

// working is time on calls (busy) and in wrap-up.
func (a AgentCounts) working() time.Duration { return a.States["busy"] + a.States["wrap-up"] }

// Occupancy is (busy + wrap-up) / (busy + wrap-up + available + ringing):
// logged-in time less pauses. Ringing counts as available: the agent was
// free and a call was being offered.
func (a AgentCounts) Occupancy() float64 {
	w := a.working()
	return ratio(w.Seconds(), (w + a.States["available"] + a.States["ringing"]).Seconds())
}

// Utilisation is (busy + wrap-up) / all logged-in time, pauses included.
func (a AgentCounts) Utilisation() float64 {
	return ratio(a.working().Seconds(), a.LoggedIn().Seconds())
}

// AHT is the agent's average handle time in seconds.
func (a AgentCounts) AHT() float64 { return ratio((a.Talk + a.WrapUp).Seconds(), float64(a.Handled)) }
