package sip

import (
	"context"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/sip/media"
)

// talk bridges the caller with the agent who answered and waits for the
// first way the call can end: either side's BYE, a drop by the engine, or
// RTP silence from either peer. It hangs up the other side.
func (l *callerLeg) talk(agent ringOutcome) string {
	l.endWaiting()
	l.hold.Stop()
	agentCallID := agent.dlg.InviteRequest.CallID().Value()
	l.s.agentLegs.Store(agentCallID, l)
	defer l.s.agentLegs.Delete(agentCallID)
	relay := media.NewRelay(l.rtp, agent.rtp, media.RelayOptions{Logger: l.log})
	defer agent.rtp.Close()
	defer agent.dlg.Close()
	go func() { _ = agent.rtp.Run(agent.dlg.Context()) }()
	relayCtx, stopRelay := context.WithCancel(context.Background())
	relayDone := make(chan struct{})
	go func() { _ = relay.Run(relayCtx); close(relayDone) }()
	defer func() { stopRelay(); <-relayDone }()
	var reason string
	select {
	case <-l.dlg.Context().Done():
		reason = acd.ReasonCaller
		l.byeAgent(agent)
	case <-agent.dlg.Context().Done():
		reason = acd.ReasonAgent
		l.bye(l.dlg)
	case r := <-l.drops:
		reason = r
		l.byeAgent(agent)
		l.bye(l.dlg)
	case <-l.rtp.Done():
		reason = acd.ReasonRTPTimeout
		l.byeAgent(agent)
		l.bye(l.dlg)
	case <-agent.rtp.Done():
		reason = acd.ReasonRTPTimeout
		l.byeAgent(agent)
		l.bye(l.dlg)
	}
	return reason
}

func (l *callerLeg) byeAgent(o ringOutcome) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.dlg.Bye(ctx); err != nil {
		l.log.Debug("bye agent", "agent", o.agent, "err", err)
	}
}
