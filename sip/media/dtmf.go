package media

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrShortEvent means a telephone-event payload is shorter than the 4 bytes
// of RFC 4733 §2.3.
var ErrShortEvent = errors.New("media: short telephone-event payload")

// Event is one RFC 4733 telephone-event payload (§2.3):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type Event struct {
	Code     uint8  // event code, RFC 4733 §3.2 table 7
	Digit    rune   // '0'-'9', '*', '#', 'A'-'D'; 0 for other events (flash, tones)
	End      bool   // the E bit: the last packets of an event
	Volume   uint8  // power level in -dBm0, 0..63
	Duration uint16 // in timestamp units (1/8000 s for telephone-event/8000)
}

// dtmfDigits maps event codes 0-15 to the characters used on a keypad and in
// SIP INFO bodies.
const dtmfDigits = "0123456789*#ABCD"

// ParseTelephoneEvent decodes the first event of a payload (RFC 4733 §2.3;
// later blocks of a redundant payload, §2.5.1.5, repeat older events).
func ParseTelephoneEvent(payload []byte) (Event, error) {
	if len(payload) < 4 {
		return Event{}, fmt.Errorf("parse telephone-event: %d bytes: %w", len(payload), ErrShortEvent)
	}
	ev := Event{
		Code:     payload[0],
		End:      payload[1]&0x80 != 0,
		Volume:   payload[1] & 0x3f,
		Duration: binary.BigEndian.Uint16(payload[2:4]),
	}
	if int(ev.Code) < len(dtmfDigits) {
		ev.Digit = rune(dtmfDigits[ev.Code])
	}
	return ev, nil
}

// dtmfDetector reports each event once. RFC 4733 §2.5.1 sends one event as
// many packets sharing a timestamp, and the end packet three times
// (§2.5.1.4), so an event is identified by its RTP timestamp. It is
// reported at its first end packet; if an event's end packets are all lost,
// it is reported when the next event starts. Events older than the current
// one are ignored, so redundant copies count once. Used by one read
// goroutine.
type dtmfDetector struct {
	seen     bool
	ts       uint32
	last     Event
	reported bool
}

// packet feeds one telephone-event packet and returns the events to report
// now, at most two: one whose end was lost and the one that just ended.
func (d *dtmfDetector) packet(ts uint32, ev Event) (out [2]Event, n int) {
	if back := int32(d.ts - ts); d.seen && back > 0 && back <= maxREDOffset {
		// An older event than the current one (RTP timestamps compare in
		// serial arithmetic): a redundant copy (RFC 2198 blocks, §2.5.1.5
		// of RFC 4733) or a late packet. It was reported when it ended
		// or, at the latest, when the current event started. Further back
		// than a redundant block can reach (RFC 2198 §3: a 14-bit offset)
		// it is a new event of a stream whose timestamps restarted (a new
		// SSRC with its own random base, RFC 3550 §5.1), not a copy.
		return out, n
	}
	if !d.seen || ts != d.ts {
		if d.seen && !d.reported {
			out[n] = d.last // the previous event never ended
			n++
		}
		d.seen, d.ts, d.reported = true, ts, false
	}
	if d.reported {
		return out, n
	}
	d.last = ev
	if ev.End {
		d.reported = true
		out[n] = ev
		n++
	}
	return out, n
}
