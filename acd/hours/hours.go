// Package hours evaluates a queue's business hours: weekly opening ranges
// in a time zone, and holiday dates on which the queue stays closed. It is
// pure: Open takes the instant to judge, and nothing here reads a clock.
//
// Ranges are wall-clock times in the schedule's zone, so "09:00-18:00"
// means 09:00 to 18:00 as the clocks on the wall show, whatever the UTC
// offset that day. On a daylight-saving change this gives:
//   - spring forward (e.g. Paris, last Sunday of March, 02:00 → 03:00): a
//     wall time that does not exist, such as 02:30, is never reached, so a
//     range "02:00-03:00" is closed all day and "02:30-04:00" opens at
//     03:00;
//   - fall back (last Sunday of October, 03:00 → 02:00): the hour 02:00-03:00
//     happens twice and a range covering it is open both times.
//
// Holidays are dates in the schedule's zone: "2026-12-25" is closed from
// midnight to midnight in that zone, wherever the caller is.
package hours

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zones work on hosts without /usr/share/zoneinfo
)

// Spec is a schedule as written in the config file or sent to the API.
type Spec struct {
	// TimeZone is an IANA zone name such as "Europe/Paris"; "" is UTC.
	TimeZone string `json:"time_zone"`
	// Weekly maps a day ("mon" … "sun") to its opening ranges
	// "HH:MM-HH:MM", the end after the start ("24:00" ends at midnight).
	// A day left out is closed.
	Weekly map[string][]string `json:"weekly"`
	// Holidays are closed dates, "YYYY-MM-DD" in TimeZone.
	Holidays []string `json:"holidays"`
}

// Days are the keys of Spec.Weekly, in time.Weekday order.
var Days = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Range is an opening range in minutes after local midnight, [Start, End).
type Range struct{ Start, End int }

// Schedule is a parsed, immutable Spec.
type Schedule struct {
	loc      *time.Location
	weekly   [7][]Range
	holidays map[string]bool
	spec     Spec
}

// Parse checks and compiles a Spec.
func Parse(s Spec) (*Schedule, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("parse hours: time zone %q: %w", s.TimeZone, err)
	}
	sc := &Schedule{loc: loc, holidays: map[string]bool{}, spec: clone(s)}
	var errs []error
	for _, day := range slices.Sorted(maps.Keys(s.Weekly)) {
		i := slices.Index(Days, day)
		if i < 0 {
			errs = append(errs, fmt.Errorf("parse hours: unknown day %q (want one of %v)", day, Days))
			continue
		}
		for _, r := range s.Weekly[day] {
			rg, err := ParseRange(r)
			if err != nil {
				errs = append(errs, fmt.Errorf("parse hours: %s: %w", day, err))
				continue
			}
			sc.weekly[i] = append(sc.weekly[i], rg)
		}
	}
	for _, h := range s.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			errs = append(errs, fmt.Errorf("parse hours: holiday %q is not a date YYYY-MM-DD", h))
			continue
		}
		sc.holidays[h] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return sc, nil
}

// ParseRange reads "HH:MM-HH:MM" with the end after the start; "24:00" is
// accepted as an end.
func ParseRange(s string) (Range, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Range{}, fmt.Errorf("range %q: want HH:MM-HH:MM", s)
	}
	start, err1 := clock(strings.TrimSpace(a), false)
	end, err2 := clock(strings.TrimSpace(b), true)
	if err := errors.Join(err1, err2); err != nil {
		return Range{}, fmt.Errorf("range %q: %w", s, err)
	}
	if end <= start {
		return Range{}, fmt.Errorf("range %q: the end must be after the start (ranges do not cross midnight: split them)", s)
	}
	return Range{start, end}, nil
}

func clock(s string, end bool) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || mm < 0 || mm > 59 || hh < 0 || hh > 24 || (hh == 24 && (mm != 0 || !end)) {
		return 0, fmt.Errorf("%q is not a time 00:00-23:59 (or 24:00 as an end)", s)
	}
	return hh*60 + mm, nil
}

// Open reports whether the schedule is open at t. A nil schedule is always
// open.
func (s *Schedule) Open(t time.Time) bool {
	if s == nil {
		return true
	}
	local := t.In(s.loc)
	if s.holidays[local.Format(time.DateOnly)] {
		return false
	}
	m := local.Hour()*60 + local.Minute()
	for _, r := range s.weekly[local.Weekday()] {
		if m >= r.Start && m < r.End {
			return true
		}
	}
	return false
}

// Location is the schedule's time zone.
func (s *Schedule) Location() *time.Location { return s.loc }

// Spec returns the schedule as it was written.
func (s *Schedule) Spec() Spec { return clone(s.spec) }

func clone(s Spec) Spec {
	out := Spec{TimeZone: s.TimeZone, Holidays: slices.Clone(s.Holidays)}
	if s.Weekly != nil {
		out.Weekly = map[string][]string{}
		for k, v := range s.Weekly {
			out.Weekly[k] = slices.Clone(v)
		}
	}
	return out
}
