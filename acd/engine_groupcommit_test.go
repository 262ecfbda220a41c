package acd_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/queue"
)

// syncLog records appends and group syncs in order.
type syncLog struct {
	mu       sync.Mutex
	appended int
	synced   int // appends made durable by the last SyncEvents
}

func (l *syncLog) Append(acd.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.appended++
	return nil
}

func (l *syncLog) SyncEvents() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.synced = l.appended
	return nil
}

func (l *syncLog) state() (appended, synced int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appended, l.synced
}

// A request is acknowledged only once the events it wrote are durable: the
// engine syncs the batch (group commit) before releasing its waiters.
func TestEngineAcknowledgesAfterGroupSync(t *testing.T) {
	log := &syncLog{}
	eng, err := acd.NewEngine(acd.EngineConfig{Node: "n", Seed: 1, Queues: []acd.QueueConfig{queueCfg("support", acd.LongestIdle{})}},
		memstore.New(), &fakeTel{}, log, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	defer func() { cancel(); <-done }()

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := queue.CallID("c" + string(rune('a'+i)))
			if err := eng.Enqueue(t.Context(), queue.Call{ID: id, Queue: "support"}); err != nil {
				t.Errorf("enqueue %s: %v", id, err)
				return
			}
			// Our own "entered" was appended before Enqueue returned, and
			// the sync that released us covered it.
			if appended, synced := log.state(); synced == 0 || synced > appended {
				t.Errorf("enqueue %s acknowledged with %d of %d events synced", id, synced, appended)
			}
		}()
	}
	wg.Wait()
	if appended, synced := log.state(); appended != 20 || synced != 20 {
		t.Fatalf("appended %d, synced %d; want 20 and 20", appended, synced)
	}
}
