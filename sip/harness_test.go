package sip

// The in-process harness of the SIP component tests (test pyramid level 4):
// a real acd.Engine over the memory store and a real Server on 127.0.0.1
// port 0, driven by sipgo user agents acting as callers and agent phones
// over real UDP and TCP sockets. Nothing sleeps: tests wait on responses,
// on channels fed by the phones' handlers and on the event log.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/ivr"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/sip/media"
)

// waitTimeout bounds every wait for something that must happen; it is
// generous because -race on two cores slows everything down.
const waitTimeout = 15 * time.Second

// testUser is a SIP account the harness's Password and AgentID know.
type testUser struct {
	password string
	agentID  string // "" for a SIP user who is not an agent
}

var testUsers = map[string]testUser{
	"alice": {password: "alice-secret", agentID: "a1"},
	"bob":   {password: "bob-secret", agentID: "a2"},
	"carol": {password: "carol-secret"}, // may call, is not an agent
}

// eventLog is an acd.EventLog kept in memory; waiters are woken on every
// append, so tests wait for events instead of sleeping.
type eventLog struct {
	mu      sync.Mutex
	evs     []acd.Event
	changed chan struct{}
}

func newEventLog() *eventLog { return &eventLog{changed: make(chan struct{})} }

func (l *eventLog) Append(ev acd.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev.Agents = slices.Clone(ev.Agents)
	l.evs = append(l.evs, ev)
	close(l.changed)
	l.changed = make(chan struct{})
	return nil
}

func (l *eventLog) snapshot() ([]acd.Event, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.evs), l.changed
}

// waitFor blocks until cond holds over the events written so far.
func (l *eventLog) waitFor(t testing.TB, what string, cond func([]acd.Event) bool) []acd.Event {
	t.Helper()
	timeout := time.NewTimer(waitTimeout)
	defer timeout.Stop()
	for {
		evs, changed := l.snapshot()
		if cond(evs) {
			return evs
		}
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("timed out waiting for %s; events:\n%s", what, formatEvents(evs))
		}
	}
}

// waitCall waits until the call's events (agent-state left out) include
// typ, and returns that call's event types in order.
func (l *eventLog) waitCall(t testing.TB, callID string, typ acd.EventType) []acd.EventType {
	t.Helper()
	evs := l.waitFor(t, fmt.Sprintf("%q event of call %s", typ, callID), func(evs []acd.Event) bool {
		return slices.ContainsFunc(evs, func(ev acd.Event) bool { return ev.CallID == callID && ev.Type == typ })
	})
	return callTypes(evs, callID)
}

func callTypes(evs []acd.Event, callID string) []acd.EventType {
	var out []acd.EventType
	for _, ev := range evs {
		if ev.CallID == callID && ev.Type != acd.EvAgentState {
			out = append(out, ev.Type)
		}
	}
	return out
}

func callEvent(evs []acd.Event, callID string, typ acd.EventType) (acd.Event, bool) {
	for _, ev := range evs {
		if ev.CallID == callID && ev.Type == typ {
			return ev, true
		}
	}
	return acd.Event{}, false
}

func formatEvents(evs []acd.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		fmt.Fprintf(&b, "  %s call=%s agent=%s state=%s reason=%s\n", ev.Type, ev.CallID, ev.Agent, ev.State, ev.Reason)
	}
	return b.String()
}

// logBuffer collects a test's log lines and prints them only if the test
// failed; goroutines that outlive the test may still write to it safely.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(t testing.TB, name string) *slog.Logger {
	b := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() && b.String() != "" {
			t.Logf("%s log:\n%s", name, b.String())
		}
	})
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// harnessConfig is what a test may change from the default harness.
type harnessConfig struct {
	algs           []string
	trusted        []netip.Prefix
	queue          func(*acd.QueueConfig)
	onFirstContact func(username string)
	lookupCustomer func(ctx context.Context, number, queue string) (Customer, bool)
	menus          map[string]ivr.Menu
	extraQueues    []acd.QueueConfig
	sipConfig      func(*Config)
}

