package media

import (
	"errors"
	"testing"
)

func TestParseTelephoneEvent(t *testing.T) {
	tests := []struct {
		payload []byte
		want    Event
	}{
		{[]byte{0x01, 0x0a, 0x00, 0xa0}, Event{Code: 1, Digit: '1', Volume: 10, Duration: 160}},
		{[]byte{0x0b, 0x8a, 0x03, 0x20}, Event{Code: 11, Digit: '#', End: true, Volume: 10, Duration: 800}},
		{[]byte{0x0a, 0x3f, 0xff, 0xff}, Event{Code: 10, Digit: '*', Volume: 63, Duration: 65535}},
		{[]byte{0x0f, 0xc0, 0x00, 0x00}, Event{Code: 15, Digit: 'D', End: true}}, // R bit ignored
		{[]byte{0x10, 0x00, 0x00, 0x50}, Event{Code: 16, Duration: 80}},          // flash: no digit
		{[]byte{0x00, 0x80, 0x00, 0x50, 0x05, 0x00, 0x00, 0x10}, Event{Code: 0, Digit: '0', End: true, Duration: 80}},
	}
	for _, tt := range tests {
		got, err := ParseTelephoneEvent(tt.payload)
		if err != nil || got != tt.want {
			t.Errorf("ParseTelephoneEvent(% x) = %+v, %v; want %+v", tt.payload, got, err, tt.want)
		}
	}
	if _, err := ParseTelephoneEvent([]byte{1, 2, 3}); !errors.Is(err, ErrShortEvent) {
		t.Errorf("short payload: %v", err)
	}
}

// checkDetector feeds packets to a new detector in order and checks the
// digits it reports after each.
func checkDetector(t *testing.T, packets []teEvent) {
	t.Helper()
	var d dtmfDetector
	for i, p := range packets {
		evs, n := d.packet(p.ts, p.ev)
		got := ""
		for _, e := range evs[:n] {
			got += string(e.Digit)
		}
		if got != p.out {
			t.Errorf("packet %d (ts %d %+v): reported %q, want %q", i, p.ts, p.ev, got, p.out)
		}
	}
}

// teEvent is one telephone-event packet as a phone sends it.
type teEvent struct {
	ts  uint32
	ev  Event
	out string // digits reported after this packet
}

func TestDTMFDetectorOncePerEvent(t *testing.T) {
	one := Event{Code: 1, Digit: '1'}
	oneEnd := one
	oneEnd.End = true
	hash := Event{Code: 11, Digit: '#'}
	hashEnd := hash
	hashEnd.End = true
	five := Event{Code: 5, Digit: '5'}
	star := Event{Code: 10, Digit: '*', End: true}
	packets := []teEvent{
		// RFC 4733 §2.5.1: start, updates, then the end packet three times.
		{1000, one, ""}, {1000, one, ""}, {1000, one, ""},
		{1000, oneEnd, "1"}, {1000, oneEnd, ""}, {1000, oneEnd, ""},
		{2600, hash, ""}, {2600, hashEnd, "#"}, {2600, hashEnd, ""},
		// A digit whose end packets were all lost is reported when the
		// next event starts; one that is only an end packet is reported too.
		{4000, five, ""}, {4000, five, ""},
		{5600, star, "5*"}, {5600, star, ""},
		// The same digit pressed again is a new event: a new timestamp.
		{7000, oneEnd, "1"}, {7000, oneEnd, ""},
	}
	checkDetector(t, packets)
}

func FuzzParseTelephoneEvent(f *testing.F) {
	f.Add([]byte{0x0b, 0x8a, 0x03, 0x20})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseTelephoneEvent(b)
		if err != nil {
			return
		}
		if ev.Volume > 63 || (ev.Digit != 0) != (ev.Code < 16) {
			t.Fatalf("%+v from % x", ev, b)
		}
	})
}
