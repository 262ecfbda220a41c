package acd_test

import (
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/hours"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

func schedule(t *testing.T, s hours.Spec) *hours.Schedule {
	t.Helper()
	sc, err := hours.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

var allWeek = map[string][]string{"mon": {"00:00-24:00"}, "tue": {"00:00-24:00"}, "wed": {"00:00-24:00"},
	"thu": {"00:00-24:00"}, "fri": {"00:00-24:00"}, "sat": {"00:00-24:00"}, "sun": {"00:00-24:00"}}

func TestArrivalRule(t *testing.T) {
	toB := acd.Destination{Queue: "b"}
	rules := []acd.OverflowRule{
		{When: acd.WhenNoAgents, Dest: toB},
		{When: acd.WhenQueueLength, Over: 2, Dest: acd.Destination{Status: 486}},
		{When: acd.WhenWaited, OverWait: time.Second, Dest: toB},
		{When: acd.WhenEstimatedWait, OverWait: 2 * time.Minute, Dest: acd.Destination{Status: 480}},
	}
	cases := []struct {
		s    acd.ArrivalState
		want string
	}{
		{acd.ArrivalState{LoggedIn: 0}, acd.WhenNoAgents},
		{acd.ArrivalState{LoggedIn: 0, Waiting: 5}, acd.WhenNoAgents}, // order decides
		{acd.ArrivalState{LoggedIn: 1, Waiting: 2}, ""},
		{acd.ArrivalState{LoggedIn: 1, Waiting: 3}, acd.WhenQueueLength},
		{acd.ArrivalState{LoggedIn: 1, EWT: 2 * time.Minute}, ""},
		{acd.ArrivalState{LoggedIn: 1, EWT: 2*time.Minute + 1}, acd.WhenEstimatedWait},
	}
	for _, c := range cases {
		r, ok := acd.ArrivalRule(rules, c.s)
		if got := map[bool]string{true: r.When}[ok]; got != c.want {
			t.Errorf("ArrivalRule(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
	w, ok := acd.WaitedRule([]acd.OverflowRule{{When: acd.WhenWaited, OverWait: 5 * time.Minute}, {When: acd.WhenNoAgents},
		{When: acd.WhenWaited, OverWait: time.Minute, Dest: toB}})
	if !ok || w.OverWait != time.Minute || w.Dest != toB {
		t.Errorf("WaitedRule = %+v %v", w, ok)
	}
	if _, ok := acd.WaitedRule(rules[:2]); ok {
		t.Error("WaitedRule without waited rules")
	}
}

func TestEWTAsteriskAverage(t *testing.T) {
	var e acd.EWT
	for _, c := range []struct{ sample, want time.Duration }{
		{40 * time.Second, 10 * time.Second}, // (3·0 + 40)/4
		{40 * time.Second, 17500 * time.Millisecond},
		{0, 13125 * time.Millisecond},
	} {
		e.Add(c.sample)
		if e.Value() != c.want {
			t.Fatalf("after %s: %s, want %s", c.sample, e.Value(), c.want)
		}
	}
}

func TestEngineClosedToOtherQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		support := queueCfg("support", acd.LongestIdle{})
		support.Hours = schedule(t, hours.Spec{TimeZone: "Europe/Paris", Weekly: map[string][]string{"mon": {"09:00-18:00"}}})
		support.Closed = acd.Destination{Queue: "partner"}
		partner := queueCfg("partner", acd.LongestIdle{})
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{support, partner}})
		h.addAgent("a1", "support")
		h.addAgent("p1", "partner")
		synctest.Wait()

		h.enqueue("c1", "support") // the bubble's clock starts on a Saturday: closed
		synctest.Wait()
		off := h.wantOffer("c1", "p1")
		if off.Call.Queue != "partner" {
			t.Errorf("offered in %s", off.Call.Queue)
		}
		ov := h.events.callEvent(t, "c1", acd.EvOverflowed)
		if ov.Queue != "support" || ov.Reason != acd.ReasonClosed || ov.Target != "partner" {
			t.Errorf("overflowed %+v", ov)
		}
		var entered []string
		for _, ev := range h.events.of(acd.EvEntered) {
			entered = append(entered, ev.Queue)
		}
		if !slices.Equal(entered, []string{"support", "partner"}) {
			t.Errorf("entered in %v", entered)
		}

		// Opening hours changed without a restart: the next call stays.
		if err := h.eng.SetHours("support", schedule(t, hours.Spec{Weekly: allWeek})); err != nil {
			t.Fatal(err)
		}
		h.enqueue("c2", "support")
		synctest.Wait()
		h.wantOffer("c2", "a1")
		if err := h.eng.SetHours("nope", nil); !errors.Is(err, acd.ErrUnknownQueue) {
			t.Errorf("SetHours of unknown queue: %v", err)
		}
	})
}