type harnessOption func(*harnessConfig)

func withAlgorithms(algs ...string) harnessOption {
	return func(c *harnessConfig) { c.algs = algs }
}

// withTrusted makes calls from these networks need no authentication.
func withTrusted(prefixes ...string) harnessOption {
	return func(c *harnessConfig) {
		for _, p := range prefixes {
			c.trusted = append(c.trusted, netip.MustParsePrefix(p))
		}
	}
}

func withQueue(f func(*acd.QueueConfig)) harnessOption {
	return func(c *harnessConfig) { c.queue = f }
}

// withFirstContact replaces the default hook, which logs the agent in.
func withFirstContact(f func(username string)) harnessOption {
	return func(c *harnessConfig) { c.onFirstContact = f }
}

// withCustomers sets the customer lookup.
func withCustomers(f func(ctx context.Context, number, queue string) (Customer, bool)) harnessOption {
	return func(c *harnessConfig) { c.lookupCustomer = f }
}

// withMenus sets the IVR menus and adds queues they lead to.
func withMenus(menus map[string]ivr.Menu, queues ...acd.QueueConfig) harnessOption {
	return func(c *harnessConfig) { c.menus, c.extraQueues = menus, queues }
}

// withSIPConfig changes the SIP side's config before the server starts.
func withSIPConfig(f func(*Config)) harnessOption {
	return func(c *harnessConfig) { c.sipConfig = f }
}

// harness is one ACD node: engine, memory store and SIP server.
type harness struct {
	t       testing.TB
	store   *memstore.Store
	engine  *acd.Engine
	srv     *Server
	events  *eventLog
	udpAddr *net.UDPAddr
	tcpAddr *net.TCPAddr
}

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	hc := harnessConfig{algs: []string{"SHA-256", "MD5"}}
	for _, o := range opts {
		o(&hc)
	}
	log := testLogger(t, "acd")
	h := &harness{t: t, store: memstore.New(), events: newEventLog()}

	q := acd.QueueConfig{Name: "support", Number: "100", Strategy: acd.LongestIdle{},
		RingTimeout: 10 * time.Second, ServiceLevel: 20 * time.Second, FullStatus: gosip.StatusBusyHere}
	if hc.queue != nil {
		hc.queue(&q)
	}
	engine, err := acd.NewEngine(acd.EngineConfig{Node: "test", Queues: append([]acd.QueueConfig{q}, hc.extraQueues...), Seed: 1}, h.store, nil, h.events, log)
	if err != nil {
		t.Fatal(err)
	}
	h.engine = engine
	ctx := context.Background()
	for user, u := range testUsers {
		if u.agentID == "" {
			continue
		}
		if err := h.store.PutAgent(ctx, agents.Agent{ID: u.agentID, Username: user, Queues: []string{"support"}}); err != nil {
			t.Fatal(err)
		}
	}

	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.udpAddr, h.tcpAddr = udp.LocalAddr().(*net.UDPAddr), tcp.Addr().(*net.TCPAddr)
	firstContact := hc.onFirstContact
	if firstContact == nil {
		firstContact = h.loginAgent
	}
	// RTP ports: a random even range per harness in 10000-19999, below the
	// default range (20000-29999) a real acd, e.g. scripts/load.sh, may be
	// using on this machine and below the kernel's ephemeral ports; the
	// pool skips ports some other socket holds anyway.
	portMin := 10000 + 2*rand.IntN(4800)
	cfg := Config{
		UDP: udp, TCP: tcp, Advertise: "127.0.0.1", Realm: "acd",
		DigestAlgorithms: hc.algs, TrustedTrunks: hc.trusted,
		PortMin: portMin, PortMax: portMin + 399,
		SilenceTimeout: time.Minute,
		HoldAudio:      func() media.Source { return media.NewToneSource() },
		Password: func(u string) (string, bool) {
			tu, ok := testUsers[u]
			return tu.password, ok
		},
		AgentID: func(u string) (string, bool) {
			tu, ok := testUsers[u]
			return tu.agentID, ok && tu.agentID != ""
		},
		OnFirstContact: firstContact,
		LookupCustomer: hc.lookupCustomer,
		Menus:          hc.menus,
	}
	if hc.sipConfig != nil {
		hc.sipConfig(&cfg)
	}
	srv, err := NewServer(cfg, engine, h.store, log)
	if err != nil {
		t.Fatal(err)
	}
	h.srv = srv
	engine.SetTelephony(srv)

	runCtx, stop := context.WithCancel(context.Background())
	engineDone, serveDone := make(chan struct{}), make(chan struct{})
	go func() { _ = engine.Run(runCtx); close(engineDone) }()
	go func() { _ = srv.Serve(runCtx); close(serveDone) }()
	t.Cleanup(func() {
		stop()
		<-serveDone
		<-engineDone
		udp.Close()
		tcp.Close()
	})
	h.waitServing()
	return h
}

