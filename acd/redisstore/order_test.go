package redisstore

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/queue"
)

// TestOrderKeySortsLikeBefore: byte order of order keys is queue.Before,
// at the edges of every field and for random calls.
func TestOrderKeySortsLikeBefore(t *testing.T) {
	prios := []int{math.MinInt64, -1 << 53, -2, -1, 0, 1, 2, 1 << 53, math.MaxInt64}
	times := []time.Time{
		{},
		time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(-1, 999_999_999),
		time.Unix(0, 0),
		time.Unix(0, 1),
		t0,
		t0.Add(time.Nanosecond),
		t0.Add(time.Second - time.Nanosecond),
		t0.Add(time.Second),
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), // past UnixNano's range
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
	}
	ids := []queue.CallID{"", "a", "a\x00", "a.", "ab", "b", "é"}
	var calls []queue.Call
	for _, p := range prios {
		for _, at := range times {
			for _, id := range ids {
				calls = append(calls, queue.Call{ID: id, Priority: p, Arrived: at})
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		calls = append(calls, queue.Call{
			ID:       queue.CallID(string(rune('a' + rng.IntN(3)))),
			Priority: rng.IntN(5) - 2,
			Arrived:  t0.Add(time.Duration(rng.IntN(5)) * time.Millisecond),
		})
	}
	rng.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })

	byKey := slices.Clone(calls)
	slices.SortStableFunc(byKey, func(a, b queue.Call) int { return strings.Compare(orderKey(a), orderKey(b)) })
	for i := 1; i < len(byKey); i++ {
		a, b := byKey[i-1], byKey[i]
		if queue.Before(b, a) {
			t.Fatalf("order keys put %+v before %+v:\n%s\n%s", a, b, orderKey(a), orderKey(b))
		}
		if (orderKey(a) == orderKey(b)) != (!queue.Before(a, b) && !queue.Before(b, a)) {
			t.Fatalf("equal keys disagree with Before for %+v and %+v", a, b)
		}
	}
	if k := orderKey(queue.Call{ID: "xyz"}); k[len(k)-3:] != "xyz" || len(k) != 43+3 {
		t.Errorf("order key %q: the id must start at byte 44 (orderIDStart)", k)
	}
}
