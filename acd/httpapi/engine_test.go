package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// nopTelephony accepts offers and drops without a network; these tests
// queue no calls, so it is never asked to ring.
type nopTelephony struct{}

func (nopTelephony) Offer(acd.Assignment)      {}
func (nopTelephony) Drop(queue.CallID, string) {}

func (nopTelephony) Forward(queue.CallID, string, string) {}

func (nopTelephony) Exit(queue.Call, acd.Destination, string) {}

// memLog keeps events in memory.
type memLog struct {
	mu     sync.Mutex
	events []acd.Event
}

func (l *memLog) Append(ev acd.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
	return nil
}

// agentStates lists the "state/reason" of every agent-state event.
func (l *memLog) agentStates() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, ev := range l.events {
		if ev.Type == acd.EvAgentState {
			out = append(out, ev.State+"/"+ev.Reason)
		}
	}
	return out
}

// realEngine is a running engine over a memory store holding agent a1
// (Offline, queue support); stop ends Run and waits for it.
type realEngine struct {
	eng  *acd.Engine
	log  *memLog
	stop func()
}

func startEngine(t *testing.T) realEngine {
	t.Helper()
	store := memstore.New()
	ctx := context.Background()
	if err := store.PutAgent(ctx, agents.Agent{ID: "a1", Username: "alice", Name: "Alice", Queues: []string{"support"}}); err != nil {
		t.Fatalf("put agent: %v", err)
	}
	events := &memLog{}
	log := slog.New(slog.NewTextHandler(testWriter{t}, nil))
	eng, err := acd.NewEngine(acd.EngineConfig{
		Node:   "t",
		Queues: []acd.QueueConfig{{Name: "support", Number: "100", Strategy: acd.LongestIdle{}, RingTimeout: 15 * time.Second}},
	}, store, nopTelephony{}, events, log)
	if err != nil {
		t.Fatalf("new engine: %v", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("engine run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return realEngine{eng: eng, log: events, stop: stop}
}

func TestAgentLifecycleWithRealEngine(t *testing.T) {
	e := startEngine(t)
	c := serve(t, e.eng, "tok")

	a := c.do("POST", "/api/agents/a1/login", "").want(t, http.StatusOK).agent(t)
	if a.State != agents.Available {
		t.Fatalf("after login: %+v", a)
	}

	var q httpapi.QueueList
	c.do("GET", "/api/queues", "").want(t, http.StatusOK).decode(t, &q)
	if len(q.Queues) != 1 || q.Queues[0].Name != "support" || q.Queues[0].Strategy != "longest-idle" ||
		q.Queues[0].Waiting != 0 || q.Queues[0].AgentsByState["available"] != 1 {
		t.Fatalf("queues %+v", q)
	}

	a = c.do("POST", "/api/agents/a1/pause", `{"reason":"lunch"}`).want(t, http.StatusOK).agent(t)
	if a.State != agents.Paused || a.PauseReason != "lunch" {
		t.Fatalf("after pause: %+v", a)
	}
	a = c.do("GET", "/api/agents/a1", "").want(t, http.StatusOK).agent(t)
	if a.State != agents.Paused || a.PauseReason != "lunch" || a.StateSince.IsZero() || a.Contacts == nil || *a.Contacts != 0 {
		t.Fatalf("agent while paused: %+v", a)
	}
	var list httpapi.AgentList
	c.do("GET", "/api/agents", "").want(t, http.StatusOK).decode(t, &list)
	if len(list.Agents) != 1 || list.Agents[0].ID != "a1" || list.Agents[0].State != agents.Paused {
		t.Fatalf("agents %+v", list)
	}

	a = c.do("POST", "/api/agents/a1/pause?reason=coffee", "").want(t, http.StatusOK).agent(t)
	if a.PauseReason != "coffee" {
		t.Fatalf("re-pause: %+v", a)
	}
	a = c.do("POST", "/api/agents/a1/unpause", "").want(t, http.StatusOK).agent(t)
	if a.State != agents.Available || a.PauseReason != "" {
		t.Fatalf("after unpause: %+v", a)
	}
	e409 := c.do("POST", "/api/agents/a1/unpause", "").want(t, http.StatusConflict).errorText(t)
	if e409.State != "available" || !strings.Contains(e409.Error, "is available: cannot unpause") {
		t.Fatalf("409 body %+v", e409)
	}
	a = c.do("POST", "/api/agents/a1/logout", "").want(t, http.StatusOK).agent(t)
	if a.State != agents.Offline {
		t.Fatalf("after logout: %+v", a)
	}
	e409 = c.do("POST", "/api/agents/a1/logout", "").want(t, http.StatusConflict).errorText(t)
	if e409.State != "offline" {
		t.Fatalf("409 body %+v", e409)
	}
	c.do("POST", "/api/agents/a1/pause?reason=lunch", "").want(t, http.StatusConflict)
	c.do("POST", "/api/agents/nobody/login", "").want(t, http.StatusNotFound)
	c.do("GET", "/api/agents/nobody", "").want(t, http.StatusNotFound)

	want := []string{"available/login", "paused/lunch", "paused/coffee", "available/unpause", "offline/logout"}
	if got := e.log.agentStates(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("agent-state events %v, want %v", got, want)
	}
}

func TestTokenWithRealEngine(t *testing.T) {
	e := startEngine(t)
	c := serve(t, e.eng, "tok")
	c.token = ""
	r := c.do("POST", "/api/agents/a1/login", "").want(t, http.StatusUnauthorized)
	if r.header.Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("header %v", r.header)
	}
	c.do("POST", "/api/agents/a1/login", "", "Authorization", "Bearer wrong").want(t, http.StatusUnauthorized)
	c.do("GET", "/healthz", "").want(t, http.StatusOK)

	var list httpapi.AgentList
	c.do("GET", "/api/agents", "", "Authorization", "Bearer tok").want(t, http.StatusOK).decode(t, &list)
	if len(list.Agents) != 1 || list.Agents[0].State != agents.Offline {
		t.Fatalf("refused requests changed the agent: %+v", list)
	}
	c.do("POST", "/api/agents/a1/login", "", "Authorization", "Bearer tok").want(t, http.StatusOK)
}

func TestCommandAfterEngineStopsIs503(t *testing.T) {
	e := startEngine(t)
	c := serve(t, e.eng, "")
	e.stop()
	c.do("POST", "/api/agents/a1/login", "").want(t, http.StatusServiceUnavailable).errorText(t)
	c.do("GET", "/api/agents/a1", "").want(t, http.StatusOK)
}
