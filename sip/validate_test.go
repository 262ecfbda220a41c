package sip

import (
	"net"
	"strconv"
	"strings"
	"testing"

	gosip "github.com/emiago/sipgo/sip"
)

// rawRequest parses a request with the given start line, a set of valid
// headers as edited (an empty value drops a header; "Dup" adds one more
// "Name: value"), and body.
func rawRequest(t *testing.T, startLine string, edit func(map[string]string), body string) *gosip.Request {
	t.Helper()
	method, _, _ := strings.Cut(startLine, " ")
	h := map[string]string{
		"Via":            "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKcheck",
		"Max-Forwards":   "70",
		"From":           "<sip:5551234@127.0.0.1>;tag=1",
		"To":             "<sip:100@127.0.0.1>",
		"Call-ID":        "check-1",
		"CSeq":           "1 " + method,
		"Content-Length": "",
	}
	if edit != nil {
		edit(h)
	}
	var b strings.Builder
	b.WriteString(startLine + "\r\n")
	for _, name := range []string{"Via", "Max-Forwards", "From", "To", "Call-ID", "CSeq", "Require", "Content-Type", "Accept", "Accept2", "Dup"} {
		if v, ok := h[name]; ok && v != "" {
			if name == "Accept2" {
				name = "Accept"
			}
			if name == "Dup" {
				name, v, _ = strings.Cut(v, ": ")
			}
			b.WriteString(name + ": " + v + "\r\n")
		}
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	msg, err := gosip.ParseMessage([]byte(b.String()))
	if err != nil {
		t.Fatalf("parse %q: %v", b.String(), err)
	}
	return msg.(*gosip.Request)
}

const sdpOffer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"

func TestCheckRequest(t *testing.T) {
	t.Parallel()
	set := func(kv ...string) func(map[string]string) {
		return func(h map[string]string) {
			for i := 0; i < len(kv); i += 2 {
				h[kv[i]] = kv[i+1]
			}
		}
	}
	tests := []struct {
		name      string
		startLine string
		edit      func(map[string]string)
		body      string
		code      int // 0: the request may go on
		header    string
	}{
		{"plain INVITE", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Content-Type", "application/sdp"), sdpOffer, 0, ""},
		{"INVITE without offer", "INVITE sip:100@127.0.0.1 SIP/2.0", nil, "", 0, ""},
		{"sdp with parameters", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Content-Type", "Application/SDP; charset=utf-8"), sdpOffer, 0, ""},
		{"accepts sdp among others", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Content-Type", "application/sdp", "Accept", "text/html, application/sdp;q=0.5"), sdpOffer, 0, ""},
		{"accepts anything", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Content-Type", "application/sdp", "Accept", "*/*"), sdpOffer, 0, ""},
		{"accepts application/*", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Content-Type", "application/sdp", "Accept", "application/*"), sdpOffer, 0, ""},
		{"REGISTER", "REGISTER sip:127.0.0.1 SIP/2.0", set("To", "<sips:alice@127.0.0.1>"), "", 0, ""},
		{"lower-case version", "OPTIONS sip:100@127.0.0.1 sip/2.0", nil, "", 0, ""},

		{"version 7", "OPTIONS sip:100@127.0.0.1 SIP/7.0", nil, "", gosip.StatusVersionNotSupported, ""},
		{"no Call-ID", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Call-ID", ""), "", gosip.StatusBadRequest, ""},
		{"no From", "OPTIONS sip:100@127.0.0.1 SIP/2.0", set("From", ""), "", gosip.StatusBadRequest, ""},
		{"no To", "BYE sip:100@127.0.0.1 SIP/2.0", set("To", ""), "", gosip.StatusBadRequest, ""},
		{"two Call-IDs", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Dup", "Call-ID: other"), "", gosip.StatusBadRequest, ""},
		{"two CSeqs", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Dup", "CSeq: 2 INVITE"), "", gosip.StatusBadRequest, ""},
		{"two Tos", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Dup", "To: <sip:200@127.0.0.1>"), "", gosip.StatusBadRequest, ""},
		{"CSeq method mismatch", "OPTIONS sip:100@127.0.0.1 SIP/2.0", set("CSeq", "1 INVITE"), "", gosip.StatusBadRequest, ""},
		{"Require", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Require", "100rel, timer"), "", gosip.StatusBadExtension, "Unsupported: 100rel, timer"},
		{"non-SIP To on REGISTER", "REGISTER sip:127.0.0.1 SIP/2.0", set("To", "<tel:+15551234>"), "", gosip.StatusBadRequest, ""},
		{"body that is not SDP", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Content-Type", "application/unknownformat"), "<audio/>", gosip.StatusUnsupportedMediaType, "Accept: application/sdp"},
		{"body without Content-Type", "INVITE sip:100@127.0.0.1 SIP/2.0", nil, sdpOffer, gosip.StatusUnsupportedMediaType, "Accept: application/sdp"},
		{"accepts no SDP", "INVITE sip:100@127.0.0.1 SIP/2.0", set("Content-Type", "application/sdp", "Accept", "text/nobodyKnowsThis"), sdpOffer, gosip.StatusNotAcceptable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := rawRequest(t, tt.startLine, tt.edit, tt.body)
			res := checkRequest(req)
			switch {
			case tt.code == 0 && res != nil:
				t.Fatalf("refused with %q", res.StartLine())
			case tt.code == 0:
				return
			case res == nil:
				t.Fatalf("passed, want %d", tt.code)
			case res.StatusCode != tt.code:
				t.Fatalf("got %q, want %d", res.StartLine(), tt.code)
			case res.SipVersion != "SIP/2.0":
				t.Fatalf("answered in %s", res.SipVersion)
			}
			if tt.header != "" {
				name, value, _ := strings.Cut(tt.header, ": ")
				if h := res.GetHeader(name); h == nil || h.Value() != value {
					t.Fatalf("%s header %v, want %q", name, h, value)
				}
			}
		})
	}
}

// The Request-URI scheme check, on a request built directly since sipgo's
// parser refuses most unknown schemes before any handler sees them.
func TestCheckRequestURIScheme(t *testing.T) {
	t.Parallel()
	req := rawRequest(t, "OPTIONS sip:100@127.0.0.1 SIP/2.0", nil, "")
	for scheme, want := range map[string]int{"sip": 0, "sips": 0, "SIP": 0, "tel": 416, "nobodyknowsthisscheme": 416} {
		req.Recipient.Scheme = scheme
		res := checkRequest(req)
		if (want == 0) != (res == nil) || (res != nil && res.StatusCode != want) {
			t.Errorf("scheme %s: got %v, want %d", scheme, res, want)
		}
	}
}

// Methods without a handler: a known one gets 405 with Allow, an unknown
// one 501, a CANCEL that matches nothing 481; and a request missing its
// Call-ID is refused before any code reads it (it used to crash the node:
// onInvite read req.CallID().Value() on a nil header).
func TestOtherMethodsAndBrokenRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"))
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	via := "SIP/2.0/UDP " + conn.LocalAddr().String() + ";branch=z9hG4bK"
	msg := func(startLine, branch string, headers ...string) []byte {
		method, _, _ := strings.Cut(startLine, " ")
		all := append([]string{"Via: " + via + branch, "Max-Forwards: 70", "From: <sip:5551234@127.0.0.1>;tag=1",
			"To: <sip:100@127.0.0.1>", "Call-ID: other-" + branch, "CSeq: 1 " + method}, headers...)
		return []byte(startLine + "\r\n" + strings.Join(all, "\r\n") + "\r\nContent-Length: 0\r\n\r\n")
	}
	tests := []struct {
		name  string
		msg   []byte
		code  int
		allow bool
	}{
		{"SUBSCRIBE", msg("SUBSCRIBE sip:100@127.0.0.1 SIP/2.0", "sub", "Event: presence"), gosip.StatusMethodNotAllowed, true},
		{"MESSAGE", msg("MESSAGE sip:100@127.0.0.1 SIP/2.0", "msg"), gosip.StatusMethodNotAllowed, true},
		{"unknown method", msg("FROBNICATE sip:100@127.0.0.1 SIP/2.0", "frob"), gosip.StatusNotImplemented, false},
		{"stray CANCEL", msg("CANCEL sip:100@127.0.0.1 SIP/2.0", "cancel"), gosip.StatusCallTransactionDoesNotExists, false},
		{"INVITE without Call-ID", []byte("INVITE sip:100@127.0.0.1 SIP/2.0\r\nVia: " + via + "nocallid\r\nCSeq: 1 INVITE\r\n" +
			"From: <sip:5551234@127.0.0.1>;tag=1\r\nTo: <sip:100@127.0.0.1>\r\nContent-Type: application/sdp\r\n" +
			"Content-Length: " + strconv.Itoa(len(sdpOffer)) + "\r\n\r\n" + sdpOffer), gosip.StatusBadRequest, false},
		{"REGISTER with Require", msg("REGISTER sip:127.0.0.1 SIP/2.0", "reg", "Require: outbound"), gosip.StatusBadExtension, false},
	}
	for _, tt := range tests {
		res := rawUDPExchange(t, conn, h.udpAddr, tt.msg)
		if res == nil || res.StatusCode != tt.code {
			t.Fatalf("%s: got %v, want %d", tt.name, res, tt.code)
		}
		if allow := res.GetHeader("Allow"); tt.allow && (allow == nil || allow.Value() != allowed) {
			t.Fatalf("%s: Allow %v, want %q", tt.name, allow, allowed)
		}
	}
	// Still serving.
	if res := rawUDPExchange(t, conn, h.udpAddr, optionsProbe(conn.LocalAddr(), "UDP", "alive")); res == nil || res.StatusCode != 200 {
		t.Fatalf("server not answering after broken requests: %v", res)
	}
}
