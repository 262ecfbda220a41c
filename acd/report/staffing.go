package report

import (
	"math"
	"sort"
	"time"
)

// Target is a staffing goal: SL of calls answered within T, occupancy at
// most MaxOccupancy, and Shrinkage the share of paid time agents are not on
// the phones (breaks, training, absence).
type Target struct {
	SL           float64
	T            time.Duration
	MaxOccupancy float64
	Shrinkage    float64
}

// StaffingRow compares, for one period, the agents Erlang C asks for with
// the agents who were there and the service level they achieved.
type StaffingRow struct {
	Start, End time.Time
	Offered    int
	// RatePerHour is the measured arrival rate; AHT the measured average
	// handle time in seconds, from the period's handled calls or, when it
	// has none, from the whole log (AHTFromTotal).
	RatePerHour  float64
	AHT          float64
	AHTFromTotal bool
	// Needed agents on the phones and Scheduled staff (with shrinkage);
	// Err says why there is no answer (e.g. no AHT known).
	Needed, Scheduled int
	Predicted         Prediction
	Err               error
	// LoggedIn is the average number of agents logged in during the
	// period; OnPhones the same less paused agents (comparable to Needed).
	LoggedIn, OnPhones float64
	// Achieved is the measured service level by the report's formula.
	Achieved float64
}

// Staffing gives one row per period for the calls of the named queues
// (all queues when none are named) and the named agents (all when none).
// The report must have an interval.
func (r *Report) Staffing(tgt Target, queues, agents []string) []StaffingRow {
	in := func(list []string, s string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	type acc struct {
		start, end time.Time
		q          QueueCounts
		loggedIn   time.Duration
		onPhones   time.Duration
	}
	byStart := map[int64]*acc{}
	get := func(start, end time.Time) *acc {
		a := byStart[start.UnixNano()]
		if a == nil {
			a = &acc{start: start, end: end}
			byStart[start.UnixNano()] = a
		}
		return a
	}
	var total QueueCounts
	for _, p := range r.Queues {
		if !in(queues, p.Queue) {
			continue
		}
		if p.Start.IsZero() {
			total.Add(p.Counts)
			continue
		}
		get(p.Start, p.End).q.Add(p.Counts)
	}
	for _, p := range r.Agents {
		if p.Start.IsZero() || !in(agents, p.Agent) {
			continue
		}
		a := get(p.Start, p.End)
		a.loggedIn += p.Counts.LoggedIn()
		a.onPhones += p.Counts.LoggedIn() - p.Counts.States["paused"]
	}
	var out []StaffingRow
	for _, a := range byStart {
		secs := a.end.Sub(a.start).Seconds()
		row := StaffingRow{Start: a.start, End: a.end, Offered: a.q.Offered,
			RatePerHour: float64(a.q.Offered) / secs * 3600, AHT: a.q.AHT(),
			LoggedIn: a.loggedIn.Seconds() / secs, OnPhones: a.onPhones.Seconds() / secs,
			Achieved: a.q.SL(r.Options.SL)}
		if math.IsNaN(row.AHT) {
			row.AHT, row.AHTFromTotal = total.AHT(), true
		}
		switch {
		case a.q.Offered == 0:
			row.Predicted = Prediction{SL: 1}
		case math.IsNaN(row.AHT):
			row.Err = errNoAHT
		default:
			row.Needed, row.Scheduled, row.Predicted, row.Err = Staff(float64(a.q.Offered)/secs, row.AHT,
				tgt.SL, tgt.T.Seconds(), tgt.MaxOccupancy, tgt.Shrinkage)
		}
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

type staffError string

func (e staffError) Error() string { return string(e) }

const errNoAHT = staffError("no handled call in the log to measure AHT from")
