package report_test

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/report"
)

// The real engine writes through a CallRecorder into a FileLog rotating
// every few lines. Reading the files back: the call records never change
// what the report counts, each finished call has exactly one record, every
// record says what the report says of its call, and a record completes a
// call whose first events are in a file no longer read.
//
//	t=0  c1 enters support, rings a1     t=1  c2 enters support
//	t=2  a1 answers c1                   t=4  c2 hangs up (abandoned)
//	t=10 c3 enters support               t=12 c5 enters sales (max wait 20 s)
//	t=30 c1 ends; wrap-up 5 s            t=32 c5 times out
//	t=35 c3 rings a1                     t=36 a1 misses it; it rings a1 again
//	t=38 a1 answers c3                   t=50 a1 hangs up c3; wrap-up to t=55
func TestCallRecordsMatchTheReportAndNeverCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "events.jsonl")
		flog, err := acd.NewFileLog(path, acd.FileLogOptions{SyncEvery: true, RotateSize: 700,
			OnError: func(err error) { t.Errorf("event log: %v", err) }})
		if err != nil {
			t.Fatal(err)
		}
		rec := acd.NewCallRecorder(flog, false)
		rig := startReportRig(t, rec, 20*time.Second)
		eng, ctx, must, sleep, enqueue := rig.eng, rig.ctx, rig.must, rig.sleep, rig.enqueue
		enqueue("c1", "support")
		sleep(time.Second)
		enqueue("c2", "support")
		sleep(time.Second)
		must(eng.Answered(ctx, "c1", "a1"))
		sleep(2 * time.Second)
		must(eng.Ended(ctx, "c2", acd.ReasonCaller))
		sleep(6 * time.Second)
		enqueue("c3", "support")
		sleep(2 * time.Second)
		enqueue("c5", "sales")
		sleep(18 * time.Second)
		must(eng.Ended(ctx, "c1", acd.ReasonCaller))
		sleep(5 * time.Second) // c5 timed out at 32; wrap-up over at 35: c3 rings a1
		sleep(time.Second)
		must(eng.NotAnswered(ctx, "c3", []acd.RingResult{{Agent: "a1", Reason: acd.ReasonNoAnswer}}))
		sleep(2 * time.Second)
		must(eng.Answered(ctx, "c3", "a1"))
		sleep(12 * time.Second)
		must(eng.Ended(ctx, "c3", acd.ReasonAgent))
		sleep(5 * time.Second)
		rig.shutdown()
		must(rec.Close())
		must(flog.Close())

		files, err := acd.LogFiles(path)
		must(err)
		if len(files) < 4 {
			t.Fatalf("log files %v: want several rotations", files)
		}
		events, torn, err := report.ReadFiles(files...)
		if err != nil || len(torn) != 0 {
			t.Fatalf("ReadFiles: %v, torn %v", err, torn)
		}
		var plain []acd.Event
		records := map[string][]acd.CallRecord{}
		for _, ev := range events {
			if ev.Type == acd.EvCallRecord {
				records[ev.CallID] = append(records[ev.CallID], *ev.Record)
			} else {
				plain = append(plain, ev)
			}
		}
		ds := report.Build(events, report.BuildOptions{})
		if want := report.Build(plain, report.BuildOptions{}); !reflect.DeepEqual(ds, want) {
			t.Fatalf("call records changed the dataset:\n with %+v\n without %+v", ds, want)
		}
		if len(ds.Warnings) != 0 {
			t.Errorf("warnings: %v", ds.Warnings)
		}
		ms := func(d time.Duration) int64 { return d.Milliseconds() }
		for _, c := range ds.Calls {
			rs := records[c.CallID]
			if len(rs) != 1 {
				t.Errorf("call %s (%s): %d call records, want 1", c.CallID, c.Outcome, len(rs))
				continue
			}
			r := rs[0]
			if r.Queue != c.Queue || r.Agent != c.Agent || r.Caller != c.Caller || r.Outcome != string(c.Outcome) ||
				r.Reason != c.Reason || r.Attempts != c.Attempts || !r.Entered.Equal(c.Entered) || !r.Offered.Equal(c.Offered) ||
				!r.Answered.Equal(c.Answered) || !r.Ended.Equal(c.Ended) || r.WaitMS != ms(c.Wait) || r.RingMS != ms(c.Ring) ||
				r.TalkMS != ms(c.Talk) || r.WrapUpMS != ms(c.WrapUp) || r.Partial || r.WrapUpCut {
				t.Errorf("call %s:\n record %+v\n report %+v", c.CallID, r, c)
			}
		}
		if len(ds.Calls) != 4 || len(records) != 4 {
			t.Fatalf("%d calls and %d recorded calls, want c1, c2, c3 and c5", len(ds.Calls), len(records))
		}
		c3 := ds.Calls[slices.IndexFunc(ds.Calls, func(c report.CallRecord) bool { return c.CallID == "c3" })]
		if c3.Wait != 28*time.Second || c3.Ring != 3*time.Second || c3.WrapUp != 5*time.Second || c3.Attempts != 2 {
			t.Errorf("c3 = %+v", c3)
		}

		// Without the oldest files, a call whose entered event is gone is
		// completed by its record, which the log holds after its end.
		completed := 0
		for k := 1; k < len(files); k++ {
			evs, _, err := report.ReadFiles(files[k:]...)
			must(err)
			var noRecords []acd.Event
			for _, ev := range evs {
				if ev.Type != acd.EvCallRecord {
					noRecords = append(noRecords, ev)
				}
			}
			partial := map[string]bool{}
			for _, c := range report.Build(noRecords, report.BuildOptions{}).Calls {
				partial[c.CallID] = c.Partial
			}
			for _, c := range report.Build(evs, report.BuildOptions{}).Calls {
				full := ds.Calls[slices.IndexFunc(ds.Calls, func(f report.CallRecord) bool { return f.CallID == c.CallID })]
				if c.Partial || !partial[c.CallID] {
					continue
				}
				completed++
				if !c.Entered.Equal(full.Entered) || !c.Offered.Equal(full.Offered) || c.Wait != full.Wait || c.Ring != full.Ring {
					t.Errorf("files from %d: call %s completed from its record as %+v, want %+v", k, c.CallID, c, full)
				}
			}
		}
		if completed == 0 {
			t.Error("no partial call was completed by its record: the test does not exercise it")
		}
		t.Logf("%d events in %d files, %d call records; reading from a later file on, %d partial calls were completed by their records",
			len(events), len(files), len(records), completed)
	})
}
