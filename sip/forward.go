package sip

import (
	"context"
	"time"

	"github.com/sme/acd/acd"
)

// forwardRingTimeout is how long an external URI an overflow rule names
// may ring before the caller is hung up.
const forwardRingTimeout = 30 * time.Second

// ReasonForwardFailed ends a caller leg whose external URI did not answer.
const ReasonForwardFailed = "forward-failed"

// forwardTo transfers the call to an external SIP URI (Telephony.Forward):
// it INVITEs the URI with the caller's codec, bridges the answer exactly
// like an agent's (talk) until either side hangs up, and hangs up the
// caller if the URI does not answer within forwardRingTimeout. The engine
// has already let the call go, so the reason returned is only logged.
func (l *callerLeg) forwardTo(uri string) string {
	l.log.Info("forwarding call to external uri", "uri", uri)
	ringCtx, stopRinging := context.WithTimeout(context.Background(), forwardRingTimeout)
	defer stopRinging()
	result := make(chan ringOutcome, 1)
	go func() { result <- l.invite(ringCtx, outgoing{label: uri, uri: uri}) }()
	var (
		o       ringOutcome
		gone    string
		callerC = l.dlg.Context().Done()
		dropsC  = l.drops
	)
	for waiting := true; waiting; {
		select {
		case o = <-result:
			waiting = false
		case <-callerC:
			callerC, dropsC = nil, nil
			gone = acd.ReasonCaller
			stopRinging()
		case r := <-dropsC:
			callerC, dropsC = nil, nil
			gone = r
			stopRinging()
		}
	}
	if gone != "" {
		if o.dlg != nil {
			l.hangupAgent(o) // answered as the caller left
		}
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
