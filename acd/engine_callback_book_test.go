package acd_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"

	"github.com/sme/acd/acd"
)

// unreadableBook is a CallbackBook whose file is there but cannot be read
// (an I/O error, a permission changed by hand) and could not be set aside;
// it counts the saves that would overwrite it.
type unreadableBook struct{ saves *int }

var errUnreadable = errors.New("input/output error")

func (unreadableBook) Load() ([]acd.PendingCallback, error) { return nil, errUnreadable }
func (b unreadableBook) Save([]acd.PendingCallback) error {
	*b.saves++
	return nil
}

// A book that could not be read at start is never overwritten (the
// callbacks in it would be lost) and no callback is offered or taken until
// a restart reads it; calls are served as usual.
func TestEngineUnreadableCallbackBookIsNeverOverwritten(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		saves := 0
		q := callbackQueue()
		q.Callback.OfferAfter = 0
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}, Callbacks: unreadableBook{saves: &saves}})
		synctest.Wait() // Run has tried to load the book
		if logs := h.logs.take(); len(logs) != 1 {
			t.Errorf("logs %v, want the one error about the book", logs)
		}
		h.enqueue("c1", "support")
		if _, ok := h.eng.CallbackOffer(h.ctx, "c1"); ok {
			t.Error("callback offered with an unreadable book")
		}
		if err := h.eng.RequestCallback(h.ctx, "c1", "0612345678"); !errors.Is(err, errUnreadable) {
			t.Errorf("RequestCallback: %v, want refused with the book's load error", err)
		}
		if saves != 0 {
			t.Errorf("the unreadable book was overwritten %d times", saves)
		}
		h.addAgent("a1", "support")
		synctest.Wait()
		h.wantOffer("c1", "a1") // the call itself is still served
	})
}

// A book file that cannot be read is set aside (".unreadable"), like a
// corrupt one (".corrupt"): the error says so, and a new book can be saved
// without destroying it.
func TestFileBookUnreadableKeptAside(t *testing.T) {
	dir := t.TempDir()
	b := acd.FileBook{Path: filepath.Join(dir, "cb.json")}
	if err := os.Mkdir(b.Path, 0o700); err != nil { // reading a directory fails
		t.Fatal(err)
	}
	if _, err := b.Load(); !errors.Is(err, acd.ErrBookKeptAside) {
		t.Fatalf("unreadable book: %v, want ErrBookKeptAside", err)
	}
	if st, err := os.Stat(b.Path + ".unreadable"); err != nil || !st.IsDir() {
		t.Fatalf("not kept aside: %v", err)
	}
	if err := os.WriteFile(b.Path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Load(); !errors.Is(err, acd.ErrBookKeptAside) {
		t.Fatalf("corrupt book: %v, want ErrBookKeptAside", err)
	}
}
