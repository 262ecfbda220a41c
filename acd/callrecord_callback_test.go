package acd

import "testing"

func TestCallRecordOfCallbacks(t *testing.T) {
	next := &recordLog{}
	r := NewCallRecorder(next, false)
	for _, ev := range []Event{
		{Time: recAt(0), Type: EvEntered, CallID: "c1", Queue: "q", Caller: "0612345678"},
		{Time: recAt(10), Type: EvCallbackRequested, CallID: "c1", Queue: "q", Target: "0612345678", WaitMS: 10000},
		{Time: recAt(60), Type: EvOffered, CallID: "c1", Queue: "q", Agents: []string{"a1"}, Attempts: 1},
		{Time: recAt(62), Type: EvCallbackAttempt, CallID: "c1", Queue: "q", Agent: "a1", Reason: CallbackAnswered, Attempts: 1},
		{Time: recAt(62), Type: EvConnected, CallID: "c1", Queue: "q", Agent: "a1", Reason: ReasonCallback, WaitMS: 62000, Attempts: 1},
		{Time: recAt(122), Type: EvCompleted, CallID: "c1", Queue: "q", Agent: "a1", Reason: ReasonCaller, WaitMS: 62000, TalkMS: 60000},
		{Time: recAt(122), Type: EvAgentState, Agent: "a1", State: "available"},
		{Time: recAt(1), Type: EvEntered, CallID: "c2", Queue: "q"},
		{Time: recAt(5), Type: EvCallbackRequested, CallID: "c2", Queue: "q", Target: "123", WaitMS: 4000},
		{Time: recAt(200), Type: EvCallbackFailed, CallID: "c2", Queue: "q", Target: "123", Reason: "busy", WaitMS: 199000},
	} {
		if err := r.Append(ev); err != nil {
			t.Fatal(err)
		}
	}
	recs := next.records()
	if len(recs) != 2 {
		t.Fatalf("records %+v", recs)
	}
	if c := recs[0]; c.Outcome != OutcomeCallback || c.Agent != "a1" || c.WaitMS != 62000 || c.TalkMS != 60000 || c.RingMS != 2000 {
		t.Errorf("connected callback record %+v", c)
	}
	if c := recs[1]; c.Outcome != OutcomeCallbackFailed || c.Reason != "busy" || c.WaitMS != 199000 {
		t.Errorf("failed callback record %+v", c)
	}
}
