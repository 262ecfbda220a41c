package acd

import "testing"

// An "announced" event is no step of the call: the record is the same as
// without it, and one for a call never entered here starts no record.
func TestCallRecordIgnoresAnnounced(t *testing.T) {
	next := &recordLog{}
	r := NewCallRecorder(next, false)
	for _, ev := range []Event{
		{Time: recAt(0), Type: EvAnnounced, Node: "n1", CallID: "ghost", Queue: "sales", Position: 4},
		{Time: recAt(1), Type: EvEntered, Node: "n1", CallID: "c1", Queue: "sales"},
		{Time: recAt(2), Type: EvAnnounced, Node: "n1", CallID: "c1", Queue: "sales", Position: 2, EstimatedMS: 60000, WaitMS: 1000},
		{Time: recAt(5), Type: EvAbandoned, Node: "n1", CallID: "c1", Queue: "sales", Reason: "caller", WaitMS: 4000},
	} {
		if err := r.Append(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	recs := next.records()
	if len(recs) != 1 || recs[0].Partial || recs[0].WaitMS != 4000 || recs[0].Outcome != OutcomeAbandoned {
		t.Fatalf("records = %+v", recs)
	}
}
