package queue

import (
	"math"
	"testing"
	"time"
)

func TestRequirementsMetBy(t *testing.T) {
	skills := map[string]int{"billing": 3, "french": 5}
	for _, tc := range []struct {
		name string
		req  Requirements
		want bool
	}{
		{"nil requires nothing", nil, true},
		{"empty requires nothing", Requirements{}, true},
		{"level equal to the minimum", Requirements{"billing": 3}, true},
		{"level above the minimum", Requirements{"billing": 2}, true},
		{"level below the minimum", Requirements{"billing": 4}, false},
		{"missing skill", Requirements{"german": 1}, false},
		{"all of them (AND)", Requirements{"billing": 3, "french": 5}, true},
		{"one of two unmet", Requirements{"billing": 3, "french": 5, "german": 1}, false},
		{"level 0 is met by anyone", Requirements{"german": 0}, true},
	} {
		if got := tc.req.MetBy(skills); got != tc.want {
			t.Errorf("%s: MetBy = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !(Requirements{}).MetBy(nil) || (Requirements{"x": 1}).MetBy(nil) {
		t.Error("an agent without skills")
	}
}

func TestStepAt(t *testing.T) {
	s := time.Second
	threeSteps := []Step{
		{Requirements: Requirements{"billing": 4}, Duration: 20 * s},
		{Requirements: Requirements{"billing": 2}, Duration: 40 * s},
		{},
	}
	timed := []Step{{Duration: 10 * s}, {Duration: 5 * s}}
	stuck := []Step{{Duration: 10 * s}, {}, {Duration: 5 * s}}
	for _, tc := range []struct {
		name  string
		steps []Step
		wait  time.Duration
		want  int
	}{
		{"no steps", nil, time.Hour, 0},
		{"first step at once", threeSteps, 0, 0},
		{"negative wait counts as 0", threeSteps, -time.Minute, 0},
		{"just before the first ends", threeSteps, 20*s - 1, 0},
		{"second exactly when the first ends", threeSteps, 20 * s, 1},
		{"just before the second ends", threeSteps, 60*s - 1, 1},
		{"last step exactly when the second ends", threeSteps, 60 * s, 2},
		{"a last step without duration stays", threeSteps, 24 * time.Hour, 2},
		{"after every timed step", timed, 15 * s, 2},
		{"a middle step without duration never ends", stuck, time.Hour, 1},
	} {
		if got := StepAt(tc.steps, tc.wait); got != tc.want {
			t.Errorf("%s: StepAt(%v) = %d, want %d", tc.name, tc.wait, got, tc.want)
		}
	}
}

func TestStepStartAndEnd(t *testing.T) {
	s := time.Second
	steps := []Step{{Duration: 20 * s}, {Duration: 40 * s}, {}}
	for i, want := range []struct {
		start time.Duration
		end   time.Duration
		ends  bool
	}{{0, 20 * s, true}, {20 * s, 60 * s, true}, {60 * s, 0, false}, {math.MaxInt64, 0, false}} {
		if got := StepStart(steps, i); got != want.start {
			t.Errorf("StepStart(%d) = %v, want %v", i, got, want.start)
		}
		end, ok := StepEnd(steps, i)
		if end != want.end || ok != want.ends {
			t.Errorf("StepEnd(%d) = %v, %v; want %v, %v", i, end, ok, want.end, want.ends)
		}
	}
	stuck := []Step{{}, {Duration: 5 * s}}
	if got := StepStart(stuck, 1); got != math.MaxInt64 {
		t.Errorf("a step after one that never ends starts at %v", got)
	}
	if _, ok := StepEnd(stuck, 1); ok {
		t.Error("a step after one that never ends ends")
	}
	if _, ok := StepEnd(steps, -1); ok {
		t.Error("StepEnd(-1) ends")
	}
	// StepAt and StepEnd agree: the wait at which a step ends is the first
	// wait of the next.
	for i := range 2 {
		end, _ := StepEnd(steps, i)
		if StepAt(steps, end-1) != i || StepAt(steps, end) != i+1 {
			t.Errorf("step %d ends at %v, but StepAt disagrees", i, end)
		}
	}
}

func TestRequirementsAt(t *testing.T) {
	steps := []Step{{Requirements: Requirements{"a": 1}}}
	if RequirementsAt(steps, 0)["a"] != 1 || RequirementsAt(steps, 1) != nil || RequirementsAt(nil, 0) != nil {
		t.Error("RequirementsAt")
	}
}

func TestPriorityAt(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	c := Call{Priority: 2, Arrived: t0}
	for _, tc := range []struct {
		wait, aging time.Duration
		want        int
	}{
		{time.Hour, 0, 2},            // off
		{time.Hour, -time.Second, 2}, // off
		{29 * time.Second, 30 * time.Second, 2},
		{30 * time.Second, 30 * time.Second, 3},
		{95 * time.Second, 30 * time.Second, 5},
		{-time.Minute, 30 * time.Second, 2}, // arrived "later" on a skewed clock
	} {
		if got := c.PriorityAt(t0.Add(tc.wait), tc.aging); got != tc.want {
			t.Errorf("PriorityAt(wait %v, aging %v) = %d, want %d", tc.wait, tc.aging, got, tc.want)
		}
	}
	huge := Call{Priority: math.MaxInt - 1, Arrived: t0}
	if got := huge.PriorityAt(t0.Add(time.Hour), time.Nanosecond); got != math.MaxInt {
		t.Errorf("PriorityAt overflowed to %d", got)
	}
}
