package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
	_ "time/tzdata" // reports name time zones even where the OS has no zoneinfo

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/report"
	"github.com/sme/acd/config"
)

// logFlags are the flags report and staffing share: where the log is and
// how to read its times.
type logFlags struct {
	config *string
	logs   []string
	tz     *string
	mask   *bool
}

func addLogFlags(fs *flag.FlagSet) *logFlags {
	lf := &logFlags{}
	lf.config = fs.String("config", "", "config file: events.path is the default log (with a redis store: the cluster's event stream), queues' service_level the default T")
	fs.Func("log", "event log file; repeat for rotated logs, oldest first (default: the config's events.path and the files rotated out of it)", func(s string) error {
		lf.logs = append(lf.logs, s)
		return nil
	})
	lf.tz = fs.String("tz", "", "time zone of intervals and printed times, e.g. Europe/Paris (default: the config's report.time_zone, else Local)")
	lf.mask = fs.Bool("mask", false, "mask callers' numbers but for their last three digits")
	return lf
}

// load reads the config and the log, and builds the dataset.
func (lf *logFlags) load(extra []string) (*config.Config, report.Dataset, []report.TornLine, *time.Location, error) {
	cfg := config.Default()
	if *lf.config != "" {
		var err error
		if cfg, err = config.Load(*lf.config); err != nil {
			return nil, report.Dataset{}, nil, nil, err
		}
	}
	tz := *lf.tz
	if tz == "" {
		tz = cfg.Report.TimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, report.Dataset{}, nil, nil, fmt.Errorf("-tz: %w", err)
	}
	paths := append(lf.logs, extra...)
	var (
		events []acd.Event
		torn   []report.TornLine
	)
	switch {
	case len(paths) == 0 && cfg.Store.Kind == config.StoreRedis:
		// The cluster's stream: every node's calls, each once.
		events, err = readStream(cfg)
	case len(paths) == 0:
		// The file and the files rotated out of it, oldest first.
		var files []string
		if files, err = acd.LogFiles(cfg.Events.Path); err == nil {
			events, torn, err = report.ReadFiles(files...)
		}
	default:
		events, torn, err = report.ReadFiles(paths...)
	}
	if err != nil {
		return nil, report.Dataset{}, nil, nil, err
	}
	return cfg, report.Build(events, report.BuildOptions{MaskCaller: *lf.mask}), torn, loc, nil
}

// queueThresholds maps each configured queue to its service_level.
func queueThresholds(cfg *config.Config) map[string]time.Duration {
	m := map[string]time.Duration{}
	for _, q := range cfg.Queues {
		m[q.Name] = q.ServiceLevel
	}
	return m
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

const reportUsage = `usage: acd report [-config FILE] [-log FILE]... [-interval 15m|30m|60m|day|total]
       [-format table|csv|json] [-rows queues,agents,calls] [-sl sl_a..sl_f]
       [-threshold 20s] [-short 5s] [-tz Europe/Paris] [-mask] [FILE...]
`

// reportCommand prints per-queue and per-agent measurements from the
// event log, per interval and in total (METRICS.md definitions).
func reportCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, reportUsage); fs.PrintDefaults() }
	lf := addLogFlags(fs)
	interval := fs.String("interval", "15m", "interval: 15m, 30m, 60m, day, or total for totals only")
	format := fs.String("format", "table", "output: table, csv or json")
	rows := fs.String("rows", "", "sections: queues, agents, calls, comma-separated (default queues,agents; csv: queues)")
	sl := fs.String("sl", "sl_b", "service-level formula shown as SL: sl_a … sl_f (METRICS.md; default: the config's report.sl_formula)")
	threshold := fs.Duration("threshold", 20*time.Second, "service-level threshold T, overriding every queue's service_level (unset: each queue's, else this)")
	short := fs.Duration("short", 5*time.Second, "short-abandon threshold S (default: the config's report.short_abandon)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opt := report.Options{Threshold: *threshold, Short: *short}
	var err error
	if opt.Interval, err = report.ParseInterval(*interval); err != nil {
		return usageError(stderr, err)
	}
	if opt.SL, err = report.ParseFormula(*sl); err != nil {
		return usageError(stderr, err)
	}
	sections, err := parseSections(*rows, *format)
	if err != nil {
		return usageError(stderr, err)
	}
	if *threshold <= 0 || *short <= 0 || *short >= *threshold {
		return usageError(stderr, fmt.Errorf("want 0 < -short < -threshold, got %s and %s", *short, *threshold))
	}
	cfg, ds, torn, loc, err := lf.load(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "acd report: %v\n", err)
		return 1
	}
	opt.Location = loc
	if !flagSet(fs, "sl") {
		if opt.SL, err = report.ParseFormula(cfg.Report.SLFormula); err != nil {
			return usageError(stderr, err)
		}
	}
	if !flagSet(fs, "short") {
		opt.Short = cfg.Report.ShortAbandon
	}
	if !flagSet(fs, "threshold") {
		opt.QueueThreshold = queueThresholds(cfg)
	}
	r := report.Compute(ds, opt)
	r.Torn = torn
	switch *format {
	case "table":
		err = r.WriteTable(stdout, sections)
	case "json":
		err = r.WriteJSON(stdout, sections)
	case "csv":
		for _, t := range torn {
			fmt.Fprintf(stderr, "acd report: note: %s\n", t)
		}
		for _, w := range r.Warnings {
			fmt.Fprintf(stderr, "acd report: warning: %s\n", w)
		}
		err = r.WriteCSV(stdout, sections)
	default:
		return usageError(stderr, fmt.Errorf("-format %q: want table, csv or json", *format))
	}
	if err != nil {
		fmt.Fprintf(stderr, "acd report: %v\n", err)
		return 1
	}
	return 0
}

func parseSections(s, format string) (report.Sections, error) {
	var sec report.Sections
	if s == "" {
		if format == "csv" {
			return report.Sections{Queues: true}, nil
		}
		return report.Sections{Queues: true, Agents: true}, nil
	}
	n := 0
	for _, name := range strings.Split(s, ",") {
		switch strings.TrimSpace(name) {
		case "queues":
			sec.Queues = true
		case "agents":
			sec.Agents = true
		case "calls":
			sec.Calls = true
		default:
			return sec, fmt.Errorf("-rows %q: want queues, agents or calls", name)
		}
		n++
	}
	if format == "csv" && n != 1 {
		return sec, fmt.Errorf("-rows %q: csv holds one section: queues, agents or calls", s)
	}
	return sec, nil
}

func usageError(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "acd: %v\n", err)
	return 2
}
