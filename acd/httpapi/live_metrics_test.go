package httpapi_test

// Tests of the Prometheus metrics exposition of the live routes, and the
// helpers that scrape and read it.

import (
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/acd/live"
)

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
