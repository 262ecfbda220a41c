package main

// End-to-end tests: the real acd binary (built with -race by TestMain)
// driven by sipp over 127.0.0.1. See e2e_harness_test.go for how the binary
// and sipp are run, e2e_rtp_test.go for the RTP peers, and testdata/sipp/
// for the scenarios. Run them with
//
//	go test -race -count=1 -run E2E ./cmd/acd/

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// callEvents groups the call events of the log by call id (call records,
// which sum a call up after its events, are left out).
func callEvents(evs []event) map[string][]event {
	out := map[string][]event{}
	for _, e := range evs {
		if e.CallID != "" && e.Type != "agent-state" && e.Type != "call-record" {
			out[e.CallID] = append(out[e.CallID], e)
		}
	}
	return out
}

func types(evs []event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// TestE2EAnsweredCallsWithRTP: two agents answer six callers; every call is
// connected and completed by the caller, the audio is relayed both ways as
// one continuous stream after the hold audio, and the agents end available.
func TestE2EAnsweredCallsWithRTP(t *testing.T) {
	e2eTest(t)
	const calls = 6
	acd := startACD(t, acdSpec{Queues: []queueSpec{supportQueue()}, Agents: agentsFor(2, "support")})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)

	var uas []*sippProc
	for _, id := range []string{"1001", "1002"} {
		u := acd.startAgentUAS("agent-"+id, "agent_answer.xml", agentRTP.port())
		acd.register(id, u)
		uas = append(uas, u)
	}
	// At most two calls at once (-l 2), so every caller reaches an agent
	// well within the 1.5 s the caller stays after being answered.
	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "1500", "-m", fmt.Sprint(calls), "-r", "2", "-l", "2")
	caller.expectSuccess(calls)

	evs := acd.waitEvents(fmt.Sprintf("%d completed calls", calls), 10*time.Second, func(evs []event) bool {
		return countType(evs, "completed") == calls
	})
	successful := 0
	for _, u := range uas {
		u.stop()
		st := u.stats()
		if st.Failed != 0 || u.exitCode != 0 {
			t.Errorf("agent sipp %s: %d failed calls, exit %d%s", u.name, st.Failed, u.exitCode, u.diagnostics())
		}
		successful += st.Successful
	}
	if successful != calls {
		t.Errorf("agents' sipp counted %d successful calls, want %d", successful, calls)
	}

	byCall := callEvents(evs)
	if len(byCall) != calls {
		t.Fatalf("events name %d calls, want %d:\n%s", len(byCall), calls, formatEvents(evs))
	}
	for id, ce := range byCall {
		if got, want := types(ce), []string{"entered", "offered", "connected", "completed"}; !slices.Equal(got, want) {
			t.Errorf("call %s: events %v, want %v", id, got, want)
			continue
		}
		if r := ce[3].Reason; r != "caller" {
			t.Errorf("call %s: completed with reason %q, want caller", id, r)
		}
		if ce[2].Agent == "" || ce[2].Agent != ce[3].Agent || !slices.Contains(ce[1].Agents, ce[2].Agent) {
			t.Errorf("call %s: offered to %v, connected to %q, completed by %q", id, ce[1].Agents, ce[2].Agent, ce[3].Agent)
		}
		// The caller hangs up 1.5 s after the ACD answered it (which is
		// after the call entered the queue); the agent's phone rang 200 ms.
		if w, talk := ce[2].WaitMS, ce[3].TalkMS; w < 200 || talk <= 0 || w+talk < 1490 || w+talk > 5000 {
			t.Errorf("call %s: waited %d ms and talked %d ms, want at least 200 ms and 1.5 s in all", id, w, talk)
		}
	}

	// RTP: every call has ended, so every relayed packet has arrived.
	callerRTP.close()
	agentRTP.close()
	callerStreams, agentStreams := callerRTP.snapshot(), agentRTP.snapshot()
	if len(callerStreams) != calls {
		t.Errorf("caller side heard %d RTP streams, want one per call (%d)", len(callerStreams), calls)
	}
	for _, s := range callerStreams {
		if err := checkCallerLeg(s, 5); err != nil {
			t.Errorf("caller side: %v", err)
		}
	}
	if len(agentStreams) != calls {
		t.Errorf("agent side heard %d RTP streams, want one per call (%d)", len(agentStreams), calls)
	}
	for _, s := range agentStreams {
		if err := checkAgentLeg(s, 5); err != nil {
			t.Errorf("agent side: %v", err)
		}
	}
	for _, s := range callerStreams {
		relayed := len(filterRx(s.Rx, agentFill))
		t.Logf("caller leg %v: %d packets of hold audio then %d of the agent's; sent %d", s.From, len(s.Rx)-relayed, relayed, s.Sent)
	}
	for _, s := range agentStreams {
		t.Logf("agent leg %v: %d packets of the caller's audio; sent %d", s.From, len(filterRx(s.Rx, callerFill)), s.Sent)
	}

	for _, id := range []string{"1001", "1002"} {
		acd.waitAgent(id, "available", "", 5*time.Second)
	}
}

