package media

import "testing"

// A sender whose RTP timestamps jump back (a new SSRC with its own random
// base, RFC 3550 §5.1, e.g. a trunk or SBC re-anchoring the media) must
// not lose its DTMF: only an event within the reach of an RFC 2198
// redundant block (a 14-bit offset) is an old copy; one further back is a
// new event.
func TestDTMFAfterTimestampJumpBack(t *testing.T) {
	var d dtmfDetector
	feed := func(ts uint32, digit rune, code uint8) []Event {
		var got []Event
		for _, end := range []bool{false, true, true, true} {
			out, n := d.packet(ts, Event{Code: code, Digit: digit, End: end})
			got = append(got, out[:n]...)
		}
		return got
	}
	if got := feed(50_000_000, '5', 5); len(got) != 1 || got[0].Digit != '5' {
		t.Fatalf("first event: %+v", got)
	}
	// The stream restarts with a lower timestamp base.
	if got := feed(1_000, '1', 1); len(got) != 1 || got[0].Digit != '1' {
		t.Fatalf("event after the timestamp jumped back: %+v, want digit 1", got)
	}
	// A redundant copy of an older event (offset within 14 bits) is
	// still ignored.
	d = dtmfDetector{}
	feed(100_000, '2', 2)
	feed(101_600, '3', 3)
	out, n := d.packet(100_000, Event{Code: 2, Digit: '2', End: true})
	if n != 0 {
		t.Errorf("redundant copy of an old event reported again: %+v", out[:n])
	}
}
