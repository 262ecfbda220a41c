package main

// The e2e harness's acd child process: starting it with a config, its
// stderr, signals, waiting for it to exit and cleaning up after it.

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// acdProc is one running acd binary.
type acdProc struct {
	t        *testing.T
	name     string // in messages; "" for the only acd of a test
	dir      string
	spec     acdSpec
	sipPort  int
	httpPort int
	events   string
	stderr   string // file the binary's stderr goes to
	cmd      *exec.Cmd
	stdout   *lineWriter
	exited   chan struct{}
	exitErr  error
}

// startACD writes the config, starts the binary and waits for "acd: ready"
// on its stdout. Cleanup stops it with SIGTERM and fails the test if it
// printed a data race or a panic.
func startACD(t *testing.T, spec acdSpec) *acdProc {
	t.Helper()
	return startACDOpts(t, spec)
}

// acdOption adjusts how startACDOpts starts an acd.
type acdOption func(*acdStart)

// acdStart is what the options of one startACDOpts call set.
type acdStart struct {
	name  string                     // in messages: "acd <name>"
	edits []func(yaml string) string // applied to the config in order
	files map[string]string          // more files next to the config, by name
}

// withConfig passes the config written from the spec through edit.
func withConfig(edit func(yaml string) string) acdOption {
	return func(o *acdStart) {
		if edit != nil {
			o.edits = append(o.edits, edit)
		}
	}
}

// withFile writes a file next to the config (paths in the config are
// relative to it).
func withFile(name, content string) acdOption {
	return func(o *acdStart) {
		if o.files == nil {
			o.files = map[string]string{}
		}
		o.files[name] = content
	}
}

// withName names the acd in the harness's messages.
func withName(name string) acdOption { return func(o *acdStart) { o.name = name } }

// startACDOpts is the one way the tests start an acd: on free ports, with
// the spec's config passed through the options' edits, written to
// acdConfigFile, then launchACD. The other start helpers call it.
func startACDOpts(t *testing.T, spec acdSpec, opts ...acdOption) *acdProc {
	t.Helper()
	var o acdStart
	for _, opt := range opts {
		opt(&o)
	}
	a := &acdProc{t: t, name: o.name, dir: t.TempDir(), spec: spec, sipPort: freePort(t), httpPort: freePort(t)}
	rtpMin, rtpMax := rtpRange(t)
	a.events = filepath.Join(a.dir, "events.jsonl")
	yaml := spec.yaml(a.sipPort, a.httpPort, rtpMin, rtpMax, a.events)
	for _, edit := range o.edits {
		yaml = edit(yaml)
	}
	if err := os.WriteFile(a.configPath(), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range o.files {
		if err := os.WriteFile(filepath.Join(a.dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	launchACD(a, "acd.stderr")
	return a
}

// configPath is where startACDOpts writes the config.
func (a *acdProc) configPath() string { return filepath.Join(a.dir, "acd.yaml") }

// label is the acd's name in messages.
func (a *acdProc) label() string {
	if a.name == "" {
		return "acd"
	}
	return "acd " + a.name
}

// launchACD starts the binary on a's config, its stderr going to
// stderrName in a's directory, and waits for "acd: ready" on its stdout.
// Cleanup stops it with SIGTERM and fails the test if it printed a data
// race or a panic.
func launchACD(a *acdProc, stderrName string) {
	t := a.t
	t.Helper()
	a.stderr = filepath.Join(a.dir, stderrName)
	errFile, err := os.Create(a.stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close() // the child has its own descriptor
	ready := make(chan struct{})
	var once sync.Once
	a.stdout = &lineWriter{onLine: func(line string) {
		if line == "acd: ready" {
			once.Do(func() { close(ready) })
		}
	}}
	level := os.Getenv("ACD_E2E_LOG_LEVEL")
	if level == "" {
		level = "info"
	}
	a.cmd = exec.Command(acdBinary, "run", "-config", a.configPath(), "-log-level", level)
	a.cmd.Dir = a.dir
	a.cmd.Stdout = a.stdout
	a.cmd.Stderr = errFile
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", a.label(), err)
	}
	a.exited = make(chan struct{})
	go func() { a.exitErr = a.cmd.Wait(); close(a.exited) }()
	t.Cleanup(a.cleanup)
	select {
	case <-ready:
	case <-a.exited:
		cfg, _ := os.ReadFile(a.configPath())
		t.Fatalf("%s exited before ready: %v\nconfig:\n%s\nstdout:\n%s\nstderr:\n%s", a.label(), a.exitErr, cfg, a.stdout.text(), a.stderrText())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s not ready after 30s\nstdout:\n%s\nstderr:\n%s", a.label(), a.stdout.text(), a.stderrText())
	}
}

func (a *acdProc) sipAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(a.sipPort)) }

func (a *acdProc) stderrText() string {
	b, _ := os.ReadFile(a.stderr)
	return string(b)
}

// signal sends sig to the binary.
func (a *acdProc) signal(sig os.Signal) {
	a.t.Helper()
	if err := a.cmd.Process.Signal(sig); err != nil {
		a.t.Fatalf("signal acd: %v", err)
	}
}

// wait waits for the binary to exit and returns its exit code.
func (a *acdProc) wait(timeout time.Duration) int {
	a.t.Helper()
	select {
	case <-a.exited:
	case <-time.After(timeout):
		a.t.Fatalf("acd still running after %v", timeout)
	}
	return a.cmd.ProcessState.ExitCode()
}

func (a *acdProc) cleanup() {
	t := a.t
	select {
	case <-a.exited:
	default:
		_ = a.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-a.exited:
			if code := a.cmd.ProcessState.ExitCode(); code != 0 {
				t.Errorf("acd exited %d after SIGTERM, want 0", code)
			}
		case <-time.After(30 * time.Second):
			_ = a.cmd.Process.Kill()
			<-a.exited
			t.Errorf("acd did not exit within 30s of SIGTERM")
		}
	}
	stderr := a.stderrText()
	for _, bad := range []string{"DATA RACE", "panic"} {
		if i := strings.Index(stderr, bad); i >= 0 {
			t.Errorf("acd stderr contains %q:\n%s", bad, excerpt(stderr, i, 6000))
		}
	}
	if t.Failed() || os.Getenv("ACD_E2E_VERBOSE") != "" {
		t.Logf("acd stdout:\n%s", a.stdout.text())
		t.Logf("acd stderr (last 12000 bytes):\n%s", tail(stderr, 12000))
		if b, err := os.ReadFile(a.events); err == nil {
			t.Logf("event log:\n%s", b)
		}
	}
}

func excerpt(s string, at, n int) string {
	start := max(0, at-200)
	return s[start:min(len(s), start+n)]
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// lineWriter collects a child's stdout and calls onLine per line.
type lineWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	partial []byte
	onLine  func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := string(w.partial[:i])
		w.partial = w.partial[i+1:]
		if w.onLine != nil {
			w.onLine(line)
		}
	}
	return len(p), nil
}

func (w *lineWriter) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitStderr waits until the binary's stderr contains s.
func (a *acdProc) waitStderr(s string, timeout time.Duration) {
	a.t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(a.stderrText(), s) {
		if time.Now().After(deadline) {
			a.t.Fatalf("acd stderr lacks %q after %v", s, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