// noAgentsSpec is an ACD whose only agent never registers.
func noAgentsSpec(queues ...queueSpec) acdSpec {
	var names []string
	for _, q := range queues {
		names = append(names, q.Name)
	}
	return acdSpec{Queues: queues, Agents: agentsFor(1, names...)}
}

// TestE2EAbandonWhileQueued: with no agent logged in, a caller who hangs up
// after a second of hold audio is recorded as abandoned by the caller.
func TestE2EAbandonWhileQueued(t *testing.T) {
	e2eTest(t)
	acd := startACD(t, noAgentsSpec(supportQueue()))
	callerRTP := newRTPPeer(t, "caller", callerFill)
	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "1000", "-m", "1")
	caller.expectSuccess(1)

	ab := acd.waitEvent("abandoned event", 5*time.Second, ofType("abandoned"))
	if ab.Reason != "caller" || ab.Queue != "support" {
		t.Errorf("abandoned event %v, want reason caller in queue support", ab)
	}
	checkWait(t, ab, time.Second, caller.stats().ResponseTime1)
	evs := acd.readEvents()
	if got, want := types(callEvents(evs)[ab.CallID]), []string{"entered", "abandoned"}; !slices.Equal(got, want) {
		t.Errorf("call events %v, want %v", got, want)
	}
	callerRTP.close()
	if s := callerRTP.snapshot(); len(s) != 1 {
		t.Errorf("caller heard %d RTP streams, want one of hold audio", len(s))
	} else if err := checkContinuous(s[0]); err != nil || len(filterRx(s[0].Rx, agentFill)) != 0 {
		t.Errorf("caller's hold audio: %v (%d packets, %d of them an agent's)", err, len(s[0].Rx), len(filterRx(s[0].Rx, agentFill)))
	}
}

// TestE2EAbandonWhileRinging: the caller hangs up while the only agent's
// phone rings; the phone gets a CANCEL, the call is abandoned (not a miss)
// and the agent is available again.
func TestE2EAbandonWhileRinging(t *testing.T) {
	e2eTest(t)
	q := supportQueue()
	q.RingTimeout = 10 * time.Second
	acd := startACD(t, acdSpec{Queues: []queueSpec{q}, Agents: agentsFor(1, "support")})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	agent := acd.startAgentUAS("agent-1001", "agent_noanswer.xml", agentRTP.port())
	acd.register("1001", agent)

	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "1500", "-m", "1")
	caller.expectSuccess(1)
	ab := acd.waitEvent("abandoned event", 5*time.Second, ofType("abandoned"))
	if ab.Reason != "caller" || !slices.Equal(ab.Agents, []string{"1001"}) {
		t.Errorf("abandoned event %v, want reason caller while agent 1001 rang", ab)
	}
	checkWait(t, ab, 1500*time.Millisecond, caller.stats().ResponseTime1)
	acd.waitEvent("agent 1001 released by the cancel", 5*time.Second, func(e event) bool {
		return e.Type == "agent-state" && e.Agent == "1001" && e.State == "available" && e.Reason == "cancel"
	})
	acd.waitAgent("1001", "available", "", 5*time.Second)
	// The phone's scenario succeeds only if the CANCEL reached it.
	agent.stopAndExpect(1)
	evs := acd.readEvents()
	if got, want := types(callEvents(evs)[ab.CallID]), []string{"entered", "offered", "abandoned"}; !slices.Equal(got, want) {
		t.Errorf("call events %v, want %v", got, want)
	}
}

