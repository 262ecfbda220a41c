package httpapi_test

// Tests of the live JSON, auth and wallboard routes, and the helpers every
// live test shares: a fake snapshot, events fed to a tracker, a live server.
// Metrics, the SSE stream and the real-engine test are in
// live_metrics_test.go, live_stream_test.go and live_engine_test.go.

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/acd/live"
	"github.com/sme/acd/agents"
)

var liveQueues = []acd.QueueConfig{
	{Name: "support", Number: "100", Strategy: acd.LongestIdle{}, RingTimeout: 15 * time.Second, ServiceLevel: 20 * time.Second},
	{Name: "sales", Number: "200", Strategy: acd.LongestIdle{}, RingTimeout: 15 * time.Second, ServiceLevel: 30 * time.Second},
}

// setSnap replaces the fake's snapshot.
func (f *fakeEngine) setSnap(s acd.Snapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap = s
}

// liveServer is the API with live routes on a loopback port.
type liveServer struct {
	*client
	live *httpapi.Live
	tr   *live.Tracker
}

func serveLive(t *testing.T, eng httpapi.Engine, tr *live.Tracker, token string, opt httpapi.LiveOptions) liveServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := httpapi.NewLive(eng, tr, token, log, opt)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.Shutdown()
		srv.Close()
	})
	return liveServer{client: &client{t: t, base: srv.URL, token: token}, live: h, tr: tr}
}

// fixedNow is 2 March 2026, 10:00 UTC.
func fixedNow() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }

func ev(hms string, typ acd.EventType, call, q string) acd.Event {
	tm, err := time.Parse(time.DateTime, "2026-03-02 "+hms)
	if err != nil {
		panic(err)
	}
	return acd.Event{Time: tm, Type: typ, CallID: call, Queue: q}
}

// feed gives the tracker a morning in support: one answer within T (8 s,
// talked 120 s), one abandon after 30 s, one rejected call.
func feed(t *testing.T, tr *live.Tracker) {
	t.Helper()
	connected := ev("09:00:08", acd.EvConnected, "c1", "support")
	connected.WaitMS, connected.Agent = 8000, "a1"
	completed := ev("09:02:08", acd.EvCompleted, "c1", "support")
	completed.WaitMS, completed.TalkMS, completed.Agent = 8000, 120000, "a1"
	abandoned := ev("09:05:30", acd.EvAbandoned, "c2", "support")
	abandoned.WaitMS = 30000
	for _, e := range []acd.Event{
		ev("09:00:00", acd.EvEntered, "c1", "support"), connected, completed,
		ev("09:05:00", acd.EvEntered, "c2", "support"), abandoned,
		ev("09:06:00", acd.EvRejected, "c3", "support"),
	} {
		if err := tr.Append(e); err != nil {
			t.Fatal(err)
		}
	}
}

func snapshot(waiting int, longestMS int64, byState map[string]int) acd.Snapshot {
	return acd.Snapshot{
		Time: fixedNow(),
		Queues: []acd.QueueSnapshot{
			{Name: "support", Number: "100", Waiting: waiting, LongestWaitMS: longestMS, AgentsByState: byState},
			{Name: "sales", Number: "200", AgentsByState: map[string]int{}},
		},
		Agents: []acd.AgentSnapshot{
			{Agent: agents.Agent{ID: "a2", Name: "Bob", Queues: []string{"support"}, State: agents.Paused, PauseReason: "lunch", StateSince: fixedNow()}},
			{Agent: agents.Agent{ID: "a1", Name: "Alice", Queues: []string{"support", "sales"}, State: agents.Available, StateSince: fixedNow()}, Contacts: 1},
		},
	}
}

