package main

// End-to-end test of graceful shutdown on SIGTERM.

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2EGracefulShutdown: on SIGTERM the ACD refuses new calls with 503,
// lets the call in progress finish, then exits 0 saying "acd: stopped".
func TestE2EGracefulShutdown(t *testing.T) {
	e2eTest(t)
	acd := startACD(t, acdSpec{Queues: []queueSpec{supportQueue()}, Agents: agentsFor(1, "support"), ShutdownGrace: 15 * time.Second})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	agent := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", agent)

	inProgress := acd.startSipp("in-progress", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "3000", "-m", "1")
	acd.waitEvent("connected call", 5*time.Second, ofType("connected"))

	acd.signal(syscall.SIGTERM)
	acd.waitStderr("shutting down", 5*time.Second)
	refused := acd.startSipp("refused", "caller_expect_503.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-m", "1")
	refused.expectSuccess(1)
	if log := refused.logText(); !strings.Contains(log, "retry-after=") {
		t.Errorf("503 while shutting down had no Retry-After; sipp logged %q", log)
	}

	inProgress.expectSuccess(1)
	if code := acd.wait(10 * time.Second); code != 0 {
		t.Errorf("acd exited %d after SIGTERM, want 0", code)
	}
	if out := acd.stdout.text(); !strings.Contains(out, "acd: stopped\n") {
		t.Errorf("acd stdout lacks \"acd: stopped\":\n%s", out)
	}
	evs := acd.readEvents()
	done := filterEvents(evs, ofType("completed"))
	if len(done) != 1 || done[0].Reason != "caller" {
		t.Errorf("completed events %v, want the call in progress completed by the caller", done)
	}
	if n := countType(evs, "entered"); n != 1 {
		t.Errorf("%d calls entered a queue, want only the one before the shutdown", n)
	}
	agent.stopAndExpect(1)
}