// TestE2EAgentNoAnswer: agent 1001 never answers, 1002 does. Each call
// rings 1001 first (longest idle), goes to 1002 after the ring timeout, and
// after two misses in a row 1001 is paused with reason no-answer.
func TestE2EAgentNoAnswer(t *testing.T) {
	e2eTest(t)
	q := supportQueue()
	q.RingTimeout = time.Second
	acd := startACD(t, acdSpec{Queues: []queueSpec{q}, Agents: agentsFor(2, "support"), MaxMisses: 2})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	noAnswer := acd.startAgentUAS("agent-1001", "agent_noanswer.xml", agentRTP.port())
	answer := acd.startAgentUAS("agent-1002", "agent_answer.xml", agentRTP.port())
	acd.register("1001", noAnswer) // first: the longest idle
	acd.register("1002", answer)

	// One call at a time: 1 s ringing 1001, 0.2 s ringing 1002, then talk.
	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "3000", "-m", "2", "-l", "1")
	caller.expectSuccess(2)
	evs := acd.waitEvents("2 completed calls", 5*time.Second, func(evs []event) bool { return countType(evs, "completed") == 2 })
	noAnswer.stopAndExpect(2)
	answer.stopAndExpect(2)

	byCall := callEvents(evs)
	if len(byCall) != 2 {
		t.Fatalf("events name %d calls, want 2", len(byCall))
	}
	for id, ce := range byCall {
		want := []string{"entered", "offered", "ring-no-answer", "offered", "connected", "completed"}
		if got := types(ce); !slices.Equal(got, want) {
			t.Errorf("call %s: events %v, want %v", id, got, want)
			continue
		}
		if !slices.Equal(ce[1].Agents, []string{"1001"}) || ce[2].Agent != "1001" || ce[2].Reason != "no-answer" {
			t.Errorf("call %s: first offer %v, then %v; want 1001 rung without answer", id, ce[1], ce[2])
		}
		if !slices.Equal(ce[3].Agents, []string{"1002"}) || ce[4].Agent != "1002" || ce[5].Reason != "caller" {
			t.Errorf("call %s: second offer %v, then %v, %v; want 1002 to answer and the caller to hang up", id, ce[3], ce[4], ce[5])
		}
		if ce[4].Attempts != 2 || ce[4].WaitMS < 1000 {
			t.Errorf("call %s: connected after %d attempts and %d ms, want 2 attempts and over the 1 s ring timeout", id, ce[4].Attempts, ce[4].WaitMS)
		}
	}
	paused := filterEvents(evs, func(e event) bool { return e.Type == "agent-state" && e.State == "paused" })
	if len(paused) != 1 || paused[0].Agent != "1001" || paused[0].Reason != "no-answer" {
		t.Errorf("pause events %v, want one: 1001 paused with reason no-answer", paused)
	}
	// The pause came with the second miss, not the first.
	misses := filterEvents(evs, ofType("ring-no-answer"))
	if len(misses) != 2 || len(paused) == 1 && paused[0].Time.Before(misses[1].Time) {
		t.Errorf("misses %v and pause %v, want the pause after the second miss", misses, paused)
	}
	agents := acd.apiAgents()
	if a := agents["1001"]; a.State != "paused" || a.PauseReason != "no-answer" {
		t.Errorf("API shows 1001 %+v, want paused with reason no-answer", a)
	}
	acd.waitAgent("1002", "available", "", 5*time.Second)
}

