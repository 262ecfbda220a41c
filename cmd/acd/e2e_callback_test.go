package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// phoneFill is the payload byte the caller's phone behind the trunk
// sends: distinct from callerFill (the caller's first call), so what the
// agent hears can only have come from the phone the ACD called back.
const phoneFill = 0xB5

// callbackLines gives support a callback offer made at once (offer_after
// 0s) whose trunk is a sipp UAS on trunkPort standing in for the caller's
// phone behind the operator's trunk.
func callbackLines(trunkPort int) acdOption { return callbackRing(trunkPort, "10s") }

// callbackRing is callbackLines with the caller's phone ringing ring.
func callbackRing(trunkPort int, ring string) acdOption {
	return withQueueLines("support", "100", fmt.Sprintf(
		"    callback:\n      offer_after: 0s\n      trunk: \"sip:{number}@127.0.0.1:%d\"\n      ring_timeout: %s\n      retry_after: 3s\n", trunkPort, ring))
}

// takeCallback makes a caller dial support, waits for the callback offer
// and presses 1 (RFC 4733); the ACD confirms and hangs up. It returns the
// callback-requested event.
func takeCallback(t *testing.T, acd *acdProc) event {
	t.Helper()
	callerRTP := newRTPPeer(t, "caller", callerFill)
	caller := acd.startSipp("caller", "caller_receives_bye.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-m", "1")
	deadline := time.Now().Add(10 * time.Second)
	for len(callerRTP.snapshot()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no hold audio for the caller")
		}
		time.Sleep(20 * time.Millisecond)
	}
	acd.waitStderr("callback offered", 10*time.Second)
	if callerRTP.sendDTMF(1) == 0 {
		t.Fatal("no DTMF sent")
	}
	caller.expectSuccess(1) // the ACD hung up after the confirmation
	req := acd.waitEvent("callback-requested event", 5*time.Second, ofType("callback-requested"))
	if req.Queue != "support" || req.Target != "5551" || req.Caller != "5551" {
		t.Errorf("callback-requested %v, want support calling back 5551", req)
	}
	if n := countType(acd.readEvents(), "abandoned"); n != 0 {
		t.Errorf("%d abandoned events: a caller who took a callback did not abandon", n)
	}
	return req
}

