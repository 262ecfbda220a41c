package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/agents"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestHealthzIsOpenAndPlain(t *testing.T) {
	c := serve(t, &fakeEngine{}, "secret")
	c.token = ""
	r := c.do("GET", "/healthz", "").want(t, http.StatusOK)
	if strings.TrimSpace(string(r.body)) != "ok" {
		t.Fatalf("body %q", r.body)
	}
}

func TestBearerToken(t *testing.T) {
	c := serve(t, &fakeEngine{}, "s3cret")
	c.token = ""
	cases := []struct {
		name, path, auth string
		want             int
	}{
		{"none", "/api/queues", "", http.StatusUnauthorized},
		{"wrong", "/api/queues", "Bearer nope", http.StatusUnauthorized},
		{"prefix of token", "/api/queues", "Bearer s3cre", http.StatusUnauthorized},
		{"basic scheme", "/api/queues", "Basic czNjcmV0", http.StatusUnauthorized},
		{"scheme only", "/api/queues", "Bearer ", http.StatusUnauthorized},
		{"unknown route hidden", "/api/nope", "", http.StatusUnauthorized},
		{"right", "/api/queues", "Bearer s3cret", http.StatusOK},
		{"scheme case-insensitive", "/api/agents", "bearer s3cret", http.StatusOK},
		{"healthz needs none", "/healthz", "", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.auth != "" {
				h = []string{"Authorization", tc.auth}
			}
			r := c.do("GET", tc.path, "", h...).want(t, tc.want)
			if tc.want == http.StatusUnauthorized {
				if got := r.header.Get("WWW-Authenticate"); got != "Bearer" {
					t.Fatalf("WWW-Authenticate %q", got)
				}
				r.errorText(t)
			}
		})
	}
}

func TestNoTokenLeavesAPIOpen(t *testing.T) {
	c := serve(t, &fakeEngine{}, "")
	c.do("GET", "/api/queues", "").want(t, http.StatusOK)
}