// TestE2EUnreachablePhone: agent 1001's phone is registered but gone (no
// answer at all, not even 100 Trying). The call must go on to agent 1002
// once the ring timeout passes, not after SIP's 32 s INVITE timeout.
func TestE2EUnreachablePhone(t *testing.T) {
	e2eTest(t)
	q := supportQueue()
	q.RingTimeout = time.Second
	acd := startACD(t, acdSpec{Queues: []queueSpec{q}, Agents: agentsFor(2, "support")})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	r := acd.startSipp("register-1001", "agent_register.xml", acd.sipAddr(),
		"-s", "1001", "-au", "1001", "-ap", "pw-1001", "-key", "contact_port", fmt.Sprint(freePort(t)), "-m", "1")
	r.expectSuccess(1) // first: the longest idle
	acd.waitAgent("1001", "available", "", 5*time.Second)
	answer := acd.startAgentUAS("agent-1002", "agent_answer.xml", agentRTP.port())
	acd.register("1002", answer)

	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "3000", "-m", "1")
	caller.expectSuccess(1)
	evs := acd.waitEvents("completed call", 5*time.Second, func(evs []event) bool { return countType(evs, "completed") == 1 })
	answer.stopAndExpect(1)
	byCall := callEvents(evs)
	if len(byCall) != 1 {
		t.Fatalf("events name %d calls, want 1", len(byCall))
	}
	for id, ce := range byCall {
		want := []string{"entered", "offered", "ring-no-answer", "offered", "connected", "completed"}
		if got := types(ce); !slices.Equal(got, want) {
			t.Fatalf("call %s: events %v, want %v", id, got, want)
		}
		if ce[2].Agent != "1001" || ce[4].Agent != "1002" {
			t.Errorf("call %s: missed by %q and connected to %q, want 1001 and 1002", id, ce[2].Agent, ce[4].Agent)
		}
		// 1 s ring timeout, 200 ms ringing 1002, and slack for a loaded machine.
		if w := ce[4].WaitMS; w < 1200 || w > 3000 {
			t.Errorf("call %s: connected after %d ms, want about 1200 (the ring timeout, then 1002)", id, w)
		}
	}
}

// TestE2EAgentHangsUp: the agent hangs up first; the ACD sends the caller a
// BYE and records the call completed by the agent.
func TestE2EAgentHangsUp(t *testing.T) {
	e2eTest(t)
	acd := startACD(t, acdSpec{Queues: []queueSpec{supportQueue()}, Agents: agentsFor(1, "support")})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	agent := acd.startAgentUAS("agent-1001", "agent_hangup.xml", agentRTP.port(), "-d", "500")
	acd.register("1001", agent)

	caller := acd.startSipp("caller", "caller_receives_bye.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-m", "1")
	caller.expectSuccess(1)
	done := acd.waitEvent("completed event", 5*time.Second, ofType("completed"))
	if done.Reason != "agent" || done.Agent != "1001" {
		t.Errorf("completed event %v, want reason agent by 1001", done)
	}
	if done.TalkMS < 500 || done.TalkMS > 2500 {
		t.Errorf("talk_ms %d, want about 500", done.TalkMS)
	}
	agent.stopAndExpect(1)
	acd.waitAgent("1001", "available", "", 5*time.Second)
}

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