func TestEngineClosedHangup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		support := queueCfg("support", acd.LongestIdle{})
		support.Hours = schedule(t, hours.Spec{Holidays: []string{"2000-01-01"}, Weekly: allWeek})
		support.Closed = acd.Destination{Status: 480}
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{support}})
		err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c1", Queue: "support"})
		var rej *acd.RejectError
		if !errors.As(err, &rej) || rej.Status != 480 || rej.Reason != acd.ReasonClosed || !errors.Is(err, acd.ErrRejected) {
			t.Fatalf("Enqueue on a holiday: %v", err)
		}
		if got := h.events.callTypes("c1"); !slices.Equal(got, []acd.EventType{acd.EvRejected}) {
			t.Errorf("events %v", got)
		}
		if r := h.events.callEvent(t, "c1", acd.EvRejected); r.Reason != acd.ReasonClosed {
			t.Errorf("rejected %+v", r)
		}
		if h.active() != 0 || len(h.waiting()) != 0 {
			t.Error("a rejected call is held")
		}
	})
}

func TestEngineNoAgentsAndQueueLengthRules(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		support := queueCfg("support", acd.LongestIdle{})
		support.Overflow = []acd.OverflowRule{
			{When: acd.WhenNoAgents, Dest: acd.Destination{Queue: "partner"}},
			{When: acd.WhenQueueLength, Over: 1, Dest: acd.Destination{Status: 486}},
		}
		partner := queueCfg("partner", acd.LongestIdle{})
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{support, partner}})
		// An Offline agent is no agent.
		h.addAgentNoPhone("a1", "support")
		if _, err := h.store.Apply(h.ctx, "a1", agents.Event{Kind: agents.Logout}, time.Now()); err != nil {
			t.Fatal(err)
		}
		h.enqueue("c1", "support")
		if ov := h.events.callEvent(t, "c1", acd.EvOverflowed); ov.Reason != acd.WhenNoAgents || ov.Target != "partner" {
			t.Errorf("overflowed %+v", ov)
		}
		// Logged in but paused (and without a phone): not "no agents"; two
		// calls may wait, the third goes over the length of 1.
		if _, err := h.store.Apply(h.ctx, "a1", agents.Event{Kind: agents.Login}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.Apply(h.ctx, "a1", agents.Event{Kind: agents.Pause, Reason: "lunch"}, time.Now()); err != nil {
			t.Fatal(err)
		}
		h.enqueue("c2", "support")
		h.enqueue("c3", "support")
		err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c4", Queue: "support"})
		var rej *acd.RejectError
		if !errors.As(err, &rej) || rej.Status != 486 || rej.Reason != acd.WhenQueueLength {
			t.Fatalf("c4: %v", err)
		}
		if got := h.events.callTypes("c4"); !slices.Equal(got, []acd.EventType{acd.EvRejected}) {
			t.Errorf("c4 events %v", got)
		}
		synctest.Wait()
	})
}

func TestEngineWaitedRuleMovesCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		support := queueCfg("support", acd.LongestIdle{})
		support.Overflow = []acd.OverflowRule{{When: acd.WhenWaited, OverWait: 45 * time.Second, Dest: acd.Destination{Queue: "partner"}}}
		partner := queueCfg("partner", acd.LongestIdle{})
		partner.Overflow = []acd.OverflowRule{{When: acd.WhenWaited, OverWait: time.Minute}} // then hang up
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{support, partner}})
		h.addAgentNoPhone("a1", "support") // logged in, unreachable: the call waits

		h.enqueue("c1", "support")
		sleep(45*time.Second - time.Millisecond)
		if len(h.events.of(acd.EvOverflowed)) != 0 {
			t.Fatal("overflowed early")
		}
		sleep(time.Millisecond)
		ov := h.events.callEvent(t, "c1", acd.EvOverflowed)
		if ov.Queue != "support" || ov.Reason != acd.WhenWaited || ov.Target != "partner" || ov.WaitMS != 45_000 {
			t.Errorf("overflowed %+v", ov)
		}
		w, err := h.store.Waiting(h.ctx)
		if err != nil || len(w) != 1 || w[0].Queue != "partner" {
			t.Fatalf("waiting %+v %v", w, err)
		}
		if d := h.tel.takeDrops(); len(d) != 0 {
			t.Errorf("drops %v: the caller's leg must be kept", d)
		}
		// The partner queue's own waited rule hangs up a minute later.
		sleep(time.Minute)
		if d := h.tel.takeDrops(); !slices.Equal(d, []dropped{{"c1", acd.WhenWaited}}) {
			t.Errorf("drops %v", d)
		}
		want := []acd.EventType{acd.EvEntered, acd.EvOverflowed, acd.EvEntered, acd.EvOverflowed}
		if got := h.events.callTypes("c1"); !slices.Equal(got, want) {
			t.Errorf("events %v, want %v", got, want)
		}
		if h.active() != 0 || len(h.waiting()) != 0 {
			t.Error("call still held")
		}
		h.end("c1", acd.WhenWaited) // the leg's own report: nothing more
		if got := h.events.callTypes("c1"); !slices.Equal(got, want) {
			t.Errorf("events after end %v", got)
		}
	})
}

