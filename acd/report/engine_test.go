package report_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/acd/report"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// offers is a fake telephony side: it only records what the engine asks.
type offers struct {
	mu  sync.Mutex
	got []acd.Assignment
}

func (o *offers) Offer(a acd.Assignment)    { o.mu.Lock(); o.got = append(o.got, a); o.mu.Unlock() }
func (o *offers) Drop(queue.CallID, string) {}

func (o *offers) Forward(queue.CallID, string, string) {}

func (o *offers) Exit(queue.Call, acd.Destination, string) {}

// The real engine over the memory store writes a real FileLog; the report
// over that file must hold exactly what the calls did. Time is synctest's
// fake clock, so waits and talk times are exact.
//
//	t=0   c1 enters support, rings a1         t=4   a1 answers c1 (wait 4 s)
//	t=1   c2 enters support                   t=3   c2 hangs up (short abandon, 2 s)
//	t=10  c3 enters support                   t=12  c4 enters sales (no agents, max wait 30 s)
//	t=42  c4 times out (flow-out)             t=64  c1 ends: talk 60 s, wrap-up 5 s
//	t=69  c3 rings a1                         t=71  a1 answers c3 (wait 61 s)
//	t=101 a1 hangs up c3: talk 30 s           t=106 wrap-up over
func TestReportFromRealEngine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "events.jsonl")
		flog, err := acd.OpenFileLog(path, true, 0)
		if err != nil {
			t.Fatal(err)
		}
		rig := startReportRig(t, flog, 30*time.Second)
		eng, ctx, must, sleep, enqueue := rig.eng, rig.ctx, rig.must, rig.sleep, rig.enqueue
		support, sales := rig.support, rig.sales
		start := time.Now()

		enqueue("c1", "support")
		sleep(time.Second)
		enqueue("c2", "support")
		sleep(2 * time.Second)
		must(eng.Ended(ctx, "c2", acd.ReasonCaller))
		sleep(time.Second)
		must(eng.Answered(ctx, "c1", "a1"))
		sleep(6 * time.Second)
		enqueue("c3", "support")
		sleep(2 * time.Second)
		enqueue("c4", "sales")
		sleep(52 * time.Second)
		must(eng.Ended(ctx, "c1", acd.ReasonCaller))
		sleep(5 * time.Second) // wrap-up over: c3 rings a1
		sleep(2 * time.Second)
		must(eng.Answered(ctx, "c3", "a1"))
		sleep(30 * time.Second)
		must(eng.Ended(ctx, "c3", acd.ReasonAgent))
		sleep(5 * time.Second)
		rig.shutdown()
		must(flog.Close())

		events, torn, err := report.ReadFiles(path)
		if err != nil || len(torn) != 0 {
			t.Fatalf("ReadFiles: %v, torn %v", err, torn)
		}
		ds := report.Build(events, report.BuildOptions{})
		r := report.Compute(ds, report.Options{Interval: report.Min15, Location: time.UTC,
			QueueThreshold: map[string]time.Duration{"support": support.ServiceLevel, "sales": sales.ServiceLevel}})
		var sup, sal *report.QueuePeriod
		for i, p := range r.Queues {
			if !p.Start.IsZero() && !p.Start.Equal(start.Truncate(15*time.Minute)) {
				t.Errorf("period %s: every call entered in the first 15 minutes", p.Start)
			}
			switch {
			case p.Start.IsZero() && p.Queue == "support":
				sup = &r.Queues[i]
			case p.Start.IsZero() && p.Queue == "sales":
				sal = &r.Queues[i]
			}
		}
		if sup == nil || sal == nil {
			t.Fatalf("queues %+v", r.Queues)
		}
		s, sa := sup.Counts, sal.Counts
		if s.Offered != 3 || s.Answered != 2 || s.Abandoned != 1 || s.AbandonedWithinS != 1 || s.AnsweredWithinT != 1 || s.Handled != 2 {
			t.Errorf("support %+v", s)
		}
		if sa.Offered != 1 || sa.FlowOuts != 1 || sa.Answered != 0 || sa.LongestWait != 30*time.Second {
			t.Errorf("sales %+v", sa)
		}
		check := func(name string, got, want float64) {
			t.Helper()
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
		check("support sl_b", s.SL(report.SLB), 2.0/3)
		check("support sl_a", s.SL(report.SLA), 1.0/2)
		check("support ASA", s.ASA(), (4.0+61)/2)
		check("support AHT", s.AHT(), (60.0+5+30+5)/2)
		check("support AHT talk", s.AvgTalk(), 45)
		check("sales sl_f", sa.SL(report.SLF), 0)

		for _, p := range r.Agents {
			if p.Agent != "a1" || !p.Start.IsZero() {
				continue
			}
			a := p.Counts
			if a.Offered != 2 || a.Answered != 2 || a.Missed != 0 || a.Talk != 90*time.Second || a.WrapUp != 10*time.Second {
				t.Errorf("a1 calls %+v", a)
			}
			check("a1 logged in", a.LoggedIn().Seconds(), 106)
			check("a1 occupancy", a.Occupancy(), 100.0/106)
		}
		for _, c := range ds.Calls {
			if c.CallID == "c3" && (c.Wait != 61*time.Second || c.Ring != 2*time.Second || c.Talk != 30*time.Second || c.WrapUp != 5*time.Second) {
				t.Errorf("c3 record %+v", c)
			}
		}
	})
}

