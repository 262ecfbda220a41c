package acd_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// The store failing under the engine: a store that is down refuses every
// operation; one that loses replies does the operation and then reports an
// error, as a Redis command whose answer timed out may. Either way the
// engine must leave nothing stuck once the store answers again.

var errStoreDown = errors.New("store down")

// flakyStore fails the operations named in down (all of them when "*" is
// set) before doing them, and those in lost after doing them.
type flakyStore struct {
	acd.Store
	down atomic.Pointer[map[string]bool]
	lost atomic.Pointer[map[string]bool]
}

func opSet(ops ...string) *map[string]bool {
	m := map[string]bool{}
	for _, op := range ops {
		m[op] = true
	}
	return &m
}

func (f *flakyStore) setDown(ops ...string) { f.down.Store(opSet(ops...)) }
func (f *flakyStore) setLost(ops ...string) { f.lost.Store(opSet(ops...)) }

func in(p *atomic.Pointer[map[string]bool], op string) bool {
	m := p.Load()
	return m != nil && ((*m)[op] || (*m)["*"])
}

// run does op through the wrapped store, failing as configured.
func (f *flakyStore) run(op string, do func() error) error {
	if in(&f.down, op) {
		return errStoreDown
	}
	if err := do(); err != nil {
		return err
	}
	if in(&f.lost, op) {
		return errStoreDown
	}
	return nil
}

func (f *flakyStore) Agent(ctx context.Context, id string) (a agents.Agent, err error) {
	err = f.run("agent", func() error { a, err = f.Store.Agent(ctx, id); return err })
	return a, err
}

func (f *flakyStore) Agents(ctx context.Context) (as []agents.Agent, err error) {
	err = f.run("agents", func() error { as, err = f.Store.Agents(ctx); return err })
	return as, err
}

func (f *flakyStore) Apply(ctx context.Context, id string, ev agents.Event, now time.Time) (a agents.Agent, err error) {
	err = f.run("apply", func() error { a, err = f.Store.Apply(ctx, id, ev, now); return err })
	return a, err
}

func (f *flakyStore) Enqueue(ctx context.Context, c queue.Call, maxLen int) error {
	return f.run("enqueue", func() error { return f.Store.Enqueue(ctx, c, maxLen) })
}

func (f *flakyStore) Requeue(ctx context.Context, c queue.Call) error {
	return f.run("requeue", func() error { return f.Store.Requeue(ctx, c) })
}

func (f *flakyStore) Remove(ctx context.Context, id queue.CallID) (c queue.Call, err error) {
	err = f.run("remove", func() error { c, err = f.Store.Remove(ctx, id); return err })
	return c, err
}

func (f *flakyStore) Waiting(ctx context.Context) (w []queue.Call, err error) {
	err = f.run("waiting", func() error { w, err = f.Store.Waiting(ctx); return err })
	return w, err
}

func (f *flakyStore) Claim(ctx context.Context, id queue.CallID, ids []string, now time.Time) (c queue.Call, got []string, err error) {
	err = f.run("claim", func() error { c, got, err = f.Store.Claim(ctx, id, ids, now); return err })
	return c, got, err
}

func (f *flakyStore) Contacts(ctx context.Context, u string, now time.Time) (cs []acd.Contact, err error) {
	err = f.run("contacts", func() error { cs, err = f.Store.Contacts(ctx, u, now); return err })
	return cs, err
}

// newFlakyHarness is newHarness with a flakyStore between the engine and
// the memory store (h.store still reaches the memory store directly).
func newFlakyHarness(t *testing.T, cfg acd.EngineConfig) (*harness, *flakyStore) {
	t.Helper()
	h := &harness{t: t, store: memstore.New(), tel: &fakeTel{}, events: &eventLog{}, logs: &logRecorder{}}
	cfg.Node, cfg.Seed = "node-1", 1
	flaky := &flakyStore{Store: h.store}
	h.run(cfg, flaky)
	return h, flaky
}

// wantLogged takes the engine's warnings and errors and checks that each
// of want appears in one of them.
func (h *harness) wantLogged(want ...string) {
	h.t.Helper()
	logs := h.logs.take()
	for _, w := range want {
		if !slices.ContainsFunc(logs, func(l string) bool { return strings.Contains(l, w) }) {
			h.t.Errorf("no log containing %q in:\n%s", w, strings.Join(logs, "\n"))
		}
	}
}

// TestEngineRepairsAgentAfterOutage: the store is down when a connected
// call ends. The caller's side is unaffected and the call is recorded; the
// agent, whom the store still has Busy, is freed once the store is back.
func TestEngineRepairsAgentAfterOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := queueCfg("sales", acd.LongestIdle{})
		q.WrapUp = 30 * time.Second
		h, flaky := newFlakyHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}})
		h.addAgent("a1", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		h.answer("c1", "a1")

		flaky.setDown("*")
		h.end("c1", acd.ReasonCaller)
		h.events.callEvent(t, "c1", acd.EvCompleted)
		h.wantState("a1", agents.Busy)
		sleep(20 * time.Second) // repairs keep failing
		h.wantState("a1", agents.Busy)
		h.wantLogged("agent transition failed")

		flaky.setDown()
		sleep(10 * time.Second) // the retry backs off to 10s at most
		h.wantState("a1", agents.Available)
		if got, want := h.events.agentStates("a1"), []string{"ringing/offer", "busy/answer", "wrap-up/hangup", "available/wrap-up-done"}; !slices.Equal(got, want) {
			t.Errorf("a1 states %v, want %v", got, want)
		}
		h.wantLogged("agent repaired")

		h.enqueue("c2", "sales")
		synctest.Wait()
		h.wantOffer("c2", "a1")
	})
}

