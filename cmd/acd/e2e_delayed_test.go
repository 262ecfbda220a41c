package main

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestE2EDelayedOffer: sipp calls like a trunk that sends INVITEs without
// SDP (RFC 3261 §13.2.1). The ACD's 200 OK must carry its offer (sipp
// checks the m= line), the answer comes in the ACK, and the calls are
// routed and bridged with audio both ways like any other.
func TestE2EDelayedOffer(t *testing.T) {
	e2eTest(t)
	const calls = 2
	acd := startACD(t, acdSpec{Queues: []queueSpec{supportQueue()}, Agents: agentsFor(1, "support")})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	u := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", u)

	caller := acd.startSipp("caller", "caller_delayed.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "1500", "-m", fmt.Sprint(calls), "-r", "1", "-l", "1")
	caller.expectSuccess(calls)
	evs := acd.waitEvents(fmt.Sprintf("%d completed calls", calls), 10*time.Second, func(evs []event) bool {
		return countType(evs, "completed") == calls
	})
	for id, ce := range callEvents(evs) {
		if got, want := types(ce), []string{"entered", "offered", "connected", "completed"}; !slices.Equal(got, want) {
			t.Errorf("call %s: events %v, want %v", id, got, want)
		}
	}
	callerRTP.close()
	agentRTP.close()
	for _, s := range callerRTP.snapshot() {
		if n := len(filterRx(s.Rx, agentFill)); n == 0 {
			t.Errorf("caller leg %v heard none of the agent's audio", s.From)
		}
	}
	for _, s := range agentRTP.snapshot() {
		if n := len(filterRx(s.Rx, callerFill)); n == 0 {
			t.Errorf("agent leg %v heard none of the caller's audio", s.From)
		}
	}
	if n := len(callerRTP.snapshot()); n != calls {
		t.Errorf("caller side heard %d RTP streams, want %d", n, calls)
	}
	acd.waitAgent("1001", "available", "", 5*time.Second)
}
