package httpapi_test

// The wallboard in a real headless Chromium (Debian's chromium package;
// scripts/test.sh installs it): the page is loaded from the API server,
// calls and agent changes go through a real engine, and the test waits for
// the page itself to show them. Screenshots go to $ACD_TEST_ARTIFACTS (or
// $TMPDIR/acd-test-artifacts) and their paths are logged.

import (
	"context"
	"fmt"
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
	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// chromiumPath finds Debian's chromium, or $ACD_CHROMIUM.
func chromiumPath() (string, bool) {
	if p := os.Getenv("ACD_CHROMIUM"); p != "" {
		return p, true
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", true
	}
	p, err := exec.LookPath("chromium")
	return p, err == nil
}

// page is one browser tab driven by a test.
type page struct {
	t   *testing.T
	ctx context.Context

	mu     sync.Mutex
	errors []string // uncaught exceptions and console errors
}

// openBrowser starts a headless Chromium with a fresh profile for the
// test's lifetime, or skips the test when there is none.
func openBrowser(t *testing.T) *page {
	t.Helper()
	bin, ok := chromiumPath()
	if !ok {
		t.Skip("chromium not found: install Debian's chromium package (scripts/test.sh does), or set ACD_CHROMIUM")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox, // root in a container: no user namespaces for the sandbox
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // small /dev/shm in containers
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1600, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	p := &page{t: t, ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type != runtime.ConsoleAPICalledTypeError && e.Type != runtime.ConsoleAPICalledTypeWarning {
				return
			}
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			msg = "console " + string(e.Type) + ": " + strings.Join(parts, " ")
		default:
			return
		}
		p.mu.Lock()
		p.errors = append(p.errors, msg)
		p.mu.Unlock()
	})
	if err != nil {
		t.Fatalf("start chromium (%s): %v", bin, err)
	}
	return p
}

// run runs browser actions within 30 s.
func (p *page) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// eval returns the value of a JavaScript expression.
func (p *page) eval(expr string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits up to 15 s until the page makes the JavaScript condition
// true; on timeout it saves a screenshot and shows the page's text.
func (p *page) waitFor(what, cond string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		shot := p.screenshot("wallboard-timeout-" + strconv.FormatInt(time.Now().UnixNano(), 36))
		p.t.Fatalf("page never showed %s (%v)\ncondition: %s\nscreenshot: %s\npage text:\n%s\nbrowser errors: %v",
			what, err, cond, shot, p.eval("document.body.innerText"), p.browserErrors())
	}
}

// screenshot saves a full-page PNG in the artifacts directory, logs and
// returns its path.
func (p *page) screenshot(name string) string {
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

func (p *page) browserErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

// sel is a JavaScript expression for the text of a wallboard field.
func queueField(q, field string) string {
	return fmt.Sprintf(`(document.querySelector('[data-queue=%q] [data-field=%q]') || {}).textContent`, q, field)
}

func agentState(id string) string {
	return fmt.Sprintf(`(document.querySelector('[data-agent=%q] [data-field="state"]') || {getAttribute(){}}).getAttribute("data-state")`, id)
}

func TestWallboardInChromium(t *testing.T) {
	p := openBrowser(t)
	e := startLiveEngine(t, 0)
	s := serveLive(t, e.eng, e.tr, "tok", httpapi.LiveOptions{})
	ctx := context.Background()

	p.run("load the wallboard", chromedp.Navigate(s.base+"/wallboard?token=tok"))
	p.waitFor("the stream connected", `document.getElementById("status").dataset.state === "live"`)
	p.waitFor("queue support with nobody waiting", queueField("support", "waiting")+` === "0"`)
	p.waitFor("Alice offline", agentState("a1")+` === "offline"`)
	if got := p.eval(`location.search`); got != "" {
		t.Errorf("token left in the address bar: %q", got)
	}
	if got := p.eval(queueField("sales", "name")); got != "sales" {
		t.Errorf("sales card shows %q", got)
	}

	// A caller waits: nobody is logged in.
	if err := e.eng.Enqueue(ctx, queue.Call{ID: "c1", Queue: "support", Caller: "sip:+33123456789@trunk"}); err != nil {
		t.Fatal(err)
	}
	p.waitFor("one call waiting", queueField("support", "waiting")+` === "1"`)
	p.waitFor("offered today 1", queueField("support", "offered")+` === "1"`)
	p.waitFor("the longest wait counting", queueField("support", "longest-wait")+` !== "0:00"`)
	p.screenshot("wallboard-waiting")

	// Alice logs in: the engine offers her the call, her phone rings.
	if _, err := e.eng.Command(ctx, "a1", agents.Event{Kind: agents.Login}); err != nil {
		t.Fatal(err)
	}
	p.waitFor("Alice ringing", agentState("a1")+` === "ringing"`)
	p.waitFor("nobody waiting", queueField("support", "waiting")+` === "0"`)
	p.waitFor("one agent ringing in support", queueField("support", "agents-ringing")+` === "1"`)

	// She answers: on call; today's SL, ASA and answered count appear.
	if err := e.eng.Answered(ctx, "c1", "a1"); err != nil {
		t.Fatal(err)
	}
	p.waitFor("Alice on a call", agentState("a1")+` === "busy"`)
	p.waitFor("answered today 1", queueField("support", "answered")+` === "1"`)
	p.waitFor("SL 100%", queueField("support", "sl")+` === "100%"`)
	p.waitFor("ASA shown", queueField("support", "asa")+` !== "—"`)
	p.waitFor("abandon rate 0", queueField("support", "abandon")+` === "0.0%"`)

	// The call ends (no wrap-up) and she goes to lunch.
	if err := e.eng.Ended(ctx, "c1", acd.ReasonCaller); err != nil {
		t.Fatal(err)
	}
	p.waitFor("Alice available", agentState("a1")+` === "available"`)
	if _, err := e.eng.Command(ctx, "a1", agents.Event{Kind: agents.Pause, Reason: "lunch"}); err != nil {
		t.Fatal(err)
	}
	p.waitFor("Alice paused for lunch", `(document.querySelector('[data-agent="a1"] [data-field="state"]') || {}).textContent === "paused: lunch"`)
	p.waitFor("one agent paused in support", queueField("support", "agents-paused")+` === "1"`)
	p.screenshot("wallboard")

	if errs := p.browserErrors(); len(errs) > 0 {
		t.Fatalf("the page reported errors: %v", errs)
	}
}

func TestWallboardWithoutTokenSaysSo(t *testing.T) {
	p := openBrowser(t)
	e := startLiveEngine(t, 0)
	s := serveLive(t, e.eng, e.tr, "tok", httpapi.LiveOptions{})
	p.run("load the wallboard", chromedp.Navigate(s.base+"/wallboard"))
	p.waitFor("the no-access status", `document.getElementById("status").dataset.state === "unauthorized"`)
	if msg := p.eval(`document.getElementById("message").textContent`); !strings.Contains(msg, "?token=") {
		t.Fatalf("message %q", msg)
	}
}
