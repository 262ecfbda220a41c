package media

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const sdpDir = "../../testdata/media/sdp"

func readSDP(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sdpDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// crlf turns a readable literal into SDP with the CRLF line ends of RFC 4566 §5.
func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n"))
}

const sippDefault = `
v=0
o=user1 53655765 2353687637 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 6000 RTP/AVP 0
a=rtpmap:0 PCMU/8000
`

func TestParseOfferSoftphones(t *testing.T) {
	opus := Codec{PT: 96, Name: "opus", ClockRate: 48000}
	tests := []struct {
		file  string
		want  Remote
		codec Codec // from Negotiate
	}{{
		file: "sipp-3.6.1-default.sdp",
		want: Remote{
			Addr: netip.MustParseAddrPort("127.0.0.1:6000"), Proto: "RTP/AVP",
			Codecs: []Codec{PCMU},
			Media:  []MediaLine{{"audio", "RTP/AVP", "0"}},
		},
		codec: PCMU,
	}, {
		file: "baresip-1.0.0-offer.sdp",
		want: Remote{
			Addr: netip.MustParseAddrPort("127.0.0.1:8132"), Proto: "RTP/AVP",
			Codecs:           []Codec{PCMU, PCMA, opus, {PT: 9, Name: "G722", ClockRate: 8000}},
			TelephoneEventPT: 101, Ptime: 20 * time.Millisecond,
			Media: []MediaLine{{"audio", "RTP/AVP", "0"}},
		},
		codec: PCMU,
	}, {
		file: "linphone-5-audio-video-offer.sdp",
		want: Remote{
			Addr: netip.MustParseAddrPort("192.0.2.20:7078"), Proto: "RTP/AVP",
			Codecs: []Codec{
				{PT: 96, Name: "opus", ClockRate: 48000}, {PT: 97, Name: "speex", ClockRate: 16000},
				{PT: 98, Name: "speex", ClockRate: 8000}, PCMU, PCMA, {PT: 18, Name: "G729", ClockRate: 8000},
			},
			TelephoneEventPT: 100, // the 8 kHz one, not the first listed
			Media:            []MediaLine{{"audio", "RTP/AVP", "96"}, {"video", "RTP/AVP", "96"}},
		},
		codec: PCMU,
	}, {
		file: "ipv6-pcma-media-c.sdp",
		want: Remote{
			Addr: netip.MustParseAddrPort("[2001:db8::10]:49170"), Proto: "RTP/AVP",
			Codecs: []Codec{PCMA}, TelephoneEventPT: 101, Ptime: 30 * time.Millisecond,
			Media: []MediaLine{{"audio", "RTP/AVP", "8"}},
		},
		codec: PCMA,
	}, {
		file: "hold-sendonly.sdp",
		want: Remote{
			Addr: netip.MustParseAddrPort("198.51.100.7:16384"), Proto: "RTP/AVP",
			Codecs: []Codec{PCMU}, TelephoneEventPT: 101, Direction: SendOnly,
			Media: []MediaLine{{"audio", "RTP/AVP", "0"}},
		},
		codec: PCMU,
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseOffer(readSDP(t, tt.file))
			if err != nil {
				t.Fatalf("ParseOffer: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseOffer:\n got %+v\nwant %+v", got, tt.want)
			}
			c, err := Negotiate(got)
			if err != nil || c != tt.codec {
				t.Errorf("Negotiate = %v, %v; want %v", c, err, tt.codec)
			}
		})
	}
}

func TestParseOfferVariants(t *testing.T) {
	tests := []struct {
		name string
		sdp  string
		addr string
		dir  Direction
	}{
		{"sipp default", sippDefault, "127.0.0.1:6000", SendRecv},
		{"media c= overrides session c=", `
v=0
o=- 1 1 IN IP4 10.0.0.1
s=-
c=IN IP4 10.0.0.1
t=0 0
m=audio 4000 RTP/AVP 0
c=IN IP4 192.0.2.1
`, "192.0.2.1:4000", SendRecv},
		{"media direction overrides session direction", `
v=0
o=- 1 1 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
a=sendonly
m=audio 4000 RTP/AVP 0
a=inactive
`, "192.0.2.1:4000", Inactive},
		{"RFC 2543 hold address", `
v=0
o=- 1 2 IN IP4 192.0.2.1
s=-
c=IN IP4 0.0.0.0
t=0 0
m=audio 4000 RTP/AVP 0
`, "0.0.0.0:4000", SendRecv},
		{"rejected audio stream skipped", `
v=0
o=- 1 1 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 0 RTP/AVP 0
m=audio 4002 RTP/AVP 8
a=recvonly
`, "192.0.2.1:4002", RecvOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, body := range [][]byte{crlf(tt.sdp), []byte(strings.TrimLeft(tt.sdp, "\n"))} {
				r, err := ParseOffer(body)
				if err != nil {
					t.Fatalf("ParseOffer: %v", err)
				}
				if r.Addr.String() != tt.addr || r.Direction != tt.dir {
					t.Errorf("got %v %v, want %v %v", r.Addr, r.Direction, tt.addr, tt.dir)
				}
			}
		})
	}
}