// loginAgent is the default OnFirstContact: like cmd/acd, an agent's first
// registered phone logs them in.
func (h *harness) loginAgent(username string) {
	u, ok := testUsers[username]
	if !ok || u.agentID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	_, _ = h.engine.Command(ctx, u.agentID, agents.Event{Kind: agents.Login})
	h.engine.Nudge()
}

// waitServing returns once the server answers OPTIONS over UDP and TCP,
// so its listeners are in sipgo's connection pool before its clients send
// from them.
func (h *harness) waitServing() {
	h.t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		h.t.Fatal(err)
	}
	defer conn.Close()
	if res := rawUDPExchange(h.t, conn, h.udpAddr, optionsProbe(conn.LocalAddr().(*net.UDPAddr), "UDP", "ready-udp")); res == nil || res.StatusCode != 200 {
		h.t.Fatalf("server not answering OPTIONS over UDP: %v", res)
	}
	tc, err := net.DialTCP("tcp", nil, h.tcpAddr)
	if err != nil {
		h.t.Fatal(err)
	}
	defer tc.Close()
	if res := rawTCPExchange(h.t, tc, optionsProbe(tc.LocalAddr().(*net.TCPAddr), "TCP", "ready-tcp")); res == nil || res.StatusCode != 200 {
		h.t.Fatalf("server not answering OPTIONS over TCP: %v", res)
	}
}

// uri is a SIP URI of user at the ACD, over UDP unless tcp.
func (h *harness) uri(user string, tcp bool) gosip.Uri {
	u := gosip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: h.udpAddr.Port}
	if tcp {
		u.Port = h.tcpAddr.Port
		u.UriParams = gosip.NewParams()
		u.UriParams.Add("transport", "tcp")
	}
	return u
}

