// Package browsertest drives a real headless Chromium (Debian's chromium
// package; scripts/test.sh installs it) for tests of the web pages the ACD
// serves: open a page, wait until JavaScript conditions hold, take
// screenshots into $ACD_TEST_ARTIFACTS (or $TMPDIR/acd-test-artifacts).
package browsertest

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

// Page is one browser tab driven by a test.
type Page struct {
	t   *testing.T
	ctx context.Context

	mu     sync.Mutex
	errors []string // uncaught exceptions and console errors and warnings
}

// Open starts a headless Chromium with a fresh profile for the test's
// lifetime, or skips the test when there is none. The flags keep it off
// the network (this machine's network is closed) and out of the sandbox
// (root in a container).
func Open(t *testing.T) *Page {
	t.Helper()
	bin, ok := chromiumPath()
	if !ok {
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
		chromedp.Flag("disable-dev-shm-usage", true), // small /dev/shm in containers
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1600, 1000),
	)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	p := &Page{t: t, ctx: ctx}
	if err := chromedp.Listen(ctx, p.record); err != nil {
		t.Fatalf("start chromium (%s): %v", bin, err)
	}
	return p
}

// record keeps the page's uncaught exceptions and console errors.
func (p *Page) record(ev any) {
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
}

// Run runs browser actions within 30 s.
func (p *Page) Run(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// Navigate loads url.
func (p *Page) Navigate(url string) { p.Run("load "+url, chromedp.Navigate(url)) }

// Eval returns the value of a JavaScript expression.
func (p *Page) Eval(expr string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// WaitFor waits up to 15 s until the page makes the JavaScript condition
// true; on timeout it saves a screenshot and shows the page's text.
func (p *Page) WaitFor(what, cond string) {
	p.t.Helper()
	p.WaitForWithin(what, cond, 15*time.Second)
}

// WaitForWithin is WaitFor with its own timeout.
func (p *Page) WaitForWithin(what, cond string, timeout time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(timeout))); err != nil {
		shot := p.Screenshot("wallboard-timeout-" + strconv.FormatInt(time.Now().UnixNano(), 36))
		p.t.Fatalf("page never showed %s (%v)\ncondition: %s\nscreenshot: %s\npage text:\n%s\nbrowser errors: %v",
			what, err, cond, shot, p.Eval("document.body.innerText"), p.Errors())
	}
}

// Screenshot saves a full-page PNG in the artifacts directory, logs and
// returns its path.
func (p *Page) Screenshot(name string) string {
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

// Errors returns the exceptions and console errors the page has had.
func (p *Page) Errors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

// QueueField is a JavaScript expression for the text of a wallboard
// queue's field (data-queue / data-field attributes).
func QueueField(q, field string) string {
	return fmt.Sprintf(`(document.querySelector('[data-queue=%q] [data-field=%q]') || {}).textContent`, q, field)
}

// AgentState is a JavaScript expression for the wallboard's state of an
// agent (data-state attribute).
func AgentState(id string) string {
	return fmt.Sprintf(`(document.querySelector('[data-agent=%q] [data-field="state"]') || {getAttribute(){}}).getAttribute("data-state")`, id)
}
