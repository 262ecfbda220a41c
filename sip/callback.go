package sip

import (
	"context"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/sip/media"
)

// The callback leg: for an offer of a call whose caller asked to be called
// back (acd.Assignment.Callback), there is no caller dialog any more. The
// leg rings the agents like any offer; the agent who answers hears hold
// audio while the ACD dials the caller at the queue's trunk URI (a UAC
// INVITE as for an external URI, forward.go); when the caller answers they
// hear callback-intro and are bridged to the agent. The engine is told of
// each step: CallbackAgentAnswered, CallbackResult, then Ended — exactly
// one of NotAnswered, CallbackResult (not answered) or Ended ends the
// attempt, so the agent is never left Ringing or Busy and the callback
// never left out of the queue without a record.
//
// Both dialogs are ours as UAC, so a BYE from either is answered by the
// outbound dialog cache (RFC 3261 §15.1.2) and noticed here through the
// dialog's context; the engine learns of the end from this goroutine.

// callbackIntroMax bounds the intro played to the caller before the bridge.
const callbackIntroMax = 30 * time.Second

// startCallback runs the callback leg of a on its own goroutine, counted
// in s.calls so shutdown waits for it, and reachable by Drop through
// s.legs until it reports how the attempt ended.
func (s *Server) startCallback(a acd.Assignment) {
	l := newCallerLeg(s, a.Call, media.Remote{})
	l.codec = media.PCMU // offered to both phones; G.711 µ-law is what trunks and phones share
	if _, loaded := s.legs.LoadOrStore(a.Call.ID, l); loaded {
		// A leg of this call is still there (the engine holds a callback
		// until the caller's leg has ended, and a callback leg leaves
		// s.legs before its last report, so this does not happen): refuse.
		s.log.Error("callback offer while a leg of the call lives", "call_id", a.Call.ID)
		go l.reportNoAnswer(a, nil, true)
		return
	}
	s.calls.Add(1)
	go func() {
		defer s.calls.Done()
		defer l.release()
		l.runCallback(a)
	}()
}

// release takes the leg out of s.legs (if still its own entry): before its
// last report to the engine, which may at once offer the call again, as a
// new leg under the same call ID (see run).
func (l *callerLeg) release() { l.s.legs.CompareAndDelete(l.call.ID, l) }

// report runs one report to the engine with its own deadline: one taken
// before a ring (up to the ring timeout) would be spent, and a report
// lost leaves the agent Busy and the callback out of the queue.
func (l *callerLeg) report(what string, f func(ctx context.Context) error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f(ctx); err != nil {
		l.log.Error("report "+what, "err", err)
		return false
	}
	return true
}

// runCallback serves one callback offer to its end.
func (l *callerLeg) runCallback(a acd.Assignment) {
	cb := a.Callback
	l.log = l.log.With("callback", acd.MaskNumber(cb.Number), "attempt", cb.Attempt)
	// The agent sees who asked to be called back (RFC 3261 §20: an
	// extension header the phone may show).
	agent, outcomes, gone := l.ringAll(a, nil, gosip.NewHeader("X-ACD-Callback", cb.Number))
	if agent == nil {
		if gone != "" {
			l.log.Info("callback offer dropped", "reason", gone)
		}
		l.release()
		l.reportNoAnswer(a, outcomes, gone != "")
		return
	}
	// As for a live caller (ringAndTalk), the engine hears of the answer
	// before the agent's 2xx is ACKed.
	if !l.report("callback answer", func(ctx context.Context) error {
		return l.s.engine.CallbackAgentAnswered(ctx, l.call.ID, agent.agent)
	}) {
		l.hangupAgent(*agent)
		l.release()
		l.reportNoAnswer(a, nil, true) // nothing changed in the engine: free the agent, requeue
		return
	}
	l.ack(*agent)
	defer agent.dlg.Close()
	defer agent.rtp.Close()
	go func() { _ = agent.rtp.Run(agent.dlg.Context()) }()

	// The agent waits on hold audio while the caller's phone rings.
	hold, err := media.NewPlayer(l.s.cfg.HoldAudio(), agent.rtp.Sender(), l.codec)
	if err == nil {
		go func() { _ = hold.Run(agent.dlg.Context()) }()
		defer hold.Stop()
	}
	caller, result := l.dialCaller(cb, agent)
	if caller == nil {
		if result != acd.ReasonAgentGone {
			l.byeAgent(*agent)
		}
		l.log.Info("callback attempt failed", "result", result)
		l.release()
		l.report("callback result", func(ctx context.Context) error {
			return l.s.engine.CallbackResult(ctx, l.call.ID, result)
		})
		return
	}
	defer caller.dlg.Close()
	defer caller.rtp.Close()
	if !l.report("callback result", func(ctx context.Context) error {
		return l.s.engine.CallbackResult(ctx, l.call.ID, acd.CallbackAnswered)
	}) {
		l.byeAgent(*agent)
		l.hangupAgent(*caller) // ACK the 2xx, then BYE (RFC 3261 §13.2.2.4)
		return
	}
	l.ack(*caller)
	l.log.Info("callback answered; bridging", "agent", agent.agent)
	reason := l.bridgeCallback(*agent, *caller, hold)
	l.release()
	l.report("callback end", func(ctx context.Context) error { return l.s.engine.Ended(ctx, l.call.ID, reason) })
	l.log.Info("callback ended", "reason", reason)
}

