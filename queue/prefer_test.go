package queue

import (
	"testing"
	"time"
)

func TestPreferring(t *testing.T) {
	tests := []struct {
		name string
		c    Call
		wait time.Duration
		want bool
	}{
		{"no preferred agent", Call{PreferFor: time.Minute}, 0, false},
		{"no window", Call{Preferred: "a1"}, 0, false},
		{"in the window", Call{Preferred: "a1", PreferFor: 15 * time.Second}, 14 * time.Second, true},
		{"the window ends at PreferFor", Call{Preferred: "a1", PreferFor: 15 * time.Second}, 15 * time.Second, false},
		{"a miss by the preferred agent ends it", Call{Preferred: "a1", PreferFor: 15 * time.Second, Missed: []string{"a1"}}, 0, false},
		{"a miss by another does not", Call{Preferred: "a1", PreferFor: 15 * time.Second, Missed: []string{"a2"}}, 0, true},
	}
	for _, tt := range tests {
		if got := tt.c.Preferring(tt.wait); got != tt.want {
			t.Errorf("%s: Preferring(%s) = %v, want %v", tt.name, tt.wait, got, tt.want)
		}
	}
}

func TestNextChange(t *testing.T) {
	steps := []Step{
		{Requirements: Requirements{"billing": 4}, Duration: 20 * time.Second},
		{Requirements: Requirements{"billing": 2}, Duration: 40 * time.Second},
	}
	prefer := func(d time.Duration) Call { return Call{Preferred: "a1", PreferFor: d} }
	tests := []struct {
		name   string
		c      Call
		steps  []Step
		wait   time.Duration
		want   time.Duration
		wantOK bool
	}{
		{"nothing ever changes", Call{}, nil, 0, 0, false},
		{"the step ends", Call{}, steps, 5 * time.Second, 20 * time.Second, true},
		{"the next step ends", Call{}, steps, 20 * time.Second, 60 * time.Second, true},
		{"after the steps", Call{}, steps, time.Hour, 0, false},
		{"the window ends, no steps", prefer(15 * time.Second), nil, 0, 15 * time.Second, true},
		{"the window ends before the step", prefer(15 * time.Second), steps, 0, 15 * time.Second, true},
		{"the step ends before the window", prefer(30 * time.Second), steps, 0, 20 * time.Second, true},
		{"then the window", prefer(30 * time.Second), steps, 20 * time.Second, 30 * time.Second, true},
		{"then the step", prefer(30 * time.Second), steps, 30 * time.Second, 60 * time.Second, true},
		{"a window over is no change", prefer(15 * time.Second), nil, 15 * time.Second, 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.c.NextChange(tt.steps, tt.wait)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: NextChange at %s = %s, %v; want %s, %v", tt.name, tt.wait, got, ok, tt.want, tt.wantOK)
		}
	}
}
