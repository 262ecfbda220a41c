package sip

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

// ringingTrunk stands for a caller's phone behind the trunk that rings
// (180) and never answers; cancelled gets each INVITE the ACD CANCELled
// (sipgo answers the CANCEL 200 and the INVITE 487 itself).
type ringingTrunk struct {
	port      string
	invites   chan *gosip.Request
	cancelled chan *gosip.Request
}

func newRingingTrunk(t *testing.T) *ringingTrunk {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("trunk"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(testLogger(t, "trunk")))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	tr := &ringingTrunk{port: strconv.Itoa(conn.LocalAddr().(*net.UDPAddr).Port),
		invites: make(chan *gosip.Request, 8), cancelled: make(chan *gosip.Request, 8)}
	srv.OnInvite(func(req *gosip.Request, tx gosip.ServerTransaction) {
		tr.invites <- req
		_ = tx.Respond(gosip.NewResponseFromRequest(req, gosip.StatusRinging, "Ringing", nil))
		<-tx.Done()
		if tx.Err() == gosip.ErrTransactionCanceled {
			tr.cancelled <- req
		}
	})
	served := make(chan struct{})
	go func() { _ = srv.ServeUDP(conn); close(served) }()
	t.Cleanup(func() { _ = ua.Close(); conn.Close(); <-served })
	return tr
}

func waitRequest(t *testing.T, c <-chan *gosip.Request, what string) *gosip.Request {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(waitTimeout):
		t.Fatalf("no %s", what)
		return nil
	}
}

// The agent hangs up while the caller's phone rings: the trunk INVITE is
// CANCELled (RFC 3261 §9.1), the attempt is recorded as agent-hung-up and
// the agent is free at once, neither Busy nor charged a miss.
func TestCallbackAgentHangsUpWhileCallerRings(t *testing.T) {
	t.Parallel()
	trunk := newRingingTrunk(t)
	h := callbackHarness(t, func(p *acd.CallbackPolicy) { p.Attempts, p.RingTimeout = 2, 20*time.Second })
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
	id := askCallback(t, h, ctx, caller, trunk.port)

	alice := h.newPhone(t, "alice")
	alice.register(t, ctx, 300)
	agentDlg := alice.waitAnswered(t)
	inv := waitRequest(t, trunk.invites, "INVITE at the trunk")
	if inv.From().Address.User != "100" || inv.To().Address.User != "back" || inv.Contact() == nil {
		t.Errorf("trunk INVITE From %s To %s Contact %v: want the queue's number, the trunk URI and ours",
			inv.From().Address.String(), inv.To().Address.String(), inv.Contact())
	}
	if err := agentDlg.Bye(ctx); err != nil {
		t.Fatalf("agent bye: %v", err)
	}
	if c := waitRequest(t, trunk.cancelled, "CANCEL of the trunk INVITE"); c.CallID().Value() != inv.CallID().Value() {
		t.Errorf("cancelled %s, want the trunk INVITE %s", c.CallID().Value(), inv.CallID().Value())
	}
	evs := h.events.waitFor(t, "callback attempt", func(evs []acd.Event) bool {
		_, ok := callEvent(evs, id, acd.EvCallbackAttempt)
		return ok
	})
	if a, _ := callEvent(evs, id, acd.EvCallbackAttempt); a.Reason != acd.ReasonAgentGone || a.Agent != "a1" {
		t.Errorf("callback-attempt %+v, want agent-hung-up by a1", a)
	}
	if a := h.agent(t, "a1"); a.State != agents.Available || a.Misses != 0 {
		t.Errorf("alice %s with %d misses, want available without a miss", a.State, a.Misses)
	}
}

// The caller's phone rings longer than the 5 s a report to the engine may
// take, then is given up: the result still reaches the engine (a deadline
// taken before the ring would be spent, the report lost, the agent left
// Busy and the callback neither retried nor failed).
func TestCallbackResultAfterALongRing(t *testing.T) {
	t.Parallel()
	trunk := newRingingTrunk(t)
	h := callbackHarness(t, func(p *acd.CallbackPolicy) { p.RingTimeout = 6 * time.Second })
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
	id := askCallback(t, h, ctx, caller, trunk.port)

	alice := h.newPhone(t, "alice")
	alice.register(t, ctx, 300)
	alice.waitAnswered(t)
	waitRequest(t, trunk.cancelled, "CANCEL at the ring timeout")
	alice.waitBye(t)
	evs := h.events.waitFor(t, "callback failed", func(evs []acd.Event) bool {
		_, ok := callEvent(evs, id, acd.EvCallbackFailed)
		return ok
	})
	if f, _ := callEvent(evs, id, acd.EvCallbackFailed); f.Reason != acd.ReasonNoAnswer {
		t.Errorf("callback-failed %+v, want no-answer", f)
	}
	if a := h.agent(t, "a1"); a.State != agents.Available {
		t.Errorf("alice is %s after the failed callback, want available", a.State)
	}
}

// An agent who does not take a callback offer (here: declines, 486) is
// released and the callback offered again at once; each new offer gets a
// leg of its own. The leg of an offer leaves s.legs before it reports, or
// the next offer, made while that report is processed, is refused.
func TestCallbackReofferedAfterDecline(t *testing.T) {
	t.Parallel()
	h := callbackHarness(t)
	ctx := testCtx(t)
	caller := h.newPhone(t, "5551234")
	id := askCallback(t, h, ctx, caller, sipPort(caller))

	alice := h.newPhone(t, "alice", answering(486))
	alice.register(t, ctx, 300)
	for range 3 {
		alice.waitInvite(t)
	}
	evs, _ := h.events.snapshot()
	offered := 0
	for _, ev := range evs {
		if ev.CallID == id && ev.Type == acd.EvOffered {
			offered++
		}
	}
	// Three INVITEs rang alice; a fourth offer may be on its way.
	if offered > 4 {
		t.Errorf("%d offers for 3 INVITEs: offers were refused; events:\n%s", offered, formatEvents(evs))
	}
}
