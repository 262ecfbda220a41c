package sip

// The SIP harness's phones: sipgo user agents acting as softphones, how they
// are set up, answer INVITEs, send requests (with digest auth) and register.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"
)

// phone is a sipgo user agent acting as a softphone: it listens on its own
// UDP port, registers, places calls and answers calls, recording what it
// received on channels.
type phone struct {
	h        *harness
	user     string
	password string
	tcp      bool

	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	client  *sipgo.Client
	conn    *net.UDPConn // SIP socket: listens and sends (UDP phones)
	contact gosip.ContactHeader
	out     *sipgo.DialogClientCache
	in      *sipgo.DialogServerCache
	rtp     *net.UDPConn

	// answerCode is how incoming INVITEs are answered: 200 (with SDP) by
	// default, or a final error status.
	answerCode int
	invites    chan *gosip.Request
	answered   chan *sipgo.DialogServerSession // calls answered and ACKed
	byes       chan *gosip.Request
	closed     chan struct{}
}

type phoneOption func(*phone)

// overTCP makes the phone register and call over TCP. The ACD sends a new
// call's INVITE back over the phone's registration connection and requests
// inside the dialog to its Contact, where the phone listens for TCP.
func overTCP() phoneOption { return func(p *phone) { p.tcp = true } }

func answering(code int) phoneOption { return func(p *phone) { p.answerCode = code } }

