package acd_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// callbackQueue is support with a callback offer: 2 attempts a minute
// apart; the caller may type the number (the harness's callers' own,
// "+4420c1", cannot be dialled).
func callbackQueue() acd.QueueConfig {
	q := queueCfg("support", acd.LongestIdle{})
	q.Callback = &acd.CallbackPolicy{AskNumber: true, Trunk: "sip:{number}@trunk.example", Attempts: 2, RetryAfter: time.Minute}
	return q
}

// requestCallback turns call id into a callback to number and ends its
// caller leg, as the SIP side does.
func (h *harness) requestCallback(id queue.CallID, number string) {
	h.t.Helper()
	if err := h.eng.RequestCallback(h.ctx, id, number); err != nil {
		h.t.Fatalf("RequestCallback %s: %v", id, err)
	}
	h.end(id, acd.ReasonCallback)
}

// takeCallback answers the callback offer as agentID, dials the caller
// and reports result.
func (h *harness) takeCallback(id queue.CallID, agentID, result string) {
	h.t.Helper()
	if err := h.eng.CallbackAgentAnswered(h.ctx, id, agentID); err != nil {
		h.t.Fatalf("CallbackAgentAnswered %s: %v", id, err)
	}
	h.wantState(agentID, agents.Busy)
	if err := h.eng.CallbackResult(h.ctx, id, result); err != nil {
		h.t.Fatalf("CallbackResult %s: %v", id, err)
	}
}

// offerCallback makes call id of support a callback to 0612345678, then
// logs agentID in and checks the callback is offered to them.
func (h *harness) offerCallback(id queue.CallID, agentID string) acd.Assignment {
	h.t.Helper()
	h.addAgentNoPhone(agentID, "support")
	h.enqueue(string(id), "support")
	h.requestCallback(id, "0612345678")
	h.register(agentID)
	h.eng.Nudge()
	synctest.Wait()
	return h.wantOffer(string(id), agentID)
}

func wantCallTypes(t *testing.T, h *harness, id queue.CallID, want ...acd.EventType) {
	t.Helper()
	if got := h.events.callTypes(id); !slices.Equal(got, want) {
		t.Errorf("call %s events %v, want %v; log:\n%s", id, got, want, h.events)
	}
}

func TestEngineCallbackKeepsPlaceAndConnects(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := callbackQueue()
		q.MaxWait = 30 * time.Second
		q.Overflow = []acd.OverflowRule{{When: acd.WhenWaited, OverWait: 20 * time.Second}} // a hang-up
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}})
		h.addAgentNoPhone("a1", "support") // logged in, unreachable: nobody is served
		h.enqueue("c1", "support")
		h.enqueue("c2", "support")
		if p, ok := h.eng.CallbackOffer(h.ctx, "c1"); !ok || p.Digit != "1" || p.Attempts != 2 || p.RingTimeout != acd.DefaultCallbackRingTimeout {
			t.Errorf("CallbackOffer = %+v, %v; want the queue's policy with defaults", p, ok)
		}
		if err := h.eng.RequestCallback(h.ctx, "c1", ""); !errors.Is(err, acd.ErrNoCallbackNumber) {
			t.Errorf("callback to the caller's number +4420c1: %v, want ErrNoCallbackNumber", err)
		}
		h.requestCallback("c1", "0612345678")
		if _, ok := h.eng.CallbackOffer(h.ctx, "c1"); ok {
			t.Error("a callback is offered again after it was taken")
		}
		if err := h.eng.RequestCallback(h.ctx, "c1", "0612345678"); !errors.Is(err, acd.ErrNoCallback) {
			t.Errorf("second request: %v, want ErrNoCallback", err)
		}
		time.Sleep(31 * time.Second) // past the waited rule and max wait: c2 leaves, the callback stays
		synctest.Wait()
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c1"}) {
			t.Fatalf("waiting %v, want the callback only", got)
		}
		if drops := h.tel.takeDrops(); len(drops) != 1 || drops[0].ID != "c2" {
			t.Errorf("drops %v, want c2's waited rule", drops)
		}

		h.register("a1")
		h.eng.Nudge()
		synctest.Wait()
		off := h.wantOffer("c1", "a1")
		want := acd.Callback{Number: "0612345678", URI: "sip:0612345678@trunk.example", RingTimeout: acd.DefaultCallbackRingTimeout, Attempt: 1}
		if off.Callback == nil || *off.Callback != want {
			t.Fatalf("offer callback %+v, want %+v", off.Callback, want)
		}
		h.takeCallback("c1", "a1", acd.CallbackAnswered)
		conn := h.events.callEvent(t, "c1", acd.EvConnected)
		if conn.Reason != acd.ReasonCallback || conn.Agent != "a1" || conn.WaitMS < 31000 {
			t.Errorf("connected %+v, want by a1 via callback after the whole wait", conn)
		}
		h.end("c1", acd.ReasonAgent)
		h.wantState("a1", agents.Available)
		wantCallTypes(t, h, "c1", acd.EvEntered, acd.EvCallbackRequested, acd.EvOffered, acd.EvCallbackAttempt, acd.EvConnected, acd.EvCompleted)
		if r := h.events.callEvent(t, "c1", acd.EvCallbackRequested); r.Target != "0612345678" || r.Caller != "+4420c1" {
			t.Errorf("callback-requested %+v", r)
		}
		if h.active() != 0 {
			t.Error("the call is still held after it completed")
		}
	})
}

func TestEngineCallbackHeldUntilCallerLegEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{callbackQueue()}})
		h.addAgentNoPhone("a1", "support")
		h.enqueue("c1", "support")
		if err := h.eng.RequestCallback(h.ctx, "c1", "0612345678"); err != nil {
			t.Fatal(err)
		}
		h.register("a1")
		h.eng.Nudge()
		synctest.Wait()
		h.wantNoOffer() // the caller is still on the line, hearing the confirmation
		h.end("c1", acd.ReasonCaller)
		synctest.Wait()
		h.wantOffer("c1", "a1")
		if n := len(h.events.of(acd.EvAbandoned)); n != 0 {
			t.Errorf("%d abandoned events: the caller hanging up after asking is no abandon", n)
		}
	})
}

func TestEngineCallbackRetryKeepsPlaceThenFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{callbackQueue()}})
		h.offerCallback("c1", "a1")
		if err := h.store.Unregister(h.ctx, username("a1"), "*"); err != nil {
			t.Fatal(err)
		}
		h.takeCallback("c1", "a1", acd.ReasonNoAnswer)
		a := h.wantState("a1", agents.Available)
		if a.Misses != 0 {
			t.Errorf("agent misses %d: the caller not answering is not the agent's miss", a.Misses)
		}
		if n := len(h.events.of(acd.EvRingNoAnswer)); n != 0 {
			t.Errorf("%d ring-no-answer events", n)
		}
		if got := h.waiting(); len(got) != 0 {
			t.Errorf("waiting %v before the retry is due", got)
		}
		h.enqueue("c2", "support") // arrives after c1
		time.Sleep(59 * time.Second)
		synctest.Wait()
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c2"}) {
			t.Errorf("waiting %v before the retry is due, want c2", got)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c1", "c2"}) {
			t.Fatalf("waiting %v after the retry is due, want c1 back at its place ahead of c2", got)
		}
		h.register("a1")
		h.eng.Nudge()
		synctest.Wait()
		off := h.wantOffer("c1", "a1")
		if off.Callback == nil || off.Callback.Attempt != 2 {
			t.Errorf("retry offer %+v, want attempt 2", off.Callback)
		}
		h.takeCallback("c1", "a1", "busy")
		f := h.events.callEvent(t, "c1", acd.EvCallbackFailed)
		if f.Reason != "busy" || f.Target != "0612345678" {
			t.Errorf("callback-failed %+v", f)
		}
		var results []string
		for _, ev := range h.events.of(acd.EvCallbackAttempt) {
			results = append(results, ev.Reason)
		}
		if !slices.Equal(results, []string{acd.ReasonNoAnswer, "busy"}) {
			t.Errorf("attempt results %v", results)
		}
		synctest.Wait()
		h.wantOffer("c2", "a1") // the agent is free again at once
	})
}

func TestEngineCallbackSurvivesRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		book := acd.FileBook{Path: filepath.Join(t.TempDir(), "callbacks.json")}
		cfg := acd.EngineConfig{Queues: []acd.QueueConfig{callbackQueue()}, Callbacks: book}
		h1 := newHarness(t, cfg)
		h1.addAgentNoPhone("a1", "support")
		h1.enqueue("c0", "support")
		time.Sleep(time.Second)
		h1.enqueue("c1", "support")
		h1.requestCallback("c1", "0612345678")
		pending, err := book.Load()
		if err != nil || len(pending) != 1 || pending[0].Number != "0612345678" || pending[0].Call.ID != "c1" {
			t.Fatalf("book %+v, %v; want c1", pending, err)
		}
		arrived := pending[0].Call.Arrived

		time.Sleep(time.Minute)
		h2 := newHarness(t, cfg) // a restarted ACD with a fresh memory store
		synctest.Wait()
		w, err := h2.store.Waiting(h2.ctx)
		if err != nil || len(w) != 1 || w[0].ID != "c1" || !w[0].Arrived.Equal(arrived) {
			t.Fatalf("after restart waiting %+v, %v; want c1 arrived %s", w, err, arrived)
		}
		h2.enqueue("c2", "support")
		h2.addAgent("a1", "support")
		synctest.Wait()
		off := h2.wantOffer("c1", "a1")
		if off.Callback == nil || off.Callback.Number != "0612345678" {
			t.Fatalf("offer callback %+v", off.Callback)
		}
		h2.takeCallback("c1", "a1", acd.CallbackAnswered)
		if c := h2.events.callEvent(t, "c1", acd.EvConnected); c.WaitMS < 60000 {
			t.Errorf("connected wait %d ms, want the wait since the first arrival", c.WaitMS)
		}
		data, err := os.ReadFile(book.Path)
		if err != nil || string(data) != "[]\n" {
			t.Errorf("book after connecting: %q, %v; want empty", data, err)
		}
	})
}

func TestFileBookMissingAndCorrupt(t *testing.T) {
	dir := t.TempDir()
	b := acd.FileBook{Path: filepath.Join(dir, "cb.json")}
	if p, err := b.Load(); err != nil || p != nil {
		t.Errorf("missing book: %v, %v", p, err)
	}
	if err := os.WriteFile(b.Path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Load(); err == nil {
		t.Error("corrupt book loaded")
	}
	if kept, err := os.ReadFile(b.Path + ".corrupt"); err != nil || string(kept) != "{" {
		t.Errorf("corrupt book not kept aside: %q, %v", kept, err)
	}
	want := []acd.PendingCallback{{Call: queue.Call{ID: "x", Queue: "q"}, Number: "123", Attempts: 1}}
	if err := b.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := b.Load()
	if err != nil || len(got) != 1 || got[0].Number != "123" || got[0].Attempts != 1 {
		t.Errorf("round trip %+v, %v", got, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 { // the book and the corrupt one
		t.Errorf("temporary files left: %v", ents)
	}
}

func TestValidCallbackNumber(t *testing.T) {
	for s, want := range map[string]bool{"0612345678": true, "+33612345678": true, "12": true, "1": false, "": false,
		"+": false, "06 12": false, "anonymous": false, "123456789012345678901": false} {
		if got := acd.ValidCallbackNumber(s); got != want {
			t.Errorf("ValidCallbackNumber(%q) = %v", s, got)
		}
	}
}

func TestEngineCallbackOfferedOnceTheEstimatedWaitIsLong(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := callbackQueue()
		q.Callback.OfferAfter = time.Minute
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}})
		h.addAgentNoPhone("a1", "support")
		h.enqueue("c0", "support")
		if _, ok := h.eng.CallbackOffer(h.ctx, "c0"); ok {
			t.Error("offered with an estimated wait of 0")
		}
		time.Sleep(8 * time.Minute)
		h.register("a1")
		h.eng.Nudge()
		synctest.Wait()
		h.wantOffer("c0", "a1")
		if _, ok := h.eng.CallbackOffer(h.ctx, "c0"); ok {
			t.Error("offered to a ringing call")
		}
		h.answer("c0", "a1") // EWT = 8m/4 = 2m
		h.enqueue("c1", "support")
		if p, ok := h.eng.CallbackOffer(h.ctx, "c1"); !ok || p.OfferAfter != time.Minute {
			t.Errorf("not offered with an estimated wait of 2m over a threshold of 1m: %+v %v", p, ok)
		}
		if _, ok := h.eng.CallbackOffer(h.ctx, "nope"); ok {
			t.Error("offered to an unknown call")
		}
	})
}
