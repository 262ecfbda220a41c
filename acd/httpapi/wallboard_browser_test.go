package httpapi_test

// The wallboard in a real headless Chromium (Debian's chromium package;
// scripts/test.sh installs it): the page is loaded from the API server,
// calls and agent changes go through a real engine, and the test waits for
// the page itself to show them. Screenshots go to $ACD_TEST_ARTIFACTS (or
// $TMPDIR/acd-test-artifacts) and their paths are logged.

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/internal/browsertest"
	"github.com/sme/acd/queue"
)

func TestWallboardInChromium(t *testing.T) {
	p := browsertest.Open(t)
	e := startLiveEngine(t, 0)
	s := serveLive(t, e.eng, e.tr, "tok", httpapi.LiveOptions{})
	ctx := context.Background()

	p.Run("load the wallboard", chromedp.Navigate(s.base+"/wallboard?token=tok"))
	p.WaitFor("the stream connected", `document.getElementById("status").dataset.state === "live"`)
	p.WaitFor("queue support with nobody waiting", browsertest.QueueField("support", "waiting")+` === "0"`)
	p.WaitFor("Alice offline", browsertest.AgentState("a1")+` === "offline"`)
	if got := p.Eval(`location.search`); got != "" {
		t.Errorf("token left in the address bar: %q", got)
	}
	if got := p.Eval(browsertest.QueueField("sales", "name")); got != "sales" {
		t.Errorf("sales card shows %q", got)
	}

	// A caller waits: nobody is logged in.
	if err := e.eng.Enqueue(ctx, queue.Call{ID: "c1", Queue: "support", Caller: "sip:+33123456789@trunk"}); err != nil {
		t.Fatal(err)
	}
	p.WaitFor("one call waiting", browsertest.QueueField("support", "waiting")+` === "1"`)
	p.WaitFor("offered today 1", browsertest.QueueField("support", "offered")+` === "1"`)
	p.WaitFor("the longest wait counting", browsertest.QueueField("support", "longest-wait")+` !== "0:00"`)
	p.Screenshot("wallboard-waiting")

	// Alice logs in: the engine offers her the call, her phone rings.
	if _, err := e.eng.Command(ctx, "a1", agents.Event{Kind: agents.Login}); err != nil {
		t.Fatal(err)
	}
	p.WaitFor("Alice ringing", browsertest.AgentState("a1")+` === "ringing"`)
	p.WaitFor("nobody waiting", browsertest.QueueField("support", "waiting")+` === "0"`)
	p.WaitFor("one agent ringing in support", browsertest.QueueField("support", "agents-ringing")+` === "1"`)

	// She answers: on call; today's SL, ASA and answered count appear.
	if err := e.eng.Answered(ctx, "c1", "a1"); err != nil {
		t.Fatal(err)
	}
	p.WaitFor("Alice on a call", browsertest.AgentState("a1")+` === "busy"`)
	p.WaitFor("answered today 1", browsertest.QueueField("support", "answered")+` === "1"`)
	p.WaitFor("SL 100%", browsertest.QueueField("support", "sl")+` === "100%"`)
	p.WaitFor("ASA shown", browsertest.QueueField("support", "asa")+` !== "—"`)
	p.WaitFor("abandon rate 0", browsertest.QueueField("support", "abandon")+` === "0.0%"`)

	// The call ends (no wrap-up) and she goes to lunch.
	if err := e.eng.Ended(ctx, "c1", acd.ReasonCaller); err != nil {
		t.Fatal(err)
	}
	p.WaitFor("Alice available", browsertest.AgentState("a1")+` === "available"`)
	if _, err := e.eng.Command(ctx, "a1", agents.Event{Kind: agents.Pause, Reason: "lunch"}); err != nil {
		t.Fatal(err)
	}
	p.WaitFor("Alice paused for lunch", `(document.querySelector('[data-agent="a1"] [data-field="state"]') || {}).textContent === "paused: lunch"`)
	p.WaitFor("one agent paused in support", browsertest.QueueField("support", "agents-paused")+` === "1"`)
	p.Screenshot("wallboard")

	if errs := p.Errors(); len(errs) > 0 {
		t.Fatalf("the page reported errors: %v", errs)
	}
}

func TestWallboardWithoutTokenSaysSo(t *testing.T) {
	p := browsertest.Open(t)
	e := startLiveEngine(t, 0)
	s := serveLive(t, e.eng, e.tr, "tok", httpapi.LiveOptions{})
	p.Run("load the wallboard", chromedp.Navigate(s.base+"/wallboard"))
	p.WaitFor("the no-access status", `document.getElementById("status").dataset.state === "unauthorized"`)
	if msg := p.Eval(`document.getElementById("message").textContent`); !strings.Contains(msg, "?token=") {
		t.Fatalf("message %q", msg)
	}
}