// newPhone starts a phone for user; the password comes from testUsers
// (empty for callers the ACD does not know).
func (h *harness) newPhone(t testing.TB, user string, opts ...phoneOption) *phone {
	t.Helper()
	p := &phone{h: h, user: user, password: testUsers[user].password, answerCode: 200,
		invites: make(chan *gosip.Request, 16), answered: make(chan *sipgo.DialogServerSession, 16), byes: make(chan *gosip.Request, 16), closed: make(chan struct{})}
	for _, o := range opts {
		o(p)
	}
	var err error
	p.ua, err = sipgo.NewUA(sipgo.WithUserAgent(user), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	p.srv, err = sipgo.NewServer(p.ua, sipgo.WithServerLogger(testLogger(t, "phone "+user)))
	if err != nil {
		t.Fatal(err)
	}
	p.conn, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	p.rtp, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	sipAddr := p.conn.LocalAddr().(*net.UDPAddr)
	if p.tcp {
		// Over TCP the phone's requests come from an ephemeral port and the
		// ACD answers and calls back on that connection.
		p.client, err = sipgo.NewClient(p.ua, sipgo.WithClientHostname("127.0.0.1"))
	} else {
		p.client, err = sipgo.NewClient(p.ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientConnectionAddr(sipAddr.String()))
	}
	if err != nil {
		t.Fatal(err)
	}
	p.contact = gosip.ContactHeader{Address: gosip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: sipAddr.Port}}
	var tcpLn *net.TCPListener
	if p.tcp {
		// Like baresip, a TCP phone also listens for TCP at its Contact,
		// where requests inside a dialog are sent (RFC 3261 §12.2.1.1).
		tcpLn, err = net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		p.contact.Address.Port = tcpLn.Addr().(*net.TCPAddr).Port
		p.contact.Address.UriParams = gosip.NewParams()
		p.contact.Address.UriParams.Add("transport", "tcp")
	}
	p.out = sipgo.NewDialogClientCache(p.client, p.contact)
	p.in = sipgo.NewDialogServerCache(p.client, p.contact)
	p.srv.OnInvite(p.onInvite)
	p.srv.OnAck(func(req *gosip.Request, tx gosip.ServerTransaction) { _ = p.in.ReadAck(req, tx) })
	p.srv.OnBye(p.onBye)
	p.srv.OnOptions(func(req *gosip.Request, tx gosip.ServerTransaction) {
		_ = tx.Respond(gosip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	served := make(chan struct{})
	go func() { _ = p.srv.ServeUDP(p.conn); close(served) }()
	var tcpServed chan struct{}
	if p.tcp {
		tcpServed = make(chan struct{})
		go func() { _ = p.srv.ServeTCP(tcpLn); close(tcpServed) }()
	}
	t.Cleanup(func() {
		close(p.closed)
		_ = p.ua.Close()
		p.conn.Close()
		p.rtp.Close()
		<-served
		if tcpLn != nil {
			tcpLn.Close()
			<-tcpServed
		}
	})
	// Wait until the phone's listener serves (and sits in sipgo's pool,
	// which its client sends from).
	probe, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	if res := rawUDPExchange(t, probe, sipAddr, optionsProbe(probe.LocalAddr().(*net.UDPAddr), "UDP", "phone-ready")); res == nil {
		t.Fatal("phone not serving")
	}
	return p
}

func (p *phone) rtpAddr() netip.AddrPort { return p.rtp.LocalAddr().(*net.UDPAddr).AddrPort() }

// sdp is an offer or answer from the phone's RTP socket; payloads are the
// m= formats, e.g. "0 8 101".
func (p *phone) sdp(formats string) []byte { return sdpBody(p.rtpAddr(), formats) }

func sdpBody(addr netip.AddrPort, formats string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n", addr.Addr(), addr.Addr())
	fmt.Fprintf(&b, "m=audio %d RTP/AVP %s\r\n", addr.Port(), formats)
	names := map[string]string{"0": "PCMU/8000", "8": "PCMA/8000", "18": "G729/8000", "101": "telephone-event/8000"}
	for _, f := range strings.Fields(formats) {
		if n, ok := names[f]; ok {
			fmt.Fprintf(&b, "a=rtpmap:%s %s\r\n", f, n)
		}
	}
	if strings.Contains(formats, "101") {
		b.WriteString("a=fmtp:101 0-16\r\n")
	}
	b.WriteString("a=sendrecv\r\n")
	return []byte(b.String())
}

func (p *phone) onInvite(req *gosip.Request, tx gosip.ServerTransaction) {
	select {
	case p.invites <- req:
	default:
	}
	dlg, err := p.in.ReadInvite(req, tx)
	if err != nil {
		return
	}
	defer dlg.Close()
	if p.answerCode != 200 {
		_ = dlg.Respond(p.answerCode, "Not Now", nil)
		return
	}
	_ = dlg.Respond(gosip.StatusRinging, "Ringing", nil)
	if err := dlg.RespondSDP(p.sdp("0 101")); err != nil {
		return
	}
	select {
	case p.answered <- dlg:
	default:
	}
	select { // own the dialog until it ends, as a softphone would
	case <-dlg.Context().Done():
	case <-p.closed:
	}
}

func (p *phone) onBye(req *gosip.Request, tx gosip.ServerTransaction) {
	err := p.in.ReadBye(req, tx)
	if errors.Is(err, sipgo.ErrDialogDoesNotExists) || errors.Is(err, sipgo.ErrDialogOutsideDialog) {
		err = p.out.ReadBye(req, tx)
	}
	if errors.Is(err, sipgo.ErrDialogDoesNotExists) || errors.Is(err, sipgo.ErrDialogOutsideDialog) {
		_ = tx.Respond(gosip.NewResponseFromRequest(req, gosip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
	}
	select {
	case p.byes <- req:
	default:
	}
}

// newRequest builds a request to the ACD with From and To for aor.
func (p *phone) newRequest(method gosip.RequestMethod, recipient gosip.Uri, toUser string) *gosip.Request {
	req := gosip.NewRequest(method, recipient)
	if p.tcp {
		req.SetTransport("TCP")
	}
	from := &gosip.FromHeader{Address: gosip.Uri{Scheme: "sip", User: p.user, Host: "127.0.0.1"}, Params: gosip.NewParams()}
	from.Params.Add("tag", gosip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&gosip.ToHeader{Address: gosip.Uri{Scheme: "sip", User: toUser, Host: "127.0.0.1"}, Params: gosip.NewParams()})
	return req
}

// newRegister builds a REGISTER for aor's bindings (RFC 3261 §10.2); the
// Contact headers and Expires are up to the test.
func (p *phone) newRegister(aor string) *gosip.Request {
	return p.newRequest(gosip.REGISTER, gosip.Uri{Scheme: "sip", Host: "127.0.0.1", Port: p.acdPort()}, aor)
}

func (p *phone) acdPort() int {
	if p.tcp {
		return p.h.tcpAddr.Port
	}
	return p.h.udpAddr.Port
}

// do sends req and returns the final response.
func (p *phone) do(t testing.TB, ctx context.Context, req *gosip.Request) *gosip.Response {
	t.Helper()
	res, err := p.client.Do(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", req.Method, err)
	}
	return res
}

// doAuth sends req and, when challenged, answers the first challenge with
// the phone's credentials (sipgo's DoDigestAuth). It returns the challenge
// (nil if none) and the final response.
func (p *phone) doAuth(t testing.TB, ctx context.Context, req *gosip.Request) (challenge, res *gosip.Response) {
	t.Helper()
	res = p.do(t, ctx, req)
	if res.StatusCode != gosip.StatusUnauthorized {
		return nil, res
	}
	final, err := p.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: p.user, Password: p.password})
	if err != nil {
		t.Fatalf("%s with credentials: %v", req.Method, err)
	}
	return res, final
}

// resend sends req again as a new transaction (new Via branch, next CSeq)
// with the given Authorization value, as a phone answering a challenge.
func (p *phone) resend(t testing.TB, ctx context.Context, req *gosip.Request, authorization string) *gosip.Response {
	t.Helper()
	req.RemoveHeader("Authorization")
	if authorization != "" {
		req.AppendHeader(gosip.NewHeader("Authorization", authorization))
	}
	req.CSeq().SeqNo++
	req.RemoveHeader("Via")
	res, err := p.client.Do(ctx, req, sipgo.ClientRequestAddVia)
	if err != nil {
		t.Fatalf("%s: %v", req.Method, err)
	}
	return res
}

// register binds the phone's own contact for expires seconds.
func (p *phone) register(t testing.TB, ctx context.Context, expires int) *gosip.Response {
	t.Helper()
	req := p.newRegister(p.user)
	req.AppendHeader(p.contact.Clone())
	req.AppendHeader(gosip.NewHeader("Expires", strconv.Itoa(expires)))
	_, res := p.doAuth(t, ctx, req)
	return res
}
