package sip

import (
	"context"
	"time"

	"github.com/sme/acd/acd"
)

// forwardRingTimeout is how long an external URI an overflow rule names
// may ring before the caller is hung up.
const forwardRingTimeout = 30 * time.Second

// trunkCancelGrace is how long an INVITE through a trunk that is given
// up waits for a provisional response it may CANCEL (waitAnswer).
const trunkCancelGrace = 2 * time.Second

// ReasonForwardFailed ends a caller leg whose external URI did not answer.
const ReasonForwardFailed = "forward-failed"

// forwardTo transfers the call to an external SIP URI (Telephony.Forward):
// it INVITEs the URI with the caller's codec, bridges the answer exactly
// like an agent's (talk) until either side hangs up, and hangs up the
// caller if the URI does not answer within forwardRingTimeout. The engine
// has already let the call go, so the reason returned is only logged.
func (l *callerLeg) forwardTo(uri string) string {
	l.log.Info("forwarding call to external uri", "uri", uri)
	o, gone := l.dialOut(uri, uri, forwardRingTimeout, l.dlg.Context().Done(), acd.ReasonCaller)
	if gone != "" {
		if gone != acd.ReasonCaller {
			l.bye(l.dlg)
		}
		return gone
	}
	if o.dlg == nil {
		l.log.Warn("external uri did not answer; hanging up", "uri", uri, "status", o.status, "err", o.err)
		l.bye(l.dlg)
		return ReasonForwardFailed
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.dlg.Ack(ctx); err != nil {
		l.log.Warn("ack external uri", "uri", uri, "err", err)
	}
	l.log.Info("external uri answered; bridged", "uri", uri)
	reason := l.talk(o)
	l.log.Info("forwarded call ended", "uri", uri, "reason", reason)
	return reason
}

// dialOut INVITEs uri (invite: From the leg's l.call.Caller, To the URI;
// label names it in outcomes and logs)
// and waits up to timeout for its answer, while watching otherGone (the
// party who would be bridged hung up: gone is otherReason) and the
// engine's drops (gone is the drop's reason). Either ends the ring
// context, so the INVITE is CANCELled once it has had a provisional
// response (RFC 3261 §9.1, waitAnswer); a 2xx that crosses the CANCEL is
// ACKed and hung up at once (§13.2.2.4, hangupAgent). It returns the
// outcome, with o.dlg set (not yet ACKed) when answered, or why the call
// was given up.
func (l *callerLeg) dialOut(label, uri string, timeout time.Duration, otherGone <-chan struct{}, otherReason string) (ringOutcome, string) {
	ringCtx, stopRinging := context.WithTimeout(context.Background(), timeout)
	defer stopRinging()
	result := make(chan ringOutcome, 1)
	go func() { result <- l.invite(ringCtx, outgoing{label: label, uri: uri, cancelGrace: trunkCancelGrace}) }()
	var (
		o      ringOutcome
		gone   string
		dropsC = l.drops
	)
	for waiting := true; waiting; {
		select {
		case o = <-result:
			waiting = false
		case <-otherGone:
			otherGone, dropsC = nil, nil
			gone = otherReason
			stopRinging()
		case r := <-dropsC:
			otherGone, dropsC = nil, nil
			gone = r
			stopRinging()
		}
	}
	if gone != "" {
		if o.dlg != nil {
			l.hangupAgent(o) // answered as the other side left
		}
		return ringOutcome{}, gone
	}
	return o, ""
}
