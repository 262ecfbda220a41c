package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Sections chooses what a report prints.
type Sections struct {
	Queues, Agents, Calls bool
}

// header is the preamble every format carries: what the figures mean.
func (r *Report) header() []string {
	o := r.Options
	h := []string{
		fmt.Sprintf("Interval %s, time zone %s, events from %s to %s.", o.Interval, o.Location, r.stamp(r.From), r.stamp(r.To)),
		fmt.Sprintf("SL = %s = %s, T = %s (per queue where configured), short abandon S = %s.", o.SL, o.SL.Describe(), o.Threshold, o.Short),
		Rule,
		"ASA = Σ queue wait of answered calls / Ans (ring time included). AHT = (talk + wrap-up) / handled calls. " +
			"Abandon rate = Ab / Offered; ex short = (Ab − Ab≤S) / (Offered − Ab≤S). Longest wait: any call that left the queue. " +
			"Occupancy = (busy + wrap-up) / (busy + wrap-up + available + ringing); utilisation = (busy + wrap-up) / logged-in time, pauses included.",
	}
	for _, t := range r.Torn {
		h = append(h, "Note: "+t.String())
	}
	for _, w := range r.Warnings {
		h = append(h, "Warning: "+w)
	}
	return h
}

// WriteTable prints a readable report.
func (r *Report) WriteTable(w io.Writer, s Sections) error {
	var b strings.Builder
	for _, l := range r.header() {
		b.WriteString(l + "\n")
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	if s.Queues {
		fmt.Fprintf(tw, "\nqueue\tinterval\toffered\tans\taband\tshort\tflow-out\tcallback\tcb ok\tcb failed\tdropped\topen\trejected\tSL %s\tASA\tmax wait\tmax ab wait\tAHT\ttalk\twrap-up\tab%%\tab%% ex short\t\n", r.Options.SL)
		for _, p := range r.Queues {
			c := p.Counts
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
				p.Queue, r.label(p.Start), c.Offered, c.Answered, c.Abandoned, c.AbandonedWithinS, c.FlowOuts,
				c.Callbacks, c.CallbacksConnected, c.CallbacksFailed, c.Dropped,
				c.Open, c.Rejected, pct(c.SL(r.Options.SL)), dur(c.ASA()), dur(c.LongestWait.Seconds()),
				dur(c.LongestAbandonWait.Seconds()), dur(c.AHT()), dur(c.AvgTalk()), dur(c.AvgWrapUp()),
				pct(c.AbandonRate()), pct(c.AbandonRateExShort()))
		}
	}
	if s.Agents {
		fmt.Fprintf(tw, "\nagent\tinterval\toffered\tans\tmissed\ttalk\twrap-up\tAHT\tlogged in\toccupancy\tutilisation\tpaused\tpause reasons\t\n")
		for i, row := range r.AgentRows() {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", row.Agent, r.label(r.Agents[i].Start),
				row.Offered, row.Answered, row.Missed, dur(float64(row.TalkS)), dur(float64(row.WrapUpS)), dur(float64(row.AHTS)),
				dur(float64(row.LoggedInS)), pct(float64(row.Occupancy)), pct(float64(row.Utilisation)),
				dur(float64(row.PausedS)), pauseString(row.Pause))
		}
	}
	if s.Calls {
		fmt.Fprintf(tw, "\ncall\tqueue\tcaller\tagent\toutcome\tentered\twait\tring\ttalk\twrap-up\tattempts\t\n")
		for _, c := range r.Calls {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", c.CallID, c.Queue, c.Caller, c.Agent, c.Outcome,
				c.Entered.In(r.Options.Location).Format("2006-01-02 15:04:05"), dur(c.Wait.Seconds()), dur(c.Ring.Seconds()),
				dur(c.Talk.Seconds()), dur(c.WrapUp.Seconds()), c.Attempts)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func (r *Report) label(start time.Time) string {
	switch {
	case start.IsZero():
		return "total"
	case r.Options.Interval == Day:
		return start.In(r.Options.Location).Format("2006-01-02")
	}
	return start.In(r.Options.Location).Format("2006-01-02 15:04 MST")
}

func pct(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	return strconv.FormatFloat(100*f, 'f', 1, 64) + "%"
}

func dur(sec float64) string {
	switch {
	case math.IsNaN(sec) || math.IsInf(sec, 0):
		return "-"
	case sec < 60:
		return strconv.FormatFloat(sec, 'f', 1, 64) + "s"
	}
	d := time.Duration(math.Round(sec)) * time.Second
	return d.String()
}

// WriteCSV writes one section as CSV with a header row of the JSON field
// names; figures are seconds and fractions, undefined ones empty.
func (r *Report) WriteCSV(w io.Writer, s Sections) error {
	var rows any
	switch s {
	case Sections{Queues: true}:
		rows = r.QueueRows()
	case Sections{Agents: true}:
		rows = r.AgentRows()
	case Sections{Calls: true}:
		rows = r.CallRows()
	default:
		return fmt.Errorf("write csv: choose exactly one of queues, agents or calls")
	}
	cw := csv.NewWriter(w)
	v := reflect.ValueOf(rows)
	typ := v.Type().Elem()
	var head []string
	for i := range typ.NumField() {
		head = append(head, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
	}
	_ = cw.Write(head)
	for i := range v.Len() {
		var rec []string
		for k := range typ.NumField() {
			rec = append(rec, cell(v.Index(i).Field(k)))
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func cell(f reflect.Value) string {
	switch x := f.Interface().(type) {
	case Num:
		return x.String()
	case map[string]Num:
		return pauseString(x)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	return fmt.Sprint(f.Interface())
}

// JSONReport is the JSON form of a report.
type JSONReport struct {
	Rule         string     `json:"rule"`
	Interval     string     `json:"interval"`
	TimeZone     string     `json:"time_zone"`
	SLFormula    Formula    `json:"sl_formula"`
	SLDefinition string     `json:"sl_definition"`
	ThresholdS   Num        `json:"threshold_s"`
	ShortS       Num        `json:"short_s"`
	From         string     `json:"from"`
	To           string     `json:"to"`
	Queues       []QueueRow `json:"queues,omitempty"`
	Agents       []AgentRow `json:"agents,omitempty"`
	Calls        []CallRow  `json:"calls,omitempty"`
	Torn         []JSONTorn `json:"torn,omitempty"`
	Warnings     []string   `json:"warnings,omitempty"`
}

// JSONTorn describes a torn line without its bytes.
type JSONTorn struct {
	Path   string `json:"path,omitempty"`
	Line   int    `json:"line"`
	Offset int64  `json:"offset"`
	Length int    `json:"length"`
}

// WriteJSON writes the report as one JSON document.
func (r *Report) WriteJSON(w io.Writer, s Sections) error {
	o := r.Options
	j := JSONReport{Rule: Rule, Interval: o.Interval.String(), TimeZone: o.Location.String(), SLFormula: o.SL,
		SLDefinition: o.SL.Describe(), ThresholdS: secs(o.Threshold), ShortS: secs(o.Short),
		From: r.stamp(r.From), To: r.stamp(r.To), Warnings: r.Warnings}
	if s.Queues {
		j.Queues = r.QueueRows()
	}
	if s.Agents {
		j.Agents = r.AgentRows()
	}
	if s.Calls {
		j.Calls = r.CallRows()
	}
	for _, t := range r.Torn {
		j.Torn = append(j.Torn, JSONTorn{Path: t.Path, Line: t.Line, Offset: t.Offset, Length: len(t.Bytes)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(j); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
