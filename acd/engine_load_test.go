package acd_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/queue"
)

// stuckLog is an event log whose first Append blocks until released: a
// disk that stalls, which leaves the engine goroutine stuck in one op.
type stuckLog struct {
	once    sync.Once
	release chan struct{}
}

func (l *stuckLog) Append(acd.Event) error {
	l.once.Do(func() { <-l.release })
	return nil
}

// TestEngineOverloadedWhileBacklogged stalls the engine in one event write
// while callers keep arriving, and checks that Overloaded says so once more
// than half of the backlog is used, and no longer once the engine has
// caught up; every call is still queued in the end.
func TestEngineOverloadedWhileBacklogged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := &stuckLog{release: make(chan struct{})}
		store := memstore.New()
		eng, err := acd.NewEngine(acd.EngineConfig{Node: "n", Seed: 1, Queues: []acd.QueueConfig{queueCfg("support", acd.LongestIdle{})}},
			store, &fakeTel{}, log, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		defer func() { cancel(); <-done }()

		if eng.Overloaded() {
			t.Fatal("idle engine reports overload")
		}
		_, capacity := eng.Backlog()
		calls := capacity/2 + 2 // one stuck in the engine, the rest waiting
		var wg sync.WaitGroup
		for i := range calls {
			wg.Go(func() {
				if err := eng.Enqueue(t.Context(), queue.Call{ID: queue.CallID(fmt.Sprint("c", i)), Queue: "support"}); err != nil {
					t.Errorf("enqueue: %v", err)
				}
			})
		}
		synctest.Wait()
		if waiting, _ := eng.Backlog(); !eng.Overloaded() {
			t.Fatalf("backlog %d of %d: Overloaded false", waiting, capacity)
		}
		close(log.release)
		wg.Wait()
		if waiting, _ := eng.Backlog(); eng.Overloaded() {
			t.Fatalf("backlog %d after catching up: still overloaded", waiting)
		}
		if w, err := store.Waiting(ctx); err != nil || len(w) != calls {
			t.Fatalf("%d calls waiting (%v), want %d: none lost", len(w), err, calls)
		}
	})
}