func TestParseOfferErrors(t *testing.T) {
	session := "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n"
	tests := []struct {
		name string
		sdp  string
		want error
		text string // expected in the message
	}{
		{"empty", "", ErrBadSDP, ""},
		{"not sdp", "hello world", ErrBadSDP, ""},
		{"truncated", "v=0\n", ErrBadSDP, "missing o="},
		{"no c= anywhere", session + "t=0 0\nm=audio 4000 RTP/AVP 0\n", ErrBadSDP, "no c= line"},
		{"hostname", session + "c=IN IP4 pbx.example.com\nt=0 0\nm=audio 4000 RTP/AVP 0\n", ErrBadSDP, "not an IP address"},
		{"IP4 with IPv6 address", session + "c=IN IP4 2001:db8::1\nt=0 0\nm=audio 4000 RTP/AVP 0\n", ErrBadSDP, "IP4 with"},
		{"multicast", session + "c=IN IP4 224.2.1.1/127\nt=0 0\nm=audio 4000 RTP/AVP 0\n", ErrBadSDP, "multicast"},
		{"bad format", session + "c=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0 x\n", ErrBadSDP, "not a payload type"},
		{"payload type over 127", session + "c=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 200\n", ErrBadSDP, "not a payload type"},
		{"bad rtpmap", session + "c=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 96\na=rtpmap:96 opus\n", ErrBadSDP, "rtpmap"},
		{"bad ptime", session + "c=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0\na=ptime:NaN\n", ErrBadSDP, "ptime"},
		{"video only", session + "c=IN IP4 192.0.2.1\nt=0 0\nm=video 4000 RTP/AVP 96\n", ErrNoCommonCodec, "no active m=audio"},
		{"audio rejected", session + "c=IN IP4 192.0.2.1\nt=0 0\nm=audio 0 RTP/AVP 0\n", ErrNoCommonCodec, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOffer([]byte(tt.sdp))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %q, want it to mention %q", err, tt.text)
			}
		})
	}
}

func TestNegotiateNoCommonCodec(t *testing.T) {
	for _, file := range []string{"srtp-only.sdp", "g729-only.sdp"} {
		t.Run(file, func(t *testing.T) {
			r, err := ParseOffer(readSDP(t, file))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Negotiate(r); !errors.Is(err, ErrNoCommonCodec) {
				t.Errorf("Negotiate err = %v, want ErrNoCommonCodec", err)
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name   string
		codecs []Codec
		want   Codec
	}{
		{"remote order wins", []Codec{PCMA, PCMU}, PCMA},
		{"skips unsupported", []Codec{{PT: 18, Name: "G729", ClockRate: 8000}, PCMU}, PCMU},
		{"dynamic PT for PCMU keeps the remote number", []Codec{{PT: 110, Name: "pcmu", ClockRate: 8000}}, Codec{PT: 110, Name: "PCMU", ClockRate: 8000}},
		{"unknown static PT", []Codec{{PT: 2}, PCMA}, PCMA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Negotiate(Remote{Proto: "RTP/AVP", Codecs: tt.codecs})
			if err != nil || got != tt.want {
				t.Errorf("Negotiate = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestBuildSDPOffer(t *testing.T) {
	local := netip.MustParseAddrPort("192.0.2.5:30000")
	got := string(BuildSDP(local, 42, []Codec{PCMU, PCMA}, 101))
	want := strings.Join([]string{
		"v=0",
		"o=- 42 42 IN IP4 192.0.2.5",
		"s=-",
		"c=IN IP4 192.0.2.5",
		"t=0 0",
		"m=audio 30000 RTP/AVP 0 8 101",
		"a=rtpmap:0 PCMU/8000",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-16",
		"a=ptime:20",
		"a=sendrecv",
		"",
	}, "\r\n")
	if got != want {
		t.Errorf("BuildSDP:\n%s\nwant:\n%s", got, want)
	}

	// What we offer, we can parse and accept.
	r, err := ParseOffer([]byte(got))
	if err != nil {
		t.Fatal(err)
	}
	if r.Addr != local || r.TelephoneEventPT != 101 || r.Ptime != FrameDuration || len(r.Codecs) != 2 {
		t.Errorf("round trip: %+v", r)
	}
}

func TestBuildSDPIPv6NoDTMF(t *testing.T) {
	got := string(BuildSDP(netip.MustParseAddrPort("[2001:db8::5]:30002"), 7, []Codec{PCMA}, 0))
	for _, line := range []string{"o=- 7 7 IN IP6 2001:db8::5\r\n", "c=IN IP6 2001:db8::5\r\n", "m=audio 30002 RTP/AVP 8\r\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("missing %q in\n%s", line, got)
		}
	}
	if strings.Contains(got, "telephone-event") {
		t.Errorf("telephone-event offered with PT 0:\n%s", got)
	}
}

func TestBuildAnswer(t *testing.T) {
	local := netip.MustParseAddrPort("192.0.2.5:30000")
	tests := []struct {
		file  string
		lines []string // expected, in order
	}{{
		file: "linphone-5-audio-video-offer.sdp",
		lines: []string{
			"m=audio 30000 RTP/AVP 0 100", "a=rtpmap:0 PCMU/8000", "a=rtpmap:100 telephone-event/8000",
			"a=sendrecv", "m=video 0 RTP/AVP 96",
		},
	}, {
		file:  "hold-sendonly.sdp",
		lines: []string{"m=audio 30000 RTP/AVP 0 101", "a=recvonly"},
	}, {
		file:  "sipp-3.6.1-default.sdp",
		lines: []string{"m=audio 30000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=ptime:20", "a=sendrecv"},
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := ParseOffer(readSDP(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Negotiate(r)
			if err != nil {
				t.Fatal(err)
			}
			ans := string(BuildAnswer(r, local, 9, c))
			rest := ans
			for _, l := range tt.lines {
				i := strings.Index(rest, l+"\r\n")
				if i < 0 {
					t.Fatalf("answer lacks %q (in order):\n%s", l, ans)
				}
				rest = rest[i:]
			}
			back, err := ParseOffer([]byte(ans))
			if err != nil {
				t.Fatalf("answer does not parse: %v\n%s", err, ans)
			}
			if len(back.Media) != len(r.Media) {
				t.Errorf("answer has %d m= lines, offer %d (RFC 3264 §6)", len(back.Media), len(r.Media))
			}
		})
	}
}
