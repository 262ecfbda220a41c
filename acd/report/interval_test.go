package report

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below exist even without the OS's zoneinfo
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestReportIntervalBoundaries(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	kolkata := mustZone(t, "Asia/Kolkata") // +05:30: hours do not start at :00 UTC
	at := func(loc *time.Location, y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, loc)
	}
	for _, tc := range []struct {
		name       string
		iv         Interval
		t          time.Time
		start, end time.Time
	}{
		{"last ms of 09:00", Min15, at(paris, 2025, 3, 4, 9, 14, 59, 999e6), at(paris, 2025, 3, 4, 9, 0, 0, 0), at(paris, 2025, 3, 4, 9, 15, 0, 0)},
		{"first instant of 09:15", Min15, at(paris, 2025, 3, 4, 9, 15, 0, 0), at(paris, 2025, 3, 4, 9, 15, 0, 0), at(paris, 2025, 3, 4, 9, 30, 0, 0)},
		{"30m", Min30, at(paris, 2025, 3, 4, 9, 29, 59, 999e6), at(paris, 2025, 3, 4, 9, 0, 0, 0), at(paris, 2025, 3, 4, 9, 30, 0, 0)},
		{"60m in +05:30", Min60, at(kolkata, 2025, 3, 4, 9, 59, 0, 0), at(kolkata, 2025, 3, 4, 9, 0, 0, 0), at(kolkata, 2025, 3, 4, 10, 0, 0, 0)},
		{"day at local midnight", Day, at(paris, 2025, 3, 4, 23, 59, 59, 0), at(paris, 2025, 3, 4, 0, 0, 0, 0), at(paris, 2025, 3, 5, 0, 0, 0, 0)},
		{"day after local midnight", Day, at(paris, 2025, 3, 4, 0, 0, 0, 0).Add(-time.Nanosecond), at(paris, 2025, 3, 3, 0, 0, 0, 0), at(paris, 2025, 3, 4, 0, 0, 0, 0)},
	} {
		start, end := tc.iv.Period(tc.t.UTC(), tc.t.Location())
		if !start.Equal(tc.start) || !end.Equal(tc.end) {
			t.Errorf("%s: Period(%s) = [%s, %s), want [%s, %s)", tc.name, tc.t, start, end, tc.start, tc.end)
		}
	}
	// 09:14:59.999 Paris is 08:14:59.999 UTC: in UTC it is the 08:00 period.
	if s, _ := Min15.Period(at(paris, 2025, 3, 4, 9, 14, 59, 999e6), time.UTC); !s.Equal(time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("UTC period start %s", s)
	}
	if s, e := (Interval{}).Period(time.Now(), paris); !s.IsZero() || !e.IsZero() {
		t.Error("the zero interval has periods")
	}
}

// When clocks go back (Paris, 27 Oct 2024, 03:00 CEST → 02:00 CET) the
// hour 02:00–03:00 happens twice: two distinct periods, and the day lasts
// 25 hours; when they go forward (31 Mar 2024) it lasts 23.
func TestReportIntervalDST(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	first := time.Date(2024, 10, 27, 0, 30, 0, 0, time.UTC)  // 02:30 CEST
	second := time.Date(2024, 10, 27, 1, 30, 0, 0, time.UTC) // 02:30 CET
	s1, e1 := Min15.Period(first, paris)
	s2, e2 := Min15.Period(second, paris)
	if s1.Equal(s2) || e1.Sub(s1) != 15*time.Minute || e2.Sub(s2) != 15*time.Minute {
		t.Errorf("repeated hour: [%s, %s) and [%s, %s)", s1, e1, s2, e2)
	}
	if s1.In(paris).Format("15:04 MST") != "02:30 CEST" || s2.In(paris).Format("15:04 MST") != "02:30 CET" {
		t.Errorf("labels %s and %s", s1.In(paris).Format("15:04 MST"), s2.In(paris).Format("15:04 MST"))
	}
	if got := Day.Seconds(first, paris); got != 25*3600 {
		t.Errorf("27 Oct 2024 lasts %v s in Paris, want 25 h", got)
	}
	if got := Day.Seconds(time.Date(2024, 3, 31, 12, 0, 0, 0, paris), paris); got != 23*3600 {
		t.Errorf("31 Mar 2024 lasts %v s in Paris, want 23 h", got)
	}
}