// TestE2EWrongPassword: a wrong password and an unknown user both get 403
// after the digest retry and log nobody in; the right password then does.
func TestE2EWrongPassword(t *testing.T) {
	e2eTest(t)
	acd := startACD(t, acdSpec{Queues: []queueSpec{supportQueue()}, Agents: agentsFor(1, "support")})
	contact := fmt.Sprint(freePort(t))
	wrong := acd.startSipp("wrong-password", "agent_register_bad.xml", acd.sipAddr(),
		"-s", "1001", "-au", "1001", "-ap", "not-the-password", "-key", "contact_port", contact, "-m", "1")
	unknown := acd.startSipp("unknown-user", "agent_register_bad.xml", acd.sipAddr(),
		"-s", "9999", "-au", "9999", "-ap", "pw-1001", "-key", "contact_port", contact, "-m", "1")
	wrong.expectSuccess(1)
	unknown.expectSuccess(1)
	if evs := filterEvents(acd.readEvents(), ofType("agent-state")); len(evs) != 0 {
		t.Errorf("refused registrations changed agent states:\n%s", formatEvents(evs))
	}
	if a := acd.apiAgents()["1001"]; a.State != "offline" || a.Contacts == nil || *a.Contacts != 0 {
		t.Errorf("API shows 1001 %+v after refused registrations, want offline without phones", a)
	}

	// The control: the right password logs the agent in, and that is the
	// only agent-state event.
	uas := acd.startAgentUAS("agent-1001", "agent_answer.xml", freePort(t))
	acd.register("1001", uas)
	logins := filterEvents(acd.readEvents(), ofType("agent-state"))
	if len(logins) != 1 || logins[0].Agent != "1001" || logins[0].Reason != "login" {
		t.Errorf("agent-state events %v, want one login of 1001", logins)
	}
	uas.stopAndExpect(0)
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

// TestE2EFeatureCodes: an agent's phone dials *73 and *74, authenticating
// the INVITE after a 401; the ACD answers, hangs up, and pauses ("break")
// and unpauses the agent.
func TestE2EFeatureCodes(t *testing.T) {
	e2eTest(t)
	acd := startACD(t, acdSpec{Queues: []queueSpec{supportQueue()}, Agents: agentsFor(1, "support")})
	rtpPeer := newRTPPeer(t, "phone", agentFill)
	uas := acd.startAgentUAS("agent-1001", "agent_answer.xml", rtpPeer.port())
	acd.register("1001", uas)

	dial := func(code string) {
		t.Helper()
		s := acd.startSipp("dial-"+strings.TrimPrefix(code, "*"), "agent_feature.xml", acd.sipAddr(),
			"-s", code, "-au", "1001", "-ap", "pw-1001", "-key", "rtp_port", rtpPeer.portArg(), "-m", "1")
		s.expectSuccess(1)
	}
	dial("*73")
	acd.waitAgent("1001", "paused", "break", 5*time.Second)
	acd.waitEvent("pause event", 5*time.Second, func(e event) bool {
		return e.Type == "agent-state" && e.Agent == "1001" && e.State == "paused" && e.Reason == "break"
	})
	dial("*74")
	acd.waitAgent("1001", "available", "", 5*time.Second)
	acd.waitEvent("unpause event", 5*time.Second, func(e event) bool {
		return e.Type == "agent-state" && e.Agent == "1001" && e.State == "available" && e.Reason == "unpause"
	})
	uas.stopAndExpect(0)
}

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

// checkWait checks the wait_ms of a call the caller gave up on after
// holding for hold from the ACD's answer: the answer comes after the call
// entered the queue, so the wait is at least hold, and at most hold plus
// the time the answer took to reach sipp (its response time) and a second
// for the BYE to arrive on a loaded machine.
func checkWait(t *testing.T, e event, hold, responseTime time.Duration) {
	t.Helper()
	wait := time.Duration(e.WaitMS) * time.Millisecond
	if wait < hold || wait > hold+responseTime+time.Second {
		t.Errorf("%s after wait_ms %d, want %v plus the answer's %v response time (and under a second of delay)",
			e.Type, e.WaitMS, hold, responseTime)
	}
}