// ack acknowledges an answer we keep (RFC 3261 §13.2.2.4).
func (l *callerLeg) ack(o ringOutcome) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.dlg.Ack(ctx); err != nil {
		l.log.Warn("ack", "to", o.agent, "err", err)
	}
}

// reportNoAnswer tells the engine no agent took the offer; the callback
// goes back to its place in the queue. An offer given up by the ACD
// (cancelled: a drop at shutdown) is held against no agent.
func (l *callerLeg) reportNoAnswer(a acd.Assignment, outcomes []ringOutcome, cancelled bool) {
	results := ringResults(a, outcomes)
	if cancelled {
		for i := range results {
			results[i].Reason = acd.ReasonCancelled
		}
	}
	l.report("no answer", func(ctx context.Context) error { return l.s.engine.NotAnswered(ctx, l.call.ID, results) })
}

// dialCaller INVITEs the caller at the trunk URI while the agent waits.
// From is the queue's number (RFC 3261 §8.1.1.3: the caller sees who calls
// back), To the trunk URI (§8.1.1.2), Contact our own (the dialog client's,
// §8.1.1.8). It returns the answered dialog (not yet ACKed), or nil and
// why the attempt failed: a ring result ("no-answer", "busy", "declined",
// "unreachable"), acd.ReasonAgentGone when the agent hung up meanwhile
// (the INVITE is CANCELled), or the drop reason.
func (l *callerLeg) dialCaller(cb *acd.Callback, agent *ringOutcome) (*ringOutcome, string) {
	// This leg's copy of the call is its own: From is the queue's number
	// from here on (the agent's INVITE carried the caller's).
	if q, ok := l.s.engine.Queue(l.call.Queue); ok {
		l.call.Caller = q.Number
	}
	o, gone := l.dialOut("callback", cb.URI, cb.RingTimeout, agent.dlg.Context().Done(), acd.ReasonAgentGone)
	if gone != "" {
		return nil, gone
	}
	if o.dlg == nil {
		r, _ := classify(o)
		l.log.Info("caller's phone did not answer", "status", o.status, "err", o.err)
		return nil, r
	}
	return &o, ""
}

// bridgeCallback plays callback-intro to the caller, then bridges the two
// like talk, until either hangs up, the engine drops the call or either
// side's RTP falls silent; the other side gets a BYE.
func (l *callerLeg) bridgeCallback(agent, caller ringOutcome, agentHold *media.Player) string {
	go func() { _ = caller.rtp.Run(caller.dlg.Context()) }()
	intro := media.NewOverlay(l.s.cfg.HoldAudio())
	player, err := media.NewPlayer(intro, caller.rtp.Sender(), l.codec)
	if err == nil {
		go func() { _ = player.Run(caller.dlg.Context()) }()
		t := time.NewTimer(callbackIntroMax)
		select {
		case <-intro.Say(l.s.prompt(l.s.language(l.call.Queue), "callback-intro")):
		case <-t.C:
		case <-caller.dlg.Context().Done():
		case <-agent.dlg.Context().Done():
		}
		t.Stop()
		player.Stop()
	}
	if agentHold != nil {
		agentHold.Stop()
	}
	// While bridged, either phone's BYE is recorded (Ended) before its
	// 200 OK, as for a live call (recordEnd): a crash right after the
	// answer cannot lose the completed call.
	agentID, callerID := agent.dlg.InviteRequest.CallID().Value(), caller.dlg.InviteRequest.CallID().Value()
	l.s.agentLegs.Store(agentID, l)
	l.s.calledBack.Store(callerID, l)
	defer l.s.agentLegs.Delete(agentID)
	defer l.s.calledBack.Delete(callerID)
	relay := media.NewRelay(caller.rtp, agent.rtp, media.RelayOptions{Logger: l.log})
	relayCtx, stopRelay := context.WithCancel(context.Background())
	relayDone := make(chan struct{})
	go func() { _ = relay.Run(relayCtx); close(relayDone) }()
	defer func() { stopRelay(); <-relayDone }()
	select {
	case <-caller.dlg.Context().Done():
		l.byeAgent(agent)
		return acd.ReasonCaller
	case <-agent.dlg.Context().Done():
		l.byeAgent(caller)
		return acd.ReasonAgent
	case r := <-l.drops:
		l.byeAgent(agent)
		l.byeAgent(caller)
		return r
	case <-caller.rtp.Done():
		l.byeAgent(agent)
		l.byeAgent(caller)
		return acd.ReasonRTPTimeout
	case <-agent.rtp.Done():
		l.byeAgent(agent)
		l.byeAgent(caller)
		return acd.ReasonRTPTimeout
	}
}
