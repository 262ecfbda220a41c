// Package sip is the telephony side of the ACD and the only code that
// touches sipgo and pion: the registrar, the caller leg (UAS) that answers
// and plays hold audio, the agent leg (UAC) that rings agents, and the RTP
// bridge between them. It implements acd.Telephony for the engine.
package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/ivr"
	"github.com/sme/acd/queue"
	"github.com/sme/acd/sip/media"
)

// Config is what the SIP side needs from the config file, already parsed.
type Config struct {
	// UDP and TCP are the sockets to serve SIP on (either may be nil);
	// opening them in the caller lets tests bind port 0.
	UDP net.PacketConn
	TCP net.Listener
	// Advertise is the host or IP put in Contact, Via and SDP.
	Advertise string
	// Realm is the digest realm; DigestAlgorithms the challenges offered.
	Realm            string
	DigestAlgorithms []string
	// TrustedTrunks are source networks whose INVITEs need no auth.
	TrustedTrunks []netip.Prefix
	// PortMin and PortMax bound the RTP ports.
	PortMin, PortMax int
	// SilenceTimeout ends a call whose peer sent no RTP for that long.
	SilenceTimeout time.Duration
	// HoldAudio makes the source of hold audio for one call.
	HoldAudio func() media.Source
	// Password returns a SIP username's password, for digest auth.
	Password func(username string) (string, bool)
	// AgentID maps a SIP username to its agent id (feature codes).
	AgentID func(username string) (string, bool)
	// OnFirstContact runs when an agent's first phone registers.
	OnFirstContact func(username string)
	// OnResponse, when set, counts each response sent, by status code
	// (live.Tracker.CountSIPResponse); it must not block.
	OnResponse func(code int)
	// LookupCustomer, when set, looks a caller's number (as received) up in
	// the customer file for a call to queue (see Customer).
	LookupCustomer func(ctx context.Context, number, queue string) (Customer, bool)
	// Menus are the IVR menus by name (see menu.go); MenuPrompt makes the
	// source of a menu's prompt (nil: the hold tone).
	Menus      map[string]ivr.Menu
	MenuPrompt func(menu string) media.Source
	// Prompt returns a recorded prompt (announcements, voicemail greeting,
	// callback offer) by language and name, decoded to 8 kHz samples: the
	// SME's own WAV if it replaced it, else the one shipped with the ACD.
	Prompt func(lang, name string) ([]int16, bool)
	// Overloaded, when set, replaces the engine's own overload check
	// (acd.Engine.Overloaded) in deciding to refuse a new call with 503.
	Overloaded func() bool
	// Languages maps a queue to the language of its prompts ("en", "fr").
	Languages map[string]string
	// Announce are the queues' position, wait and periodic announcements
	// by queue name (announce.go); a queue not in it announces nothing.
	Announce map[string]AnnounceConfig
	// Voicemail says where voicemail messages go and when a silent caller
	// is done (see VoicemailConfig).
	Voicemail VoicemailConfig
}

// Server is the SIP user agent of the ACD.
type Server struct {
	cfg    Config
	engine *acd.Engine
	store  acd.Store
	log    *slog.Logger

	ua        *sipgo.UserAgent
	srv       *sipgo.Server
	client    *sipgo.Client
	tcpClient *sipgo.Client
	inbound   *sipgo.DialogServerCache
	outbound  *sipgo.DialogClientCache
	auth      *Authenticator
	registrar *Registrar
	ports     *media.PortPool
	rtpIP     netip.Addr

	// outboundTCP rings phones registered over TCP. Its client has no fixed
	// local address, so sipgo reuses the phone's own connection; s.client
	// would dial a new one from the UDP port, which the phone refuses.
	outboundTCP *sipgo.DialogClientCache

	legs      sync.Map // queue.CallID → *callerLeg
	agentLegs sync.Map // agent dialog Call-ID → *callerLeg, while bridged
	// calledBack maps the dialog with a called-back caller's phone (a UAC
	// dialog through the trunk) to its leg while bridged, so the phone's
	// BYE is recorded before it is answered, as for any caller.
	calledBack sync.Map
	draining   atomic.Bool
	overload   atomic.Bool // refusing calls for overload (logged once per episode)
	calls      sync.WaitGroup
}

