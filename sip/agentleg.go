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

// inviteAgent rings one phone of an agent and waits for its answer until
// ctx ends (ring timeout, another phone answered, or the caller left); then
// WaitAnswer sends CANCEL (RFC 3261 §9.1). On answer it returns the dialog,
// not yet ACKed, with the agent-facing RTP leg pointed at the phone.
func (l *callerLeg) inviteAgent(ctx context.Context, t acd.Target, c acd.Contact) ringOutcome {
	out := ringOutcome{agent: t.Agent.ID}
	var uri gosip.Uri
	if err := gosip.ParseUri(c.URI, &uri); err != nil {
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
	req.AppendHeader(&gosip.ToHeader{Address: gosip.Uri{Scheme: "sip", User: t.Agent.Username, Host: l.s.cfg.Advertise}})
	req.AppendHeader(gosip.NewHeader("X-ACD-Queue", l.call.Queue))
	if h := l.customerHeader(); h != nil {
		req.AppendHeader(h)
	}
	if c.Transport != "" {
		req.SetTransport(c.Transport)
	}
	if c.Transport == "tcp" && c.Source != "" {
		// Over TCP, reuse the phone's own connection (RFC 5626 §5): a
		// phone's Contact port is rarely listening for new connections.
		req.SetDestination(c.Source)
	}
	outbound := l.s.outbound
	if c.Transport == "tcp" && l.s.outboundTCP != nil {
		outbound = l.s.outboundTCP
	}
	dlg, err := outbound.WriteInvite(ctx, req)
	if err != nil {
		conn.Close()
		out.err = err
		return out
	}
	err = waitAnswer(ctx, dlg)
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
		dlg.Close()
		conn.Close()
		return out
	}
	// The ACK is sent by the caller of inviteAgent once the connected event
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
		return ringOutcome{agent: t.Agent.ID, err: err}
	}
	out.dlg, out.rtp = dlg, l.s.newLeg(conn, remote, l.codec, l.log.With("agent", t.Agent.ID))
	return out
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// waitAnswer waits for the phone's final response until ctx ends, then
// sends CANCEL (RFC 3261 §9.1). A phone that has not sent a provisional
// response cannot be cancelled yet, and sipgo then waits for the INVITE's
// timer B (32 s): a registered phone that is gone would hold the caller
// that long past the ring timeout, and on a ring-all queue hold up the
// agent who answered. Such a phone is given up at once instead.
func waitAnswer(ctx context.Context, dlg *sipgo.DialogClientSession) error {
	var provisional atomic.Bool
	waitCtx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stop := context.AfterFunc(ctx, func() {
		if provisional.Load() {
			cancel(context.Cause(ctx))
			return
		}
		cancel(sipgo.WaitAnswerForceCancelErr)
	})
	defer stop()
	return dlg.WaitAnswer(waitCtx, sipgo.AnswerOptions{OnResponse: func(r *gosip.Response) error {
		if r.IsProvisional() {
			provisional.Store(true)
		}
		return nil
	}})
}
