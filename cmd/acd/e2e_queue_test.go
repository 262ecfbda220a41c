package main

// End-to-end tests of queue limits and ring-all: queue full, max wait,
// unknown queue, and every agent rung at once.

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestE2EQueueFull: a full queue refuses the next caller with 486, or with
// 503 and Retry-After where the queue says so, and records it as rejected.
func TestE2EQueueFull(t *testing.T) {
	e2eTest(t)
	busy := queueSpec{Name: "busy", Number: "300", RingTimeout: 2 * time.Second, MaxLength: 1}
	unavailable := queueSpec{Name: "unavailable", Number: "301", RingTimeout: 2 * time.Second, MaxLength: 1,
		FullResponse: 503, RetryAfter: 42 * time.Second}
	acd := startACD(t, noAgentsSpec(busy, unavailable))
	callerRTP := newRTPPeer(t, "caller", callerFill)

	// One caller waits in each queue ...
	var waiting []*sippProc
	for _, q := range []queueSpec{busy, unavailable} {
		waiting = append(waiting, acd.startSipp("waiting-"+q.Name, "caller.xml", acd.sipAddr(),
			"-s", q.Number, "-key", "rtp_port", callerRTP.portArg(), "-d", "2500", "-m", "1"))
	}
	acd.waitEvents("a caller waiting in each queue", 10*time.Second, func(evs []event) bool {
		return len(filterEvents(evs, func(e event) bool { return e.Type == "entered" && e.Queue == busy.Name })) == 1 &&
			len(filterEvents(evs, func(e event) bool { return e.Type == "entered" && e.Queue == unavailable.Name })) == 1
	})
	// ... so the next one is refused.
	refused486 := acd.startSipp("refused-486", "caller_expect_486.xml", acd.sipAddr(),
		"-s", busy.Number, "-key", "rtp_port", callerRTP.portArg(), "-m", "1")
	refused503 := acd.startSipp("refused-503", "caller_expect_503.xml", acd.sipAddr(),
		"-s", unavailable.Number, "-key", "rtp_port", callerRTP.portArg(), "-m", "1")
	refused486.expectSuccess(1)
	refused503.expectSuccess(1)
	if log := refused503.logText(); !strings.Contains(log, "retry-after=42") {
		t.Errorf("503 carried no Retry-After: 42; sipp logged %q", log)
	}
	evs := acd.waitEvents("2 rejected calls", 5*time.Second, func(evs []event) bool { return countType(evs, "rejected") == 2 })
	for _, q := range []string{busy.Name, unavailable.Name} {
		r := filterEvents(evs, func(e event) bool { return e.Type == "rejected" && e.Queue == q })
		if len(r) != 1 || r[0].Reason != "queue-full" {
			t.Errorf("queue %s: rejected events %v, want one with reason queue-full", q, r)
		}
	}
	for _, w := range waiting {
		w.expectSuccess(1)
	}
	acd.waitEvents("2 abandoned calls", 5*time.Second, func(evs []event) bool { return countType(evs, "abandoned") == 2 })
}

// TestE2EMaxWait: a caller nobody answers is hung up by the ACD after the
// queue's max wait and recorded as timed out.
func TestE2EMaxWait(t *testing.T) {
	e2eTest(t)
	q := supportQueue()
	q.MaxWait = 2 * time.Second
	acd := startACD(t, noAgentsSpec(q))
	callerRTP := newRTPPeer(t, "caller", callerFill)
	caller := acd.startSipp("caller", "caller_receives_bye.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-m", "1")
	caller.expectSuccess(1)
	to := acd.waitEvent("timed-out event", 5*time.Second, ofType("timed-out"))
	if to.Reason != "max-wait" {
		t.Errorf("timed-out event %v, want reason max-wait", to)
	}
	if to.WaitMS < 2000 || to.WaitMS > 4000 {
		t.Errorf("timed out after wait_ms %d, want about 2000", to.WaitMS)
	}
	if n := countType(acd.readEvents(), "abandoned"); n != 0 {
		t.Errorf("%d abandoned events besides the time-out", n)
	}
}

// TestE2EUnknownQueue: a number that is no queue gets 404 and leaves no
// call in the event log.
func TestE2EUnknownQueue(t *testing.T) {
	e2eTest(t)
	acd := startACD(t, noAgentsSpec(supportQueue()))
	callerRTP := newRTPPeer(t, "caller", callerFill)
	caller := acd.startSipp("caller", "caller_expect_404.xml", acd.sipAddr(),
		"-s", "999", "-key", "rtp_port", callerRTP.portArg(), "-m", "1")
	caller.expectSuccess(1)
	if evs := acd.readEvents(); len(callEvents(evs)) != 0 {
		t.Errorf("a 404 call left events:\n%s", formatEvents(evs))
	}
}

// TestE2ERingAll: a ring-all queue rings all three agents; the first to
// answer gets the call, the others get a CANCEL and are available again
// without a miss counted.
func TestE2ERingAll(t *testing.T) {
	e2eTest(t)
	q := supportQueue()
	q.Strategy = "ring-all"
	q.RingTimeout = 5 * time.Second
	acd := startACD(t, acdSpec{Queues: []queueSpec{q}, Agents: agentsFor(3, "support"), MaxMisses: 1})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	phones := map[string]*sippProc{
		"1001": acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port()),
		"1002": acd.startAgentUAS("agent-1002", "agent_noanswer.xml", agentRTP.port()),
		"1003": acd.startAgentUAS("agent-1003", "agent_noanswer.xml", agentRTP.port()),
	}
	for _, id := range []string{"1001", "1002", "1003"} {
		acd.register(id, phones[id])
	}
	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "2000", "-m", "1")
	caller.expectSuccess(1)
	evs := acd.waitEvents("completed call", 5*time.Second, func(evs []event) bool { return countType(evs, "completed") == 1 })
	for _, id := range []string{"1001", "1002", "1003"} {
		phones[id].stopAndExpect(1) // 1002 and 1003 only succeed with a CANCEL
	}

	offered := filterEvents(evs, ofType("offered"))
	if len(offered) != 1 || !sameSet(offered[0].Agents, []string{"1001", "1002", "1003"}) {
		t.Errorf("offered events %v, want one naming 1001, 1002 and 1003", offered)
	}
	if c := filterEvents(evs, ofType("connected")); len(c) != 1 || c[0].Agent != "1001" {
		t.Errorf("connected events %v, want one to 1001", c)
	}
	if m := filterEvents(evs, ofType("ring-no-answer")); len(m) != 0 {
		t.Errorf("agents losing the race were counted as misses: %v", m)
	}
	for _, id := range []string{"1002", "1003"} {
		released := filterEvents(evs, func(e event) bool {
			return e.Type == "agent-state" && e.Agent == id && e.State == "available" && e.Reason == "cancel"
		})
		if len(released) != 1 {
			t.Errorf("agent %s: want one release to available by cancel, got %v", id, released)
		}
	}
	// With max_misses 1 a miss would have paused them.
	for _, id := range []string{"1001", "1002", "1003"} {
		acd.waitAgent(id, "available", "", 5*time.Second)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
