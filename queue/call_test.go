package queue

import (
	"slices"
	"testing"
	"time"
)

func TestBeforeOrdersByPriorityThenArrivalThenID(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	calls := []Call{
		{ID: "late", Arrived: t0.Add(3 * time.Second)},
		{ID: "vip", Priority: 5, Arrived: t0.Add(10 * time.Second)},
		{ID: "b", Arrived: t0},
		{ID: "a", Arrived: t0},
	}
	slices.SortFunc(calls, func(x, y Call) int {
		if Before(x, y) {
			return -1
		}
		if Before(y, x) {
			return 1
		}
		return 0
	})
	var got []CallID
	for _, c := range calls {
		got = append(got, c.ID)
	}
	want := []CallID{"vip", "a", "b", "late"}
	if !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
}

func TestWait(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	c := Call{Arrived: t0}
	if w := c.Wait(t0.Add(7 * time.Second)); w != 7*time.Second {
		t.Fatalf("wait = %v", w)
	}
}
