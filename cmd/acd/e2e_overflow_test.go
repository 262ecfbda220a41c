package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// withQueueLines adds YAML lines (indented for a queue's keys) to the
// named queue of the config the spec writes.
func withQueueLines(queue, number, lines string) acdOption {
	return withConfig(func(yaml string) string {
		head := fmt.Sprintf("  - name: %s\n    number: %q\n", queue, number)
		if !strings.Contains(yaml, head) {
			panic("no queue " + queue + " in the config")
		}
		return strings.Replace(yaml, head, head+lines, 1)
	})
}

// alwaysClosed is business hours with no opening range: closed all week.
const alwaysClosed = "    hours:\n      time_zone: Europe/Paris\n      weekly: {}\n"

// TestE2EClosedToOtherQueue: a call to a closed queue is sent to the
// queue its hours name and answered by that queue's agent; the closed
// queue records a flow-out with reason closed.
func TestE2EClosedToOtherQueue(t *testing.T) {
	e2eTest(t)
	support := supportQueue()
	partner := queueSpec{Name: "partner", Number: "200", Strategy: "longest-idle", RingTimeout: 2 * time.Second}
	spec := acdSpec{Queues: []queueSpec{support, partner},
		Agents: []agentSpec{{ID: "1001", Password: "pw-1001", Queues: []string{"partner"}}}}
	acd := startACDOpts(t, spec, withQueueLines("support", "100",
		alwaysClosed+"      closed: {action: queue, queue: partner}\n"))
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	agent := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", agent)

	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "1000", "-m", "1")
	caller.expectSuccess(1)
	done := acd.waitEvent("completed event", 10*time.Second, ofType("completed"))
	if done.Queue != "partner" || done.Agent != "1001" {
		t.Errorf("completed %v, want in partner by 1001", done)
	}
	evs := acd.readEvents()
	got := []string{}
	for _, e := range callEvents(evs)[done.CallID] {
		got = append(got, e.Type+"/"+e.Queue)
	}
	want := []string{"entered/support", "overflowed/support", "entered/partner", "offered/partner", "connected/partner", "completed/partner"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("call events %v, want %v", got, want)
	}
	if ov := filterEvents(evs, ofType("overflowed")); len(ov) != 1 || ov[0].Reason != "closed" {
		t.Errorf("overflowed events %v, want one with reason closed", ov)
	}
	agent.stopAndExpect(1)
}

// TestE2ENoAgentsOverflow: a queue whose only agent never logged in sends
// a caller on arrival to the queue its no-agents rule names.
func TestE2ENoAgentsOverflow(t *testing.T) {
	e2eTest(t)
	support := supportQueue()
	partner := queueSpec{Name: "partner", Number: "200", Strategy: "longest-idle", RingTimeout: 2 * time.Second}
	spec := acdSpec{Queues: []queueSpec{support, partner}, Agents: []agentSpec{
		{ID: "1001", Password: "pw-1001", Queues: []string{"support"}}, // stays offline
		{ID: "1002", Password: "pw-1002", Queues: []string{"partner"}},
	}}
	acd := startACDOpts(t, spec, withQueueLines("support", "100",
		"    overflow:\n      - {when: no-agents, action: queue, queue: partner}\n      - {when: waited, over: 1m}\n"))
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	agent := acd.startAgentUAS("agent-1002", "agent_answer.xml", agentRTP.port())
	acd.register("1002", agent)

	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "1000", "-m", "1")
	caller.expectSuccess(1)
	done := acd.waitEvent("completed event", 10*time.Second, ofType("completed"))
	if done.Queue != "partner" || done.Agent != "1002" {
		t.Errorf("completed %v, want in partner by 1002", done)
	}
	ov := acd.waitEvent("overflowed event", time.Second, ofType("overflowed"))
	if ov.Queue != "support" || ov.Reason != "no-agents" || ov.CallID != done.CallID {
		t.Errorf("overflowed %v, want support's no-agents rule for the call", ov)
	}
	agent.stopAndExpect(1)
}

// TestE2EClosedHangup: a closed queue whose closed action is a hang-up
// refuses callers with 480 and records them as rejected (reason closed);
// once its hours are changed through the API it takes calls again.
func TestE2EClosedHangup(t *testing.T) {
	e2eTest(t)
	acd := startACDOpts(t, noAgentsSpec(supportQueue()), withQueueLines("support", "100", alwaysClosed))
	callerRTP := newRTPPeer(t, "caller", callerFill)
	caller := acd.startSipp("caller", "caller_expect_480.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-m", "1")
	caller.expectSuccess(1)
	rej := acd.waitEvent("rejected event", 5*time.Second, ofType("rejected"))
	if rej.Queue != "support" || rej.Reason != "closed" {
		t.Errorf("rejected %v, want support closed", rej)
	}
	if n := countType(acd.readEvents(), "entered"); n != 0 {
		t.Errorf("%d entered events for a refused call", n)
	}

	// Open all week, without a restart.
	body := `{"time_zone": "Europe/Paris", "weekly": {"mon": ["00:00-24:00"], "tue": ["00:00-24:00"], "wed": ["00:00-24:00"],
		"thu": ["00:00-24:00"], "fri": ["00:00-24:00"], "sat": ["00:00-24:00"], "sun": ["00:00-24:00"]}}`
	acd.putHours("support", body)
	queued := acd.startSipp("queued", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "500", "-m", "1")
	queued.expectSuccess(1)
	ab := acd.waitEvent("abandoned event", 5*time.Second, ofType("abandoned"))
	if ab.Queue != "support" {
		t.Errorf("abandoned %v, want in support", ab)
	}
}

