package main

// The wallboard end to end: the real acd binary serves /wallboard to a real
// headless Chromium (Debian's chromium), a sipp caller waits in the queue
// and the page shows it; a sipp phone registers, the agent logs in, takes
// the call, and the page shows the agent's state change. Screenshots go to
// $ACD_TEST_ARTIFACTS (or $TMPDIR/acd-test-artifacts); their paths are
// logged.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/internal/browsertest"
)

// liveView is the part of GET /api/live this test reads.
type liveView struct {
	Queues []struct {
		Name    string `json:"name"`
		Waiting int    `json:"waiting"`
		Today   struct {
			Offered  int `json:"offered"`
			Answered int `json:"answered"`
		} `json:"today"`
	} `json:"queues"`
}

func (a *acdProc) getJSON(path string, v any) {
	a.t.Helper()
	url := fmt.Sprintf("http://127.0.0.1:%d%s", a.httpPort, path)
	res, err := http.Get(url)
	if err != nil {
		a.t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		a.t.Fatalf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		a.t.Fatalf("GET %s: %v", url, err)
	}
}

func TestE2EWallboard(t *testing.T) {
	e2eTest(t)
	page := browsertest.Open(t)
	acd := startACD(t, acdSpec{Queues: []queueSpec{supportQueue()}, Agents: agentsFor(1, "support")})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)

	if res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/wallboard", acd.httpPort)); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.StatusCode != http.StatusOK {
		t.Fatalf("GET /wallboard: %s; cmd/acd/run.go must serve httpapi.NewLive with the live.Tracker", res.Status)
	}
	page.Navigate(fmt.Sprintf("http://127.0.0.1:%d/wallboard", acd.httpPort))
	page.WaitForWithin("the live stream", `document.getElementById("status").dataset.state === "live"`, 15*time.Second)
	page.WaitForWithin("nobody waiting in support", browsertest.QueueField("support", "waiting")+` === "0"`, 10*time.Second)
	page.WaitForWithin("agent 1001 offline", browsertest.AgentState("1001")+` === "offline"`, 10*time.Second)

	// A caller dials 100; no agent is logged in, so the call waits.
	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "2000", "-m", "1")
	page.WaitForWithin("one call waiting", browsertest.QueueField("support", "waiting")+` === "1"`, 15*time.Second)
	page.WaitForWithin("offered today 1", browsertest.QueueField("support", "offered")+` === "1"`, 5*time.Second)
	page.Screenshot("wallboard-e2e-waiting")

	// The agent's phone registers: login on register, the call is offered,
	// rung and answered.
	uas := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", uas)
	page.WaitForWithin("agent 1001 on the call", browsertest.AgentState("1001")+` === "busy"`, 15*time.Second)
	page.WaitForWithin("nobody waiting again", browsertest.QueueField("support", "waiting")+` === "0"`, 5*time.Second)
	page.WaitForWithin("answered today 1", browsertest.QueueField("support", "answered")+` === "1"`, 5*time.Second)
	page.WaitForWithin("an SL figure", browsertest.QueueField("support", "sl")+` !== "—"`, 5*time.Second)
	page.Screenshot("wallboard-e2e-answered")

	caller.expectSuccess(1)
	page.WaitForWithin("agent 1001 free again", browsertest.AgentState("1001")+` === "available"`, 15*time.Second)
	uas.stopAndExpect(1)

	var v liveView
	acd.getJSON("/api/live", &v)
	if len(v.Queues) != 1 || v.Queues[0].Today.Offered != 1 || v.Queues[0].Today.Answered != 1 || v.Queues[0].Waiting != 0 {
		t.Errorf("GET /api/live: %+v", v)
	}
	res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", acd.httpPort))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`acd_calls_total{outcome="answered",queue="support"} 1`,
		`acd_calls_entered_total{queue="support"} 1`,
		`acd_talk_seconds_count{queue="support"} 1`,
		`acd_calls_waiting{queue="support"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// SIP responses by code: at least the REGISTER's and the INVITE's 200.
	if n := metricValue(string(body), `acd_sip_responses_total{code="200"}`); n < 2 {
		t.Errorf("acd_sip_responses_total{code=\"200\"} = %v, want at least 2", n)
	}
	if errs := page.Errors(); len(errs) > 0 {
		t.Errorf("the page reported errors: %v", errs)
	}
}

// metricValue reads one sample's value from a Prometheus text exposition,
// -1 when the series is missing.
func metricValue(body, series string) float64 {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}
