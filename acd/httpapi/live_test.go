package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/acd/live"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
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

// scrape reads /metrics into metric families.
func scrape(t *testing.T, c *client) map[string]*dto.MetricFamily {
	t.Helper()
	r := c.do("GET", "/metrics", "").want(t, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(r.body)))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, r.body)
	}
	return fams
}

// sample finds the metric of family name whose labels include want.
func sample(t *testing.T, fams map[string]*dto.MetricFamily, name string, want ...string) *dto.Metric {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no metric family %s", name)
	}
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(want); i += 2 {
			if !slices.ContainsFunc(m.GetLabel(), func(l *dto.LabelPair) bool { return l.GetName() == want[i] && l.GetValue() == want[i+1] }) {
				continue next
			}
		}
		return m
	}
	t.Fatalf("no %s%v", name, want)
	return nil
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	}
	return math.NaN()
}

// bucket is the cumulative count of a histogram at upper bound le.
func bucket(t *testing.T, m *dto.Metric, le float64) uint64 {
	t.Helper()
	for _, b := range m.GetHistogram().GetBucket() {
		if b.GetUpperBound() == le {
			return b.GetCumulativeCount()
		}
	}
	t.Fatalf("no bucket le=%v", le)
	return 0
}

func TestMetricsExposition(t *testing.T) {
	f := &fakeEngine{snap: snapshot(2, 4200, map[string]int{"available": 1, "paused": 1})}
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	feed(t, tr)
	tr.CountSIPResponse(200)
	tr.CountSIPResponse(200)
	tr.CountSIPResponse(486)
	tr.CountSIPResponse(42) // not a status code
	s := serveLive(t, f, tr, "tok", httpapi.LiveOptions{})
	fams := scrape(t, s.client)

	gauges := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"acd_calls_waiting", []string{"queue", "support"}, 2},
		{"acd_calls_waiting", []string{"queue", "sales"}, 0},
		{"acd_longest_wait_seconds", []string{"queue", "support"}, 4.2},
		{"acd_agents", []string{"queue", "support", "state", "available"}, 1},
		{"acd_agents", []string{"queue", "support", "state", "paused"}, 1},
		{"acd_agents", []string{"queue", "support", "state", "busy"}, 0},
		{"acd_agents", []string{"queue", "sales", "state", "offline"}, 0},
		{"acd_calls_entered_total", []string{"queue", "support"}, 2},
		{"acd_calls_entered_total", []string{"queue", "sales"}, 0},
		{"acd_calls_total", []string{"queue", "support", "outcome", "answered"}, 1},
		{"acd_calls_total", []string{"queue", "support", "outcome", "abandoned"}, 1},
		{"acd_calls_total", []string{"queue", "support", "outcome", "rejected"}, 1},
		{"acd_calls_total", []string{"queue", "support", "outcome", "timed-out"}, 0},
		{"acd_sip_responses_total", []string{"code", "200"}, 2},
		{"acd_sip_responses_total", []string{"code", "486"}, 1},
		{"acd_sip_responses_total", []string{"code", "other"}, 1},
	}
	for _, g := range gauges {
		if got := value(sample(t, fams, g.name, g.labels...)); got != g.want {
			t.Errorf("%s%v = %v, want %v", g.name, g.labels, got, g.want)
		}
	}
	for name, typ := range map[string]dto.MetricType{
		"acd_calls_waiting": dto.MetricType_GAUGE, "acd_longest_wait_seconds": dto.MetricType_GAUGE,
		"acd_agents": dto.MetricType_GAUGE, "acd_calls_total": dto.MetricType_COUNTER,
		"acd_sip_responses_total": dto.MetricType_COUNTER, "acd_wait_seconds": dto.MetricType_HISTOGRAM,
		"acd_talk_seconds": dto.MetricType_HISTOGRAM,
	} {
		if got := fams[name].GetType(); got != typ {
			t.Errorf("%s is %v, want %v", name, got, typ)
		}
	}

	// The answered wait (8 s) is within support's T = 20 s, which is a
	// bucket bound, as is sales' 30 s.
	w := sample(t, fams, "acd_wait_seconds", "queue", "support", "outcome", "answered").GetHistogram()
	if w.GetSampleCount() != 1 || w.GetSampleSum() != 8 {
		t.Errorf("answered wait histogram count %d sum %v", w.GetSampleCount(), w.GetSampleSum())
	}
	wm := sample(t, fams, "acd_wait_seconds", "queue", "support", "outcome", "answered")
	if bucket(t, wm, 5) != 0 || bucket(t, wm, 10) != 1 || bucket(t, wm, 20) != 1 {
		t.Errorf("answered wait buckets %v", w.GetBucket())
	}
	bucket(t, wm, 30)
	ab := sample(t, fams, "acd_wait_seconds", "queue", "support", "outcome", "abandoned")
	if ab.GetHistogram().GetSampleSum() != 30 || bucket(t, ab, 20) != 0 || bucket(t, ab, 30) != 1 {
		t.Errorf("abandoned wait histogram %v", ab.GetHistogram())
	}
	talk := sample(t, fams, "acd_talk_seconds", "queue", "support").GetHistogram()
	if talk.GetSampleCount() != 1 || talk.GetSampleSum() != 120 {
		t.Errorf("talk histogram count %d sum %v", talk.GetSampleCount(), talk.GetSampleSum())
	}
	if fams["go_goroutines"] == nil || fams["process_cpu_seconds_total"] == nil {
		t.Error("runtime metrics missing")
	}
}

