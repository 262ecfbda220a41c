package config

import (
	"time"
	_ "time/tzdata" // validate zone names even where the OS has no zoneinfo

	"gopkg.in/yaml.v3"
)

// Report sets how measurements are presented, so `acd report`, `acd
// staffing` and the wallboard agree without flags.
type Report struct {
	// TimeZone names the zone of intervals and "today" (IANA name, or
	// "Local" for the machine's zone).
	TimeZone string
	// SLFormula is the service-level formula shown as SL: sl_a … sl_f
	// (METRICS.md), default sl_b.
	SLFormula string
	// ShortAbandon is S, the short-abandon threshold, default 5s.
	ShortAbandon time.Duration
}

// Location loads TimeZone; Validate has checked it.
func (r Report) Location() *time.Location {
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		return time.Local
	}
	return loc
}

// SLFormulas lists the service-level formula names of METRICS.md.
var SLFormulas = []string{"sl_a", "sl_b", "sl_c", "sl_d", "sl_e", "sl_f"}

func defaultReport() Report {
	return Report{TimeZone: "Local", SLFormula: "sl_b", ShortAbandon: 5 * time.Second}
}

func (d *decoder) report(n *yaml.Node, path string, r *Report) {
	d.mapping(n, path, map[string]field{
		"time_zone":     d.str(&r.TimeZone),
		"sl_formula":    d.str(&r.SLFormula),
		"short_abandon": d.duration(&r.ShortAbandon),
	})
}

func (v *validator) report() {
	r := v.c.Report
	if _, err := time.LoadLocation(r.TimeZone); err != nil || r.TimeZone == "" {
		v.fail("report.time_zone", "unknown time zone %q (an IANA name such as Europe/Paris, or Local)", r.TimeZone)
	}
	known := false
	for _, f := range SLFormulas {
		known = known || f == r.SLFormula
	}
	if !known {
		v.fail("report.sl_formula", "unknown formula %q (one of sl_a, sl_b, sl_c, sl_d, sl_e, sl_f)", r.SLFormula)
	}
	if r.ShortAbandon <= 0 {
		v.fail("report.short_abandon", "must be more than 0, got %s", r.ShortAbandon)
	}
	for _, q := range v.c.Queues {
		if q.ServiceLevel > 0 && r.ShortAbandon >= q.ServiceLevel {
			v.fail("report.short_abandon", "must be below every queue's service_level (S < T), but queue %s has %s", q.Name, q.ServiceLevel)
			break
		}
	}
}
