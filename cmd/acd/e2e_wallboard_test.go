package main

// The wallboard end to end: the real acd binary serves /wallboard to a real
// headless Chromium (Debian's chromium), a sipp caller waits in the queue
// and the page shows it; a sipp phone registers, the agent logs in, takes
// the call, and the page shows the agent's state change. Screenshots go to
// $ACD_TEST_ARTIFACTS (or $TMPDIR/acd-test-artifacts); their paths are
// logged.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// wbPage is one headless Chromium tab.
type wbPage struct {
	t   *testing.T
	ctx context.Context

	mu     sync.Mutex
	errors []string
}

// openWallboardBrowser starts Chromium with a fresh profile, or skips.
func openWallboardBrowser(t *testing.T) *wbPage {
	t.Helper()
	bin := os.Getenv("ACD_CHROMIUM")
	if bin == "" {
		if _, err := os.Stat("/usr/bin/chromium"); err == nil {
			bin = "/usr/bin/chromium"
		} else if p, err := exec.LookPath("chromium"); err == nil {
			bin = p
		}
	}
	if bin == "" {
		t.Skip("chromium not found: install Debian's chromium package (scripts/test.sh does), or set ACD_CHROMIUM")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1600, 1000),
	)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	p := &wbPage{t: t, ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + e.ExceptionDetails.Text
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				msg = "console error"
			}
		}
		if msg != "" {
			p.mu.Lock()
			p.errors = append(p.errors, msg)
			p.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("start chromium (%s): %v", bin, err)
	}
	return p
}

func (p *wbPage) navigate(url string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		p.t.Fatalf("load %s: %v", url, err)
	}
}

// waitFor waits up to timeout until the JavaScript condition holds.
func (p *wbPage) waitFor(what, cond string, timeout time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(timeout))); err != nil {
		shot := p.screenshot("wallboard-e2e-timeout")
		tctx, tcancel := context.WithTimeout(p.ctx, 5*time.Second)
		text, _ := chromedp.Run(tctx, chromedp.Evaluate[string]("document.body.innerText"))
		tcancel()
		p.t.Fatalf("page never showed %s (%v)\ncondition: %s\nscreenshot: %s\npage text:\n%s", what, err, cond, shot, text)
	}
}

func (p *wbPage) screenshot(name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	dir := os.Getenv("ACD_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "acd-test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Errorf("screenshot dir: %v", err)
		return ""
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Errorf("write screenshot: %v", err)
		return ""
	}
	p.t.Logf("screenshot: %s (%d bytes)", path, len(png))
	return path
}

func wbQueueField(q, field string) string {
	return fmt.Sprintf(`(document.querySelector('[data-queue=%q] [data-field=%q]') || {}).textContent`, q, field)
}

func wbAgentState(id string) string {
	return fmt.Sprintf(`(document.querySelector('[data-agent=%q] [data-field="state"]') || {getAttribute(){}}).getAttribute("data-state")`, id)
}

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
	page := openWallboardBrowser(t)
	acd := startACD(t, acdSpec{Queues: []queueSpec{supportQueue()}, Agents: agentsFor(1, "support")})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)

	if res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/wallboard", acd.httpPort)); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.StatusCode != http.StatusOK {
		t.Fatalf("GET /wallboard: %s; cmd/acd/run.go must serve httpapi.NewLive with the live.Tracker", res.Status)
	}
	page.navigate(fmt.Sprintf("http://127.0.0.1:%d/wallboard", acd.httpPort))
	page.waitFor("the live stream", `document.getElementById("status").dataset.state === "live"`, 15*time.Second)
	page.waitFor("nobody waiting in support", wbQueueField("support", "waiting")+` === "0"`, 10*time.Second)
	page.waitFor("agent 1001 offline", wbAgentState("1001")+` === "offline"`, 10*time.Second)

	// A caller dials 100; no agent is logged in, so the call waits.
	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "2000", "-m", "1")
	page.waitFor("one call waiting", wbQueueField("support", "waiting")+` === "1"`, 15*time.Second)
	page.waitFor("offered today 1", wbQueueField("support", "offered")+` === "1"`, 5*time.Second)
	page.screenshot("wallboard-e2e-waiting")

	// The agent's phone registers: login on register, the call is offered,
	// rung and answered.
	uas := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", uas)
	page.waitFor("agent 1001 on the call", wbAgentState("1001")+` === "busy"`, 15*time.Second)
	page.waitFor("nobody waiting again", wbQueueField("support", "waiting")+` === "0"`, 5*time.Second)
	page.waitFor("answered today 1", wbQueueField("support", "answered")+` === "1"`, 5*time.Second)
	page.waitFor("an SL figure", wbQueueField("support", "sl")+` !== "—"`, 5*time.Second)
	page.screenshot("wallboard-e2e-answered")

	caller.expectSuccess(1)
	page.waitFor("agent 1001 free again", wbAgentState("1001")+` === "available"`, 15*time.Second)
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
	page.mu.Lock()
	defer page.mu.Unlock()
	if len(page.errors) > 0 {
		t.Errorf("the page reported errors: %v", page.errors)
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
