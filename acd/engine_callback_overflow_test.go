package acd_test

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
)

// gatedBook is a CallbackBook whose first Save blocks until open is
// closed: the engine goroutine is then busy inside RequestCallback while
// timers fire and queue their work behind it.
type gatedBook struct {
	mu      sync.Mutex
	saved   []acd.PendingCallback
	open    chan struct{}
	entered chan struct{}
	once    sync.Once
}

func (b *gatedBook) Load() ([]acd.PendingCallback, error) { return nil, nil }

func (b *gatedBook) Save(p []acd.PendingCallback) error {
	b.once.Do(func() {
		close(b.entered)
		<-b.open
	})
	b.mu.Lock()
	defer b.mu.Unlock()
	b.saved = append([]acd.PendingCallback(nil), p...)
	return nil
}

// A waited-overflow timer that fires while the engine is taking the
// caller's callback request (its work queued behind the request, so
// Stop comes too late) must not flow the callback out: the caller was
// told they would be called back, hung up, and would never be.
func TestWaitedOverflowRacingCallbackRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := callbackQueue()
		q.Overflow = []acd.OverflowRule{{When: acd.WhenWaited, OverWait: 20 * time.Second,
			Dest: acd.Destination{Exit: acd.ExitVoicemail}}}
		book := &gatedBook{open: make(chan struct{}), entered: make(chan struct{})}
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}, Callbacks: book})
		h.addAgentNoPhone("a1", "support") // logged in, unreachable
		h.enqueue("c1", "support")
		time.Sleep(19 * time.Second)

		errc := make(chan error, 1)
		go func() { errc <- h.eng.RequestCallback(h.ctx, "c1", "0612345678") }()
		<-book.entered
		time.Sleep(2 * time.Second) // the overflow timer fires: its work waits behind the request
		close(book.open)
		if err := <-errc; err != nil {
			t.Fatalf("RequestCallback: %v", err)
		}
		h.end("c1", acd.ReasonCallback)
		synctest.Wait()

		if exits := h.tel.takeExits(); len(exits) != 0 {
			t.Errorf("the pending callback flowed out to %+v", exits)
		}
		if ev := h.events.of(acd.EvOverflowed); len(ev) != 0 {
			t.Errorf("overflowed events %+v for a pending callback", ev)
		}
		book.mu.Lock()
		n := len(book.saved)
		book.mu.Unlock()
		if n != 1 {
			t.Errorf("book holds %d callbacks, want the pending one; log:\n%s", n, h.events)
		}
		h.register("a1")
		h.eng.Nudge()
		synctest.Wait()
		if a := h.wantOffer("c1", "a1"); a.Callback == nil {
			t.Errorf("offer of c1 is not a callback: %+v", a)
		}
	})
}
