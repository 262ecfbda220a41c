package storetest

// The claim benchmarks every store runs, so their claims/s compare directly:
//
//	go test -run '^$' -bench Claim -benchtime 3s ./acd/memstore/ ./acd/redisstore/

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// BenchClaim times Claim alone, one caller: each claim takes the head call
// of a queue of up to 1000 for one of 1000 available agents; the refill
// between batches is not timed. newStore is called once and must return an
// empty store. Every store's BenchmarkClaim runs it, so the stores'
// claims/s compare directly.
func BenchClaim(b *testing.B, newStore func(b *testing.B) acd.Store) {
	s := newStore(b)
	const batch = 1000
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ids := make([]string, batch)
	for i := range ids {
		ids[i] = fmt.Sprintf("a%04d", i)
		if err := s.PutAgent(ctx, agents.Agent{ID: ids[i], Username: ids[i], Queues: []string{"sales"}}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Apply(ctx, ids[i], agents.Event{Kind: agents.Login}, now); err != nil {
			b.Fatal(err)
		}
	}
	callID := func(i int) queue.CallID { return queue.CallID(fmt.Sprintf("c%d", i)) }
	refill := func(from int) {
		for k := range batch {
			if from > 0 {
				if _, err := s.Apply(ctx, ids[k], agents.Event{Kind: agents.Cancel}, now); err != nil {
					b.Fatal(err)
				}
			}
			c := queue.Call{ID: callID(from + k), Queue: "sales", Arrived: now.Add(time.Duration(from+k) * time.Millisecond)}
			if err := s.Enqueue(ctx, c, 0); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if i%batch == 0 {
			b.StopTimer()
			refill(i)
			b.StartTimer()
		}
		if _, _, err := s.Claim(ctx, callID(i), []string{ids[i%batch]}, now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
}

// BenchClaimParallel is the sustained rate with 8·GOMAXPROCS callers (as
// several engines and API handlers would be), each timing a whole cycle
// with its own agent: enqueue a call, claim the agent for it, cancel the
// ring. newStore is called once and must return an empty store.
func BenchClaimParallel(b *testing.B, newStore func(b *testing.B) acd.Store) {
	s := newStore(b)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var workers atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		w := workers.Add(1)
		agent := fmt.Sprintf("p%03d", w)
		if err := s.PutAgent(ctx, agents.Agent{ID: agent, Username: agent, Queues: []string{"sales"}}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Apply(ctx, agent, agents.Event{Kind: agents.Login}, now); err != nil {
			b.Fatal(err)
		}
		for n := 0; pb.Next(); n++ {
			c := queue.Call{ID: queue.CallID(fmt.Sprintf("%s-%d", agent, n)), Queue: "sales", Arrived: now}
			if err := s.Enqueue(ctx, c, 0); err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.Claim(ctx, c.ID, []string{agent}, now); err != nil {
				b.Fatal(err)
			}
			if _, err := s.Apply(ctx, agent, agents.Event{Kind: agents.Cancel}, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
}
