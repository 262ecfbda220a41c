package sip

import (
	"context"
	"errors"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/sip/media"
)

// inviteAgent rings one phone of an agent, with headers, and waits for its
// answer until ctx ends (ring timeout, another phone answered, or the
// caller left); then WaitAnswer sends CANCEL (RFC 3261 §9.1). On answer it
// returns the dialog, not yet ACKed, with the agent-facing RTP leg pointed
// at the phone.
func (l *callerLeg) inviteAgent(ctx context.Context, t acd.Target, c acd.Contact, headers []gosip.Header) ringOutcome {
	return l.invite(ctx, outgoing{label: t.Agent.ID, uri: c.URI,
		to:        &gosip.Uri{Scheme: "sip", User: t.Agent.Username, Host: l.s.cfg.Advertise},
		transport: c.Transport, source: c.Source, headers: headers})
}

// outgoing is one INVITE the caller leg sends on the caller's behalf: to
// an agent's phone, or to an external URI an overflow rule names.
type outgoing struct {
	label     string     // the agent ID or the URI, for outcomes and logs
	uri       string     // the Request-URI
	to        *gosip.Uri // the To address; nil: the Request-URI
	transport string     // "" lets the client choose
	source    string     // over TCP, the phone's own connection
	headers   []gosip.Header
	// cancelGrace: see waitAnswer; 0 for agents' phones.
	cancelGrace time.Duration
}

// invite sends one INVITE offering the caller's codec, from the caller's
// number, and waits for its answer until ctx ends; then WaitAnswer sends
// CANCEL (RFC 3261 §9.1). On answer it returns the dialog, not yet ACKed,
// with the callee-facing RTP leg pointed at the callee.
func (l *callerLeg) invite(ctx context.Context, o outgoing) ringOutcome {
	out := ringOutcome{agent: o.label}
	var uri gosip.Uri
	if err := gosip.ParseUri(o.uri, &uri); err != nil {
		out.err = err
		return out
	}
	conn, err := l.s.ports.ListenUDP(l.s.rtpIP)
	if err != nil {
		out.err = err
		return out
	}
	local := netip.AddrPortFrom(l.s.rtpIP, conn.Port())
	offer := media.BuildSDP(local, uint64(time.Now().UnixNano()), []media.Codec{l.codec}, media.DefaultTelephoneEventPT)
	req := gosip.NewRequest(gosip.INVITE, uri)
	req.SetBody(offer)
	req.AppendHeader(gosip.NewHeader("Content-Type", "application/sdp"))
	from := &gosip.FromHeader{DisplayName: l.displayName(),
		Address: gosip.Uri{Scheme: "sip", User: nonEmpty(l.call.Caller, "anonymous"), Host: l.s.cfg.Advertise},
		Params:  gosip.NewParams()}
	from.Params.Add("tag", gosip.GenerateTagN(16))
	req.AppendHeader(from)
	to := uri
	if o.to != nil {
		to = *o.to
	}
	// The To header carries no URI parameters of the Request-URI.
	req.AppendHeader(&gosip.ToHeader{Address: gosip.Uri{Scheme: to.Scheme, User: to.User, Host: to.Host, Port: to.Port}})
	req.AppendHeader(gosip.NewHeader("X-ACD-Queue", l.call.Queue))
	for _, h := range o.headers {
		req.AppendHeader(h)
	}
	if o.transport != "" {
		req.SetTransport(o.transport)
	}
	if o.transport == "tcp" && o.source != "" {
		// Over TCP, reuse the phone's own connection (RFC 5626 §5): a
		// phone's Contact port is rarely listening for new connections.
		req.SetDestination(o.source)
	}
	outbound := l.s.outbound
	if o.transport == "tcp" && l.s.outboundTCP != nil {
		outbound = l.s.outboundTCP
	}
	dlg, err := outbound.WriteInvite(ctx, req)
	if err != nil {
		conn.Close()
		out.err = err
		return out
	}
	err = waitAnswer(ctx, dlg, o.cancelGrace)
	var dr *sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &dr):
		out.status = dr.Res.StatusCode
		out.err = err
	case err != nil:
		out.err = err
		if ctx.Err() != nil {
			out.err = ctx.Err()
		}
	}
	if err != nil {
		if r := dlg.InviteResponse; r != nil && r.IsSuccess() {
			// The callee answered as we gave up: the 2xx crossed our
			// CANCEL (RFC 3261 §9.1). It must still be ACKed (§13.2.2.4),
			// then the call ended with a BYE (§15), or the callee would
			// sit in a call with nobody until its 2xx retransmissions
			// time out.
			l.hangupAgent(ringOutcome{agent: o.label, dlg: dlg})
		}
		dlg.Close()
		conn.Close()
		return out
	}
	// The ACK is sent by the caller of invite once the connected event
	// is in the log (or right before hanging up an answer we do not use).
	remote, err := media.ParseOffer(dlg.InviteResponse.Body())
	if err == nil {
		_, err = media.Negotiate(remote)
	}
	if err != nil {
		// Answered without usable SDP: hang up and treat as unreachable.
		conn.Close()
		out.dlg = dlg
		l.hangupAgent(out)
		return ringOutcome{agent: o.label, err: err}
	}
	out.dlg, out.rtp = dlg, l.s.newLeg(conn, remote, l.codec, l.log.With("agent", o.label), nil)
	return out
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// waitAnswer waits for the phone's final response until ctx ends, then
// sends CANCEL (RFC 3261 §9.1). A callee that has not sent a provisional
// response cannot be cancelled yet (§9.1), and sipgo then waits for the
// INVITE's timer B (32 s): a registered phone that is gone would hold the
// caller that long past the ring timeout, and on a ring-all queue hold up
// the agent who answered. So without a provisional response by then, the
// INVITE is given up at once (grace 0, agents' phones), or after grace
// (trunks, which answer 100 Trying within milliseconds): a provisional
// response within grace is CANCELled as usual, so the callee does not go
// on ringing for nobody.
func waitAnswer(ctx context.Context, dlg *sipgo.DialogClientSession, grace time.Duration) error {
	var provisional atomic.Bool
	waitCtx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stop := context.AfterFunc(ctx, func() {
		if provisional.Load() {
			cancel(context.Cause(ctx))
			return
		}
		if grace <= 0 {
			cancel(sipgo.WaitAnswerForceCancelErr)
			return
		}
		t := time.AfterFunc(grace, func() { cancel(sipgo.WaitAnswerForceCancelErr) })
		context.AfterFunc(waitCtx, func() { t.Stop() })
	})
	defer stop()
	return dlg.WaitAnswer(waitCtx, sipgo.AnswerOptions{OnResponse: func(r *gosip.Response) error {
		if r.IsProvisional() {
			provisional.Store(true)
			if ctx.Err() != nil {
				cancel(context.Cause(ctx)) // given up before it came: CANCEL now
			}
		}
		return nil
	}})
}
