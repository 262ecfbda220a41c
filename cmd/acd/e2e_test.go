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