func TestMetricsWhenSnapshotFails(t *testing.T) {
	f := &fakeEngine{snapErr: acd.ErrShuttingDown}
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	feed(t, tr)
	s := serveLive(t, f, tr, "", httpapi.LiveOptions{})
	// The counters are still served; the live gauges are missing.
	fams := scrape(t, s.client)
	if got := value(sample(t, fams, "acd_calls_total", "queue", "support", "outcome", "answered")); got != 1 {
		t.Fatalf("answered %v", got)
	}
	if fams["acd_calls_waiting"] != nil {
		t.Fatal("waiting gauge served without a snapshot")
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

// sseReader reads server-sent events from one stream.
type sseReader struct {
	t     *testing.T
	lines chan string
	resp  *http.Response
}

func openStream(t *testing.T, base, query string) *sseReader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/live/stream"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream Content-Type %q", ct)
	}
	r := &sseReader{t: t, lines: make(chan string, 1024), resp: resp}
	go func() {
		defer close(r.lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		resp.Body.Close()
	})
	return r
}

// sseEvent is one event: its type and data, a comment or a retry field.
type sseEvent struct {
	typ, data, comment, retry string
}

// next returns the next event or comment, failing after 10 s; ok is false
// when the stream ended.
func (r *sseReader) next() (sseEvent, bool) {
	r.t.Helper()
	var e sseEvent
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-r.lines:
			if !ok {
				return e, false
			}
			switch {
			case line == "":
				if e != (sseEvent{}) {
					return e, true
				}
			case strings.HasPrefix(line, ":"):
				e.comment = strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "retry: "):
				e.retry = line[len("retry: "):]
			case strings.HasPrefix(line, "event: "):
				e.typ = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				e.data = line[len("data: "):]
			}
		case <-timeout:
			r.t.Fatal("no server-sent event within 10 s")
		}
	}
}

// nextView skips to the next "live" event and decodes it.
func (r *sseReader) nextView() live.View {
	r.t.Helper()
	for {
		e, ok := r.next()
		if !ok {
			r.t.Fatal("stream ended")
		}
		if e.typ != "live" {
			continue
		}
		var v live.View
		if err := json.Unmarshal([]byte(e.data), &v); err != nil {
			r.t.Fatalf("decode %s: %v", e.data, err)
		}
		return v
	}
}