// answerCallback logs the agent in and checks that the agent's phone and
// then the caller's phone ring, answer and are bridged with audio both
// ways until the caller's phone hangs up (after 7 s: the intro the caller
// hears first, callback-intro, lasts 4.6 s).
func answerCallback(t *testing.T, acd *acdProc, trunkPort int, callID string) {
	t.Helper()
	phoneRTP := newRTPPeer(t, "phone", phoneFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	phone := acd.startSippOn(trunkPort, "phone", "agent_hangup.xml", "", "-key", "rtp_port", phoneRTP.portArg(), "-d", "7000")
	agent := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", agent) // now an agent is free: the callback is served

	done := acd.waitEvent("completed event", 30*time.Second, ofType("completed"))
	if done.CallID != callID || done.Agent != "1001" || done.Reason != "caller" {
		t.Errorf("completed %v, want the callback %s by 1001 ended by the caller's phone", done, callID)
	}
	agent.stopAndExpect(1) // INVITE answered, then our BYE
	phone.stopAndExpect(1) // INVITE from the trunk answered, then its BYE

	evs := acd.readEvents()
	want := "entered callback-requested offered callback-attempt connected completed"
	if got := strings.Join(types(callEvents(evs)[callID]), " "); got != want {
		t.Errorf("call events %s, want %s", got, want)
	}
	for _, e := range callEvents(evs)[callID] {
		switch e.Type {
		case "callback-attempt":
			if e.Reason != "answered" || e.Agent != "1001" || e.Attempts != 1 {
				t.Errorf("callback-attempt %v, want the first, answered, for 1001", e)
			}
		case "connected":
			if e.Reason != "callback" {
				t.Errorf("connected %v, want reason callback", e)
			}
		}
	}
	wantBridged(t, agentRTP, phoneRTP)
}

// wantBridged checks that the agent and the phone called back heard each
// other through the bridge: each got at least 10 packets of the other's
// audio (each peer sends only to where it hears from, so this is the
// relay's doing, not a leftover stream).
func wantBridged(t *testing.T, agentRTP, phoneRTP *rtpPeer) {
	t.Helper()
	for _, c := range []struct {
		p    *rtpPeer
		fill byte
	}{{agentRTP, phoneFill}, {phoneRTP, agentFill}} {
		n, all := 0, 0
		for _, s := range c.p.snapshot() {
			n += len(filterRx(s.Rx, c.fill))
			all += len(s.Rx)
		}
		if n < 10 {
			t.Errorf("%s heard %d packets of the other side's audio (of %d), want at least 10", c.p.name, n, all)
		}
	}
}

// TestE2ECallback: with no agent logged in, a caller waits, is offered a
// callback, presses 1 and is hung up, keeping their place. Then an agent
// logs in: the agent's phone rings and answers, then the caller's phone
// rings through the trunk and answers, and the two are bridged.
func TestE2ECallback(t *testing.T) {
	e2eTest(t)
	trunkPort := freePort(t)
	acd := startACDOpts(t, noAgentsSpec(supportQueue()), callbackLines(trunkPort))
	req := takeCallback(t, acd)
	answerCallback(t, acd, trunkPort, req.CallID)
	rec := acd.waitEvent("call record", 10*time.Second, func(e event) bool { return e.Type == "call-record" && e.CallID == req.CallID })
	var line struct {
		Record struct {
			Outcome string `json:"outcome"`
			Agent   string `json:"agent"`
		} `json:"record"`
	}
	if err := json.Unmarshal([]byte(rawEventLine(t, acd, rec)), &line); err != nil || line.Record.Outcome != "callback" || line.Record.Agent != "1001" {
		t.Errorf("call record %+v (%v), want outcome callback by 1001", line.Record, err)
	}
}

// TestE2ECallbackSurvivesRestart: a pending callback is in the book when
// the ACD stops, and the restarted ACD calls the caller back.
func TestE2ECallbackSurvivesRestart(t *testing.T) {
	e2eTest(t)
	trunkPort := freePort(t)
	first := startACDOpts(t, noAgentsSpec(supportQueue()), callbackLines(trunkPort))
	req := takeCallback(t, first)
	first.signal(syscall.SIGTERM)
	if code := first.wait(30 * time.Second); code != 0 {
		t.Fatalf("acd exited %d", code)
	}
	book, err := os.ReadFile(filepath.Join(first.dir, "callbacks.json"))
	if err != nil || !strings.Contains(string(book), req.CallID) {
		t.Fatalf("callback book %q (%v), want the pending callback %s", book, err, req.CallID)
	}
	second := relaunchACD(first)
	answerCallback(t, second, trunkPort, req.CallID)
	if book, err := os.ReadFile(filepath.Join(first.dir, "callbacks.json")); err != nil || strings.TrimSpace(string(book)) != "[]" {
		t.Errorf("callback book after the callback %q (%v), want empty", book, err)
	}
}

// TestE2ECallbackRetry: the caller's phone does not answer the first
// callback (nothing listens at the trunk address): the agent, who answered,
// is hung up and freed without a miss, and the callback is tried again
// after retry_after; the second time the phone answers and is bridged.
func TestE2ECallbackRetry(t *testing.T) {
	e2eTest(t)
	trunkPort := freePort(t)
	acd := startACDOpts(t, noAgentsSpec(supportQueue()), callbackRing(trunkPort, "2s"))
	req := takeCallback(t, acd)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	agent := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", agent)
	first := acd.waitEvent("first callback attempt", 20*time.Second, ofType("callback-attempt"))
	if first.Reason == "answered" || first.Attempts != 1 || first.Agent != "1001" {
		t.Fatalf("first attempt %v, want an unanswered first try", first)
	}
	acd.waitEvent("agent free again", 5*time.Second, func(e event) bool {
		return e.Type == "agent-state" && e.Agent == "1001" && e.State == "available" && e.Time.After(first.Time.Add(-time.Millisecond))
	})
	phoneRTP := newRTPPeer(t, "phone", phoneFill)
	phone := acd.startSippOn(trunkPort, "phone", "agent_hangup.xml", "", "-key", "rtp_port", phoneRTP.portArg(), "-d", "6000")
	done := acd.waitEvent("completed event", 30*time.Second, ofType("completed"))
	if done.CallID != req.CallID || done.Agent != "1001" {
		t.Errorf("completed %v, want the callback by 1001", done)
	}
	agent.stopAndExpect(2) // both offers answered, both ended by our BYE
	phone.stopAndExpect(1)
	evs := callEvents(acd.readEvents())[req.CallID]
	want := "entered callback-requested offered callback-attempt offered callback-attempt connected completed"
	if got := strings.Join(types(evs), " "); got != want {
		t.Errorf("call events %s, want %s", got, want)
	}
	if n := countType(acd.readEvents(), "ring-no-answer"); n != 0 {
		t.Errorf("%d ring-no-answer events: the agent answered both times", n)
	}
	wantBridged(t, agentRTP, phoneRTP)
}

// rawEventLine is the log line of e (matched by type, call and time).
func rawEventLine(t *testing.T, a *acdProc, e event) string {
	t.Helper()
	b, err := os.ReadFile(a.events)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		var got event
		if json.Unmarshal([]byte(line), &got) == nil && got.Type == e.Type && got.CallID == e.CallID && got.Time.Equal(e.Time) {
			return line
		}
	}
	t.Fatalf("no log line for %v", e)
	return ""
}
