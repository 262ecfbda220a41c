package sip

// The SIP harness's raw sockets: hand-written SIP messages sent over UDP and
// TCP, and parsing the responses read back.

import (
	"bytes"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// optionsProbe is a raw OPTIONS from laddr, with the Via naming laddr so
// the answer comes back to it.
func optionsProbe(laddr net.Addr, transport, callID string) []byte {
	return []byte("OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n" +
		"Via: SIP/2.0/" + transport + " " + laddr.String() + ";branch=z9hG4bK" + callID + strconv.Itoa(rand.IntN(1e9)) + "\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:probe@127.0.0.1>;tag=probe\r\n" +
		"To: <sip:probe@127.0.0.1>\r\n" +
		"Call-ID: " + callID + "\r\n" +
		"CSeq: 1 OPTIONS\r\n" +
		"Content-Length: 0\r\n\r\n")
}

// rawUDPExchange sends msg from conn to dst and returns the first final
// response read back, nil if none came within waitTimeout.
func rawUDPExchange(t testing.TB, conn *net.UDPConn, dst *net.UDPAddr, msg []byte) *gosip.Response {
	t.Helper()
	if _, err := conn.WriteToUDP(msg, dst); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	defer conn.SetReadDeadline(time.Time{})
	buf := make([]byte, 65535)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil
		}
		if res, ok := parseResponse(buf[:n]); ok && res.StatusCode >= 200 {
			return res
		}
	}
}

// rawTCPExchange writes msg on conn and returns the first final response.
func rawTCPExchange(t testing.TB, conn *net.TCPConn, msg []byte) *gosip.Response {
	t.Helper()
	if _, err := conn.Write(msg); err != nil {
		t.Fatal(err)
	}
	rd := newStreamReader(conn)
	for {
		res, err := rd.next(time.Now().Add(waitTimeout))
		if err != nil {
			return nil
		}
		if res.StatusCode >= 200 {
			return res
		}
	}
}

func parseResponse(b []byte) (*gosip.Response, bool) {
	msg, err := gosip.ParseMessage(b)
	if err != nil {
		return nil, false
	}
	res, ok := msg.(*gosip.Response)
	return res, ok
}

// streamReader splits the responses read from a TCP connection by their
// Content-Length.
type streamReader struct {
	conn net.Conn
	buf  []byte
}

func newStreamReader(conn net.Conn) *streamReader { return &streamReader{conn: conn} }

// next returns the next response, or an error at deadline or EOF.
func (r *streamReader) next(deadline time.Time) (*gosip.Response, error) {
	_ = r.conn.SetReadDeadline(deadline)
	defer r.conn.SetReadDeadline(time.Time{})
	chunk := make([]byte, 65535)
	for {
		if msg, rest, ok := splitMessage(r.buf); ok {
			r.buf = rest
			if res, ok := parseResponse(msg); ok {
				return res, nil
			}
			continue // a request from the server or a keep-alive: skip
		}
		n, err := r.conn.Read(chunk)
		if err != nil {
			return nil, err
		}
		r.buf = append(r.buf, chunk[:n]...)
	}
}

// splitMessage cuts one message (header section plus Content-Length body)
// off the front of b.
func splitMessage(b []byte) (msg, rest []byte, ok bool) {
	for bytes.HasPrefix(b, []byte("\r\n")) { // keep-alive pongs
		b = b[2:]
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, b, false
	}
	head := b[:end+4]
	length := 0
	for _, line := range strings.Split(string(head), "\r\n") {
		name, value, found := strings.Cut(line, ":")
		if !found {
			continue
		}
		if n := strings.ToLower(strings.TrimSpace(name)); n == "content-length" || n == "l" {
			length, _ = strconv.Atoi(strings.TrimSpace(value))
		}
	}
	if len(b) < len(head)+length {
		return nil, b, false
	}
	return b[:len(head)+length], b[len(head)+length:], true
}
