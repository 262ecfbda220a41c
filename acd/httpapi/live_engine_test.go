package httpapi_test

// Test of the live routes over a real engine whose event log is a tracker.

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/acd/live"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// liveEngine is a running engine over a memory store whose event log is a
// tracker (as in cmd/acd), with agent a1 (Alice, Offline) in support.
type liveEngine struct {
	eng *acd.Engine
	tr  *live.Tracker
	log *memLog
}

func startLiveEngine(t *testing.T, wrapUp time.Duration) liveEngine {
	t.Helper()
	store := memstore.New()
	ctx := context.Background()
	if err := store.PutAgent(ctx, agents.Agent{ID: "a1", Username: "alice", Name: "Alice", Queues: []string{"support"}}); err != nil {
		t.Fatalf("put agent: %v", err)
	}
	// A registered phone makes her routable (the fake telephony never rings it).
	if err := store.Register(ctx, "alice", acd.Contact{URI: "sip:alice@127.0.0.1:5070", Transport: "udp", Expires: time.Now().Add(time.Hour), CallID: "r1", CSeq: 1}); err != nil {
		t.Fatalf("register: %v", err)
	}
	qs := slices.Clone(liveQueues)
	for i := range qs {
		qs[i].WrapUp = wrapUp
	}
	events := &memLog{}
	tr := live.NewTracker(events, qs, time.Local, nil)
	log := slog.New(slog.NewTextHandler(testWriter{t}, nil))
	eng, err := acd.NewEngine(acd.EngineConfig{Node: "t", Queues: qs}, store, nopTelephony{}, tr, log)
	if err != nil {
		t.Fatalf("new engine: %v", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("engine run: %v", err)
			}
		})
	})
	return liveEngine{eng: eng, tr: tr, log: events}
}

func TestLiveWithRealEngine(t *testing.T) {
	e := startLiveEngine(t, 0)
	s := serveLive(t, e.eng, e.tr, "tok", httpapi.LiveOptions{})
	st := openStream(t, s.base, "?token=tok")
	st.nextView()

	ctx := context.Background()
	if err := e.eng.Enqueue(ctx, queue.Call{ID: "c1", Queue: "support", Caller: "sip:bob@example.com"}); err != nil {
		t.Fatal(err)
	}
	v := st.nextView()
	if q := v.Queues[0]; q.Waiting != 1 || q.Today.Offered != 1 || q.AgentsByState["offline"] != 1 {
		t.Fatalf("after enqueue %+v", q)
	}
	var lv live.View
	s.do("GET", "/api/live", "").want(t, http.StatusOK).decode(t, &lv)
	if lv.Queues[0].Waiting != 1 || lv.Agents[0].State != "offline" {
		t.Fatalf("GET /api/live %+v", lv)
	}
	fams := scrape(t, s.client)
	if got := value(sample(t, fams, "acd_calls_waiting", "queue", "support")); got != 1 {
		t.Fatalf("acd_calls_waiting %v", got)
	}

	// Alice logs in: routing offers her the call (the fake phone rings
	// for ever), so the queue empties and she is ringing.
	// A snapshot is two store reads, so a frame built while the claim
	// happens may mix before and after; the events that follow the claim
	// always bring a frame that shows the end state.
	s.do("POST", "/api/agents/a1/login", "").want(t, http.StatusOK)
	for {
		v = st.nextView()
		if v.Queues[0].AgentsByState["ringing"] == 1 && v.Queues[0].Waiting == 0 {
			break
		}
	}
	if v.Agents[0].State != "ringing" {
		t.Fatalf("after login %+v %+v", v.Queues[0], v.Agents)
	}
	fams = scrape(t, s.client)
	if got := value(sample(t, fams, "acd_agents", "queue", "support", "state", "ringing")); got != 1 {
		t.Fatalf("acd_agents ringing %v", got)
	}
	if got := value(sample(t, fams, "acd_calls_waiting", "queue", "support")); got != 0 {
		t.Fatalf("acd_calls_waiting %v", got)
	}
}
