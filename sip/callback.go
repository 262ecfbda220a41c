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
// each step: CallbackAgentAnswered, CallbackResult, then Ended.
//
// Both dialogs are ours as UAC, so a BYE from either is answered by the
// outbound dialog cache (RFC 3261 §15.1.2) and noticed here through the
// dialog's context; the engine learns of the end from this goroutine.

// callbackIntroMax bounds the intro played to the caller before the bridge.
const callbackIntroMax = 30 * time.Second

// startCallback runs the callback leg of a on its own goroutine, counted
// in s.calls so shutdown waits for it, and reachable by Drop through
// s.legs while it runs.
func (s *Server) startCallback(a acd.Assignment) {
	l := newCallerLeg(s, a.Call, media.Remote{})
	l.codec = media.PCMU // offered to both phones; G.711 µ-law is what trunks and phones share
	if _, loaded := s.legs.LoadOrStore(a.Call.ID, l); loaded {
		// The caller's old leg has not gone yet (the engine holds a
		// callback until it has, so this does not happen): refuse.
		s.log.Error("callback offer while the caller leg lives", "call_id", a.Call.ID)
		go l.reportNoAnswer(a, nil, true)
		return
	}
	s.calls.Add(1)
	go func() {
		defer s.calls.Done()
		defer s.legs.Delete(a.Call.ID)
		l.runCallback(a)
	}()
}

// runCallback serves one callback offer to its end.
func (l *callerLeg) runCallback(a acd.Assignment) {
	cb := a.Callback
	l.log = l.log.With("callback", acd.MaskNumber(cb.Number), "attempt", cb.Attempt)
	agent, outcomes, gone := l.ringForCallback(a)
	if agent == nil {
		if gone != "" {
			l.log.Info("callback offer dropped", "reason", gone)
		}
		l.reportNoAnswer(a, outcomes, gone != "")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.s.engine.CallbackAgentAnswered(ctx, l.call.ID, agent.agent); err != nil {
		l.log.Error("report callback answer", "err", err)
		l.hangupAgent(*agent)
		return
	}
	if err := agent.dlg.Ack(ctx); err != nil {
		l.log.Warn("ack agent", "agent", agent.agent, "err", err)
	}
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
		if err := l.s.engine.CallbackResult(ctx, l.call.ID, result); err != nil {
			l.log.Error("report callback result", "err", err)
		}
		return
	}
	defer caller.dlg.Close()
	defer caller.rtp.Close()
	if err := l.s.engine.CallbackResult(ctx, l.call.ID, acd.CallbackAnswered); err != nil {
		l.log.Error("report callback result", "err", err)
		l.byeAgent(*agent)
		l.byeAgent(*caller)
		return
	}
	if err := caller.dlg.Ack(ctx); err != nil {
		l.log.Warn("ack caller", "err", err)
	}
	l.log.Info("callback answered; bridging", "agent", agent.agent)
	reason := l.bridgeCallback(*agent, *caller, hold)
	ectx, ecancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer ecancel()
	if err := l.s.engine.Ended(ectx, l.call.ID, reason); err != nil {
		l.log.Error("report callback end", "err", err)
	}
	l.log.Info("callback ended", "reason", reason)
}

// reportNoAnswer tells the engine no agent took the offer; the callback
// goes back to its place in the queue. An offer given up by the ACD
// (cancelled: a drop at shutdown) is held against no agent.
func (l *callerLeg) reportNoAnswer(a acd.Assignment, outcomes []ringOutcome, cancelled bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	results := ringResults(a, outcomes)
	if cancelled {
		for i := range results {
			results[i].Reason = acd.ReasonCancelled
		}
	}
	if err := l.s.engine.NotAnswered(ctx, l.call.ID, results); err != nil {
		l.log.Error("report no answer", "err", err)
	}
}

// ringForCallback rings every phone of the assignment's agents until one
// answers or the ring timeout, like ringAndTalk without a caller to lose;
// a drop (shutdown) cancels the ringing. The winner is not yet ACKed.
func (l *callerLeg) ringForCallback(a acd.Assignment) (*ringOutcome, []ringOutcome, string) {
	ringCtx, stopRinging := context.WithTimeout(context.Background(), a.RingTimeout)
	defer stopRinging()
	results := make(chan ringOutcome)
	n := 0
	header := gosip.NewHeader("X-ACD-Callback", a.Callback.Number)
	for _, t := range a.Targets {
		for _, c := range t.Contacts {
			n++
			go func() {
				results <- l.invite(ringCtx, outgoing{label: t.Agent.ID, uri: c.URI,
					to:        &gosip.Uri{Scheme: "sip", User: t.Agent.Username, Host: l.s.cfg.Advertise},
					transport: c.Transport, source: c.Source, headers: []gosip.Header{header}})
			}()
		}
	}
	var (
		winner   *ringOutcome
		outcomes []ringOutcome
		gone     string
	)
	for len(outcomes) < n {
		select {
		case o := <-results:
			outcomes = append(outcomes, o)
			if o.dlg != nil && winner == nil && gone == "" {
				winner = &outcomes[len(outcomes)-1]
				stopRinging()
			} else if o.dlg != nil {
				l.hangupAgent(o)
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

// dialCaller INVITEs the caller at the trunk URI, From the queue's number
// (the caller sees who calls back), while the agent waits. It returns the
// answered dialog (not yet ACKed), or nil and why the attempt failed: a
// ring result ("no-answer", "busy", "declined", "unreachable"),
// acd.ReasonAgentGone when the agent hung up meanwhile, or the drop reason.
func (l *callerLeg) dialCaller(cb *acd.Callback, agent *ringOutcome) (*ringOutcome, string) {
	ringCtx, stopRinging := context.WithTimeout(context.Background(), cb.RingTimeout)
	defer stopRinging()
	// This leg's copy of the call is its own: From is the queue's number
	// from here on (the agent's INVITE carried the caller's).
	if q, ok := l.s.engine.Queue(l.call.Queue); ok {
		l.call.Caller = q.Number
	}
	result := make(chan ringOutcome, 1)
	go func() { result <- l.invite(ringCtx, outgoing{label: "callback", uri: cb.URI}) }()
	var (
		o      ringOutcome
		gone   string
		agentC = agent.dlg.Context().Done()
		dropsC = l.drops
	)
	for waiting := true; waiting; {
		select {
		case o = <-result:
			waiting = false
		case <-agentC:
			agentC, dropsC = nil, nil
			gone = acd.ReasonAgentGone
			stopRinging()
		case r := <-dropsC:
			agentC, dropsC = nil, nil
			gone = r
			stopRinging()
		}
	}
	if gone != "" {
		if o.dlg != nil {
			l.hangupAgent(o) // answered as the agent left
		}
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
