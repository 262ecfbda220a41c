package acd_test

// The engine test harness: one running engine and the helpers tests drive
// and check it with. The fakes it runs against are in engine_fakes_test.go.

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// harness is one running engine over a memory store, a fake telephony side
// and an in-memory event log. Build it inside a synctest bubble (or not, for
// real-time tests); Cleanup stops the engine and fails the test if the
// engine logged a warning or an error that the test did not take.
type harness struct {
	t      testing.TB
	ctx    context.Context
	store  *memstore.Store
	tel    *fakeTel
	events *eventLog
	logs   *logRecorder
	eng    *acd.Engine
}

func newHarness(t testing.TB, cfg acd.EngineConfig) *harness {
	t.Helper()
	h := &harness{t: t, store: memstore.New(), tel: &fakeTel{}, events: &eventLog{}, logs: &logRecorder{}}
	h.run(cfg, strictStore{h.store})
	return h
}

// run starts the engine with cfg (node "node-1" and seed 1 by default) on
// store, which must reach h.store, and stops it at cleanup.
func (h *harness) run(cfg acd.EngineConfig, store acd.Store) {
	t := h.t
	t.Helper()
	if cfg.Node == "" {
		cfg.Node = "node-1"
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	eng, err := acd.NewEngine(cfg, store, h.tel, h.events, slog.New(h.logs))
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	h.eng = eng
	runCtx, cancel := context.WithCancel(context.Background())
	h.ctx = t.Context()
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
		if logs := h.logs.take(); len(logs) > 0 {
			t.Errorf("engine logged:\n%v", logs)
		}
	})
}

// queueCfg is a queue with a 15 s ring timeout and no wrap-up, max wait or
// length limit unless changed.
func queueCfg(name string, s acd.Strategy) acd.QueueConfig {
	return acd.QueueConfig{Name: name, Number: "1" + name, Strategy: s, RingTimeout: 15 * time.Second}
}

func username(id string) string { return "sip-" + id }

// addAgentNoPhone puts a logged-in agent in the store without a registered phone.
func (h *harness) addAgentNoPhone(id string, queues ...string) {
	h.t.Helper()
	a := agents.Agent{ID: id, Username: username(id), Name: "Agent " + id, Queues: queues}
	if err := h.store.PutAgent(h.ctx, a); err != nil {
		h.t.Fatalf("PutAgent %s: %v", id, err)
	}
	if _, err := h.store.Apply(h.ctx, id, agents.Event{Kind: agents.Login}, time.Now()); err != nil {
		h.t.Fatalf("login %s: %v", id, err)
	}
}

// register gives the agent a phone that stays registered for a day.
func (h *harness) register(id string) {
	h.t.Helper()
	c := acd.Contact{URI: "sip:" + username(id) + "@192.0.2.1:5060", Source: "192.0.2.1:5060", Transport: "udp",
		Expires: time.Now().Add(24 * time.Hour), CallID: "reg-" + id, CSeq: 1}
	if err := h.store.Register(h.ctx, username(id), c); err != nil {
		h.t.Fatalf("register %s: %v", id, err)
	}
}

// addAgent puts an Available, reachable agent in the store and nudges the engine.
func (h *harness) addAgent(id string, queues ...string) {
	h.t.Helper()
	h.addAgentNoPhone(id, queues...)
	h.register(id)
	h.eng.Nudge()
}

func (h *harness) agent(id string) agents.Agent {
	h.t.Helper()
	a, err := h.store.Agent(h.ctx, id)
	if err != nil {
		h.t.Fatalf("agent %s: %v", id, err)
	}
	return a
}

func (h *harness) wantState(id string, want agents.State) agents.Agent {
	h.t.Helper()
	a := h.agent(id)
	if a.State != want {
		h.t.Fatalf("agent %s is %s (pause reason %q), want %s; log:\n%s", id, a.State, a.PauseReason, want, h.events)
	}
	return a
}

func (h *harness) enqueue(id, q string) {
	h.t.Helper()
	if err := h.eng.Enqueue(h.ctx, queue.Call{ID: queue.CallID(id), Queue: q, Caller: "+4420" + id}); err != nil {
		h.t.Fatalf("Enqueue %s: %v", id, err)
	}
}

func (h *harness) answer(id queue.CallID, agentID string) {
	h.t.Helper()
	if err := h.eng.Answered(h.ctx, id, agentID); err != nil {
		h.t.Fatalf("Answered %s by %s: %v", id, agentID, err)
	}
}

func (h *harness) end(id queue.CallID, reason string) {
	h.t.Helper()
	if err := h.eng.Ended(h.ctx, id, reason); err != nil {
		h.t.Fatalf("Ended %s: %v", id, err)
	}
}

func (h *harness) missed(id queue.CallID, results ...acd.RingResult) {
	h.t.Helper()
	if err := h.eng.NotAnswered(h.ctx, id, results); err != nil {
		h.t.Fatalf("NotAnswered %s: %v", id, err)
	}
}

// wantOffer takes the offers made so far and insists they are exactly one,
// for the call, ringing exactly these agents.
func (h *harness) wantOffer(call string, agentIDs ...string) acd.Assignment {
	h.t.Helper()
	offers := h.tel.takeOffers()
	if len(offers) != 1 {
		h.t.Fatalf("got %d offers %s, want 1 for %s to %v; log:\n%s", len(offers), describe(offers), call, agentIDs, h.events)
	}
	a := offers[0]
	if string(a.Call.ID) != call || !slices.Equal(targets(a), agentIDs) {
		h.t.Fatalf("offer %s, want %s to %v", describe(offers), call, agentIDs)
	}
	for _, tg := range a.Targets {
		if len(tg.Contacts) == 0 || tg.Contacts[0].URI != "sip:"+username(tg.Agent.ID)+"@192.0.2.1:5060" {
			h.t.Errorf("offer %s: target %s has contacts %+v", call, tg.Agent.ID, tg.Contacts)
		}
	}
	return a
}

func (h *harness) wantNoOffer() {
	h.t.Helper()
	if offers := h.tel.takeOffers(); len(offers) > 0 {
		h.t.Fatalf("unexpected offers %s; log:\n%s", describe(offers), h.events)
	}
}

func (h *harness) waiting() []queue.CallID {
	h.t.Helper()
	w, err := h.store.Waiting(h.ctx)
	if err != nil {
		h.t.Fatalf("Waiting: %v", err)
	}
	var ids []queue.CallID
	for _, c := range w {
		ids = append(ids, c.ID)
	}
	return ids
}

func (h *harness) active() int {
	h.t.Helper()
	n, err := h.eng.ActiveCalls(h.ctx)
	if err != nil {
		h.t.Fatalf("ActiveCalls: %v", err)
	}
	return n
}

func targets(a acd.Assignment) []string {
	var ids []string
	for _, tg := range a.Targets {
		ids = append(ids, tg.Agent.ID)
	}
	return ids
}

func describe(offers []acd.Assignment) string {
	s := ""
	for _, a := range offers {
		s += fmt.Sprintf("[%s→%v] ", a.Call.ID, targets(a))
	}
	return s
}

// sleep moves the bubble's fake clock on by d and lets every timer that
// came due run to completion.
func sleep(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}
