package sip

// The in-process harness of the SIP component tests (test pyramid level 4):
// a real acd.Engine over the memory store and a real Server on 127.0.0.1
// port 0, driven by sipgo user agents acting as callers and agent phones
// over real UDP and TCP sockets. Nothing sleeps: tests wait on responses,
// on channels fed by the phones' handlers and on the event log.
//
// This file starts the harness; its event log and logger, phones, calls and
// raw sockets are in harness_{log,phone,call,raw}_test.go.

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"

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
