package sip

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/sip/media"
)

// waitHold reads the caller's RTP socket until a packet of payload type pt
// arrives: the hold audio.
func (p *phone) waitHold(t *testing.T, pt uint8) {
	t.Helper()
	_ = p.rtp.SetReadDeadline(time.Now().Add(waitTimeout))
	defer p.rtp.SetReadDeadline(time.Time{})
	buf := make([]byte, 1500)
	for {
		n, err := p.rtp.Read(buf)
		if err != nil {
			t.Fatalf("no hold audio: %v", err)
		}
		var pkt rtp.Packet
		if pkt.Unmarshal(buf[:n]) == nil && pkt.PayloadType == pt && len(pkt.Payload) > 0 {
			return
		}
	}
}

// A call from a trusted trunk needs no credentials: it is answered with an
// SDP answer in the offer's codec (RFC 3264 §6.1: the offerer's order wins),
// hears hold audio, and hanging up while queued is an abandoned call.
func TestInviteFromTrustedTrunk(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("192.0.2.0/24", "127.0.0.1/32"))
	tests := []struct {
		offer   string
		codec   media.Codec
		eventPT uint8
	}{
		{"0 8 101", media.PCMU, 101},
		{"8 0 101", media.PCMA, 101},
		{"8 0", media.PCMA, 0},
		{"18 0", media.PCMU, 0}, // G.729 first: skipped, not refused
	}
	for _, tt := range tests {
		t.Run(tt.offer, func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			p := h.newPhone(t, "5551234")
			c := p.dial(t, ctx, "100", p.sdp(tt.offer), false)
			if c.err != nil {
				t.Fatalf("call not answered: %v (statuses %v)", c.err, c.statuses)
			}
			if slices.Contains(c.statuses, gosip.StatusUnauthorized) {
				t.Fatalf("trusted call was challenged: %v", c.statuses)
			}
			res := c.dlg.InviteResponse
			if ct := res.ContentType(); ct == nil || ct.Value() != "application/sdp" {
				t.Fatalf("200 Content-Type %v", ct)
			}
			ans, err := media.ParseOffer(res.Body())
			if err != nil {
				t.Fatalf("answer SDP: %v\n%s", err, res.Body())
			}
			if len(ans.Codecs) != 1 || ans.Codecs[0].Name != tt.codec.Name || ans.Codecs[0].PT != tt.codec.PT {
				t.Fatalf("answer codecs %v, want only %v", ans.Codecs, tt.codec)
			}
			if ans.TelephoneEventPT != tt.eventPT {
				t.Fatalf("answer telephone-event %d, want %d", ans.TelephoneEventPT, tt.eventPT)
			}
			if !ans.Addr.Addr().IsLoopback() || ans.Addr.Port() == 0 {
				t.Fatalf("answer media address %v", ans.Addr)
			}
			p.waitHold(t, tt.codec.PT)

			id := c.callID()
			h.events.waitCall(t, id, acd.EvEntered)
			p.hangup(t, ctx, c)
			types := h.events.waitCall(t, id, acd.EvAbandoned)
			if !slices.Equal(types, []acd.EventType{acd.EvEntered, acd.EvAbandoned}) {
				t.Fatalf("call events %v, want entered, abandoned", types)
			}
			evs, _ := h.events.snapshot()
			ev, _ := callEvent(evs, id, acd.EvAbandoned)
			if ev.Reason != acd.ReasonCaller || ev.Caller != "5551234" || ev.Queue != "support" {
				t.Fatalf("abandoned event %+v, want caller 5551234 hanging up in support", ev)
			}
		})
	}
}

