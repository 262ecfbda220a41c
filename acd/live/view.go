package live

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/report"
)

// View is the live picture a wallboard shows: what is happening now, read
// from the store, next to today's figures, counted from events. It is the
// body of GET /api/live and of each event on /api/live/stream.
type View struct {
	// Time is when the snapshot was read.
	Time time.Time `json:"time"`
	// Day is today's date in TimeZone; Today figures count calls that
	// entered a queue since its midnight.
	Day      string `json:"day"`
	TimeZone string `json:"time_zone"`
	// SLFormula names the service-level formula of METRICS.md used for
	// ServiceLevel, and SLFormulaText spells it out.
	SLFormula     report.Formula `json:"sl_formula"`
	SLFormulaText string         `json:"sl_formula_text"`
	// ShortAbandonS is S, the short-abandon threshold, in seconds.
	ShortAbandonS float64     `json:"short_abandon_s"`
	Queues        []QueueView `json:"queues"`
	Agents        []AgentView `json:"agents"`
}

// QueueView is one queue: now, and today so far.
type QueueView struct {
	Name   string `json:"name"`
	Number string `json:"number,omitempty"`
	// Waiting counts calls waiting now (not those ringing an agent);
	// LongestWaitMS is the longest of their waits at Time.
	Waiting       int   `json:"waiting"`
	LongestWaitMS int64 `json:"longest_wait_ms"`
	// AgentsByState counts the queue's agents in every state (zeros
	// included); an agent in several queues counts in each.
	AgentsByState map[string]int `json:"agents_by_state"`
	Today         Today          `json:"today"`
}

// Today is one queue's figures for calls that entered it today, by the
// definitions of METRICS.md. Ratios are fractions (0.83, not 83 %) and null
// when undefined (nothing to divide by).
type Today struct {
	Queue string `json:"-"`
	// ThresholdS is T, the queue's service-level threshold, in seconds.
	ThresholdS float64 `json:"threshold_s"`
	// Offered = Answered + Abandoned + FlowOuts + Dropped + Open.
	Offered          int `json:"offered"`
	Answered         int `json:"answered"`
	Abandoned        int `json:"abandoned"`
	ShortAbandoned   int `json:"short_abandoned"`
	FlowOuts         int `json:"flow_outs"`
	Dropped          int `json:"dropped"`
	Open             int `json:"open"`
	Rejected         int `json:"rejected"`
	AnsweredWithinT  int `json:"answered_within_t"`
	AbandonedWithinT int `json:"abandoned_within_t"`
	// ServiceLevel by the tracker's formula (default sl_b).
	ServiceLevel report.Num `json:"service_level"`
	// ASAS is the average speed of answer in seconds.
	ASAS report.Num `json:"asa_s"`
	// AbandonRate is Ab / Offered; AbandonRateExShort leaves short
	// abandons out of both sides.
	AbandonRate        report.Num `json:"abandon_rate"`
	AbandonRateExShort report.Num `json:"abandon_rate_ex_short"`
	// LongestWaitS is the longest wait of a call that left the queue today.
	LongestWaitS report.Num `json:"longest_wait_s"`
}

// AgentView is one agent now.
type AgentView struct {
	ID          string    `json:"id"`
	Name        string    `json:"name,omitempty"`
	Queues      []string  `json:"queues"`
	State       string    `json:"state"`
	PauseReason string    `json:"pause_reason,omitempty"`
	StateSince  time.Time `json:"state_since"`
	Phones      int       `json:"phones"`
}

// Today returns every queue's figures for today, configured queues first.
func (t *Tracker) Today() []Today {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rollover(t.now())
	out := make([]Today, 0, len(t.order))
	for _, q := range t.order {
		out = append(out, t.todayOf(q))
	}
	return out
}

// todayOf computes one queue's figures; t.mu is held.
func (t *Tracker) todayOf(queue string) Today {
	c := t.counts(queue)
	return Today{
		Queue:              queue,
		ThresholdS:         t.threshold[queue].Seconds(),
		Offered:            c.Offered,
		Answered:           c.Answered,
		Abandoned:          c.Abandoned,
		ShortAbandoned:     c.AbandonedWithinS,
		FlowOuts:           c.FlowOuts,
		Dropped:            c.Dropped,
		Open:               c.Open,
		Rejected:           c.Rejected,
		AnsweredWithinT:    c.AnsweredWithinT,
		AbandonedWithinT:   c.AbandonedWithinT,
		ServiceLevel:       report.Num(c.SL(t.formula)),
		ASAS:               report.Num(c.ASA()),
		AbandonRate:        report.Num(c.AbandonRate()),
		AbandonRateExShort: report.Num(c.AbandonRateExShort()),
		LongestWaitS:       report.Num(longest(c)),
	}
}

// longest is the longest wait of a call that left the queue, NaN if none did.
func longest(c *report.QueueCounts) float64 {
	if c.Offered-c.Open == 0 {
		return math.NaN()
	}
	return c.LongestWait.Seconds()
}

// View joins the snapshot of now with today's figures. Queues keep the
// snapshot's order, followed by queues only today's events named; agents
// are sorted by name, then id.
func (t *Tracker) View(s acd.Snapshot) View {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := s.Time
	if now.IsZero() {
		now = t.now()
	}
	t.rollover(t.now())
	v := View{
		Time: now, Day: t.day.Format(time.DateOnly), TimeZone: t.loc.String(),
		SLFormula: t.formula, SLFormulaText: t.formula.Describe(), ShortAbandonS: t.short.Seconds(),
		Queues: []QueueView{}, Agents: []AgentView{},
	}
	seen := map[string]bool{}
	for _, q := range s.Queues {
		seen[q.Name] = true
		byState := map[string]int{}
		for _, st := range AgentStates() {
			byState[st] = q.AgentsByState[st]
		}
		v.Queues = append(v.Queues, QueueView{
			Name: q.Name, Number: q.Number, Waiting: q.Waiting, LongestWaitMS: q.LongestWaitMS,
			AgentsByState: byState, Today: t.todayOf(q.Name),
		})
	}
	for _, q := range t.order {
		if seen[q] {
			continue
		}
		byState := map[string]int{}
		for _, st := range AgentStates() {
			byState[st] = 0
		}
		v.Queues = append(v.Queues, QueueView{Name: q, Number: t.number[q], AgentsByState: byState, Today: t.todayOf(q)})
	}
	for _, a := range s.Agents {
		qs := a.Queues
		if qs == nil {
			qs = []string{}
		}
		v.Agents = append(v.Agents, AgentView{
			ID: a.ID, Name: a.Name, Queues: qs, State: a.State.String(), PauseReason: a.PauseReason,
			StateSince: a.StateSince, Phones: a.Contacts,
		})
	}
	slices.SortFunc(v.Agents, func(a, b AgentView) int {
		return cmp.Or(cmp.Compare(cmp.Or(a.Name, a.ID), cmp.Or(b.Name, b.ID)), cmp.Compare(a.ID, b.ID))
	})
	return v
}
