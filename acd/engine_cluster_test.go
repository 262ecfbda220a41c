package acd_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/redisstore"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/internal/redistest"
	"github.com/sme/acd/queue"
)

// These tests run two real engines, each with its own Redis store (its own
// client and incarnation) on one real redis-server, as two ACD nodes would,
// with fake telephony. They run in real time: the Redis round trips and
// the lease TTL are real.

var clusterPrefixes atomic.Int64

// clusterNode is one engine of a test cluster.
type clusterNode struct {
	t      *testing.T
	name   string
	store  *redisstore.Store
	eng    *acd.Engine
	tel    *fakeTel
	events *eventLog
	logs   *logRecorder
	cancel context.CancelFunc
	done   chan error
	dead   bool
}

// startNode runs an engine named name over prefix on srv. Cleanup stops it
// (unless killed), and fails the test if it logged a warning or an error
// the test did not take.
func startNode(t *testing.T, srv *redistest.Server, prefix, name string, lease time.Duration, cfg acd.EngineConfig) *clusterNode {
	t.Helper()
	opts := srv.Options()
	opts.MaxRetries, opts.DialerRetries, opts.DialTimeout = 1, 1, time.Second
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	n := &clusterNode{t: t, name: name, tel: &fakeTel{}, events: &eventLog{}, logs: &logRecorder{}, done: make(chan error, 1)}
	n.store = redisstore.New(client, redisstore.Options{Prefix: prefix, Node: name, Lease: lease})
	cfg.Node, cfg.Seed = name, 1
	eng, err := acd.NewEngine(cfg, n.store, n.tel, n.events, slog.New(n.logs))
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	n.eng = eng
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go func() { n.done <- eng.Run(ctx) }()
	t.Cleanup(func() {
		n.kill()
		if logs := n.logs.take(); len(logs) > 0 {
			t.Errorf("node %s logged:\n%s", name, strings.Join(logs, "\n"))
		}
	})
	return n
}

// kill stops the engine as a crash would: nothing is cleaned up, its lease
// is simply no longer renewed.
func (n *clusterNode) kill() {
	if n.dead {
		return
	}
	n.dead = true
	n.cancel()
	if err := <-n.done; err != nil {
		n.t.Errorf("node %s: Run returned %v", n.name, err)
	}
}

func newPrefix(t *testing.T) string {
	return fmt.Sprintf("%s#%d:", t.Name(), clusterPrefixes.Add(1))
}

// clusterAgent puts an agent with a registered phone in the store through
// n, logged in when login is set.
func clusterAgent(t *testing.T, n *clusterNode, id string, login bool) {
	t.Helper()
	ctx := t.Context()
	if err := n.store.PutAgent(ctx, agents.Agent{ID: id, Username: username(id), Queues: []string{"sales"}}); err != nil {
		t.Fatalf("PutAgent %s: %v", id, err)
	}
	c := acd.Contact{URI: "sip:" + username(id) + "@192.0.2.1:5060", Source: "192.0.2.1:5060", Transport: "udp",
		Expires: time.Now().Add(time.Hour), CallID: "reg-" + id, CSeq: 1}
	if err := n.store.Register(ctx, username(id), c); err != nil {
		t.Fatalf("Register %s: %v", id, err)
	}
	if login {
		if _, err := n.eng.Command(ctx, id, agents.Event{Kind: agents.Login}); err != nil {
			t.Fatalf("login %s: %v", id, err)
		}
	}
}

