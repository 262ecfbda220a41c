package media

import (
	"errors"
	"fmt"
	"strings"
)

// Codec names one RTP payload format as negotiated in SDP: the payload type
// number used on the wire, the encoding name and its RTP clock rate
// (RFC 4566 §6 a=rtpmap).
type Codec struct {
	PT        uint8
	Name      string
	ClockRate uint32
}

// String renders the codec as an rtpmap value, "PCMU/8000", for logs.
func (c Codec) String() string { return fmt.Sprintf("%s/%d", c.Name, c.ClockRate) }

// sameFormat reports whether two codecs are the same encoding, whatever
// payload type number each side chose for it.
func (c Codec) sameFormat(o Codec) bool {
	return strings.EqualFold(c.Name, o.Name) && c.ClockRate == o.ClockRate
}

// The codecs the ACD can send and relay: G.711 µ-law and A-law with their
// static payload types (RFC 3551 §6, table 4). Both carry one byte per sample
// at 8 kHz, so hold audio needs no resampling and the relay can convert
// between them sample by sample.
var (
	PCMU = Codec{PT: 0, Name: "PCMU", ClockRate: 8000}
	PCMA = Codec{PT: 8, Name: "PCMA", ClockRate: 8000}
)

// supported is the order of preference when we make an offer; when we answer,
// the remote's order wins (RFC 3264 §6.1).
var supported = []Codec{PCMU, PCMA}

// telephoneEvent is the RFC 4733 §7.1.1 format name of DTMF events.
const telephoneEvent = "telephone-event"

// DefaultTelephoneEventPT is the dynamic payload type we offer for
// telephone-event; 101 is what most phones and trunks use.
const DefaultTelephoneEventPT uint8 = 101

// ErrNoCommonCodec means the remote offered no audio format we can send;
// the SIP layer answers 488 Not Acceptable Here (RFC 3261 §21.4.26).
var ErrNoCommonCodec = errors.New("media: no common codec")

// staticPT maps the audio payload types of RFC 3551 §6 table 4 that may be
// offered without an a=rtpmap line.
var staticPT = map[uint8]Codec{
	0:  PCMU,
	3:  {PT: 3, Name: "GSM", ClockRate: 8000},
	4:  {PT: 4, Name: "G723", ClockRate: 8000},
	5:  {PT: 5, Name: "DVI4", ClockRate: 8000},
	6:  {PT: 6, Name: "DVI4", ClockRate: 16000},
	7:  {PT: 7, Name: "LPC", ClockRate: 8000},
	8:  PCMA,
	9:  {PT: 9, Name: "G722", ClockRate: 8000},
	10: {PT: 10, Name: "L16", ClockRate: 44100},
	11: {PT: 11, Name: "L16", ClockRate: 44100},
	12: {PT: 12, Name: "QCELP", ClockRate: 8000},
	13: {PT: 13, Name: "CN", ClockRate: 8000},
	14: {PT: 14, Name: "MPA", ClockRate: 90000},
	15: {PT: 15, Name: "G728", ClockRate: 8000},
	16: {PT: 16, Name: "DVI4", ClockRate: 11025},
	17: {PT: 17, Name: "DVI4", ClockRate: 22050},
	18: {PT: 18, Name: "G729", ClockRate: 8000},
}

// Negotiate picks the audio codec for a call: the first format in the
// remote's list that we support, keeping the remote's payload type number
// (RFC 3264 §6.1: the answerer uses the offerer's numbering and should honour
// its preference order). It fails with ErrNoCommonCodec, also when the stream
// uses a transport we cannot speak such as RTP/SAVP.
func Negotiate(remote Remote) (Codec, error) {
	if !plainRTP(remote.Proto) {
		return Codec{}, fmt.Errorf("negotiate codec: transport %q: %w", remote.Proto, ErrNoCommonCodec)
	}
	for _, c := range remote.Codecs {
		for _, s := range supported {
			if c.sameFormat(s) {
				return Codec{PT: c.PT, Name: s.Name, ClockRate: s.ClockRate}, nil
			}
		}
	}
	return Codec{}, fmt.Errorf("negotiate codec: offered %v: %w", remote.Codecs, ErrNoCommonCodec)
}

// plainRTP reports whether an m= line's transport is unencrypted RTP over
// UDP: RTP/AVP (RFC 3551) or its feedback variant RTP/AVPF (RFC 4585), whose
// packets are the same.
func plainRTP(proto string) bool {
	return strings.EqualFold(proto, "RTP/AVP") || strings.EqualFold(proto, "RTP/AVPF")
}
