package hours

import (
	"testing"
	"time"
)

func mustParse(t *testing.T, s Spec) *Schedule {
	t.Helper()
	sc, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func at(t *testing.T, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenWeeklyAndZones(t *testing.T) {
	sc := mustParse(t, Spec{TimeZone: "Europe/Paris", Weekly: map[string][]string{
		"mon": {"09:00-12:30", "14:00-18:00"}, "sat": {"10:00-24:00"},
	}, Holidays: []string{"2026-12-25"}})
	cases := []struct {
		name string
		t    time.Time
		want bool
	}{
		{"monday morning", at(t, "Europe/Paris", "2026-03-02 09:00"), true},
		{"before opening", at(t, "Europe/Paris", "2026-03-02 08:59"), false},
		{"lunch", at(t, "Europe/Paris", "2026-03-02 12:30"), false},
		{"afternoon", at(t, "Europe/Paris", "2026-03-02 17:59"), true},
		{"end is exclusive", at(t, "Europe/Paris", "2026-03-02 18:00"), false},
		{"tuesday closed", at(t, "Europe/Paris", "2026-03-03 10:00"), false},
		{"saturday until midnight", at(t, "Europe/Paris", "2026-03-07 23:59"), true},
		// 08:30 UTC is 09:30 in Paris in winter (UTC+1): open.
		{"utc instant winter", time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC), true},
		// 07:30 UTC is 08:30 in Paris: closed, though 07:30 in New York is a
		// different day part altogether.
		{"utc instant before", time.Date(2026, 3, 2, 7, 30, 0, 0, time.UTC), false},
		// 03:30 in New York on Monday is 09:30 in Paris: open.
		{"new york caller", at(t, "America/New_York", "2026-03-02 03:30"), true},
		// Summer (UTC+2): 07:30 UTC is 09:30 in Paris.
		{"utc instant summer", time.Date(2026, 6, 1, 7, 30, 0, 0, time.UTC), true},
		// 2026-12-25 is a Friday; make it a Monday-like check on the holiday
		// itself via Paris date: 2026-12-28 is Monday (open), 25th closed.
		{"monday after christmas", at(t, "Europe/Paris", "2026-12-28 10:00"), true},
	}
	for _, c := range cases {
		if got := sc.Open(c.t); got != c.want {
			t.Errorf("%s: Open(%s) = %v, want %v", c.name, c.t, got, c.want)
		}
	}
}

func TestHolidayInScheduleZone(t *testing.T) {
	every := []string{"00:00-24:00"}
	sc := mustParse(t, Spec{TimeZone: "Europe/Paris", Weekly: map[string][]string{
		"mon": every, "tue": every, "wed": every, "thu": every, "fri": every, "sat": every, "sun": every,
	}, Holidays: []string{"2026-12-25"}})
	cases := []struct {
		t    time.Time
		want bool
	}{
		{at(t, "Europe/Paris", "2026-12-24 23:59"), true},
		{at(t, "Europe/Paris", "2026-12-25 00:00"), false},
		{at(t, "Europe/Paris", "2026-12-25 23:59"), false},
		{at(t, "Europe/Paris", "2026-12-26 00:00"), true},
		// 23:30 UTC on the 24th is already the 25th in Paris: closed.
		{time.Date(2026, 12, 24, 23, 30, 0, 0, time.UTC), false},
		// 23:30 UTC on the 25th is the 26th in Paris: open.
		{time.Date(2026, 12, 25, 23, 30, 0, 0, time.UTC), true},
		// 18:00 on the 24th in Los Angeles is 03:00 on the 25th in Paris.
		{at(t, "America/Los_Angeles", "2026-12-24 18:00"), false},
	}
	for _, c := range cases {
		if got := sc.Open(c.t); got != c.want {
			t.Errorf("Open(%s) = %v, want %v", c.t, got, c.want)
		}
	}
}

func TestDaylightSaving(t *testing.T) {
	// Paris: 2026-03-29 02:00 → 03:00 (spring), 2026-10-25 03:00 → 02:00 (fall); both Sundays.
	sc := mustParse(t, Spec{TimeZone: "Europe/Paris", Weekly: map[string][]string{
		"sun": {"02:30-04:00", "09:00-18:00"},
	}})
	spring := time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC) // 01:00 Paris (UTC+1)
	cases := []struct {
		name string
		t    time.Time
		want bool
	}{
		// 00:59 UTC = 01:59 CET: before the range.
		{"spring before jump", spring.Add(59 * time.Minute), false},
		// 01:00 UTC = 03:00 CEST: 02:30 never existed, the range is open from 03:00.
		{"spring after jump", spring.Add(time.Hour), true},
		{"spring 03:59", spring.Add(time.Hour + 59*time.Minute), true},
		{"spring 04:00", spring.Add(2 * time.Hour), false},
		// 09:00 CEST = 07:00 UTC on the spring day: the offset changed, the wall time counts.
		{"spring 09:00 wall", time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC), true},
		{"spring 08:59 wall", time.Date(2026, 3, 29, 6, 59, 0, 0, time.UTC), false},
		// Fall: 00:30 UTC = 02:30 CEST (first pass), 01:30 UTC = 02:30 CET (second pass).
		{"fall first 02:30", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), true},
		{"fall second 02:30", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), true},
		{"fall 02:29 first pass", time.Date(2026, 10, 25, 0, 29, 0, 0, time.UTC), false},
		// 02:00 UTC = 03:00 CET, 03:00 UTC = 04:00 CET.
		{"fall 03:00", time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC), true},
		{"fall 04:00", time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC), false},
		// 09:00 CET = 08:00 UTC after fall back.
		{"fall 09:00 wall", time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC), true},
		{"fall 08:59 wall", time.Date(2026, 10, 25, 7, 59, 0, 0, time.UTC), false},
	}
	for _, c := range cases {
		if got := sc.Open(c.t); got != c.want {
			t.Errorf("%s: Open(%s = %s) = %v, want %v", c.name, c.t, c.t.In(sc.Location()), got, c.want)
		}
	}
	// A range inside the skipped hour is never open on the spring day.
	gap := mustParse(t, Spec{TimeZone: "Europe/Paris", Weekly: map[string][]string{"sun": {"02:00-03:00"}}})
	for m := 0; m < 24*60; m++ {
		if tt := time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC).Add(time.Duration(m) * time.Minute); gap.Open(tt) {
			t.Fatalf("range in the skipped hour open at %s", tt.In(gap.Location()))
		}
	}
}

func TestNilAndParseErrors(t *testing.T) {
	var none *Schedule
	if !none.Open(time.Now()) {
		t.Error("nil schedule must be open")
	}
	if sc := mustParse(t, Spec{}); sc.Open(time.Now()) {
		t.Error("a schedule without ranges must be closed")
	}
	bad := []Spec{
		{TimeZone: "Mars/Olympus"},
		{Weekly: map[string][]string{"monday": {"09:00-10:00"}}},
		{Weekly: map[string][]string{"mon": {"10:00-09:00"}}},
		{Weekly: map[string][]string{"mon": {"9:00-10:00"}}},
		{Weekly: map[string][]string{"mon": {"22:00-02:00"}}},
		{Weekly: map[string][]string{"mon": {"24:00-24:00"}}},
		{Weekly: map[string][]string{"mon": {"09:60-10:00"}}},
		{Holidays: []string{"2026-02-30"}},
	}
	for _, s := range bad {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%+v) accepted", s)
		}
	}
}
