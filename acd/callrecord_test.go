package acd

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// recordLog keeps what it is given.
type recordLog struct {
	evs  []Event
	fail error
}

func (m *recordLog) Append(ev Event) error {
	m.evs = append(m.evs, ev)
	return m.fail
}

func (m *recordLog) records() []CallRecord {
	var out []CallRecord
	for _, e := range m.evs {
		if e.Type == EvCallRecord {
			out = append(out, *e.Record)
		}
	}
	return out
}

var recT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func recAt(s float64) time.Time { return recT0.Add(time.Duration(s * float64(time.Second))) }

func TestCallRecordOfAnAnsweredCallWaitsForTheWrapUp(t *testing.T) {
	next := &recordLog{}
	r := NewCallRecorder(next, false)
	in := []Event{
		{Time: recAt(0), Type: EvEntered, Node: "n1", CallID: "c1", Queue: "support", Caller: "+33612345678", Priority: 1},
		{Time: recAt(1), Type: EvOffered, Node: "n1", CallID: "c1", Queue: "support", Agents: []string{"a1"}, Attempts: 1},
		{Time: recAt(1), Type: EvAgentState, Node: "n1", Agent: "a1", State: "ringing"},
		{Time: recAt(3), Type: EvRingNoAnswer, Node: "n1", CallID: "c1", Queue: "support", Agent: "a1", Reason: "no-answer", Attempts: 1},
		{Time: recAt(3), Type: EvOffered, Node: "n1", CallID: "c1", Queue: "support", Agents: []string{"a2"}, Attempts: 2},
		{Time: recAt(4), Type: EvConnected, Node: "n1", CallID: "c1", Queue: "support", Agent: "a2", Caller: "+33612345678", WaitMS: 4000, Attempts: 2},
		{Time: recAt(4), Type: EvAgentState, Node: "n1", Agent: "a2", State: "busy"},
		{Time: recAt(10), Type: EvCompleted, Node: "n1", CallID: "c1", Queue: "support", Agent: "a2", Caller: "+33612345678", Reason: "caller", WaitMS: 4000, TalkMS: 6000, Attempts: 2},
		{Time: recAt(10), Type: EvAgentState, Node: "n1", Agent: "a2", State: "wrap-up", Reason: "hangup"},
		{Time: recAt(12), Type: EvAgentState, Node: "n1", Agent: "a1", State: "available"},
		{Time: recAt(15.5), Type: EvAgentState, Node: "n1", Agent: "a2", State: "available", Reason: "wrap-up-done"},
		{Time: recAt(16), Type: EvAgentState, Node: "n1", Agent: "a2", State: "paused", Reason: "lunch"},
	}
	for i, ev := range in {
		if err := r.Append(ev); err != nil {
			t.Fatal(err)
		}
		if n := len(next.records()); (i < 10 && n != 0) || (i >= 10 && n != 1) {
			t.Fatalf("after %s of %s: %d records", ev.Type, ev.Agent, n)
		}
	}
	// Every event passed on unchanged, the record right after the end of
	// the wrap-up.
	if len(next.evs) != len(in)+1 || !reflect.DeepEqual(next.evs[:11], in[:11]) || next.evs[11].Type != EvCallRecord ||
		!reflect.DeepEqual(next.evs[12], in[11]) {
		t.Fatalf("passed on %d events: %+v", len(next.evs), next.evs)
	}
	line := next.evs[11]
	if line.Time != recAt(15.5) || line.CallID != "c1" || line.Node != "n1" || line.Queue != "support" || line.Agent != "a2" {
		t.Errorf("record line %+v", line)
	}
	want := CallRecord{Queue: "support", Caller: "+33612345678", Agent: "a2", Entered: recAt(0), Offered: recAt(1), Answered: recAt(4),
		Ended: recAt(10), WaitMS: 4000, RingMS: 3000, TalkMS: 6000, WrapUpMS: 5500, Outcome: OutcomeAnswered, Reason: "caller", Attempts: 2}
	if got := *line.Record; got != want {
		t.Errorf("record\n got %+v\nwant %+v", got, want)
	}
	b, _ := json.Marshal(line)
	for _, field := range []string{`"type":"call-record"`, `"record":{"queue":"support"`, `"entered":"2026-03-02T09:00:00Z"`,
		`"offered":"2026-03-02T09:00:01Z"`, `"answered":"2026-03-02T09:00:04Z"`, `"ended":"2026-03-02T09:00:10Z"`,
		`"wait_ms":4000`, `"ring_ms":3000`, `"talk_ms":6000`, `"wrap_up_ms":5500`, `"outcome":"answered"`, `"attempts":2`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("record line %s lacks %s", b, field)
		}
	}
}