// NewServer builds the SIP side over the engine and store.
func NewServer(cfg Config, engine *acd.Engine, store acd.Store, log *slog.Logger) (*Server, error) {
	if cfg.UDP == nil && cfg.TCP == nil {
		return nil, errors.New("new sip server: no listener")
	}
	rtpIP, err := netip.ParseAddr(cfg.Advertise)
	if err != nil {
		return nil, fmt.Errorf("new sip server: advertise address must be an IP: %w", err)
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("acd"), sipgo.WithUserAgentHostname(cfg.Advertise))
	if err != nil {
		return nil, fmt.Errorf("new sip server: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		return nil, fmt.Errorf("new sip server: %w", err)
	}
	s := &Server{cfg: cfg, engine: engine, store: store, log: log, ua: ua, srv: srv,
		ports: media.NewPortPool(cfg.PortMin, cfg.PortMax), rtpIP: rtpIP}
	var contactPort int
	if cfg.UDP != nil {
		addr := cfg.UDP.LocalAddr().(*net.UDPAddr)
		contactPort = addr.Port
		s.client, err = sipgo.NewClient(ua, sipgo.WithClientLogger(log), sipgo.WithClientHostname(cfg.Advertise),
			sipgo.WithClientConnectionAddr(addr.String()))
	}
	if err == nil && cfg.TCP != nil {
		addr := cfg.TCP.Addr().(*net.TCPAddr)
		if contactPort == 0 {
			contactPort = addr.Port
		}
		s.tcpClient, err = sipgo.NewClient(ua, sipgo.WithClientLogger(log), sipgo.WithClientHostname(cfg.Advertise))
		if s.client == nil {
			s.client = s.tcpClient
		}
	}
	if err != nil {
		return nil, fmt.Errorf("new sip server: %w", err)
	}
	contact := gosip.ContactHeader{Address: gosip.Uri{Scheme: "sip", User: "acd", Host: cfg.Advertise, Port: contactPort}}
	s.inbound = sipgo.NewDialogServerCache(s.client, contact)
	s.outbound = sipgo.NewDialogClientCache(s.client, contact)
	if s.tcpClient != nil {
		tcpContact := gosip.ContactHeader{Address: gosip.Uri{Scheme: "sip", User: "acd", Host: cfg.Advertise,
			Port: cfg.TCP.Addr().(*net.TCPAddr).Port, UriParams: gosip.NewParams()}}
		tcpContact.Address.UriParams.Add("transport", "tcp")
		s.outboundTCP = sipgo.NewDialogClientCache(s.tcpClient, tcpContact)
	}
	s.auth = NewAuthenticator(cfg.Realm, cfg.DigestAlgorithms, cfg.Password)
	s.registrar = NewRegistrar(store, s.auth, log, cfg.OnFirstContact)
	srv.OnRegister(s.onRegister)
	srv.OnInvite(s.onInvite)
	srv.OnAck(s.onAck)
	srv.OnBye(s.onBye)
	srv.OnOptions(s.onOptions)
	srv.OnInfo(s.onInfo)
	srv.OnNoRoute(s.onOther)
	return s, nil
}

// Serve answers SIP until ctx ends.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 2)
	if s.cfg.UDP != nil {
		go func() { errc <- s.srv.ServeUDP(s.cfg.UDP) }()
	}
	if s.cfg.TCP != nil {
		go func() { errc <- s.srv.ServeTCP(s.cfg.TCP) }()
	}
	select {
	case <-ctx.Done():
		_ = s.ua.Close()
		return nil
	case err := <-errc:
		_ = s.ua.Close()
		return fmt.Errorf("serve sip: %w", err)
	}
}

// Drain makes new INVITEs get 503 while calls in progress go on.
func (s *Server) Drain() { s.draining.Store(true) }

// Wait blocks until every call leg has ended or ctx ends.
func (s *Server) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.calls.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Offer implements acd.Telephony: it hands the assignment to the caller
// leg's goroutine, which rings the agents. A callback's caller has hung up:
// its offer gets a leg of its own that rings the agent, then dials the
// caller back (callback.go).
func (s *Server) Offer(a acd.Assignment) {
	if a.Callback != nil {
		s.startCallback(a) // callback.go: no caller leg, the ACD calls both
		return
	}
	if v, ok := s.legs.Load(a.Call.ID); ok {
		v.(*callerLeg).offer(a)
	}
}

// Drop implements acd.Telephony.
func (s *Server) Drop(id queue.CallID, reason string) {
	if v, ok := s.legs.Load(id); ok {
		v.(*callerLeg).drop(reason)
	}
}

// Forward implements acd.Telephony: the caller leg INVITEs the URI and
// bridges it like an agent, or hangs up if it does not answer.
func (s *Server) Forward(id queue.CallID, uri, reason string) {
	if v, ok := s.legs.Load(id); ok {
		v.(*callerLeg).forward(uri)
		return
	}
	s.log.Warn("forward: no caller leg", "call_id", id, "uri", uri, "reason", reason)
}

