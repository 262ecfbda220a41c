package acd_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/queue"
)

// A caller whose own number cannot be dialled (withheld, or not a phone
// number) is offered no callback unless they may type one: pressing the
// digit could only be refused.
func TestEngineCallbackNotOfferedWithoutANumber(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := callbackQueue()
		q.Callback.AskNumber = false
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}})
		h.enqueue("c1", "support") // caller +4420c1: not a number
		if _, ok := h.eng.CallbackOffer(h.ctx, "c1"); ok {
			t.Error("callback offered to a caller who has no number to be called back on")
		}
		if err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c2", Queue: "support", Caller: "0612345678"}); err != nil {
			t.Fatal(err)
		}
		if _, ok := h.eng.CallbackOffer(h.ctx, "c2"); !ok {
			t.Error("callback not offered to a caller with a number")
		}
	})
}

// While the node drains (SIGTERM), a pending callback is not routed: the
// agent's phone would ring from a process about to stop. It stays in the
// book for the next process; live calls are still routed.
func TestEngineCallbackNotRoutedWhileDraining(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{callbackQueue()}})
		h.addAgentNoPhone("a1", "support")
		h.enqueue("c1", "support")
		h.requestCallback("c1", "0612345678")
		h.enqueue("c2", "support")
		if err := h.eng.Drain(h.ctx); err != nil {
			t.Fatal(err)
		}
		h.register("a1")
		h.eng.Nudge()
		synctest.Wait()
		h.wantOffer("c2", "a1") // the live caller behind the callback
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c1"}) {
			t.Errorf("waiting %v, want the callback kept for the next process", got)
		}
	})
}

// bookSave is one write of the callback book: which calls it listed and
// how many events were durable then.
type bookSave struct {
	ids     []queue.CallID
	durable int
}

// watchedBook is an in-memory CallbackBook that records each Save.
type watchedBook struct {
	mu      sync.Mutex
	log     *eventLog
	pending []acd.PendingCallback
	saves   []bookSave
}

func (b *watchedBook) Load() ([]acd.PendingCallback, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.pending), nil
}

func (b *watchedBook) Save(p []acd.PendingCallback) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := bookSave{durable: b.log.durable()}
	for _, c := range p {
		s.ids = append(s.ids, c.Call.ID)
	}
	b.pending, b.saves = slices.Clone(p), append(b.saves, s)
	return nil
}

// A callback leaves the book only once the event that settles it
// (connected, callback-failed) is durable: a crash between the two must
// leave it in the book (made again) rather than lose it without a record.
// A new callback is in the book before the request is acknowledged.
func TestEngineCallbackBookFollowsDurableEvents(t *testing.T) {
	for _, result := range []string{acd.CallbackAnswered, "busy"} {
		t.Run(result, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				q := callbackQueue()
				q.Callback.Attempts = 1
				h := &harness{t: t, store: memstore.New(), tel: &fakeTel{}, events: &eventLog{}, logs: &logRecorder{}}
				book := &watchedBook{log: h.events}
				h.run(acd.EngineConfig{Queues: []acd.QueueConfig{q}, Callbacks: book}, strictStore{h.store})
				h.offerCallback("c1", "a1")
				if p, _ := book.Load(); len(p) != 1 || len(book.saves[0].ids) != 1 {
					t.Fatalf("book %v (saves %+v), want c1 from the request on", p, book.saves)
				}
				h.takeCallback("c1", "a1", result)
				settle := acd.EvConnected
				if result != acd.CallbackAnswered {
					settle = acd.EvCallbackFailed
				}
				at := slices.IndexFunc(h.events.all(), func(ev acd.Event) bool { return ev.CallID == "c1" && ev.Type == settle })
				if at < 0 {
					t.Fatalf("no %s event", settle)
				}
				book.mu.Lock()
				defer book.mu.Unlock()
				for _, s := range book.saves {
					if len(s.ids) == 0 {
						if s.durable <= at {
							t.Errorf("c1 left the book with %d events durable, before its %s (event %d)", s.durable, settle, at+1)
						}
						return
					}
				}
				t.Errorf("c1 never left the book: %+v", book.saves)
			})
		})
	}
}

// The store fails to requeue a callback nobody took: a live caller would
// be dropped, but a callback has no one on the line; dropping it would
// lose it. It is tried again after retry_after, at its place.
func TestEngineCallbackSurvivesFailedRequeue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, flaky := newFlakyHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{callbackQueue()}})
		h.offerCallback("c1", "a1")
		flaky.setDown("requeue")
		h.missed("c1", acd.RingResult{Agent: "a1", Reason: acd.ReasonNoAnswer})
		h.wantLogged("requeue callback")
		if n := len(h.events.of(acd.EvDropped)); n != 0 {
			t.Errorf("%d dropped events: the callback was given up", n)
		}
		flaky.setDown()
		time.Sleep(time.Minute)
		synctest.Wait()
		h.wantOffer("c1", "a1")
		if got := h.waiting(); len(got) != 0 {
			t.Errorf("waiting %v while c1 rings", got)
		}
	})
}

// brokenBook is a CallbackBook whose disk is full.
type brokenBook struct{}

var errDiskFull = errors.New("disk full")

func (brokenBook) Load() ([]acd.PendingCallback, error) { return nil, nil }
func (brokenBook) Save([]acd.PendingCallback) error     { return errDiskFull }

// A callback that cannot be written to the book is refused: the caller,
// told nothing, waits on with their timers, instead of being promised a
// callback that a restart would lose.
func TestEngineCallbackRefusedWhenTheBookFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := callbackQueue()
		q.MaxWait = time.Minute
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}, Callbacks: brokenBook{}})
		h.enqueue("c1", "support")
		if err := h.eng.RequestCallback(h.ctx, "c1", "0612345678"); !errors.Is(err, errDiskFull) {
			t.Fatalf("RequestCallback with a broken book: %v, want the book's error", err)
		}
		if n := len(h.events.of(acd.EvCallbackRequested)); n != 0 {
			t.Errorf("%d callback-requested events", n)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		h.events.callEvent(t, "c1", acd.EvTimedOut) // still a live call with its max wait
		if drops := h.tel.takeDrops(); len(drops) != 1 || drops[0].ID != "c1" {
			t.Errorf("drops %v, want c1 timed out", drops)
		}
	})
}
