package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

var queueTests = []contractTest{
	{"WaitingEmpty", testWaitingEmpty},
	{"EnqueueOrdersByPriorityThenArrival", testEnqueueOrder},
	{"EnqueueFullPerQueue", testEnqueueFull},
	{"EnqueueMaxLenZeroIsUnlimited", testEnqueueUnlimited},
	{"RequeueReturnsCallToHead", testRequeueHead},
	{"RequeueIgnoresMaxLen", testRequeueIgnoresMaxLen},
	{"RequeueWaitingCallDoesNotDuplicate", testRequeueNoDuplicate},
	{"RemoveTwice", testRemoveTwice},
	{"WaitingReturnsCopy", testWaitingCopy},
}

func testWaitingEmpty(t *testing.T, s acd.Store) {
	wantWaiting(t, s)
	_, err := s.Remove(ctx, "nope")
	wantErr(t, "Remove on empty store", err, acd.ErrCallNotWaiting)
}

func testEnqueueOrder(t *testing.T, s acd.Store) {
	// Enqueued out of order, across two queues.
	mustEnqueue(t, s, 0,
		newCall("late", "sales", 0, 30),
		newCall("early", "support", 0, 10),
		newCall("vip-late", "sales", 5, 40),
		newCall("mid", "sales", 0, 20),
		newCall("vip-early", "support", 5, 35),
		newCall("tie-b", "sales", 0, 25),
		newCall("tie-a", "support", 0, 25),
		newCall("low", "sales", -1, 0),
	)
	wantWaiting(t, s, "vip-early", "vip-late", "early", "mid", "tie-a", "tie-b", "late", "low")

	w, err := s.Waiting(ctx)
	if err != nil {
		t.Fatalf("Waiting: %v", err)
	}
	for i := 1; i < len(w); i++ {
		if !queue.Before(w[i-1], w[i]) {
			t.Errorf("Waiting[%d]=%s is not before Waiting[%d]=%s", i-1, w[i-1].ID, i, w[i].ID)
		}
	}
	sameCall(t, w[0], newCall("vip-early", "support", 5, 35))
}

func testEnqueueFull(t *testing.T, s acd.Store) {
	mustEnqueue(t, s, 2, newCall("s1", "sales", 0, 1), newCall("s2", "sales", 0, 2))
	err := s.Enqueue(ctx, newCall("s3", "sales", 9, 3), 2)
	wantErr(t, "third call in sales with maxLen 2", err, acd.ErrQueueFull)

	// Other queues have their own count.
	mustEnqueue(t, s, 2, newCall("t1", "support", 0, 4), newCall("t2", "support", 0, 5))
	err = s.Enqueue(ctx, newCall("t3", "support", 0, 6), 2)
	wantErr(t, "third call in support with maxLen 2", err, acd.ErrQueueFull)
	// A larger limit admits more to the same queue.
	mustEnqueue(t, s, 3, newCall("s4", "sales", 0, 7))
	wantWaiting(t, s, "s1", "s2", "t1", "t2", "s4")

	// A call leaving frees a place.
	if _, err := s.Remove(ctx, "s1"); err != nil {
		t.Fatalf("Remove(s1): %v", err)
	}
	mustEnqueue(t, s, 3, newCall("s5", "sales", 0, 8))
	wantWaiting(t, s, "s2", "t1", "t2", "s4", "s5")
}

func testEnqueueUnlimited(t *testing.T, s acd.Store) {
	var want []queue.CallID
	for i := range 25 {
		c := newCall(fmt.Sprintf("c%02d", i), "sales", 0, i)
		mustEnqueue(t, s, 0, c)
		want = append(want, c.ID)
	}
	wantWaiting(t, s, want...)
}