func TestCallRecordsOfUnansweredCalls(t *testing.T) {
	next := &recordLog{}
	r := NewCallRecorder(next, true)
	for _, ev := range []Event{
		{Time: recAt(0), Type: EvEntered, CallID: "queued", Queue: "q", Caller: "+33612345678"},
		{Time: recAt(0.5), Type: EvEntered, CallID: "ringing", Queue: "q", Caller: "0612"},
		{Time: recAt(1), Type: EvOffered, CallID: "ringing", Queue: "q", Agents: []string{"a1", "a2"}, Attempts: 1},
		{Time: recAt(2), Type: EvRejected, CallID: "full", Queue: "q", Caller: "12", Reason: "queue-full"},
		{Time: recAt(3), Type: EvAbandoned, CallID: "queued", Queue: "q", Caller: "+33612345678", Reason: "caller", WaitMS: 3000},
		{Time: recAt(4), Type: EvAbandoned, CallID: "ringing", Queue: "q", Caller: "0612", Reason: "caller", WaitMS: 3500, Attempts: 1},
		{Time: recAt(5), Type: EvEntered, CallID: "late", Queue: "q"},
		{Time: recAt(35), Type: EvTimedOut, CallID: "late", Queue: "q", Reason: "max-wait", WaitMS: 30000},
		{Time: recAt(36), Type: EvEntered, CallID: "shut", Queue: "q"},
		{Time: recAt(37), Type: EvDropped, CallID: "shut", Queue: "q", Reason: "shutdown", WaitMS: 1000},
	} {
		if err := r.Append(ev); err != nil {
			t.Fatal(err)
		}
	}
	got := next.records()
	want := []CallRecord{
		{Queue: "q", Caller: "000", Entered: recAt(2), Ended: recAt(2), Outcome: OutcomeRejected, Reason: "queue-full"},
		{Queue: "q", Caller: "+********678", Entered: recAt(0), Ended: recAt(3), WaitMS: 3000, Outcome: OutcomeAbandoned, Reason: "caller"},
		{Queue: "q", Caller: "*612", Entered: recAt(0.5), Offered: recAt(1), Ended: recAt(4), WaitMS: 3500, RingMS: 3000, Outcome: OutcomeAbandoned, Reason: "caller", Attempts: 1},
		{Queue: "q", Entered: recAt(5), Ended: recAt(35), WaitMS: 30000, Outcome: OutcomeTimedOut, Reason: "max-wait"},
		{Queue: "q", Entered: recAt(36), Ended: recAt(37), WaitMS: 1000, Outcome: OutcomeDropped, Reason: "shutdown"},
	}
	want[0].Caller = MaskNumber("12")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records\n got %+v\nwant %+v", got, want)
	}
	// Masking is for the record only: events pass on as received.
	if next.evs[0].Caller != "+33612345678" {
		t.Errorf("entered event passed on with caller %q", next.evs[0].Caller)
	}
	if len(r.calls) != 0 || len(r.wrapping) != 0 {
		t.Errorf("recorder still holds %d calls and %d wrap-ups", len(r.calls), len(r.wrapping))
	}
}