// From an untrusted address every INVITE is challenged; the right
// credentials get the call answered, wrong ones a 403.
func TestInviteFromUntrustedAddress(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("192.0.2.0/24"))
	ctx := testCtx(t)

	p := h.newPhone(t, "carol")
	c := p.dial(t, ctx, "100", p.sdp("0 101"), true)
	if c.err != nil {
		t.Fatalf("authenticated call not answered: %v (statuses %v)", c.err, c.statuses)
	}
	if i := slices.Index(c.statuses, gosip.StatusUnauthorized); i < 0 || c.final() != 200 {
		t.Fatalf("statuses %v, want a 401 challenge then 200", c.statuses)
	}
	if auth := c.dlg.InviteRequest.GetHeader("Authorization"); auth == nil || !strings.Contains(auth.Value(), "algorithm=SHA-256") {
		t.Fatalf("INVITE answered with %v, want SHA-256 credentials", auth)
	}
	h.events.waitCall(t, c.callID(), acd.EvEntered)
	p.hangup(t, ctx, c)
	h.events.waitCall(t, c.callID(), acd.EvAbandoned)

	noAuth := h.newPhone(t, "carol").dial(t, ctx, "100", p.sdp("0"), false)
	if res := noAuth.response(t); res.StatusCode != gosip.StatusUnauthorized || len(res.GetHeaders("WWW-Authenticate")) != 2 {
		t.Fatalf("unauthenticated call got %d with %d challenges, want 401 with 2", res.StatusCode, len(res.GetHeaders("WWW-Authenticate")))
	}

	liar := h.newPhone(t, "carol")
	liar.password = "not-carols"
	if res := liar.dial(t, ctx, "100", p.sdp("0"), true).response(t); res.StatusCode != gosip.StatusForbidden {
		t.Fatalf("wrong password got %d, want 403", res.StatusCode)
	}
	evs, _ := h.events.snapshot()
	if n := len(slices.DeleteFunc(evs, func(ev acd.Event) bool { return ev.Type != acd.EvEntered })); n != 1 {
		t.Fatalf("%d calls entered the queue, want only the authenticated one", n)
	}
}

// Calls the ACD refuses before answering, each with its status (RFC 3261
// §21) and no trace in the queue.
func TestInviteRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"))
	tests := []struct {
		name   string
		number string
		body   string
		code   int
	}{
		{"unknown number", "999", "sdp:0", gosip.StatusNotFound},
		{"only G.729", "100", "sdp:18", gosip.StatusNotAcceptableHere},
		{"only video", "100", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 4000 RTP/AVP 31\r\n", gosip.StatusNotAcceptableHere},
		{"encrypted media only", "100", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\n", gosip.StatusNotAcceptableHere},
		{"malformed SDP", "100", "this is not SDP\r\n", gosip.StatusBadRequest},
		{"SDP without o= line", "100", "v=0\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", gosip.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			p := h.newPhone(t, "5551234")
			body := []byte(tt.body)
			if f, ok := strings.CutPrefix(tt.body, "sdp:"); ok {
				body = p.sdp(f)
			}
			c := p.dial(t, ctx, tt.number, body, false)
			if res := c.response(t); res.StatusCode != tt.code {
				t.Fatalf("got %q, want %d", res.StartLine(), tt.code)
			}
			evs, _ := h.events.snapshot()
			if types := callTypes(evs, c.callID()); len(types) != 0 {
				t.Fatalf("refused call has events %v", types)
			}
		})
	}
}

// A full queue refuses the next caller with the queue's FullStatus: 486, or
// 503 with Retry-After (RFC 3261 §21.5.4) so a trunk tries elsewhere.
func TestInviteQueueFull(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fullStatus int
		retryAfter time.Duration
		want       string
	}{
		{"486", gosip.StatusBusyHere, 0, ""},
		{"503", gosip.StatusServiceUnavailable, 20 * time.Second, "20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, withTrusted("127.0.0.1/32"), withQueue(func(q *acd.QueueConfig) {
				q.MaxLength, q.FullStatus, q.RetryAfter = 1, tt.fullStatus, tt.retryAfter
			}))
			ctx := testCtx(t)
			first := h.newPhone(t, "5550001")
			queued := first.dial(t, ctx, "100", first.sdp("0"), false)
			if queued.err != nil {
				t.Fatalf("first caller not answered: %v", queued.err)
			}
			second := h.newPhone(t, "5550002")
			c := second.dial(t, ctx, "100", second.sdp("0"), false)
			res := c.response(t)
			if res.StatusCode != tt.fullStatus {
				t.Fatalf("second caller got %q, want %d", res.StartLine(), tt.fullStatus)
			}
			ra := res.GetHeader("Retry-After")
			if (tt.want == "") != (ra == nil) || (ra != nil && ra.Value() != tt.want) {
				t.Fatalf("Retry-After %v, want %q", ra, tt.want)
			}
			evs := h.events.waitFor(t, "rejected", func(evs []acd.Event) bool {
				_, ok := callEvent(evs, c.callID(), acd.EvRejected)
				return ok
			})
			if ev, _ := callEvent(evs, c.callID(), acd.EvRejected); ev.Reason != acd.ReasonQueueFull {
				t.Fatalf("rejected event %+v", ev)
			}
			first.hangup(t, ctx, queued)
			h.events.waitCall(t, queued.callID(), acd.EvAbandoned)
		})
	}
}

