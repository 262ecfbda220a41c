package acd

import "testing"

// A voicemail event comes after its call's record: it neither starts a
// new record nor changes the one written (a flow-out, "overflowed").
func TestCallRecordVoicemailAfterTheEnd(t *testing.T) {
	next := &recordLog{}
	r := NewCallRecorder(next, false)
	for _, ev := range []Event{
		{Time: recAt(0), Type: EvEntered, CallID: "c1", Queue: "support", Caller: "+33612345678"},
		{Time: recAt(0), Type: EvOverflowed, CallID: "c1", Queue: "support", Reason: ReasonClosed, Target: ExitVoicemail},
		{Time: recAt(15), Type: EvVoicemail, CallID: "c1", Queue: "support", File: "vm/support/a.wav", DurationMS: 12000},
	} {
		if err := r.Append(ev); err != nil {
			t.Fatal(err)
		}
	}
	recs := next.records()
	if len(recs) != 1 || recs[0].Outcome != OutcomeOverflowed || recs[0].Reason != ReasonClosed || recs[0].Partial {
		t.Fatalf("records %+v", recs)
	}
	if len(r.calls) != 0 {
		t.Errorf("recorder still holds %d calls", len(r.calls))
	}
	if len(next.evs) != 4 {
		t.Errorf("%d events passed on, want 3 and the record", len(next.evs))
	}
}