func TestLiveJSON(t *testing.T) {
	f := &fakeEngine{snap: snapshot(1, 65000, map[string]int{"available": 1, "paused": 1})}
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	feed(t, tr)
	s := serveLive(t, f, tr, "", httpapi.LiveOptions{})
	r := s.do("GET", "/api/live", "").want(t, http.StatusOK)
	var v live.View
	r.decode(t, &v)
	if v.Day != "2026-03-02" || v.TimeZone != "UTC" || v.SLFormula != "sl_b" || len(v.Queues) != 2 {
		t.Fatalf("view %+v", v)
	}
	q := v.Queues[0]
	if q.Name != "support" || q.Waiting != 1 || q.LongestWaitMS != 65000 || q.AgentsByState["available"] != 1 || q.AgentsByState["paused"] != 1 {
		t.Fatalf("support now %+v", q)
	}
	if len(q.AgentsByState) != 6 || q.AgentsByState["ringing"] != 0 {
		t.Fatalf("every state should be listed: %v", q.AgentsByState)
	}
	// sl_b = (1 + 0) / (1 + 1); ASA 8 s; abandoned 1 of 2 offered.
	d := q.Today
	if d.Offered != 2 || d.Answered != 1 || d.Abandoned != 1 || d.Rejected != 1 || d.ThresholdS != 20 ||
		d.ServiceLevel != 0.5 || d.ASAS != 8 || d.AbandonRate != 0.5 {
		t.Fatalf("support today %+v", d)
	}
	body := string(r.body)
	for _, want := range []string{`"service_level":null`, `"asa_s":null`, `"threshold_s":30`} { // sales: no calls yet
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s: %s", want, body)
		}
	}
	if len(v.Agents) != 2 || v.Agents[0].ID != "a1" || v.Agents[0].State != "available" || v.Agents[0].Phones != 1 ||
		v.Agents[1].State != "paused" || v.Agents[1].PauseReason != "lunch" {
		t.Fatalf("agents %+v", v.Agents)
	}
}

func TestLiveRoutesAuth(t *testing.T) {
	f := &fakeEngine{snap: snapshot(0, 0, nil)}
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	s := serveLive(t, f, tr, "s3cret", httpapi.LiveOptions{})
	s.token = ""
	bearer := []string{"Authorization", "Bearer s3cret"}
	cases := []struct {
		name, path string
		header     []string
		want       int
	}{
		{"metrics without token", "/metrics", nil, http.StatusUnauthorized},
		{"metrics with bearer", "/metrics", bearer, http.StatusOK},
		{"metrics does not take the query", "/metrics?token=s3cret", nil, http.StatusUnauthorized},
		{"live without token", "/api/live", nil, http.StatusUnauthorized},
		{"live with wrong query", "/api/live?token=s3cre", nil, http.StatusUnauthorized},
		{"live with query", "/api/live?token=s3cret", nil, http.StatusOK},
		{"live with bearer", "/api/live", bearer, http.StatusOK},
		{"live with wrong bearer and right query", "/api/live?token=s3cret", []string{"Authorization", "Bearer nope"}, http.StatusUnauthorized},
		{"stream without token", "/api/live/stream", nil, http.StatusUnauthorized},
		{"other api routes keep header-only auth", "/api/queues?token=s3cret", nil, http.StatusUnauthorized},
		{"other api routes still served", "/api/queues", bearer, http.StatusOK},
		{"wallboard page is open", "/wallboard", nil, http.StatusOK},
		{"wallboard script is open", "/wallboard/app.js", nil, http.StatusOK},
		{"wallboard unknown file", "/wallboard/nope.js", nil, http.StatusNotFound},
		{"no directory walk", "/wallboard/..%2fwallboard.go", nil, http.StatusNotFound},
		{"healthz", "/healthz", nil, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do("GET", tc.path, "", tc.header...).want(t, tc.want)
			if tc.want == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") != "Bearer" {
				t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	// Commands never take the query token.
	s.do("POST", "/api/agents/a1/login?token=s3cret", "").want(t, http.StatusUnauthorized)
}

func TestWallboardPage(t *testing.T) {
	s := serveLive(t, &fakeEngine{}, live.NewTracker(nil, liveQueues, time.UTC, fixedNow), "tok", httpapi.LiveOptions{})
	r := s.do("GET", "/wallboard", "").want(t, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	for h, want := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
		if r.header.Get(h) != want {
			t.Errorf("%s = %q", h, r.header.Get(h))
		}
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	body := string(r.body)
	if !strings.Contains(body, `src="wallboard/app.js"`) || !strings.Contains(body, `href="wallboard/style.css"`) {
		t.Fatalf("page does not load its own assets: %s", body)
	}
	// Nothing from elsewhere: no CDN, no web fonts.
	for _, p := range []string{"/wallboard", "/wallboard/app.js", "/wallboard/style.css"} {
		b := string(s.do("GET", p, "").want(t, http.StatusOK).body)
		if strings.Contains(b, "http://") || strings.Contains(b, "https://") || strings.Contains(b, "//cdn") {
			t.Errorf("%s refers to another host", p)
		}
	}
	if ct := s.do("GET", "/wallboard/app.js", "").header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("app.js Content-Type %q", ct)
	}

	// /wallboard/ goes to /wallboard with its query.
	req, _ := http.NewRequest("GET", s.base+"/wallboard/?token=tok", nil)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/wallboard?token=tok" {
		t.Fatalf("redirect %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
