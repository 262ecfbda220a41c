package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/sme/acd/acd/report"
	"github.com/sme/acd/config"
)

const staffingUsage = `usage: acd staffing [-config FILE] [-log FILE]... [-interval 30m] [-queue NAME] [-tz ZONE]
       acd staffing -rate CALLS_PER_HOUR -aht 180s
  target: [-sl 0.8] [-t 20s] [-max-occupancy 0.85] [-shrinkage 0.3]
`

// staffingCommand prints the agents Erlang C asks for, from measured
// traffic per interval (next to who was logged in and the SL achieved) or
// from an explicit arrival rate and AHT.
func staffingCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("staffing", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, staffingUsage); fs.PrintDefaults() }
	lf := addLogFlags(fs)
	interval := fs.String("interval", "30m", "interval of measured traffic: 15m, 30m, 60m or day")
	queue := fs.String("queue", "", "only this queue's calls (and, with -config, the agents who serve it); default all")
	rate := fs.Float64("rate", 0, "explicit arrival rate in calls per hour (instead of -log)")
	aht := fs.Duration("aht", 0, "explicit average handle time, with -rate")
	sl := fs.Float64("sl", 0.8, "target service level, a fraction")
	t := fs.Duration("t", 20*time.Second, "target answer time T")
	maxOcc := fs.Float64("max-occupancy", 0.85, "highest acceptable occupancy, a fraction")
	shrink := fs.Float64("shrinkage", 0.3, "share of paid time off the phones, a fraction")
	formula := fs.String("formula", "sl_b", "formula of the achieved SL: sl_a … sl_f")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	tgt := report.Target{SL: *sl, T: *t, MaxOccupancy: *maxOcc, Shrinkage: *shrink}
	if flagSet(fs, "rate") || flagSet(fs, "aht") {
		return explicitStaffing(stdout, stderr, *rate, *aht, tgt)
	}
	opt := report.Options{Threshold: *t}
	var err error
	if opt.Interval, err = report.ParseInterval(*interval); err != nil || opt.Interval.IsZero() {
		return usageError(stderr, fmt.Errorf("-interval %q: want 15m, 30m, 60m or day", *interval))
	}
	if opt.SL, err = report.ParseFormula(*formula); err != nil {
		return usageError(stderr, err)
	}
	if _, _, _, err := report.Staff(0, 0, tgt.SL, tgt.T.Seconds(), tgt.MaxOccupancy, tgt.Shrinkage); err != nil {
		return usageError(stderr, err)
	}
	cfg, ds, torn, loc, err := lf.load(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "acd staffing: %v\n", err)
		return 1
	}
	opt.Location = loc
	for _, tl := range torn {
		fmt.Fprintf(stderr, "acd staffing: note: %s\n", tl)
	}
	var queues, agents []string
	if *queue != "" {
		queues = []string{*queue}
		if *lf.config != "" {
			agents = queueAgents(cfg, *queue)
		}
	}
	rows := report.Compute(ds, opt).Staffing(tgt, queues, agents)
	fmt.Fprintf(stdout, "Erlang C (M/M/N, no abandonment: it overstates staff), target %.0f%% in %s, max occupancy %.0f%%, shrinkage %.0f%%; "+
		"traffic per %s interval in %s, achieved SL by %s. Needed = agents on the phones; scheduled = needed / (1 − shrinkage).\n",
		100*tgt.SL, tgt.T, 100*tgt.MaxOccupancy, 100*tgt.Shrinkage, opt.Interval, loc, opt.SL)
	starred := false
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "interval\toffered\tcalls/h\tAHT\terlangs\tneeded\tscheduled\tpred SL\tpred ASA\tpred occ\tlogged in\ton phones\tSL achieved\t\n")
	for _, r := range rows {
		ahtS := num(r.AHT, 0) + "s"
		if r.AHTFromTotal && !math.IsNaN(r.AHT) {
			ahtS, starred = ahtS+"*", true
		}
		needed, sched := strconv.Itoa(r.Needed), strconv.Itoa(r.Scheduled)
		if r.Err != nil {
			needed, sched = "-", r.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Start.In(loc).Format("2006-01-02 15:04 MST"),
			r.Offered, num(r.RatePerHour, 1), ahtS, num(r.Predicted.Traffic, 2), needed, sched, pctOf(r.Predicted.SL),
			num(r.Predicted.ASA, 1)+"s", pctOf(r.Predicted.Occupancy), num(r.LoggedIn, 1), num(r.OnPhones, 1), pctOf(r.Achieved))
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "acd staffing: %v\n", err)
		return 1
	}
	if starred {
		fmt.Fprintln(stdout, "AHT marked * is the whole log's: the interval had no handled call.")
	}
	return 0
}

func explicitStaffing(stdout, stderr io.Writer, perHour float64, aht time.Duration, tgt report.Target) int {
	if perHour <= 0 || aht <= 0 {
		return usageError(stderr, fmt.Errorf("-rate and -aht must both be positive"))
	}
	lambda := perHour / 3600
	n, sched, p, err := report.Staff(lambda, aht.Seconds(), tgt.SL, tgt.T.Seconds(), tgt.MaxOccupancy, tgt.Shrinkage)
	if err != nil {
		return usageError(stderr, err)
	}
	fmt.Fprintf(stdout, "Erlang C: %.1f calls/h, AHT %s → %.2f erlangs. Target %.0f%% in %s, max occupancy %.0f%%, shrinkage %.0f%%.\n",
		perHour, aht, p.Traffic, 100*tgt.SL, tgt.T, 100*tgt.MaxOccupancy, 100*tgt.Shrinkage)
	fmt.Fprintf(stdout, "needed %d agents on the phones, %d scheduled: P(wait) %s, SL %s, ASA %ss, occupancy %s\n",
		n, sched, pctOf(p.PW), pctOf(p.SL), num(p.ASA, 1), pctOf(p.Occupancy))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "agents\tP(wait)\tSL\tASA\toccupancy\t\n")
	for k := max(1, n-3); k <= n+3; k++ {
		pw, slv, asa, occ := report.ErlangC(lambda, aht.Seconds(), k, tgt.T.Seconds())
		fmt.Fprintf(tw, "%d\t%s\t%s\t%ss\t%s\t\n", k, pctOf(pw), pctOf(slv), num(asa, 1), pctOf(occ))
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "acd staffing: %v\n", err)
		return 1
	}
	return 0
}

// queueAgents lists the configured agents who serve the queue; nil (every
// agent in the log) when the config lists none.
func queueAgents(cfg *config.Config, queue string) []string {
	var ids []string
	for _, a := range cfg.Agents {
		for _, q := range a.Queues {
			if q == queue {
				ids = append(ids, a.ID)
			}
		}
	}
	return ids
}

func num(f float64, prec int) string {
	if math.IsNaN(f) {
		return "-"
	}
	if math.IsInf(f, 1) {
		return "∞"
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}

func pctOf(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "-"
	}
	return strconv.FormatFloat(100*f, 'f', 1, 64) + "%"
}
