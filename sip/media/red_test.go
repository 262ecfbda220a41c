package media

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// redPayload builds an RFC 2198 §3 payload: redundant blocks (each with
// its PT, timestamp offset and data), then the primary block.
func redPayload(primaryPT uint8, primary []byte, redundant ...REDBlock) []byte {
	var b []byte
	for _, r := range redundant {
		h := uint32(0x80|r.PT)<<24 | uint32(r.Offset)<<10 | uint32(len(r.Payload))
		b = append(b, byte(h>>24), byte(h>>16), byte(h>>8), byte(h))
	}
	b = append(b, primaryPT&0x7f)
	for _, r := range redundant {
		b = append(b, r.Payload...)
	}
	return append(b, primary...)
}

func TestParseRED(t *testing.T) {
	oneEnd := []byte{1, 0x8a, 0x03, 0x20}
	hashStart := []byte{11, 0x0a, 0x00, 0xa0}
	older := []byte{7, 0x8a, 0x03, 0x20}
	p := redPayload(101, hashStart, REDBlock{PT: 101, Offset: 1600, Payload: older}, REDBlock{PT: 101, Offset: 800, Payload: oneEnd})
	blocks, err := ParseRED(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 {
		t.Fatalf("%d blocks, want 3", len(blocks))
	}
	want := []REDBlock{{101, 1600, older}, {101, 800, oneEnd}, {101, 0, hashStart}}
	for i, w := range want {
		if blocks[i].PT != w.PT || blocks[i].Offset != w.Offset || !bytes.Equal(blocks[i].Payload, w.Payload) {
			t.Errorf("block %d = %+v, want %+v", i, blocks[i], w)
		}
	}
	// The largest offset (14 bits) and a primary block only.
	p = redPayload(101, hashStart, REDBlock{PT: 101, Offset: 0x3fff, Payload: oneEnd})
	if blocks, err = ParseRED(p, blocks); err != nil || blocks[0].Offset != 0x3fff || len(blocks) != 2 {
		t.Errorf("max offset: %+v, %v", blocks, err)
	}
	if blocks, err = ParseRED([]byte{101}, blocks); err != nil || len(blocks) != 1 || len(blocks[0].Payload) != 0 {
		t.Errorf("empty primary: %+v, %v", blocks, err)
	}
}

func TestParseREDRejectsBrokenPayloads(t *testing.T) {
	tooMany := []byte{}
	for range maxREDBlocks {
		tooMany = append(tooMany, 0x80|101, 0, 0, 0)
	}
	tooMany = append(tooMany, 101)
	for name, p := range map[string][]byte{
		"empty":             {},
		"no primary header": {0x80 | 101, 0x00, 0x0c, 0x04},
		"truncated header":  {0x80 | 101, 0x00},
		"blocks overrun":    {0x80 | 101, 0x00, 0x0c, 0x08, 101, 1, 2, 3, 4},
		"too many blocks":   tooMany,
	} {
		if _, err := ParseRED(p, nil); !errors.Is(err, ErrBadRED) {
			t.Errorf("%s: err %v, want ErrBadRED", name, err)
		}
	}
}

// TestDTMFDetectorWithRedundancy feeds the detector what a Leg feeds it
// for RFC 2198 packets: each telephone-event block at its own timestamp,
// oldest first. Copies of events already seen count once; a copy carrying
// an end whose own packets were lost reports the digit.
func TestDTMFDetectorWithRedundancy(t *testing.T) {
	one := Event{Code: 1, Digit: '1'}
	oneEnd := Event{Code: 1, Digit: '1', End: true}
	hash := Event{Code: 11, Digit: '#'}
	hashEnd := Event{Code: 11, Digit: '#', End: true}
	packets := []teEvent{
		{1000, one, ""},
		// The end packets of '1' were lost; the next packets carry a
		// redundant copy of the end ahead of the new event.
		{1000, oneEnd, "1"}, {2600, hash, ""},
		{1000, oneEnd, ""}, {2600, hash, ""},
		{2600, hashEnd, "#"},
		{1000, oneEnd, ""}, {2600, hashEnd, ""},
		// A late packet of an old event after a newer one started.
		{4000, one, ""}, {2600, hashEnd, ""}, {4000, oneEnd, "1"},
	}
	checkDetector(t, packets)
}

func TestLegReportsRedundantDTMFOnce(t *testing.T) {
	var digits []rune
	l := NewLeg(newFakeConn(), LegOptions{
		Remote: peerAddr, Codec: PCMU, TelephoneEventPT: 101, REDPT: 99,
		OnDTMF: func(e Event) { digits = append(digits, e.Digit) },
	})
	ev := func(code byte, end bool) []byte {
		flags := byte(10)
		if end {
			flags |= 0x80
		}
		return []byte{code, flags, 0x03, 0x20}
	}
	seq := uint16(0)
	send := func(ts uint32, payload []byte) {
		seq++
		l.handle(marshal(t, rtpPacket(1, seq, ts, 99, payload)), peerAddr)
	}
	// '5' starts at ts 8000; its end packets are lost, but the packets of
	// '#' (ts 9600) carry the end of '5' as a redundant block.
	send(8000, redPayload(101, ev(5, false)))
	send(9600, redPayload(101, ev(11, false), REDBlock{PT: 101, Offset: 1600, Payload: ev(5, true)}))
	send(9600, redPayload(101, ev(11, true), REDBlock{PT: 101, Offset: 1600, Payload: ev(5, true)}))
	send(9600, redPayload(101, ev(11, true), REDBlock{PT: 101, Offset: 1600, Payload: ev(5, true)}))
	send(9700, []byte{0x80 | 101, 0}) // broken: ignored
	// Audio is never read as redundancy, even shaped like a red payload.
	seq++
	l.handle(marshal(t, rtpPacket(1, seq, 9760, 0, redPayload(101, ev(7, true)))), peerAddr)
	noRED := NewLeg(newFakeConn(), LegOptions{Remote: peerAddr, Codec: PCMU, TelephoneEventPT: 101,
		OnDTMF: func(e Event) { digits = append(digits, e.Digit) }})
	noRED.handle(marshal(t, rtpPacket(1, 1, 0, 0, redPayload(101, ev(7, true)))), peerAddr)
	if got := string(digits); got != "5#" {
		t.Errorf("digits %q, want \"5#\"", got)
	}
}

func TestRelayPassesTheNewestRedundantEventOn(t *testing.T) {
	callerConn, agentConn := newFakeConn(), newFakeConn()
	caller := NewLeg(callerConn, LegOptions{Remote: peerAddr, Codec: PCMU, TelephoneEventPT: 101, REDPT: 99})
	agent := NewLeg(agentConn, LegOptions{Remote: peerAddr, Codec: PCMU, TelephoneEventPT: 96})
	r := NewRelay(caller, agent, RelayOptions{})

	primary := []byte{11, 0x8a, 0x03, 0x20}
	caller.handle(marshal(t, rtpPacket(1, 1, 9600, 99, redPayload(101, primary, REDBlock{PT: 101, Offset: 1600, Payload: []byte{5, 0x8a, 0, 160}}))), peerAddr)
	caller.handle(marshal(t, rtpPacket(1, 2, 9760, 99, redPayload(0, []byte{0xff}))), peerAddr) // red audio: not negotiated

	toAgent := agentConn.packets()
	if len(toAgent) != 1 || toAgent[0].PayloadType != 96 || !bytes.Equal(toAgent[0].Payload, primary) {
		t.Fatalf("agent got %+v, want one telephone-event (pt 96) with the primary block", toAgent)
	}
	if st := r.Stats(); st.CallerToAgent.Packets != 1 || st.CallerToAgent.Dropped != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSDPNegotiatesRedundantEventsOnly(t *testing.T) {
	offer := func(red string) []byte {
		return []byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
			"m=audio 4000 RTP/AVP 0 99 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:99 red/8000\r\n" + red +
			"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n")
	}
	r, err := ParseOffer(offer("a=fmtp:99 101/101/101\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.REDPT != 99 || r.TelephoneEventPT != 101 {
		t.Fatalf("REDPT %d TE %d, want 99 and 101", r.REDPT, r.TelephoneEventPT)
	}
	codec, _ := Negotiate(r)
	answer := string(BuildAnswer(r, peerAddr, 1, codec))
	for _, want := range []string{"m=audio 4000 RTP/AVP 0 101 99\r\n", "a=rtpmap:99 red/8000\r\n", "a=fmtp:99 101/101/101\r\n"} {
		if !strings.Contains(answer, want) {
			t.Errorf("answer lacks %q:\n%s", want, answer)
		}
	}
	if i, j := strings.Index(answer, "a=fmtp:99"), strings.Index(answer, "a=ptime"); i > j {
		t.Errorf("red attributes after ptime:\n%s", answer)
	}
	// Redundant audio (0/101) or no fmtp: not for us, not answered.
	for _, fmtp := range []string{"a=fmtp:99 0/101\r\n", ""} {
		r, err := ParseOffer(offer(fmtp))
		if err != nil || r.REDPT != 0 {
			t.Errorf("fmtp %q: REDPT %d, %v; want 0", fmtp, r.REDPT, err)
		}
		if a := string(BuildAnswer(r, peerAddr, 1, codec)); strings.Contains(a, "red/8000") {
			t.Errorf("fmtp %q: answer offers red:\n%s", fmtp, a)
		}
	}
}

func FuzzParseRED(f *testing.F) {
	f.Add(redPayload(101, []byte{11, 0x8a, 0x03, 0x20}, REDBlock{PT: 101, Offset: 800, Payload: []byte{1, 0x8a, 0x03, 0x20}}))
	f.Add([]byte{101})
	f.Fuzz(func(t *testing.T, b []byte) {
		blocks, err := ParseRED(b, nil)
		if err != nil {
			return
		}
		total := len(blocks) // one header byte at least per block
		for _, bl := range blocks {
			total += len(bl.Payload)
			if bl.PT > 127 || bl.Offset > 0x3fff {
				t.Fatalf("block %+v out of range", bl)
			}
		}
		if total > len(b) {
			t.Fatalf("blocks cover %d bytes of %d", total, len(b))
		}
	})
}
