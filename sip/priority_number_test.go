package sip

import (
	"slices"
	"testing"

	"github.com/sme/acd/acd"
)

// A queue's extra dialled numbers raise its calls' priority: the number a
// caller dials can put them ahead (issue 3, "raised by the dialled
// number"); the main number keeps the queue's base priority.
func TestDialledNumberSetsPriority(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"), withQueue(func(q *acd.QueueConfig) {
		q.Priority = 1
		q.PriorityNumbers = map[string]int{"101": 7}
	}))
	ctx := testCtx(t)
	for _, tt := range []struct {
		dial string
		want int
	}{{"101", 7}, {"100", 1}} {
		p := h.newPhone(t, "555"+tt.dial)
		c := p.dial(t, ctx, tt.dial, p.sdp("0"), false)
		if c.err != nil {
			t.Fatalf("dial %s: %v (statuses %v)", tt.dial, c.err, c.statuses)
		}
		evs := h.events.waitFor(t, "entered of "+c.callID(), func(evs []acd.Event) bool {
			return slices.ContainsFunc(evs, func(e acd.Event) bool { return e.Type == acd.EvEntered && e.CallID == c.callID() })
		})
		i := slices.IndexFunc(evs, func(e acd.Event) bool { return e.Type == acd.EvEntered && e.CallID == c.callID() })
		if evs[i].Queue != "support" || evs[i].Priority != tt.want {
			t.Errorf("dialling %s: entered %s with priority %d, want support with %d", tt.dial, evs[i].Queue, evs[i].Priority, tt.want)
		}
	}
}
