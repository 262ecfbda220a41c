package sip

import (
	"context"
	"errors"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/sip/media"
)

// ringOutcome is how one INVITE to one agent phone ended.
type ringOutcome struct {
	agent  string
	dlg    *sipgo.DialogClientSession
	rtp    *media.Leg
	status int   // final non-2xx status, 0 if none
	err    error // transport error or context end
}

// ringAndTalk rings the assignment's agents (ringAll), bridges the first to
// answer and serves the call until it ends. ended is false when nobody
// answered and the call went back to the queue.
func (l *callerLeg) ringAndTalk(a acd.Assignment) (reason string, ended bool) {
	var headers []gosip.Header
	if h := l.customerHeader(); h != nil {
		headers = append(headers, h)
	}
	winner, outcomes, gone := l.ringAll(a, l.dlg.Context().Done(), headers...)
	if gone != "" {
		if gone != acd.ReasonCaller {
			l.bye(l.dlg)
		}
		return gone, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if winner == nil {
		if err := l.s.engine.NotAnswered(ctx, l.call.ID, ringResults(a, outcomes)); errors.Is(err, acd.ErrUnknownCall) {
			// The caller hung up as the ring timed out: the engine has
			// already ended the call and freed the agents it rang.
			l.log.Debug("report no answer: call already ended", "err", err)
		} else if err != nil {
			l.log.Error("report no answer", "err", err)
		}
		return "", false
	}
	// The connected event is written before the agent's answer is
	// acknowledged, so a crash after the ACK cannot lose it.
	if err := l.s.engine.Answered(ctx, l.call.ID, winner.agent); err != nil {
		l.log.Error("report answer", "err", err)
		l.hangupAgent(*winner)
		l.bye(l.dlg)
		return acd.ReasonShutdown, true
	}
	if err := winner.dlg.Ack(ctx); err != nil {
		l.log.Warn("ack agent", "agent", winner.agent, "err", err)
	}
	return l.talk(*winner), true
}

// ringAll rings every registered phone of the assignment's agents (RFC
// 3261 §16.7 style forking done by us), each INVITE carrying headers, until
// one answers, the ring timeout, or the call is given up: callerGone closes
// (the caller hung up: gone is acd.ReasonCaller) or the engine drops it
// (gone is the drop's reason). Ending the ring context makes each pending
// INVITE send its CANCEL (RFC 3261 §9.1, waitAnswer). The winner is not
// yet ACKed; a phone answering after the winner or after the end is ACKed
// and hung up (RFC 3261 §13.2.2.4), and so is the winner when the call was
// given up: winner is nil whenever gone is set.
func (l *callerLeg) ringAll(a acd.Assignment, callerGone <-chan struct{}, headers ...gosip.Header) (winner *ringOutcome, outcomes []ringOutcome, gone string) {
	ringCtx, stopRinging := context.WithTimeout(context.Background(), a.RingTimeout)
	defer stopRinging()
	results := make(chan ringOutcome)
	n := 0
	for _, t := range a.Targets {
		for _, c := range t.Contacts {
			n++
			go func() { results <- l.inviteAgent(ringCtx, t, c, headers) }()
		}
	}
	for len(outcomes) < n {
		select {
		case o := <-results:
			outcomes = append(outcomes, o)
			if o.dlg != nil && winner == nil && gone == "" {
				winner = &outcomes[len(outcomes)-1]
				stopRinging()
			} else if o.dlg != nil {
				l.hangupAgent(o) // a second phone answered too late
			}
		case <-callerGone:
			callerGone = nil
			if gone == "" {
				gone = acd.ReasonCaller
				stopRinging()
			}
		case r := <-l.drops:
			if gone == "" {
				gone = r
				stopRinging()
			}
		}
	}
	if gone != "" && winner != nil {
		l.hangupAgent(*winner)
		winner = nil
	}
	return winner, outcomes, gone
}

// ringResults says, per agent, why nobody took the call: busy or declined
// beats no-answer beats unreachable, since one phone's answer is what counts.
func ringResults(a acd.Assignment, outcomes []ringOutcome) []acd.RingResult {
	var res []acd.RingResult
	for _, t := range a.Targets {
		reason := acd.ReasonUnreachable
		rank := 0
		for _, o := range outcomes {
			if o.agent != t.Agent.ID {
				continue
			}
			r, k := classify(o)
			if k > rank {
				reason, rank = r, k
			}
		}
		res = append(res, acd.RingResult{Agent: t.Agent.ID, Reason: reason})
	}
	return res
}

func classify(o ringOutcome) (string, int) {
	switch {
	case o.status == gosip.StatusBusyHere || o.status == 600:
		return "busy", 4
	case o.status == 603:
		return "declined", 3
	case o.status == gosip.StatusRequestTerminated, errors.Is(o.err, context.DeadlineExceeded), errors.Is(o.err, context.Canceled):
		return acd.ReasonNoAnswer, 2
	}
	return acd.ReasonUnreachable, 1
}

// hangupAgent ends an agent dialog we will not use and frees its RTP port.
// The answer is ACKed first: a 2xx must always be (RFC 3261 §13.2.2.4).
func (l *callerLeg) hangupAgent(o ringOutcome) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.dlg.Ack(ctx); err != nil {
		l.log.Debug("ack agent", "agent", o.agent, "err", err)
	}
	if err := o.dlg.Bye(ctx); err != nil {
		l.log.Debug("bye agent", "agent", o.agent, "err", err)
	}
	o.dlg.Close()
	if o.rtp != nil {
		o.rtp.Close()
	}
}
