package sip

// Reading and rewriting raw torture messages and their answers on the wire.

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// scanResponse reads a response's status code and Call-ID without a full
// parse, so odd headers the server copied from a torture message cannot
// hide its answer.
func scanResponse(b []byte) (code int, reason, callID string, ok bool) {
	head, _, _ := bytes.Cut(b, []byte("\r\n\r\n"))
	lines := strings.Split(string(head), "\r\n")
	version, rest, found := strings.Cut(lines[0], " ")
	if !found || !strings.HasPrefix(version, "SIP/") {
		return 0, "", "", false
	}
	codeText, reason, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(codeText)
	if err != nil {
		return 0, "", "", false
	}
	for _, line := range lines[1:] {
		name, value, found := strings.Cut(line, ":")
		if n := strings.ToLower(strings.TrimSpace(name)); found && (n == "call-id" || n == "i") {
			callID = strings.TrimSpace(value)
		}
	}
	return code, reason, callID, true
}

// topVia finds the top Via's sent-by in a header section: the header name
// (long or compact form) at the start of a line, the sent-protocol with
// optional linear white space (folding included) around its slashes, then
// the host (an IPv6 reference in brackets or a token) and an optional port.
var topVia = regexp.MustCompile(`(?i)(?:^|\r\n)(?:via|v)[ \t]*:` + sws + `SIP` + sws + `/` + sws + `[^/\s]+` + sws + `/` + sws +
	"[A-Za-z0-9.!%*_+`'~-]+" + `(?:[ \t]*\r\n)?[ \t]+` + `(\[[^\]\r\n]*\]|[^\s;:,\[\]]+)((?:[ \t]*(?:\r\n[ \t]+)?):` + sws + `[0-9]*)?`)

const sws = `(?:[ \t]*\r\n[ \t]+|[ \t]*)`

// rewriteViaPort sets the port of the top Via's sent-by to port, keeping
// every other byte of the message.
func rewriteViaPort(raw []byte, port int) ([]byte, bool) {
	headEnd := bytes.Index(raw, []byte("\r\n\r\n"))
	if headEnd < 0 {
		headEnd = len(raw)
	}
	m := topVia.FindSubmatchIndex(raw[:headEnd])
	if m == nil {
		return raw, false
	}
	hostEnd, end := m[3], m[3]
	if m[4] >= 0 {
		end = m[5]
	}
	out := make([]byte, 0, len(raw)+6)
	out = append(out, raw[:hostEnd]...)
	out = append(out, ":"+strconv.Itoa(port)...)
	return append(out, raw[end:]...), true
}

func TestRewriteViaPort(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa\r\n\r\n", "OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:4000;branch=z9hG4bKa\r\n\r\n"},
		{"X\r\nv: SIP/2.0/TCP h.example.com:5060 ;branch=x\r\nVia: SIP/2.0/UDP b:7\r\n\r\n", "X\r\nv: SIP/2.0/TCP h.example.com:4000 ;branch=x\r\nVia: SIP/2.0/UDP b:7\r\n\r\n"},
		{"X\r\nVia: SIP/2.0/UDP [2001:db8::9:1]:6050;branch=x\r\n\r\n", "X\r\nVia: SIP/2.0/UDP [2001:db8::9:1]:4000;branch=x\r\n\r\n"},
		{"X\r\nVia: SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255]\r\n\r\n", "X\r\nVia: SIP/2.0/UDP [2001:db8::9:1]:4000;received=[2001:db8::9:255]\r\n\r\n"},
		{"X\r\nVia  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw\r\n\r\n", "X\r\nVia  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2:4000;branch=390skdjuw\r\n\r\n"},
		{"X\r\nVia: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n\r\n", "X\r\nVia: SIP/2.0/UDP 192.0.2.15:4000;;,;,,\r\n\r\n"},
		{"X\r\nFrom: <sip:a>\r\n\r\nv=0\r\n", "X\r\nFrom: <sip:a>\r\n\r\nv=0\r\n"},
	}
	for _, tt := range tests {
		got, ok := rewriteViaPort([]byte(tt.in), 4000)
		if string(got) != tt.want || ok != (tt.in != tt.want) {
			t.Errorf("rewriteViaPort(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}