func TestCommandErrorsMapToStatus(t *testing.T) {
	paused := agents.Agent{ID: "a1", State: agents.Paused, PauseReason: "lunch"}
	cases := []struct {
		name   string
		agent  agents.Agent
		err    error
		want   int
		inBody string
	}{
		{"ok", agents.Agent{ID: "a1", State: agents.Available}, nil, http.StatusOK, `"state":"available"`},
		{"unknown agent", agents.Agent{}, fmt.Errorf("apply: %w", acd.ErrUnknownAgent), http.StatusNotFound, "unknown agent a1"},
		{"invalid transition", paused, fmt.Errorf("agent a1: login while paused: %w", agents.ErrInvalidTransition), http.StatusConflict, "is paused (lunch): cannot login"},
		{"invalid, agent unknown to engine", agents.Agent{}, agents.ErrInvalidTransition, http.StatusConflict, "cannot login in its current state"},
		{"shutting down", agents.Agent{}, fmt.Errorf("engine: %w", acd.ErrShuttingDown), http.StatusServiceUnavailable, "shutting down"},
		{"engine timeout", agents.Agent{}, fmt.Errorf("engine: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "in time"},
		{"other", agents.Agent{}, errors.New("redis: connection refused"), http.StatusInternalServerError, `"internal error"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEngine{agent: tc.agent, err: tc.err}
			c := serve(t, f, "")
			r := c.do("POST", "/api/agents/a1/login", "").want(t, tc.want)
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			if !strings.Contains(string(r.body), tc.inBody) {
				t.Fatalf("body %s lacks %q", r.body, tc.inBody)
			}
			if strings.Contains(string(r.body), "redis") {
				t.Fatalf("internal error leaked: %s", r.body)
			}
			if got := f.received(); len(got) != 1 || got[0].id != "a1" || got[0].ev.Kind != agents.Login {
				t.Fatalf("engine got %+v", got)
			}
		})
	}
}

func TestConflictNamesCurrentState(t *testing.T) {
	f := &fakeEngine{
		agent: agents.Agent{ID: "a1", State: agents.Busy, Pending: &agents.Event{Kind: agents.Pause, Reason: "lunch"}},
		err:   agents.ErrInvalidTransition,
	}
	e := serve(t, f, "").do("POST", "/api/agents/a1/unpause", "").want(t, http.StatusConflict).errorText(t)
	if e.State != "busy" || !strings.Contains(e.Error, "pause already pending") {
		t.Fatalf("error %+v", e)
	}
}

func TestEachCommandSendsItsEvent(t *testing.T) {
	f := &fakeEngine{agent: agents.Agent{ID: "a 1", State: agents.Available}}
	c := serve(t, f, "")
	for _, p := range []string{"login", "logout", "unpause", "pause?reason=lunch"} {
		c.do("POST", "/api/agents/a%201/"+p, "").want(t, http.StatusOK)
	}
	want := []agents.Event{{Kind: agents.Login}, {Kind: agents.Logout}, {Kind: agents.Unpause}, {Kind: agents.Pause, Reason: "lunch"}}
	got := f.received()
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].id != "a 1" || got[i].ev != want[i] {
			t.Fatalf("call %d = %+v, want a 1 %+v", i, got[i], want[i])
		}
	}
}

func TestCommandReplyShowsAgent(t *testing.T) {
	f := &fakeEngine{agent: agents.Agent{
		ID: "a1", Username: "alice", Queues: []string{"support"}, State: agents.Busy, StateSince: t0,
		Pending: &agents.Event{Kind: agents.Pause, Reason: "lunch"},
	}}
	var a httpapi.Agent
	serve(t, f, "").do("POST", "/api/agents/a1/pause", `{"reason":"lunch"}`).want(t, http.StatusOK).decode(t, &a)
	if a.ID != "a1" || a.State != agents.Busy || !a.StateSince.Equal(t0) || a.Contacts != nil {
		t.Fatalf("agent %+v", a)
	}
	if a.Pending == nil || a.Pending.Command != "pause" || a.Pending.Reason != "lunch" {
		t.Fatalf("pending %+v", a.Pending)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	c := serve(t, &fakeEngine{}, "")
	c.do("GET", "/api/agents/a1/login", "").want(t, http.StatusMethodNotAllowed)
	c.do("DELETE", "/api/queues", "").want(t, http.StatusMethodNotAllowed)
	c.do("POST", "/api/agents/a1", "").want(t, http.StatusMethodNotAllowed)
	c.do("POST", "/healthz", "").want(t, http.StatusMethodNotAllowed)
}

func TestCrossSiteCommandRefused(t *testing.T) {
	f := &fakeEngine{agent: agents.Agent{ID: "a1"}}
	c := serve(t, f, "")
	c.do("POST", "/api/agents/a1/logout", "", "Sec-Fetch-Site", "cross-site").want(t, http.StatusForbidden).errorText(t)
	c.do("GET", "/api/agents", "", "Sec-Fetch-Site", "cross-site").want(t, http.StatusOK)
	if n := len(f.received()); n != 0 {
		t.Fatalf("engine got %d commands", n)
	}
}

func TestQueuesJSON(t *testing.T) {
	f := &fakeEngine{snap: acd.Snapshot{Time: t0, Queues: []acd.QueueSnapshot{
		{Name: "support", Number: "100", Strategy: "longest-idle", Waiting: 1, LongestWaitMS: 4200,
			Calls:         []acd.WaitingCall{{ID: "c1", Caller: "sip:bob@x", WaitMS: 4200}},
			AgentsByState: map[string]int{"available": 2}},
		{Name: "sales", Number: "200", Strategy: "ring-all"},
	}}}
	r := serve(t, f, "").do("GET", "/api/queues", "").want(t, http.StatusOK)
	var got httpapi.QueueList
	r.decode(t, &got)
	if !got.Time.Equal(t0) || len(got.Queues) != 2 {
		t.Fatalf("queues %+v", got)
	}
	q := got.Queues[0]
	if q.Name != "support" || q.Waiting != 1 || q.LongestWaitMS != 4200 || len(q.Calls) != 1 || q.AgentsByState["available"] != 2 {
		t.Fatalf("support %+v", q)
	}
	for _, s := range []string{`"calls":[]`, `"agents_by_state":{}`, `"longest_wait_ms":4200`} {
		if !strings.Contains(string(r.body), s) {
			t.Fatalf("body lacks %s: %s", s, r.body)
		}
	}
}

func TestAgentsJSON(t *testing.T) {
	f := &fakeEngine{snap: acd.Snapshot{Time: t0, Agents: []acd.AgentSnapshot{
		{Agent: agents.Agent{ID: "a1", Username: "alice", State: agents.Paused, PauseReason: "lunch", StateSince: t0, CallsTaken: 3}, Contacts: 2},
		{Agent: agents.Agent{ID: "a2", Username: "bob"}},
	}}}
	c := serve(t, f, "")
	var list httpapi.AgentList
	r := c.do("GET", "/api/agents", "").want(t, http.StatusOK)
	r.decode(t, &list)
	if len(list.Agents) != 2 {
		t.Fatalf("agents %+v", list)
	}
	a := list.Agents[0]
	if a.State != agents.Paused || a.PauseReason != "lunch" || !a.StateSince.Equal(t0) || a.Contacts == nil || *a.Contacts != 2 {
		t.Fatalf("a1 %+v", a)
	}
	if b := list.Agents[1]; b.Contacts == nil || *b.Contacts != 0 || b.Queues == nil {
		t.Fatalf("a2 %+v", b)
	}
	if !strings.Contains(string(r.body), `"state":"paused"`) || strings.Contains(string(r.body), "calls_taken") {
		t.Fatalf("body %s", r.body)
	}

	var one httpapi.Agent
	c.do("GET", "/api/agents/a1", "").want(t, http.StatusOK).decode(t, &one)
	if one.ID != "a1" || one.Username != "alice" {
		t.Fatalf("a1 %+v", one)
	}
	if e := c.do("GET", "/api/agents/zz", "").want(t, http.StatusNotFound).errorText(t); !strings.Contains(e.Error, "zz") {
		t.Fatalf("error %+v", e)
	}
}

func TestSnapshotErrors(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{errors.New("redis down"), http.StatusInternalServerError},
		{fmt.Errorf("snapshot: %w", acd.ErrShuttingDown), http.StatusServiceUnavailable},
	}
	for _, tc := range cases {
		c := serve(t, &fakeEngine{snapErr: tc.err}, "")
		for _, p := range []string{"/api/queues", "/api/agents", "/api/agents/a1"} {
			c.do("GET", p, "").want(t, tc.want).errorText(t)
		}
	}
}
