package acd_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/queue"
)

func TestPosition(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	at := func(id string, q string, prio int, sec int) queue.Call {
		return queue.Call{ID: queue.CallID(id), Queue: q, Priority: prio, Arrived: t0.Add(time.Duration(sec) * time.Second)}
	}
	me := at("me", "support", 0, 10)
	tests := []struct {
		name    string
		waiting []queue.Call
		aging   time.Duration
		now     time.Time
		want    int
	}{
		{"alone", nil, 0, t0.Add(20 * time.Second), 1},
		{"itself in the list", []queue.Call{me}, 0, t0.Add(20 * time.Second), 1},
		{"earlier arrival ahead", []queue.Call{at("a", "support", 0, 5), me}, 0, t0.Add(20 * time.Second), 2},
		{"later arrival behind", []queue.Call{me, at("b", "support", 0, 15)}, 0, t0.Add(20 * time.Second), 1},
		{"other queue ignored", []queue.Call{at("a", "sales", 0, 1), me}, 0, t0.Add(20 * time.Second), 1},
		{"higher priority ahead though later", []queue.Call{me, at("vip", "support", 3, 15)}, 0, t0.Add(20 * time.Second), 2},
		{"lower priority behind though earlier", []queue.Call{at("low", "support", -1, 1), me}, 0, t0.Add(20 * time.Second), 1},
		{"same arrival: id decides", []queue.Call{at("aa", "support", 0, 10), at("zz", "support", 0, 10), me}, 0, t0.Add(20 * time.Second), 2},
		// Ageing one point per 10 s, at t0+60 s: the early call (waited
		// 59 s: 0+5) and me (50 s: 0+5) both outrank a priority-3
		// newcomer (5 s: 3+0), which would be ahead without ageing.
		{"ageing lifts long waiters", []queue.Call{at("early", "support", 0, 1), at("new", "support", 3, 55), me}, 10 * time.Second, t0.Add(60 * time.Second), 2},
		{"without ageing the newcomer is ahead", []queue.Call{at("early", "support", 0, 1), at("new", "support", 3, 55), me}, 0, t0.Add(60 * time.Second), 3},
	}
	for _, tt := range tests {
		if got := acd.Position(tt.now, me, tt.waiting, tt.aging); got != tt.want {
			t.Errorf("%s: Position = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestEngineAnnounce: position from the store's waiting calls, the
// Asterisk estimate (EWT minus the wait so far) once a call was answered,
// and an "announced" event per announcement.
func TestEngineAnnounce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("support", acd.LongestIdle{}), queueCfg("sales", acd.LongestIdle{})}})
		h.enqueue("c1", "support")
		sleep(time.Second)
		h.enqueue("c2", "support")
		h.enqueue("s1", "sales")

		a, err := h.eng.Announce(h.ctx, "c2")
		if err != nil || a != (acd.Announcement{Position: 2}) {
			t.Fatalf("Announce c2 = %+v, %v; want position 2, no estimate (nothing answered yet)", a, err)
		}
		ev := h.events.callEvent(t, "c2", acd.EvAnnounced)
		if ev.Queue != "support" || ev.Position != 2 || ev.EstimatedMS != 0 || ev.WaitMS != 0 {
			t.Errorf("announced %+v", ev)
		}
		if a, _ := h.eng.Announce(h.ctx, "c1"); a.Position != 1 {
			t.Errorf("c1 position %d, want 1", a.Position)
		}

		// A priority call jumps ahead of c2.
		if err := h.eng.Enqueue(h.ctx, queue.Call{ID: "vip", Queue: "support", Priority: 5}); err != nil {
			t.Fatal(err)
		}
		if a, _ := h.eng.Announce(h.ctx, "c2"); a.Position != 3 {
			t.Errorf("c2 behind a priority call: position %d, want 3", a.Position)
		}

		// An agent takes vip after 40 s: EWT = (3·0 + 40 s)/4 = 10 s.
		sleep(40 * time.Second)
		h.addAgent("a1", "support")
		synctest.Wait()
		h.wantOffer("vip", "a1")
		h.answer("vip", "a1")
		if _, err := h.eng.Announce(h.ctx, "vip"); !errors.Is(err, acd.ErrCallNotWaiting) {
			t.Errorf("Announce for a connected call: %v, want ErrCallNotWaiting", err)
		}
		if _, err := h.eng.Announce(h.ctx, "nobody"); !errors.Is(err, acd.ErrCallNotWaiting) {
			t.Errorf("Announce for an unknown call: %v, want ErrCallNotWaiting", err)
		}
		h.enqueue("c3", "support")
		sleep(4 * time.Second)
		a, err = h.eng.Announce(h.ctx, "c3")
		if err != nil || a != (acd.Announcement{Position: 3, Wait: 6 * time.Second, WaitKnown: true}) {
			t.Fatalf("Announce c3 = %+v, %v; want position 3, 6 s left", a, err)
		}
		ev = h.events.callEvent(t, "c3", acd.EvAnnounced)
		if ev.Position != 3 || ev.EstimatedMS != 6000 || ev.WaitMS != 4000 {
			t.Errorf("announced %+v", ev)
		}
		// c2 has waited 40 s, longer than the 10 s estimate: no estimate.
		if a, _ := h.eng.Announce(h.ctx, "c2"); a.WaitKnown || a.Position != 2 {
			t.Errorf("c2 = %+v, want position 2 without an estimate", a)
		}
	})
}

// TestEngineAnnounceStoreDown: while the store cannot list the waiting
// calls, Announce fails with the store's error (the leg says nothing)
// and records no "announced" event (nothing was told); the call keeps
// waiting and the next announcement works once the store is back.
func TestEngineAnnounceStoreDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, flaky := newFlakyHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("support", acd.LongestIdle{})}})
		h.enqueue("c1", "support")
		synctest.Wait()
		flaky.setDown("waiting")
		if _, err := h.eng.Announce(h.ctx, "c1"); !errors.Is(err, errStoreDown) {
			t.Fatalf("Announce with the store down: %v, want the store's error", err)
		}
		if evs := h.events.of(acd.EvAnnounced); len(evs) != 0 {
			t.Errorf("announced %+v though nothing could be told", evs)
		}
		flaky.setDown()
		if a, err := h.eng.Announce(h.ctx, "c1"); err != nil || a.Position != 1 {
			t.Errorf("Announce after the store is back = %+v, %v", a, err)
		}
		if types := h.events.callTypes("c1"); len(types) != 2 || types[1] != acd.EvAnnounced {
			t.Errorf("c1 events %v, want entered, announced", types)
		}
		h.logs.take()
	})
}