// putHours sends PUT /api/queues/{queue}/hours, fails the test unless it
// is accepted, and returns the answer.
func (a *acdProc) putHours(queue, body string) string {
	a.t.Helper()
	code, answer := a.putHoursStatus(queue, body)
	if code != http.StatusOK {
		a.t.Fatalf("PUT hours: %d %s", code, answer)
	}
	return answer
}

// putHoursStatus sends PUT /api/queues/{queue}/hours and returns the
// status and body of the answer.
func (a *acdProc) putHoursStatus(queue, body string) (int, string) {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("http://127.0.0.1:%d/api/queues/%s/hours", a.httpPort, queue), strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestE2EWaitedOverflowToURI: with no agent logged in, the waited rule
// sends the caller to an external SIP URI (a sipp UAS standing in for a
// partner contact centre): the partner gets the INVITE and answers, the
// caller stays bridged to it until the caller hangs up, and the partner
// gets the BYE. The queue records one flow-out with the URI as target.
func TestE2EWaitedOverflowToURI(t *testing.T) {
	e2eTest(t)
	partnerPort := freePort(t)
	uri := fmt.Sprintf("sip:partner@127.0.0.1:%d", partnerPort)
	acd := startACDOpts(t, noAgentsSpec(supportQueue()), withQueueLines("support", "100",
		fmt.Sprintf("    overflow: [{when: waited, over: 1s, action: uri, uri: %q}]\n", uri)))
	callerRTP := newRTPPeer(t, "caller", callerFill)
	partnerRTP := newRTPPeer(t, "partner", agentFill)
	partner := acd.startSippOn(partnerPort, "partner", "agent_answer.xml", "", "-key", "rtp_port", partnerRTP.portArg())

	start := time.Now()
	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "4000", "-m", "1")
	caller.expectSuccess(1) // answered by the ACD, hung up by the caller after 4s
	if d := time.Since(start); d < 4*time.Second {
		t.Errorf("caller done after %v: it must stay connected until it hangs up", d)
	}
	partner.stopAndExpect(1) // INVITE answered, ACK, then the BYE

	ov := acd.waitEvent("overflowed event", 5*time.Second, ofType("overflowed"))
	if ov.Queue != "support" || ov.Reason != "waited" || ov.Target != uri {
		t.Errorf("overflowed %v, want support's waited rule to %s", ov, uri)
	}
	evs := acd.readEvents()
	var got []string
	for _, e := range callEvents(evs)[ov.CallID] {
		got = append(got, e.Type)
	}
	if want := []string{"entered", "overflowed"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("call events %v, want %v (the outside leg is the partner's)", got, want)
	}
	// The bridge carried audio both ways between the caller and the partner.
	for _, p := range []*rtpPeer{callerRTP, partnerRTP} {
		if s := p.snapshot(); len(s) == 0 || len(s[0].Rx) == 0 {
			t.Errorf("%s received no audio through the bridge", p.name)
		}
	}
}

// TestE2EClosedToURIPartnerHangsUp: a closed queue sends callers to an
// external URI on arrival; when the partner hangs up first, the caller
// gets the BYE.
func TestE2EClosedToURIPartnerHangsUp(t *testing.T) {
	e2eTest(t)
	partnerPort := freePort(t)
	uri := fmt.Sprintf("sip:night@127.0.0.1:%d", partnerPort)
	acd := startACDOpts(t, noAgentsSpec(supportQueue()), withQueueLines("support", "100",
		alwaysClosed+fmt.Sprintf("      closed: {action: uri, uri: %q}\n", uri)))
	callerRTP := newRTPPeer(t, "caller", callerFill)
	partnerRTP := newRTPPeer(t, "partner", agentFill)
	partner := acd.startSippOn(partnerPort, "partner", "agent_hangup.xml", "", "-key", "rtp_port", partnerRTP.portArg(), "-d", "1000")

	caller := acd.startSipp("caller", "caller_receives_bye.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-m", "1")
	caller.expectSuccess(1) // answered, then the BYE once the partner hung up
	partner.stopAndExpect(1)

	ov := acd.waitEvent("overflowed event", 5*time.Second, ofType("overflowed"))
	if ov.Queue != "support" || ov.Reason != "closed" || ov.Target != uri {
		t.Errorf("overflowed %v, want support closed to %s", ov, uri)
	}
	var got []string
	for _, e := range callEvents(acd.readEvents())[ov.CallID] {
		got = append(got, e.Type)
	}
	if want := []string{"entered", "overflowed"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("call events %v, want %v", got, want)
	}
}
