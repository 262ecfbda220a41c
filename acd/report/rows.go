package report

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Num is a figure in the CSV and JSON outputs: seconds or a fraction (0.83,
// not 83 %). NaN means undefined (no calls to divide by) and is written as
// null in JSON and an empty cell in CSV.
type Num float64

// MarshalJSON writes null for an undefined figure.
func (n Num) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(n), 'f', -1, 64), nil
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	*n = Num(v)
	return err
}

func (n Num) String() string {
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return ""
	}
	return strconv.FormatFloat(float64(n), 'f', -1, 64)
}

func secs(d time.Duration) Num { return Num(d.Seconds()) }

// QueueRow is one queue in one period, as written to CSV and JSON.
type QueueRow struct {
	Queue string `json:"queue"`
	// Period is the start of the period in RFC 3339 with its UTC offset,
	// or "total".
	Period     string `json:"period"`
	End        string `json:"end,omitempty"`
	ThresholdS Num    `json:"threshold_s"`
	Offered    int    `json:"offered"`
	Answered   int    `json:"answered"`
	Abandoned  int    `json:"abandoned"`
	// ShortAbandons are abandons with wait ≤ S.
	ShortAbandons int `json:"short_abandons"`
	FlowOuts      int `json:"flow_outs"`
	// Callbacks are calls whose caller asked to be called back (a
	// flow-out of their own): connected, failed, or still pending.
	Callbacks          int `json:"callbacks"`
	CallbacksConnected int `json:"callbacks_connected"`
	CallbacksFailed    int `json:"callbacks_failed"`
	CallbacksPending   int `json:"callbacks_pending"`
	Dropped            int `json:"dropped"`
	Open               int `json:"open"`
	Rejected           int `json:"rejected"`
	AnsweredWithinT    int `json:"answered_within_t"`
	AbandonedWithinT   int `json:"abandoned_within_t"`
	// SL is the service level by the report's chosen formula.
	SL                  Num `json:"sl"`
	SLA                 Num `json:"sl_a"`
	SLB                 Num `json:"sl_b"`
	SLC                 Num `json:"sl_c"`
	SLD                 Num `json:"sl_d"`
	SLE                 Num `json:"sl_e"`
	SLF                 Num `json:"sl_f"`
	ASAS                Num `json:"asa_s"`
	LongestWaitS        Num `json:"longest_wait_s"`
	LongestAbandonWaitS Num `json:"longest_abandon_wait_s"`
	Handled             int `json:"handled"`
	AHTS                Num `json:"aht_s"`
	AvgTalkS            Num `json:"avg_talk_s"`
	AvgWrapUpS          Num `json:"avg_wrap_up_s"`
	AbandonRate         Num `json:"abandon_rate"`
	AbandonRateExShort  Num `json:"abandon_rate_ex_short"`
}

// AgentRow is one agent in one period, as written to CSV and JSON.
type AgentRow struct {
	Agent      string `json:"agent"`
	Period     string `json:"period"`
	End        string `json:"end,omitempty"`
	Offered    int    `json:"offered"`
	Answered   int    `json:"answered"`
	Missed     int    `json:"missed"`
	Handled    int    `json:"handled"`
	TalkS      Num    `json:"talk_s"`
	WrapUpS    Num    `json:"wrap_up_s"`
	AHTS       Num    `json:"aht_s"`
	LoggedInS  Num    `json:"logged_in_s"`
	AvailableS Num    `json:"available_s"`
	RingingS   Num    `json:"ringing_s"`
	BusyS      Num    `json:"busy_s"`
	// WrapUpStateS is time in the wrap-up state cut at period boundaries;
	// WrapUpS follows the calls' entered periods.
	WrapUpStateS Num `json:"wrap_up_state_s"`
	PausedS      Num `json:"paused_s"`
	Occupancy    Num `json:"occupancy"`
	Utilisation  Num `json:"utilisation"`
	// Pause is seconds paused per reason.
	Pause map[string]Num `json:"pause,omitempty"`
}

// CallRow is one call record as written to CSV and JSON.
type CallRow struct {
	CallID   string `json:"call_id"`
	Queue    string `json:"queue"`
	Caller   string `json:"caller"`
	Agent    string `json:"agent"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason"`
	Entered  string `json:"entered"`
	Offered  string `json:"offered"`
	Answered string `json:"answered"`
	Ended    string `json:"ended"`
	WaitS    Num    `json:"wait_s"`
	RingS    Num    `json:"ring_s"`
	TalkS    Num    `json:"talk_s"`
	WrapUpS  Num    `json:"wrap_up_s"`
	Attempts int    `json:"attempts"`
	Partial  bool   `json:"partial"`
}

