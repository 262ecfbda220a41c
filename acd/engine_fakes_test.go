package acd_test

// The fakes the engine test harness runs against: an in-memory event log,
// a telephony side that records commands, a store that checks its context,
// and a slog handler that records log lines.

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// eventLog is an acd.EventLog kept in memory, in the order written.
type eventLog struct {
	mu  sync.Mutex
	evs []acd.Event
	// synced counts the events made durable by the last group sync.
	synced int
}

// SyncEvents implements acd.Syncer: the engine's group commit.
func (l *eventLog) SyncEvents() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.synced = len(l.evs)
	return nil
}

// durable is how many events the last group sync covered.
func (l *eventLog) durable() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.synced
}

func (l *eventLog) Append(ev acd.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev.Agents = slices.Clone(ev.Agents)
	l.evs = append(l.evs, ev)
	return nil
}

func (l *eventLog) all() []acd.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.evs)
}

// of returns the events of one type.
func (l *eventLog) of(typ acd.EventType) []acd.Event {
	var out []acd.Event
	for _, ev := range l.all() {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

// callTypes lists the call events (agent-state left out) of one call.
func (l *eventLog) callTypes(id queue.CallID) []acd.EventType {
	var out []acd.EventType
	for _, ev := range l.all() {
		if ev.CallID == string(id) && ev.Type != acd.EvAgentState {
			out = append(out, ev.Type)
		}
	}
	return out
}

// callEvent returns the single event of typ for the call, failing otherwise.
func (l *eventLog) callEvent(t testing.TB, id queue.CallID, typ acd.EventType) acd.Event {
	t.Helper()
	var got []acd.Event
	for _, ev := range l.of(typ) {
		if ev.CallID == string(id) {
			got = append(got, ev)
		}
	}
	if len(got) != 1 {
		t.Fatalf("call %s: %d %q events, want 1; log:\n%s", id, len(got), typ, l)
	}
	return got[0]
}

// agentStates lists an agent's state changes as "state/reason".
func (l *eventLog) agentStates(id string) []string {
	var out []string
	for _, ev := range l.of(acd.EvAgentState) {
		if ev.Agent == id {
			out = append(out, ev.State+"/"+ev.Reason)
		}
	}
	return out
}

func (l *eventLog) String() string {
	s := ""
	for _, ev := range l.all() {
		s += fmt.Sprintf("  %s %-14s call=%s queue=%s agent=%s agents=%v state=%s reason=%s wait=%d talk=%d att=%d\n",
			ev.Time.Format("15:04:05.000"), ev.Type, ev.CallID, ev.Queue, ev.Agent, ev.Agents, ev.State, ev.Reason, ev.WaitMS, ev.TalkMS, ev.Attempts)
	}
	return s
}

type dropped struct {
	ID     queue.CallID
	Reason string
}

type exited struct {
	Call   queue.Call
	Dest   acd.Destination
	Reason string
}

type forwarded struct {
	ID     queue.CallID
	URI    string
	Reason string
}

// fakeTel records what the engine asks of the SIP side. onOffer, when set,
// runs inside Offer (on the engine goroutine) and must not block.
type fakeTel struct {
	mu      sync.Mutex
	offers  []acd.Assignment
	drops   []dropped
	fwds    []forwarded
	exits   []exited
	onOffer func(acd.Assignment)
}

func (f *fakeTel) Offer(a acd.Assignment) {
	f.mu.Lock()
	f.offers = append(f.offers, a)
	h := f.onOffer
	f.mu.Unlock()
	if h != nil {
		h(a)
	}
}

func (f *fakeTel) Drop(id queue.CallID, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drops = append(f.drops, dropped{id, reason})
}

func (f *fakeTel) Forward(id queue.CallID, uri, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fwds = append(f.fwds, forwarded{id, uri, reason})
}

func (f *fakeTel) Exit(c queue.Call, d acd.Destination, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exits = append(f.exits, exited{c, d, reason})
}

func (f *fakeTel) takeExits() []exited {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.exits
	f.exits = nil
	return out
}

func (f *fakeTel) takeForwards() []forwarded {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.fwds
	f.fwds = nil
	return out
}

// takeOffers returns the offers made since the last call.
func (f *fakeTel) takeOffers() []acd.Assignment {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.offers
	f.offers = nil
	return out
}

func (f *fakeTel) takeDrops() []dropped {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.drops
	f.drops = nil
	return out
}

// strictStore behaves like a networked store: an operation under a
// cancelled context fails, as it would with Redis.
type strictStore struct {
	acd.Store
}

func (s strictStore) check(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("strict store: %s: %w", op, err)
	}
	return nil
}

func (s strictStore) PutAgent(ctx context.Context, a agents.Agent) error {
	if err := s.check(ctx, "put agent"); err != nil {
		return err
	}
	return s.Store.PutAgent(ctx, a)
}

func (s strictStore) Agent(ctx context.Context, id string) (agents.Agent, error) {
	if err := s.check(ctx, "agent"); err != nil {
		return agents.Agent{}, err
	}
	return s.Store.Agent(ctx, id)
}

func (s strictStore) Agents(ctx context.Context) ([]agents.Agent, error) {
	if err := s.check(ctx, "agents"); err != nil {
		return nil, err
	}
	return s.Store.Agents(ctx)
}

func (s strictStore) Apply(ctx context.Context, id string, ev agents.Event, now time.Time) (agents.Agent, error) {
	if err := s.check(ctx, "apply"); err != nil {
		return agents.Agent{}, err
	}
	return s.Store.Apply(ctx, id, ev, now)
}

func (s strictStore) Enqueue(ctx context.Context, c queue.Call, maxLen int) error {
	if err := s.check(ctx, "enqueue"); err != nil {
		return err
	}
	return s.Store.Enqueue(ctx, c, maxLen)
}

func (s strictStore) Requeue(ctx context.Context, c queue.Call) error {
	if err := s.check(ctx, "requeue"); err != nil {
		return err
	}
	return s.Store.Requeue(ctx, c)
}

func (s strictStore) Remove(ctx context.Context, id queue.CallID) (queue.Call, error) {
	if err := s.check(ctx, "remove"); err != nil {
		return queue.Call{}, err
	}
	return s.Store.Remove(ctx, id)
}

func (s strictStore) Waiting(ctx context.Context) ([]queue.Call, error) {
	if err := s.check(ctx, "waiting"); err != nil {
		return nil, err
	}
	return s.Store.Waiting(ctx)
}

func (s strictStore) Claim(ctx context.Context, id queue.CallID, ids []string, now time.Time) (queue.Call, []string, error) {
	if err := s.check(ctx, "claim"); err != nil {
		return queue.Call{}, nil, err
	}
	return s.Store.Claim(ctx, id, ids, now)
}

func (s strictStore) Register(ctx context.Context, username string, c acd.Contact) error {
	if err := s.check(ctx, "register"); err != nil {
		return err
	}
	return s.Store.Register(ctx, username, c)
}

func (s strictStore) Unregister(ctx context.Context, username, uri string) error {
	if err := s.check(ctx, "unregister"); err != nil {
		return err
	}
	return s.Store.Unregister(ctx, username, uri)
}

func (s strictStore) Contacts(ctx context.Context, username string, now time.Time) ([]acd.Contact, error) {
	if err := s.check(ctx, "contacts"); err != nil {
		return nil, err
	}
	return s.Store.Contacts(ctx, username, now)
}

// logRecorder is a slog.Handler keeping every record, so a test can insist
// the engine logged no error.
type logRecorder struct {
	mu   sync.Mutex
	recs []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	if rec.Level < slog.LevelWarn {
		return nil
	}
	s := rec.Level.String() + " " + rec.Message
	rec.Attrs(func(a slog.Attr) bool { s += " " + a.String(); return true })
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, s)
	return nil
}

func (r *logRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.recs
	r.recs = nil
	return out
}