// waitOffer waits for the node to offer a call and returns the offer.
func (n *clusterNode) waitOffer(within time.Duration) acd.Assignment {
	n.t.Helper()
	deadline := time.Now().Add(within)
	for {
		if offers := n.tel.takeOffers(); len(offers) > 0 {
			if len(offers) > 1 {
				n.t.Fatalf("node %s made %d offers %s, want 1", n.name, len(offers), describe(offers))
			}
			return offers[0]
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("node %s made no offer within %v; log:\n%s", n.name, within, n.events)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (n *clusterNode) enqueue(id string) {
	n.t.Helper()
	if err := n.eng.Enqueue(n.t.Context(), queue.Call{ID: queue.CallID(id), Queue: "sales", Caller: "+4420" + id}); err != nil {
		n.t.Fatalf("node %s: Enqueue %s: %v", n.name, id, err)
	}
}

func (n *clusterNode) agentState(id string) agents.State {
	n.t.Helper()
	a, err := n.store.Agent(n.t.Context(), id)
	if err != nil {
		n.t.Fatalf("agent %s: %v", id, err)
	}
	return a.State
}

func salesOnly(wrapUp time.Duration) acd.EngineConfig {
	q := queueCfg("sales", acd.LongestIdle{})
	q.WrapUp = wrapUp
	return acd.EngineConfig{Queues: []acd.QueueConfig{q}}
}

// TestClusterAgentFreedOnOtherNode: one agent, calls waiting on one node
// while the agent becomes available through the other: by logging in
// there, or finishing a call there. Each time the node with the caller
// hears of it by notification (long before a lease tick could have made
// it look) and rings the agent.
func TestClusterAgentFreedOnOtherNode(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	prefix := newPrefix(t)
	const lease = time.Minute // lease ticks far beyond the test: only notifications can wake A
	a := startNode(t, srv, prefix, "A", lease, salesOnly(0))
	b := startNode(t, srv, prefix, "B", lease, salesOnly(0))
	clusterAgent(t, b, "a1", false)

	a.enqueue("c1")
	time.Sleep(100 * time.Millisecond)
	if offers := a.tel.takeOffers(); len(offers) > 0 {
		t.Fatalf("offer %s with the agent logged out", describe(offers))
	}

	// The agent logs in on B: A is told and rings a1 for c1.
	began := time.Now()
	if _, err := b.eng.Command(t.Context(), "a1", agents.Event{Kind: agents.Login}); err != nil {
		t.Fatal(err)
	}
	off := a.waitOffer(2 * time.Second)
	if off.Call.ID != "c1" || !slices.Equal(targets(off), []string{"a1"}) {
		t.Fatalf("A offered %s, want c1 to a1", describe([]acd.Assignment{off}))
	}
	t.Logf("node A offered c1 %v after a1 logged in on node B", time.Since(began).Round(time.Millisecond))
	if offers := b.tel.takeOffers(); len(offers) > 0 {
		t.Errorf("B offered %s: it holds no call", describe(offers))
	}
	if err := a.eng.Answered(t.Context(), "c1", "a1"); err != nil {
		t.Fatal(err)
	}

	// B gets a caller while a1 talks on A's call. When that call ends, a1
	// is free through A: B is told and rings a1 for its caller.
	b.enqueue("c2")
	time.Sleep(50 * time.Millisecond)
	if offers := b.tel.takeOffers(); len(offers) > 0 {
		t.Fatalf("B offered %s while a1 is busy on A's call", describe(offers))
	}
	if err := a.eng.Ended(t.Context(), "c1", acd.ReasonCaller); err != nil {
		t.Fatal(err)
	}
	off = b.waitOffer(2 * time.Second)
	if off.Call.ID != "c2" || !slices.Equal(targets(off), []string{"a1"}) {
		t.Fatalf("B offered %s, want c2 to a1", describe([]acd.Assignment{off}))
	}
	if err := b.eng.Answered(t.Context(), "c2", "a1"); err != nil {
		t.Fatal(err)
	}

	// And back: A gets a caller while a1 talks on B's call, and rings a1
	// once B's call ends.
	a.enqueue("c3")
	time.Sleep(50 * time.Millisecond)
	if offers := a.tel.takeOffers(); len(offers) > 0 {
		t.Fatalf("A offered %s while a1 is busy on B's call", describe(offers))
	}
	began = time.Now()
	if err := b.eng.Ended(t.Context(), "c2", acd.ReasonAgent); err != nil {
		t.Fatal(err)
	}
	off = a.waitOffer(2 * time.Second)
	if off.Call.ID != "c3" || !slices.Equal(targets(off), []string{"a1"}) {
		t.Fatalf("A offered %s, want c3 to a1", describe([]acd.Assignment{off}))
	}
	t.Logf("node A offered c3 %v after a1 was freed on node B", time.Since(began).Round(time.Millisecond))
	if st := a.agentState("a1"); st != agents.Ringing {
		t.Errorf("a1 is %s, want ringing", st)
	}
}

// TestClusterNodeLost: node A holds a1 on a call, rings a2 and has a
// caller waiting; node B has a caller waiting too. A dies. Within the
// lease B frees a1 and a2 and drops A's waiting call, saying why, then
// gives its own caller an agent.
func TestClusterNodeLost(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	prefix := newPrefix(t)
	const lease = 600 * time.Millisecond
	a := startNode(t, srv, prefix, "A", lease, salesOnly(0))
	b := startNode(t, srv, prefix, "B", lease, salesOnly(0))
	clusterAgent(t, a, "a1", true)
	a.enqueue("c1")
	if off := a.waitOffer(2 * time.Second); off.Call.ID != "c1" {
		t.Fatalf("offer %v", describe([]acd.Assignment{off}))
	}
	if err := a.eng.Answered(t.Context(), "c1", "a1"); err != nil {
		t.Fatal(err)
	}
	clusterAgent(t, a, "a2", true)
	a.enqueue("c2")
	if off := a.waitOffer(2 * time.Second); off.Call.ID != "c2" || !slices.Equal(targets(off), []string{"a2"}) {
		t.Fatalf("offer %v, want c2 to a2", describe([]acd.Assignment{off}))
	}
	a.enqueue("c3")
	b.enqueue("c4")
	time.Sleep(50 * time.Millisecond)
	if st := b.agentState("a1"); st != agents.Busy {
		t.Fatalf("a1 is %s, want busy", st)
	}

	killed := time.Now()
	a.kill()
	off := b.waitOffer(4 * lease)
	freedAfter := time.Since(killed)
	if off.Call.ID != "c4" {
		t.Fatalf("B offered %s, want its own c4", describe([]acd.Assignment{off}))
	}
	if freedAfter < lease/2 {
		t.Errorf("B offered c4 %v after A died, before A's lease (%v) could have run out", freedAfter, lease)
	}
	t.Logf("B offered c4 %v after A died (lease %v)", freedAfter.Round(time.Millisecond), lease)

	drop := b.events.callEvent(t, "c3", acd.EvDropped)
	if drop.Reason != acd.ReasonNodeLost || drop.Node != "B" || drop.Queue != "sales" || drop.Caller != "+4420c3" {
		t.Errorf("dropped event %+v, want c3 dropped by B, reason node-lost", drop)
	}
	for _, id := range []string{"a1", "a2"} {
		var lost []string
		for _, ev := range b.events.of(acd.EvAgentState) {
			if ev.Agent == id && ev.Reason == acd.ReasonNodeLost {
				lost = append(lost, ev.State)
			}
		}
		if len(lost) != 1 || lost[0] != "available" {
			t.Errorf("agent %s: node-lost state events %v, want one: available", id, lost)
		}
	}
	// Of A's calls only the waiting one is in no queue any more; the
	// connected and ringing ones were never in a queue.
	w, err := b.store.Waiting(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 0 {
		t.Errorf("still waiting: %+v", w)
	}
	states := map[string]agents.State{"a1": b.agentState("a1"), "a2": b.agentState("a2")}
	ringing := 0
	for _, st := range states {
		switch st {
		case agents.Ringing:
			ringing++
		case agents.Available:
		default:
			t.Errorf("agents %v: want one ringing for c4, the other available", states)
		}
	}
	if ringing != 1 {
		t.Errorf("agents %v: want one ringing for c4", states)
	}
	if logs := b.logs.take(); len(logs) != 1 || !strings.Contains(logs[0], "freed what lost nodes held") {
		t.Errorf("B logged %q, want one warning about the lost node", logs)
	}
}

// TestClusterRedisDown: with Redis gone, a new call is refused within the
// store timeout (SIP answers 503) and the engine keeps serving; the outage
// and the recovery are logged once each. Once Redis is back (empty: the
// test server keeps nothing) and the agent is put back, calls are routed
// again.
func TestClusterRedisDown(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	prefix := newPrefix(t)
	const lease = 1500 * time.Millisecond
	a := startNode(t, srv, prefix, "A", lease, salesOnly(0))
	clusterAgent(t, a, "a1", true)
	a.enqueue("c1")
	a.waitOffer(2 * time.Second)
	if err := a.eng.Answered(t.Context(), "c1", "a1"); err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	began := time.Now()
	err := a.eng.Enqueue(t.Context(), queue.Call{ID: "c2", Queue: "sales"})
	if err == nil {
		t.Fatal("Enqueue succeeded with Redis down")
	}
	if d := time.Since(began); d > acd.DefaultStoreTimeout+time.Second {
		t.Errorf("Enqueue took %v to fail", d)
	}
	// The call in progress ends normally as far as the caller goes; the
	// store cannot be told, which is logged.
	if err := a.eng.Ended(t.Context(), "c1", acd.ReasonCaller); err != nil {
		t.Errorf("Ended with Redis down: %v", err)
	}
	if n, err := a.eng.ActiveCalls(t.Context()); err != nil || n != 0 {
		t.Errorf("ActiveCalls = %d, %v; want 0", n, err)
	}
	waitLog(t, a, "store unreachable", 2*lease)

	srv.Restart()
	waitLog(t, a, "store reachable again", 2*lease)
	clusterAgent(t, a, "a1", true)
	a.enqueue("c3")
	if off := a.waitOffer(2 * time.Second); off.Call.ID != "c3" {
		t.Errorf("offer %s, want c3", describe([]acd.Assignment{off}))
	}
	a.logs.take() // the failed transitions and repairs of the outage
}

// waitLog waits until the node logged a warning or error containing s.
func waitLog(t *testing.T, n *clusterNode, s string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var seen []string
	for {
		for _, l := range n.logs.take() {
			seen = append(seen, l)
			if strings.Contains(l, s) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s did not log %q within %v; logged:\n%s", n.name, s, within, strings.Join(seen, "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// go-redis prints every refused dial of the outage test; the tests check
// the errors themselves.
func init() { redis.SetLogger(discardRedisLog{}) }

type discardRedisLog struct{}

func (discardRedisLog) Printf(context.Context, string, ...any) {}
