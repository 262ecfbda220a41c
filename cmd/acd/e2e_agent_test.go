package main

// End-to-end tests of an agent's phone talking to the ACD itself: digest
// authentication of REGISTER, and feature codes.

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

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
