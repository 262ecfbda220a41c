package report

import (
	"fmt"
	"time"
)

// Interval is the length of a report's periods: 15, 30 or 60 minutes, a
// calendar day, or none (the zero Interval: totals only).
type Interval struct {
	minutes int  // 15, 30 or 60
	day     bool // a calendar day in the report's time zone
}

// The intervals a report can use.
var (
	Min15 = Interval{minutes: 15}
	Min30 = Interval{minutes: 30}
	Min60 = Interval{minutes: 60}
	Day   = Interval{day: true}
)

// ParseInterval reads "15m", "30m", "60m" (or "1h"), "day", or "" / "total"
// for none.
func ParseInterval(s string) (Interval, error) {
	switch s {
	case "15m":
		return Min15, nil
	case "30m":
		return Min30, nil
	case "60m", "1h":
		return Min60, nil
	case "day", "1d", "24h":
		return Day, nil
	case "", "total", "none":
		return Interval{}, nil
	}
	return Interval{}, fmt.Errorf("parse interval %q: want 15m, 30m, 60m, day or total", s)
}

// IsZero reports the zero Interval: totals only.
func (iv Interval) IsZero() bool { return !iv.day && iv.minutes == 0 }

func (iv Interval) String() string {
	switch {
	case iv.day:
		return "day"
	case iv.minutes > 0:
		return fmt.Sprintf("%dm", iv.minutes)
	}
	return "total"
}

// Period returns the interval holding t, in loc's wall clock: 15-minute
// periods start at :00, :15, :30 and :45 local time, days at local
// midnight. Periods are instants, so the repeated hour when clocks go back
// gives two distinct periods (with different UTC offsets), and a day may
// last 23 or 25 hours. The zero Interval has no periods: both are zero.
func (iv Interval) Period(t time.Time, loc *time.Location) (start, end time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc).Round(0)
	switch {
	case iv.day:
		start = time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
		return start, time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, loc)
	case iv.minutes > 0:
		into := time.Duration(lt.Minute()%iv.minutes)*time.Minute +
			time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
		start = lt.Add(-into)
		return start, start.Add(time.Duration(iv.minutes) * time.Minute)
	}
	return time.Time{}, time.Time{}
}

// Seconds is the length of the period starting at start, in seconds.
func (iv Interval) Seconds(start time.Time, loc *time.Location) float64 {
	s, e := iv.Period(start, loc)
	return e.Sub(s).Seconds()
}