func (h *harness) agent(t testing.TB, id string) agents.Agent {
	t.Helper()
	a, err := h.store.Agent(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (h *harness) contacts(t testing.TB, user string) []acd.Contact {
	t.Helper()
	cs, err := h.store.Contacts(context.Background(), user, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// testCtx bounds one test's SIP exchanges.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

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

// call is one outgoing call of a phone.
type call struct {
	dlg      *sipgo.DialogClientSession
	statuses []int // every response code seen, provisional ones included
	err      error // WaitAnswer's error: *sipgo.ErrDialogResponse for a final non-2xx
}

// final is the last response code seen.
func (c *call) final() int {
	if len(c.statuses) == 0 {
		return 0
	}
	return c.statuses[len(c.statuses)-1]
}

func (c *call) callID() string { return c.dlg.InviteRequest.CallID().Value() }

// dial calls number at the ACD with body as the offer, answering a
// challenge with the phone's credentials when auth is set. A 2xx is ACKed.
func (p *phone) dial(t testing.TB, ctx context.Context, number string, body []byte, auth bool, headers ...gosip.Header) *call {
	t.Helper()
	req := p.newRequest(gosip.INVITE, p.h.uri(number, p.tcp), number)
	req.SetBody(body)
	if body != nil {
		req.AppendHeader(gosip.NewHeader("Content-Type", "application/sdp"))
	}
	for _, h := range headers {
		req.AppendHeader(h)
	}
	dlg, err := p.out.WriteInvite(ctx, req)
	if err != nil {
		t.Fatalf("invite %s: %v", number, err)
	}
	c := &call{dlg: dlg}
	var mu sync.Mutex
	opts := sipgo.AnswerOptions{OnResponse: func(res *gosip.Response) error {
		mu.Lock()
		c.statuses = append(c.statuses, res.StatusCode)
		mu.Unlock()
		return nil
	}}
	if auth {
		opts.Username, opts.Password = p.user, p.password
	}
	c.err = dlg.WaitAnswer(ctx, opts)
	if c.err == nil {
		if err := dlg.Ack(ctx); err != nil {
			t.Fatalf("ack: %v", err)
		}
	}
	t.Cleanup(func() { dlg.Close() })
	return c
}

// response is the final non-2xx response of a failed call.
func (c *call) response(t testing.TB) *gosip.Response {
	t.Helper()
	var dr *sipgo.ErrDialogResponse
	if !errors.As(c.err, &dr) {
		t.Fatalf("call did not fail with a response: %v (statuses %v)", c.err, c.statuses)
	}
	return dr.Res
}

func (p *phone) hangup(t testing.TB, ctx context.Context, c *call) {
	t.Helper()
	if err := c.dlg.Bye(ctx); err != nil {
		t.Fatalf("bye: %v", err)
	}
}

// waitInvite returns the next INVITE the phone received.
func (p *phone) waitInvite(t testing.TB) *gosip.Request {
	t.Helper()
	select {
	case req := <-p.invites:
		return req
	case <-time.After(waitTimeout):
		t.Fatalf("%s: no INVITE received", p.user)
		return nil
	}
}

// waitAnswered returns the next incoming call the phone answered.
func (p *phone) waitAnswered(t testing.TB) *sipgo.DialogServerSession {
	t.Helper()
	select {
	case dlg := <-p.answered:
		return dlg
	case <-time.After(waitTimeout):
		t.Fatalf("%s: no call answered", p.user)
		return nil
	}
}

// waitBye returns the next BYE the phone received.
func (p *phone) waitBye(t testing.TB) *gosip.Request {
	t.Helper()
	select {
	case req := <-p.byes:
		return req
	case <-time.After(waitTimeout):
		t.Fatalf("%s: no BYE received", p.user)
		return nil
	}
}

// streamRTP sends 20 ms PCMU packets filled with fill from the phone's RTP
// socket to dst until ctx ends, as a phone does during a call.
func (p *phone) streamRTP(ctx context.Context, dst netip.AddrPort, fill byte) {
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: uint32(fill) << 8}, Payload: bytes.Repeat([]byte{fill}, 160)}
		for {
			pkt.SequenceNumber++
			pkt.Timestamp += 160
			b, _ := pkt.Marshal()
			if _, err := p.rtp.WriteToUDPAddrPort(b, dst); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-p.closed:
				return
			case <-tick.C:
			}
		}
	}()
}

// waitRTP reads the phone's RTP socket until a PCMU packet whose payload
// is all fill arrives (hold audio and other packets are skipped).
func (p *phone) waitRTP(t testing.TB, fill byte) {
	t.Helper()
	_ = p.rtp.SetReadDeadline(time.Now().Add(waitTimeout))
	defer p.rtp.SetReadDeadline(time.Time{})
	buf := make([]byte, 1500)
	for {
		n, err := p.rtp.Read(buf)
		if err != nil {
			t.Fatalf("%s: no relayed RTP with payload %#x: %v", p.user, fill, err)
		}
		var pkt rtp.Packet
		if pkt.Unmarshal(buf[:n]) != nil || len(pkt.Payload) == 0 {
			continue
		}
		if bytes.Count(pkt.Payload, []byte{fill}) == len(pkt.Payload) {
			return
		}
	}
}

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