func TestEngineWaitedRuleWhileRinging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		support := queueCfg("support", acd.LongestIdle{})
		support.Overflow = []acd.OverflowRule{{When: acd.WhenWaited, OverWait: 10 * time.Second, Dest: acd.Destination{Queue: "partner"}}}
		partner := queueCfg("partner", acd.LongestIdle{})
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{support, partner}})
		h.addAgent("a1", "support")
		h.enqueue("c1", "support")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		sleep(15 * time.Second) // rule due while ringing: decided when it ends
		if len(h.events.of(acd.EvOverflowed)) != 0 {
			t.Fatal("overflowed while ringing")
		}
		h.missed("c1", acd.RingResult{Agent: "a1", Reason: acd.ReasonNoAnswer})
		if ov := h.events.callEvent(t, "c1", acd.EvOverflowed); ov.Target != "partner" {
			t.Errorf("overflowed %+v", ov)
		}
		h.addAgent("p1", "partner")
		synctest.Wait()
		h.wantOffer("c1", "p1")
	})
}

func TestEngineEstimatedWaitRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		support := queueCfg("support", acd.LongestIdle{})
		support.Overflow = []acd.OverflowRule{{When: acd.WhenEstimatedWait, OverWait: 5 * time.Second, Dest: acd.Destination{Status: 480}}}
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{support}})
		h.addAgent("a1", "support")
		h.enqueue("c1", "support")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		sleep(40 * time.Second)
		h.answer("c1", "a1") // EWT = (3·0 + 40 s)/4 = 10 s > 5 s
		err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c2", Queue: "support"})
		var rej *acd.RejectError
		if !errors.As(err, &rej) || rej.Reason != acd.WhenEstimatedWait || rej.Status != 480 {
			t.Fatalf("c2: %v", err)
		}
	})
}

// TestEngineURIRules: a waited rule and a closed destination with a URI
// ask the telephony side to forward the call, after an overflowed event
// naming the URI; the engine then holds nothing of the call.
func TestEngineURIRules(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const partner = "sip:partner@203.0.113.7:5060"
		support := queueCfg("support", acd.LongestIdle{})
		support.Overflow = []acd.OverflowRule{{When: acd.WhenWaited, OverWait: 30 * time.Second, Dest: acd.Destination{URI: partner}}}
		closed := queueCfg("closed", acd.LongestIdle{})
		closed.Hours = schedule(t, hours.Spec{Holidays: []string{"2000-01-01"}, Weekly: allWeek})
		closed.Closed = acd.Destination{URI: partner}
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{support, closed}})
		h.addAgentNoPhone("a1", "support") // logged in, unreachable: the call waits

		h.enqueue("c1", "support")
		sleep(30*time.Second - time.Millisecond)
		if f := h.tel.takeForwards(); len(f) != 0 {
			t.Fatalf("forwarded early: %v", f)
		}
		sleep(time.Millisecond)
		if f := h.tel.takeForwards(); !slices.Equal(f, []forwarded{{"c1", partner, acd.WhenWaited}}) {
			t.Errorf("forwards %v", f)
		}
		ov := h.events.callEvent(t, "c1", acd.EvOverflowed)
		if ov.Queue != "support" || ov.Reason != acd.WhenWaited || ov.Target != partner || ov.WaitMS != 30_000 {
			t.Errorf("overflowed %+v", ov)
		}
		if d := h.tel.takeDrops(); len(d) != 0 {
			t.Errorf("drops %v", d)
		}
		if h.active() != 0 || len(h.waiting()) != 0 {
			t.Error("forwarded call still held")
		}
		h.end("c1", acd.ReasonCaller) // the leg's own report: nothing more
		want := []acd.EventType{acd.EvEntered, acd.EvOverflowed}
		if got := h.events.callTypes("c1"); !slices.Equal(got, want) {
			t.Errorf("events %v, want %v", got, want)
		}

		// On arrival (closed on a holiday): accepted, then forwarded.
		if err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c2", Queue: "closed", Caller: "+33612345678"}); err != nil {
			t.Fatalf("Enqueue while closed to a URI: %v", err)
		}
		if f := h.tel.takeForwards(); !slices.Equal(f, []forwarded{{"c2", partner, acd.ReasonClosed}}) {
			t.Errorf("forwards %v", f)
		}
		if ov := h.events.callEvent(t, "c2", acd.EvOverflowed); ov.Reason != acd.ReasonClosed || ov.Target != partner {
			t.Errorf("overflowed %+v", ov)
		}
		if got := h.events.callTypes("c2"); !slices.Equal(got, want) {
			t.Errorf("c2 events %v, want %v", got, want)
		}
		if h.active() != 0 || len(h.waiting()) != 0 {
			t.Error("forwarded call still held")
		}
		synctest.Wait()
	})
}