func TestStreamSendsPictureThenEveryChange(t *testing.T) {
	f := &fakeEngine{snap: snapshot(0, 0, map[string]int{"available": 1})}
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	s := serveLive(t, f, tr, "tok", httpapi.LiveOptions{})
	st := openStream(t, s.base, "?token=tok")

	first, _ := st.next()
	if first.retry != "3000" || first.typ != "" || first.data != "" {
		t.Fatalf("first frame %+v, want the reconnect delay", first)
	}
	v := st.nextView()
	if v.Queues[0].Waiting != 0 || v.Queues[0].Today.Offered != 0 {
		t.Fatalf("initial picture %+v", v.Queues[0])
	}

	f.setSnap(snapshot(1, 0, map[string]int{"available": 1}))
	_ = tr.Append(ev("09:59:59", acd.EvEntered, "c9", "support"))
	v = st.nextView()
	if v.Queues[0].Waiting != 1 || v.Queues[0].Today.Offered != 1 {
		t.Fatalf("after a call entered %+v", v.Queues[0])
	}

	f.setSnap(snapshot(1, 0, map[string]int{"paused": 1}))
	_ = tr.Append(acd.Event{Time: fixedNow(), Type: acd.EvAgentState, Agent: "a1", State: "paused", Reason: "lunch"})
	v = st.nextView()
	if v.Queues[0].AgentsByState["paused"] != 1 || v.Queues[0].AgentsByState["available"] != 0 {
		t.Fatalf("after a pause %+v", v.Queues[0])
	}
}

func TestStreamHeartbeatAndShutdown(t *testing.T) {
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	s := serveLive(t, &fakeEngine{snap: snapshot(0, 0, nil)}, tr, "", httpapi.LiveOptions{Heartbeat: 20 * time.Millisecond})
	st := openStream(t, s.base, "")
	st.nextView()
	e, _ := st.next()
	if e.comment != "heartbeat" {
		t.Fatalf("want a heartbeat comment, got %+v", e)
	}
	if tr.Subscribers() != 1 {
		t.Fatalf("%d subscribers", tr.Subscribers())
	}
	s.live.Shutdown()
	for {
		if _, ok := st.next(); !ok {
			break
		}
	}
	waitFor(t, "subscription released", func() bool { return tr.Subscribers() == 0 })
}

func TestStreamTellsWhenSnapshotFails(t *testing.T) {
	f := &fakeEngine{snap: snapshot(0, 0, nil)}
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	s := serveLive(t, f, tr, "", httpapi.LiveOptions{})
	st := openStream(t, s.base, "")
	st.nextView()
	f.mu.Lock()
	f.snapErr = acd.ErrShuttingDown
	f.mu.Unlock()
	_ = tr.Append(ev("09:59:59", acd.EvEntered, "c9", "support"))
	for {
		e, ok := st.next()
		if !ok {
			t.Fatal("stream ended")
		}
		if e.typ == "error" {
			if !strings.Contains(e.data, "shutting down") {
				t.Fatalf("error event %q", e.data)
			}
			break
		}
	}
}

// A stream client that reads nothing never holds up the event log.
func TestStalledStreamClientDoesNotBlockEvents(t *testing.T) {
	tr := live.NewTracker(nil, liveQueues, time.UTC, fixedNow)
	s := serveLive(t, &fakeEngine{snap: snapshot(3, 1000, map[string]int{"busy": 2})}, tr, "",
		httpapi.LiveOptions{Buffer: 1, WriteTimeout: 200 * time.Millisecond})
	req, _ := http.NewRequest("GET", s.base+"/api/live/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close() // never read
	waitFor(t, "stream subscribed", func() bool { return tr.Subscribers() == 1 })
	start := time.Now()
	for i := range 20000 {
		_ = tr.Append(acd.Event{Time: fixedNow(), Type: acd.EvAgentState, Agent: "a1", State: []string{"paused", "available"}[i%2]})
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("20000 events took %v with a stalled stream client", d)
	}
	// Sooner or later the stalled client is dropped (buffer or write timeout).
	waitFor(t, "stalled client dropped", func() bool { return tr.Subscribers() == 0 })
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1))
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

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