// reportRig is a real engine over the memory store writing to an event
// log, inside a synctest bubble: queues support (wrap-up 5 s) and sales
// (max wait as given), both with a 20 s service level, and agent a1 of
// support logged in with a phone. The report tests drive calls through it.
type reportRig struct {
	t              *testing.T
	eng            *acd.Engine
	ctx            context.Context
	stop           context.CancelFunc
	done           chan error
	support, sales acd.QueueConfig
}

func startReportRig(t *testing.T, log acd.EventLog, salesMaxWait time.Duration) *reportRig {
	t.Helper()
	r := &reportRig{t: t, done: make(chan error, 1),
		support: acd.QueueConfig{Name: "support", Number: "100", Strategy: acd.LongestIdle{}, RingTimeout: 15 * time.Second,
			WrapUp: 5 * time.Second, ServiceLevel: 20 * time.Second},
		sales: acd.QueueConfig{Name: "sales", Number: "200", Strategy: acd.LongestIdle{}, RingTimeout: 15 * time.Second,
			MaxWait: salesMaxWait, ServiceLevel: 20 * time.Second}}
	store := memstore.New()
	eng, err := acd.NewEngine(acd.EngineConfig{Node: "n1", Seed: 1, Queues: []acd.QueueConfig{r.support, r.sales}},
		store, &offers{}, log, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	r.eng = eng
	r.ctx, r.stop = context.WithCancel(context.Background())
	go func() { r.done <- eng.Run(r.ctx) }()
	r.must(store.PutAgent(r.ctx, agents.Agent{ID: "a1", Username: "a1", Queues: []string{"support"}}))
	r.must(store.Register(r.ctx, "a1", acd.Contact{URI: "sip:a1@192.0.2.1", Transport: "udp", Expires: time.Now().Add(24 * time.Hour), CallID: "r", CSeq: 1}))
	_, err = eng.Command(r.ctx, "a1", agents.Event{Kind: agents.Login})
	r.must(err)
	return r
}

func (r *reportRig) must(err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatal(err)
	}
}

// sleep moves the bubble's clock on and lets the engine settle.
func (r *reportRig) sleep(d time.Duration) { time.Sleep(d); synctest.Wait() }

func (r *reportRig) enqueue(id, q string) {
	r.t.Helper()
	r.must(r.eng.Enqueue(r.ctx, queue.Call{ID: queue.CallID(id), Queue: q, Caller: "+4420555000" + id[1:]}))
}

// shutdown stops the engine and waits for Run to return.
func (r *reportRig) shutdown() {
	r.t.Helper()
	r.stop()
	r.must(<-r.done)
}