func TestCallRecordEdgeCases(t *testing.T) {
	next := &recordLog{}
	r := NewCallRecorder(next, false)
	for _, ev := range []Event{
		// No wrap-up configured: wrap-up and available at the same instant.
		{Time: recAt(0), Type: EvEntered, CallID: "c1", Queue: "q"},
		{Time: recAt(1), Type: EvConnected, CallID: "c1", Queue: "q", Agent: "a1", WaitMS: 1000},
		{Time: recAt(2), Type: EvCompleted, CallID: "c1", Queue: "q", Agent: "a1", WaitMS: 1000, TalkMS: 1000},
		{Time: recAt(2), Type: EvAgentState, Agent: "a1", State: "wrap-up"},
		{Time: recAt(2), Type: EvAgentState, Agent: "a1", State: "available"},
		// Entered before the recorder started (a restart, another node).
		{Time: recAt(10), Type: EvCompleted, CallID: "old", Queue: "q", Agent: "a2", Caller: "555", WaitMS: 2000, TalkMS: 5000},
		{Time: recAt(10), Type: EvAgentState, Agent: "a2", State: "wrap-up"},
		// Still in wrap-up when the ACD stops.
		{Time: recAt(20), Type: EvEntered, CallID: "c3", Queue: "q"},
		{Time: recAt(21), Type: EvConnected, CallID: "c3", Queue: "q", Agent: "a3", WaitMS: 1000},
		{Time: recAt(22), Type: EvCompleted, CallID: "c3", Queue: "q", Agent: "a3", WaitMS: 1000, TalkMS: 1000},
		{Time: recAt(22), Type: EvAgentState, Agent: "a3", State: "wrap-up"},
		{Time: recAt(23), Type: "some-future-event", CallID: "c9", Queue: "q"},
	} {
		if err := r.Append(ev); err != nil {
			t.Fatal(err)
		}
	}
	// a2 logs out of its wrap-up: that ends it too.
	r.Append(Event{Time: recAt(13), Type: EvAgentState, Agent: "a2", State: "offline"})
	r.now = func() time.Time { return recAt(24) }
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	got := next.records()
	want := []CallRecord{
		{Queue: "q", Agent: "a1", Entered: recAt(0), Answered: recAt(1), Ended: recAt(2), WaitMS: 1000, TalkMS: 1000, Outcome: OutcomeAnswered},
		{Queue: "q", Caller: "555", Agent: "a2", Entered: recAt(3), Answered: recAt(5), Ended: recAt(10), WaitMS: 2000, TalkMS: 5000, WrapUpMS: 3000,
			Outcome: OutcomeAnswered, Partial: true},
		{Queue: "q", Agent: "a3", Entered: recAt(20), Answered: recAt(21), Ended: recAt(22), WaitMS: 1000, TalkMS: 1000, WrapUpMS: 2000,
			Outcome: OutcomeAnswered, WrapUpCut: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records\n got %+v\nwant %+v", got, want)
	}
	if err := r.Close(); err != nil || len(next.records()) != 3 {
		t.Errorf("a second Close wrote more: %v, %d records", err, len(next.records()))
	}
}

// A failing log still gets the record, and the caller hears of both.
func TestCallRecorderJoinsErrors(t *testing.T) {
	bad := errors.New("disk full")
	next := &recordLog{fail: bad}
	r := NewCallRecorder(next, false)
	r.Append(Event{Time: recAt(0), Type: EvEntered, CallID: "c1", Queue: "q"})
	err := r.Append(Event{Time: recAt(1), Type: EvAbandoned, CallID: "c1", Queue: "q"})
	if !errors.Is(err, bad) || len(next.records()) != 1 || strings.Count(err.Error(), "disk full") != 2 {
		t.Errorf("error %v, %d records", err, len(next.records()))
	}
}

// An IVR menu choice comes before "entered"; the record must not be partial.
func TestCallRecordIgnoresMenuChoice(t *testing.T) {
	next := &recordLog{}
	r := NewCallRecorder(next, false)
	for _, ev := range []Event{
		{Time: recAt(0), Type: EvMenu, Node: "n1", CallID: "c1", Queue: "sales", Menu: "main", Digit: "1", Reason: "choice"},
		{Time: recAt(1), Type: EvEntered, Node: "n1", CallID: "c1", Queue: "sales"},
		{Time: recAt(5), Type: EvAbandoned, Node: "n1", CallID: "c1", Queue: "sales", Reason: "caller", WaitMS: 4000},
	} {
		if err := r.Append(ev); err != nil {
			t.Fatal(err)
		}
	}
	recs := next.records()
	if len(recs) != 1 || recs[0].Partial || recs[0].WaitMS != 4000 {
		t.Fatalf("records = %+v", recs)
	}
}