func (s *Server) respond(tx gosip.ServerTransaction, res *gosip.Response) {
	if err := tx.Respond(res); err != nil {
		s.log.Debug("respond failed", "status", res.StatusCode, "err", err)
		return
	}
	s.counted(res.StatusCode)
}

// respondDialog sends a response on an INVITE dialog and counts it.
func (s *Server) respondDialog(dlg *sipgo.DialogServerSession, code int, reason string) {
	if err := dlg.Respond(code, reason, nil); err == nil {
		s.counted(code)
	}
}

// counted reports one response sent to OnResponse.
func (s *Server) counted(code int) {
	if s.cfg.OnResponse != nil {
		s.cfg.OnResponse(code)
	}
}

func (s *Server) onRegister(req *gosip.Request, tx gosip.ServerTransaction) {
	if res := checkRequest(req); res != nil {
		s.respond(tx, res)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.respond(tx, s.registrar.handle(ctx, req))
}

func (s *Server) onOptions(req *gosip.Request, tx gosip.ServerTransaction) {
	if res := checkRequest(req); res != nil {
		s.respond(tx, res)
		return
	}
	res := gosip.NewResponseFromRequest(req, gosip.StatusOK, "OK", nil)
	res.AppendHeader(gosip.NewHeader("Allow", allowed))
	s.respond(tx, res)
}

func (s *Server) onAck(req *gosip.Request, tx gosip.ServerTransaction) {
	s.onAckBody(req)
	_ = s.inbound.ReadAck(req, tx)
}

// onBye ends whichever leg the BYE belongs to; an unknown dialog gets 481
// (RFC 3261 §15.1.2).
//
// The call's end is recorded before the 200 OK goes out (the event log is
// written before a step is acknowledged), so a crash right after the
// answer cannot lose a completed call.
func (s *Server) onBye(req *gosip.Request, tx gosip.ServerTransaction) {
	if res := checkRequest(req); res != nil {
		s.respond(tx, res)
		return
	}
	s.recordEnd(req)
	err := s.inbound.ReadBye(req, tx)
	if errors.Is(err, sipgo.ErrDialogDoesNotExists) || errors.Is(err, sipgo.ErrDialogOutsideDialog) {
		err = s.outbound.ReadBye(req, tx)
	}
	if s.outboundTCP != nil && (errors.Is(err, sipgo.ErrDialogDoesNotExists) || errors.Is(err, sipgo.ErrDialogOutsideDialog)) {
		err = s.outboundTCP.ReadBye(req, tx)
	}
	if errors.Is(err, sipgo.ErrDialogDoesNotExists) || errors.Is(err, sipgo.ErrDialogOutsideDialog) {
		s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
	}
}

// recordEnd tells the engine a call ended because of this BYE, if the BYE
// belongs to a live dialog of ours. The leg's goroutine reports the end too
// when it notices; the engine ignores the second report.
func (s *Server) recordEnd(req *gosip.Request) {
	var (
		leg    *callerLeg
		reason string
	)
	id := req.CallID()
	if id == nil {
		return
	}
	if _, err := s.inbound.MatchDialogRequest(req); err == nil {
		if v, ok := s.legs.Load(queue.CallID(id.Value())); ok {
			leg, reason = v.(*callerLeg), acd.ReasonCaller
			if leg.callbackTaken.Load() {
				// The caller hung up after asking for a callback (during
				// the confirmation; a BYE answered per RFC 3261 §15.1.2):
				// nothing to record, the callback is in
				// the book. Reporting it now would let the engine route
				// the callback while this leg still holds the call's
				// entry in s.legs; the leg reports acd.ReasonCallback
				// itself once it has left (run).
				return
			}
		}
	} else if s.agentDialog(req) {
		if v, ok := s.agentLegs.Load(id.Value()); ok {
			leg, reason = v.(*callerLeg), acd.ReasonAgent
		} else if v, ok := s.calledBack.Load(id.Value()); ok {
			leg, reason = v.(*callerLeg), acd.ReasonCaller
		}
	}
	if leg == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.engine.Ended(ctx, leg.call.ID, reason); err != nil {
		s.log.Error("record call end", "call_id", leg.call.ID, "err", err)
	}
}

// agentDialog reports whether req belongs to a dialog with an agent phone.
func (s *Server) agentDialog(req *gosip.Request) bool {
	if _, err := s.outbound.MatchRequestDialog(req); err == nil {
		return true
	}
	if s.outboundTCP == nil {
		return false
	}
	_, err := s.outboundTCP.MatchRequestDialog(req)
	return err == nil
}