func (r *Report) period(start, end time.Time) (string, string) {
	if start.IsZero() {
		return "total", ""
	}
	return start.In(r.Options.Location).Format(time.RFC3339), end.In(r.Options.Location).Format(time.RFC3339)
}

func (r *Report) stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(r.Options.Location).Format("2006-01-02T15:04:05.000Z07:00")
}

// QueueRows flattens the queue periods.
func (r *Report) QueueRows() []QueueRow {
	var out []QueueRow
	for _, p := range r.Queues {
		c := p.Counts
		row := QueueRow{Queue: p.Queue, ThresholdS: secs(p.Threshold),
			Offered: c.Offered, Answered: c.Answered, Abandoned: c.Abandoned, ShortAbandons: c.AbandonedWithinS,
			FlowOuts: c.FlowOuts, Callbacks: c.Callbacks, CallbacksConnected: c.CallbacksConnected,
			CallbacksFailed: c.CallbacksFailed, CallbacksPending: c.CallbacksPending(), Dropped: c.Dropped, Open: c.Open, Rejected: c.Rejected,
			AnsweredWithinT: c.AnsweredWithinT, AbandonedWithinT: c.AbandonedWithinT,
			SL: Num(c.SL(r.Options.SL)), SLA: Num(c.SL(SLA)), SLB: Num(c.SL(SLB)), SLC: Num(c.SL(SLC)),
			SLD: Num(c.SL(SLD)), SLE: Num(c.SL(SLE)), SLF: Num(c.SL(SLF)),
			ASAS: Num(c.ASA()), LongestWaitS: secs(c.LongestWait), LongestAbandonWaitS: secs(c.LongestAbandonWait),
			Handled: c.Handled, AHTS: Num(c.AHT()), AvgTalkS: Num(c.AvgTalk()), AvgWrapUpS: Num(c.AvgWrapUp()),
			AbandonRate: Num(c.AbandonRate()), AbandonRateExShort: Num(c.AbandonRateExShort())}
		row.Period, row.End = r.period(p.Start, p.End)
		out = append(out, row)
	}
	return out
}

// AgentRows flattens the agent periods.
func (r *Report) AgentRows() []AgentRow {
	var out []AgentRow
	for _, p := range r.Agents {
		c := p.Counts
		row := AgentRow{Agent: p.Agent, Offered: c.Offered, Answered: c.Answered, Missed: c.Missed, Handled: c.Handled,
			TalkS: secs(c.Talk), WrapUpS: secs(c.WrapUp), AHTS: Num(c.AHT()), LoggedInS: secs(c.LoggedIn()),
			AvailableS: secs(c.States["available"]), RingingS: secs(c.States["ringing"]), BusyS: secs(c.States["busy"]),
			WrapUpStateS: secs(c.States["wrap-up"]), PausedS: secs(c.States["paused"]),
			Occupancy: Num(c.Occupancy()), Utilisation: Num(c.Utilisation())}
		for reason, d := range c.Pause {
			if row.Pause == nil {
				row.Pause = map[string]Num{}
			}
			row.Pause[reason] = secs(d)
		}
		row.Period, row.End = r.period(p.Start, p.End)
		out = append(out, row)
	}
	return out
}

// CallRows flattens the call records, in log order.
func (r *Report) CallRows() []CallRow {
	var out []CallRow
	for _, c := range r.Calls {
		out = append(out, CallRow{CallID: c.CallID, Queue: c.Queue, Caller: c.Caller, Agent: c.Agent,
			Outcome: string(c.Outcome), Reason: c.Reason, Entered: r.stamp(c.Entered), Offered: r.stamp(c.Offered),
			Answered: r.stamp(c.Answered), Ended: r.stamp(c.Ended), WaitS: secs(c.Wait), RingS: secs(c.Ring),
			TalkS: secs(c.Talk), WrapUpS: secs(c.WrapUp), Attempts: c.Attempts, Partial: c.Partial})
	}
	return out
}

// pauseString writes pause reasons as "lunch=600;break=300", by reason.
func pauseString(m map[string]Num) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(k + "=" + m[k].String())
	}
	return b.String()
}