func testRequeueHead(t *testing.T, s acd.Store) {
	putAgent(t, s, "a1", agents.Available)
	mustEnqueue(t, s, 0, newCall("c1", "sales", 0, 10), newCall("c2", "sales", 0, 20), newCall("c3", "sales", 0, 30))
	c, _, err := s.Claim(ctx, "c1", []string{"a1"}, at(40))
	if err != nil {
		t.Fatalf("Claim(c1): %v", err)
	}
	mustEnqueue(t, s, 0, newCall("c4", "sales", 0, 50))
	wantWaiting(t, s, "c2", "c3", "c4")

	// The offer was not answered: the call goes back with what routing learnt.
	c.Attempts++
	c.Missed = append(c.Missed, "a1")
	if err := s.Requeue(ctx, c); err != nil {
		t.Fatalf("Requeue(c1): %v", err)
	}
	wantWaiting(t, s, "c1", "c2", "c3", "c4")
	w, err := s.Waiting(ctx)
	if err != nil {
		t.Fatalf("Waiting: %v", err)
	}
	want := newCall("c1", "sales", 0, 10)
	want.Attempts, want.Missed = 1, []string{"a1"}
	sameCall(t, w[0], want)
}

func testRequeueIgnoresMaxLen(t *testing.T, s acd.Store) {
	putAgent(t, s, "a1", agents.Available)
	mustEnqueue(t, s, 2, newCall("c1", "sales", 0, 1), newCall("c2", "sales", 0, 2))
	c, _, err := s.Claim(ctx, "c1", []string{"a1"}, at(3))
	if err != nil {
		t.Fatalf("Claim(c1): %v", err)
	}
	mustEnqueue(t, s, 2, newCall("c3", "sales", 0, 4))
	// The queue is full again, but a call that was already admitted is never
	// dropped for it.
	if err := s.Requeue(ctx, c); err != nil {
		t.Fatalf("Requeue into a full queue: %v", err)
	}
	wantWaiting(t, s, "c1", "c2", "c3")
}

func testRequeueNoDuplicate(t *testing.T, s acd.Store) {
	c1 := newCall("c1", "sales", 0, 10)
	mustEnqueue(t, s, 0, c1, newCall("c2", "sales", 0, 20))
	for range 2 {
		if err := s.Requeue(ctx, c1); err != nil {
			t.Fatalf("Requeue of a waiting call: %v", err)
		}
	}
	wantWaiting(t, s, "c1", "c2")
	if _, err := s.Remove(ctx, "c1"); err != nil {
		t.Fatalf("Remove(c1): %v", err)
	}
	wantWaiting(t, s, "c2")
}

func testRemoveTwice(t *testing.T, s acd.Store) {
	c2 := newCall("c2", "support", 3, 20)
	c2.Attempts, c2.Missed = 2, []string{"a7", "a9"}
	c2.Preferred, c2.PreferFor = "a3", 15*time.Second // a returning customer's
	mustEnqueue(t, s, 0, newCall("c1", "sales", 0, 10), c2, newCall("c3", "sales", 0, 30))
	got, err := s.Remove(ctx, "c2")
	if err != nil {
		t.Fatalf("Remove(c2): %v", err)
	}
	sameCall(t, got, c2)
	wantWaiting(t, s, "c1", "c3")
	_, err = s.Remove(ctx, "c2")
	wantErr(t, "second Remove(c2)", err, acd.ErrCallNotWaiting)
	wantWaiting(t, s, "c1", "c3")
}

// testWaitingCopy: changing what Waiting returned, down to a call's Missed
// list, and changing a call after Enqueue, leave the store as it was.
func testWaitingCopy(t *testing.T, s acd.Store) {
	c1 := newCall("c1", "sales", 0, 10)
	c1.Missed = []string{"a1"}
	mustEnqueue(t, s, 0, c1, newCall("c2", "sales", 0, 20))
	c1.Missed[0] = "changed-after-enqueue"

	w, err := s.Waiting(ctx)
	if err != nil || len(w) != 2 {
		t.Fatalf("Waiting = %v, %v", w, err)
	}
	w[0].ID, w[0].Priority, w[0].Missed[0] = "hijacked", 99, "mutated"
	w[0], w[1] = w[1], w[0]

	wantWaiting(t, s, "c1", "c2")
	w, err = s.Waiting(ctx)
	if err != nil {
		t.Fatalf("Waiting: %v", err)
	}
	want := newCall("c1", "sales", 0, 10)
	want.Missed = []string{"a1"}
	sameCall(t, w[0], want)
}