// TestEngineRepairsWrapUpAfterOutage: the store is down when a wrap-up
// ends; the agent leaves wrap-up once the store is back.
func TestEngineRepairsWrapUpAfterOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := queueCfg("sales", acd.LongestIdle{})
		q.WrapUp = 30 * time.Second
		h, flaky := newFlakyHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}})
		h.addAgent("a1", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		h.answer("c1", "a1")
		h.end("c1", acd.ReasonCaller)
		h.wantState("a1", agents.WrapUp)

		sleep(29 * time.Second)
		flaky.setDown("*")
		sleep(5 * time.Second)
		h.wantState("a1", agents.WrapUp)
		flaky.setDown()
		sleep(10 * time.Second) // the retry backs off to 10s at most
		h.wantState("a1", agents.Available)
		h.wantLogged("end of wrap-up: read agent", "agent repaired")
	})
}

// TestEngineRemovesCallQueuedDespiteError: an enqueue that was written
// but reported failed (the caller got 503) leaves no call in the queue.
func TestEngineRemovesCallQueuedDespiteError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, flaky := newFlakyHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		flaky.setLost("enqueue")
		err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c1", Queue: "sales"})
		if !errors.Is(err, errStoreDown) {
			t.Fatalf("Enqueue = %v, want the store's error", err)
		}
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c1"}) {
			t.Fatalf("waiting %v: the test store should have kept c1", got)
		}
		flaky.setLost()
		sleep(time.Second)
		if got := h.waiting(); len(got) != 0 {
			t.Errorf("waiting %v after repair, want none", got)
		}
		h.addAgent("a1", "sales")
		synctest.Wait()
		h.wantNoOffer()
	})
}

// TestEngineRepairsClaimWrittenDespiteError: a claim that was written but
// reported failed leaves the agent Ringing and the call out of its queue;
// repair puts both back and the call is offered again.
func TestEngineRepairsClaimWrittenDespiteError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, flaky := newFlakyHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.addAgent("a1", "sales")
		flaky.setLost("claim")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantNoOffer()
		h.wantState("a1", agents.Ringing)
		if got := h.waiting(); len(got) != 0 {
			t.Fatalf("waiting %v: the test store should have claimed c1", got)
		}
		h.wantLogged("route: claim")

		flaky.setLost()
		sleep(time.Second)
		h.wantOffer("c1", "a1")
		h.wantState("a1", agents.Ringing)
		h.wantLogged("call put back in its queue", "agent repaired")
		h.answer("c1", "a1")
		h.wantState("a1", agents.Busy)
	})
}

// leaseStore is the memory store with a fake lease: it counts renewals
// and reaps, and refuses renewals while down.
type leaseStore struct {
	acd.Store
	down      atomic.Bool
	refreshes atomic.Int32
	reaps     atomic.Int32
}

func (s *leaseStore) Lease() time.Duration { return 3 * time.Second }

func (s *leaseStore) RefreshLeases(context.Context) error {
	if s.down.Load() {
		return errStoreDown
	}
	s.refreshes.Add(1)
	return nil
}

func (s *leaseStore) ReapExpired(context.Context, time.Time) (acd.Reaped, error) {
	s.reaps.Add(1)
	return acd.Reaped{}, nil
}

// TestEngineLeaseTicks: the lease is renewed every third of it and dead
// nodes reaped every half; while renewal fails it is retried every tenth,
// and after the outage nothing is reaped for a whole lease, since no node
// could renew its lease meanwhile.
func TestEngineLeaseTicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ls := &leaseStore{Store: memstore.New()}
		logs := &logRecorder{}
		eng, err := acd.NewEngine(acd.EngineConfig{Node: "n", Seed: 1, Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}},
			ls, &fakeTel{}, &eventLog{}, slog.New(logs))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		defer func() { cancel(); <-done }()

		synctest.Wait()
		if n := ls.refreshes.Load(); n != 1 {
			t.Fatalf("%d renewals at start, want 1", n)
		}
		sleep(6 * time.Second) // renewals at 1..6 s (and one per reap), reaps at 1.5, 3, 4.5, 6 s
		if r, p := ls.refreshes.Load(), ls.reaps.Load(); r != 1+6+4 || p != 4 {
			t.Errorf("after 6s: %d renewals and %d reaps, want 11 and 4", r, p)
		}

		ls.down.Store(true)
		sleep(3 * time.Second)
		ls.down.Store(false)
		reaps := ls.reaps.Load()
		sleep(400 * time.Millisecond) // renewal retried every 300 ms
		if r := ls.refreshes.Load(); r != 12 {
			t.Errorf("%d renewals 400 ms after the outage, want 12 (11 + one retry)", r)
		}
		sleep(2500 * time.Millisecond)
		if p := ls.reaps.Load(); p != reaps {
			t.Errorf("%d reaps within a lease of the outage's end, want none", p-reaps)
		}
		sleep(2 * time.Second)
		if p := ls.reaps.Load(); p == reaps {
			t.Error("no reap more than a lease after the outage")
		}
		var got []string
		for _, l := range logs.take() {
			got = append(got, strings.SplitN(l, " err=", 2)[0])
		}
		if len(got) != 2 || !strings.Contains(got[0], "store unreachable") || !strings.Contains(got[1], "store reachable again") {
			t.Errorf("logged %q, want the outage and the recovery once each", got)
		}
	})
}