// A draining node refuses new calls with 503 and Retry-After, so trunks
// send them to another node.
func TestInviteWhileDraining(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withTrusted("127.0.0.1/32"))
	ctx := testCtx(t)
	h.srv.Drain()
	p := h.newPhone(t, "5551234")
	res := p.dial(t, ctx, "100", p.sdp("0"), false).response(t)
	if res.StatusCode != gosip.StatusServiceUnavailable {
		t.Fatalf("got %q, want 503", res.StartLine())
	}
	if ra := res.GetHeader("Retry-After"); ra == nil || ra.Value() != "30" {
		t.Fatalf("Retry-After %v, want 30", ra)
	}
}

// An overloaded node refuses new calls with 503 and a short Retry-After,
// and takes them again once it has caught up.
func TestInviteWhileOverloaded(t *testing.T) {
	t.Parallel()
	var over atomic.Bool
	over.Store(true)
	h := newHarness(t, withTrusted("127.0.0.1/32"), withSIPConfig(func(c *Config) { c.Overloaded = over.Load }))
	ctx := testCtx(t)
	p := h.newPhone(t, "5551234")
	res := p.dial(t, ctx, "100", p.sdp("0"), false).response(t)
	if res.StatusCode != gosip.StatusServiceUnavailable {
		t.Fatalf("got %q, want 503", res.StartLine())
	}
	if ra := res.GetHeader("Retry-After"); ra == nil || ra.Value() != "2" {
		t.Fatalf("Retry-After %v, want 2", ra)
	}
	over.Store(false)
	c := p.dial(t, ctx, "100", p.sdp("0"), false)
	if c.err != nil || c.final() != gosip.StatusOK {
		t.Fatalf("after the overload: %v (statuses %v), want 200", c.err, c.statuses)
	}
	p.hangup(t, ctx, c)
}

// BYE for a dialog nobody knows gets 481 (RFC 3261 §15.1.2); OPTIONS gets
// 200 with Allow.
func TestByeUnknownAndOptions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := testCtx(t)
	p := h.newPhone(t, "5551234")
	for _, tcp := range []bool{false, true} {
		q := p
		if tcp {
			q = h.newPhone(t, "5551234", overTCP())
		}
		bye := q.newRequest(gosip.BYE, h.uri("acd", tcp), "acd")
		bye.To().Params.Add("tag", "no-such-dialog")
		if res := q.do(t, ctx, bye); res.StatusCode != gosip.StatusCallTransactionDoesNotExists {
			t.Fatalf("tcp=%v: BYE outside any dialog got %q, want 481", tcp, res.StartLine())
		}
		res := q.do(t, ctx, q.newRequest(gosip.OPTIONS, h.uri("100", tcp), "100"))
		if res.StatusCode != 200 {
			t.Fatalf("tcp=%v: OPTIONS got %q", tcp, res.StartLine())
		}
		allow := res.GetHeader("Allow")
		if allow == nil {
			t.Fatal("OPTIONS 200 without Allow")
		}
		for _, m := range []string{"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER"} {
			if !strings.Contains(allow.Value(), m) {
				t.Fatalf("Allow %q lacks %s", allow.Value(), m)
			}
		}
	}
}

func TestCallerNumber(t *testing.T) {
	t.Parallel()
	mk := func(from, pai string) *gosip.Request {
		req := gosip.NewRequest(gosip.INVITE, gosip.Uri{Scheme: "sip", User: "100", Host: "acd"})
		if from != "" {
			var u gosip.Uri
			if err := gosip.ParseUri(from, &u); err != nil {
				t.Fatal(err)
			}
			req.AppendHeader(&gosip.FromHeader{Address: u, Params: gosip.NewParams()})
		}
		if pai != "" {
			req.AppendHeader(gosip.NewHeader("P-Asserted-Identity", pai))
		}
		return req
	}
	tests := []struct {
		from, pai, want string
	}{
		{"sip:5551234@trunk", "", "5551234"},
		{"sip:anonymous@anonymous.invalid", `"Jane" <sip:+15550001@trunk;user=phone>`, "+15550001"},
		{"sip:5551234@trunk", "sip:+15550002@trunk", "+15550002"},
		{"sip:5551234@trunk", "<tel:+15550003>", "5551234"}, // no user part: From wins
		{"sip:5551234@trunk", "garbage <", "5551234"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := callerNumber(mk(tt.from, tt.pai)); got != tt.want {
			t.Errorf("callerNumber(From %q, PAI %q) = %q, want %q", tt.from, tt.pai, got, tt.want)
		}
	}
}
