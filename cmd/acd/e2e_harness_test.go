package main

// The end-to-end harness: TestMain builds the real acd binary once (with
// -race, so the runs below catch data races in it), each test starts its
// own acd on free ports with a config written to its temp dir, and drives
// it with sipp child processes over 127.0.0.1. What the tests assert comes
// from the outside only: sipp's exit codes and statistics, the RTP the test
// itself exchanges (e2e_rtp_test.go), the event log file and the HTTP API.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	// acdBinary is the acd built by TestMain.
	acdBinary string
	// sippMissing says why the e2e tests cannot run, "" when they can.
	sippMissing string
	// scenarioDir holds the sipp scenarios.
	scenarioDir string
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	if _, err := exec.LookPath("sipp"); err != nil {
		sippMissing = "sipp is not on PATH (install Debian's sip-tester; scripts/test.sh does)"
	}
	dir, err := os.MkdirTemp("", "acd-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if scenarioDir, err = filepath.Abs(filepath.Join("..", "..", "testdata", "sipp")); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	goTool, err := exec.LookPath("go")
	if err != nil && os.Getenv("GOROOT") != "" {
		goTool, err = filepath.Join(os.Getenv("GOROOT"), "bin", "go"), nil
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: cannot find the go command to build acd: %v\n", err)
		return 1
	}
	acdBinary = filepath.Join(dir, "acd")
	build := exec.Command(goTool, "build", "-race", "-o", acdBinary, "./")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: FAILED to build the acd binary (go build -race -o %s ./): %v\n%s\n", acdBinary, err, out)
		return 1
	}
	return m.Run()
}

// e2eTest marks an end-to-end test: parallel, skipped only without sipp.
func e2eTest(t *testing.T) {
	t.Helper()
	if sippMissing != "" {
		t.Skip("e2e: " + sippMissing)
	}
	t.Parallel()
}

// Ports. Tests run in parallel in one process, so every port the harness
// hands out (SIP, HTTP, sipp) is remembered and never handed out twice, and
// never inside an RTP range given to an acd.

var portState struct {
	sync.Mutex
	used   map[int]bool
	ranges [][2]int
}

func portTaken(p int) bool {
	if portState.used[p] {
		return true
	}
	for _, r := range portState.ranges {
		if p >= r[0] && p <= r[1] {
			return true
		}
	}
	return false
}

// freePort returns a port that is free on 127.0.0.1 for both UDP and TCP
// right now (SIP listens on both with the same number).
func freePort(t *testing.T) int {
	t.Helper()
	portState.Lock()
	defer portState.Unlock()
	if portState.used == nil {
		portState.used = map[int]bool{}
	}
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		p := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		ln.Close()
		if err != nil {
			continue
		}
		pc.Close()
		if portTaken(p) {
			continue
		}
		portState.used[p] = true
		t.Cleanup(func() { // after whatever used it has stopped
			portState.Lock()
			delete(portState.used, p)
			portState.Unlock()
		})
		return p
	}
	t.Fatal("free port: none found in 100 tries")
	return 0
}

// rtpPortSpan is how many ports each acd gets for RTP.
const rtpPortSpan = 200

// rtpRange returns an even-based range of rtpPortSpan ports for one acd,
// derived from a port the kernel says is free and overlapping no range or
// port handed out before.
func rtpRange(t *testing.T) (lo, hi int) {
	t.Helper()
	portState.Lock()
	defer portState.Unlock()
	if portState.used == nil {
		portState.used = map[int]bool{}
	}
	for range 100 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("rtp range: %v", err)
		}
		p := pc.LocalAddr().(*net.UDPAddr).Port
		pc.Close()
		lo = p &^ 1
		if lo+rtpPortSpan > 65535 {
			lo -= 2 * rtpPortSpan
		}
		hi = lo + rtpPortSpan - 1
		clash := false
		for q := lo; q <= hi && !clash; q++ {
			clash = portTaken(q)
		}
		if clash {
			continue
		}
		r := [2]int{lo, hi}
		portState.ranges = append(portState.ranges, r)
		t.Cleanup(func() { // after the acd using it has exited
			portState.Lock()
			portState.ranges = slices.DeleteFunc(portState.ranges, func(x [2]int) bool { return x == r })
			portState.Unlock()
		})
		return lo, hi
	}
	t.Fatal("rtp range: no free range found in 100 tries")
	return 0, 0
}

// Config of one acd under test.

type queueSpec struct {
	Name, Number, Strategy       string
	RingTimeout, WrapUp, MaxWait time.Duration
	MaxLength                    int
	FullResponse                 int
	RetryAfter                   time.Duration
}

type agentSpec struct {
	ID, Password string
	Queues       []string
}

type acdSpec struct {
	Queues        []queueSpec
	Agents        []agentSpec
	MaxMisses     int
	ShutdownGrace time.Duration
}

// supportQueue is the usual test queue: number 100, short timers.
func supportQueue() queueSpec {
	return queueSpec{Name: "support", Number: "100", Strategy: "longest-idle", RingTimeout: 2 * time.Second}
}

// agentsFor makes n agents 1001, 1002, … (password "pw-<id>") in queues.
func agentsFor(n int, queues ...string) []agentSpec {
	var out []agentSpec
	for i := range n {
		id := strconv.Itoa(1001 + i)
		out = append(out, agentSpec{ID: id, Password: "pw-" + id, Queues: queues})
	}
	return out
}

func yamlDur(d time.Duration) string { return strconv.Quote(d.String()) }

func (s acdSpec) yaml(sipPort, httpPort, rtpMin, rtpMax int, events string) string {
	var b strings.Builder
	sip := net.JoinHostPort("127.0.0.1", strconv.Itoa(sipPort))
	grace := s.ShutdownGrace
	if grace == 0 {
		grace = 5 * time.Second
	}
	fmt.Fprintf(&b, "node_id: e2e\n")
	fmt.Fprintf(&b, "sip:\n  listen_udp: %q\n  listen_tcp: %q\n  advertise: \"127.0.0.1\"\n  realm: acd\n", sip, sip)
	fmt.Fprintf(&b, "  digest_algorithms: [MD5]\n  trusted_trunks: [\"127.0.0.1\"]\n")
	fmt.Fprintf(&b, "  max_misses: %d\n  login_on_register: true\n  shutdown_grace: %s\n", s.MaxMisses, yamlDur(grace))
	fmt.Fprintf(&b, "rtp:\n  port_min: %d\n  port_max: %d\n  silence_timeout: \"10s\"\n", rtpMin, rtpMax)
	fmt.Fprintf(&b, "http:\n  listen: %q\n", net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort)))
	fmt.Fprintf(&b, "events:\n  path: %q\n  fsync: every-event\n", events)
	b.WriteString("queues:\n")
	for _, q := range s.Queues {
		fmt.Fprintf(&b, "  - name: %s\n    number: %q\n", q.Name, q.Number)
		if q.Strategy != "" {
			fmt.Fprintf(&b, "    strategy: %s\n", q.Strategy)
		}
		fmt.Fprintf(&b, "    ring_timeout: %s\n    wrap_up: %s\n    max_wait: %s\n    max_length: %d\n",
			yamlDur(q.RingTimeout), yamlDur(q.WrapUp), yamlDur(q.MaxWait), q.MaxLength)
		if q.FullResponse != 0 {
			fmt.Fprintf(&b, "    full_response: %d\n", q.FullResponse)
		}
		if q.RetryAfter != 0 {
			fmt.Fprintf(&b, "    retry_after: %s\n", yamlDur(q.RetryAfter))
		}
	}
	b.WriteString("agents:\n")
	for _, a := range s.Agents {
		fmt.Fprintf(&b, "  - id: %q\n    password: %q\n    queues: [%s]\n", a.ID, a.Password, strings.Join(a.Queues, ", "))
	}
	return b.String()
}

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

// The event log.

// event is one line of the event log, as documented in the README.
type event struct {
	Time     time.Time `json:"time"`
	Type     string    `json:"type"`
	Node     string    `json:"node"`
	CallID   string    `json:"call_id"`
	Queue    string    `json:"queue"`
	Agent    string    `json:"agent"`
	Agents   []string  `json:"agents"`
	Caller   string    `json:"caller"`
	Reason   string    `json:"reason"`
	Target   string    `json:"target"`
	State    string    `json:"state"`
	WaitMS   int64     `json:"wait_ms"`
	TalkMS   int64     `json:"talk_ms"`
	Attempts int       `json:"attempts"`
	Menu     string    `json:"menu"`
	Digit    string    `json:"digit"`
	// File and DurationMS on "voicemail"; Position and EstimatedMS on
	// "announced".
	File        string `json:"file"`
	DurationMS  int64  `json:"duration_ms"`
	Position    int    `json:"position"`
	EstimatedMS int64  `json:"estimated_ms"`
}

func (e event) String() string {
	b, _ := json.Marshal(e)
	return string(b)
}

// readEvents parses the event log as it is now; a torn last line (being
// written) is left for the next read.
func (a *acdProc) readEvents() []event {
	a.t.Helper()
	b, err := os.ReadFile(a.events)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		a.t.Fatalf("read event log: %v", err)
	}
	return parseEvents(a.t, "event log", b, true)
}

// parseEvents parses the lines of an event log file named name; with
// tornOK an unparsable last line without its newline (being written) is
// left out, any other bad line fails the test.
func parseEvents(t *testing.T, name string, b []byte, tornOK bool) []event {
	t.Helper()
	var out []event
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			if tornOK && !bytes.HasSuffix(b, []byte("\n")) && bytes.HasSuffix(b, line) {
				break // the line being written
			}
			t.Fatalf("%s: bad line %q: %v", name, line, err)
		}
		out = append(out, e)
	}
	return out
}

// waitEvents re-reads the event log every 25 ms until ok accepts it, for at
// most timeout, and returns the events ok accepted.
func (a *acdProc) waitEvents(what string, timeout time.Duration, ok func([]event) bool) []event {
	a.t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		evs := a.readEvents()
		if ok(evs) {
			return evs
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("waited %v for %s; events:\n%s", timeout, what, formatEvents(evs))
		}
		<-tick.C
	}
}

// waitEvent waits for one event matching match and returns it.
func (a *acdProc) waitEvent(what string, timeout time.Duration, match func(event) bool) event {
	a.t.Helper()
	var found event
	a.waitEvents(what, timeout, func(evs []event) bool {
		for _, e := range evs {
			if match(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

func formatEvents(evs []event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func filterEvents(evs []event, match func(event) bool) []event {
	var out []event
	for _, e := range evs {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}

func ofType(typ string) func(event) bool { return func(e event) bool { return e.Type == typ } }

func countType(evs []event, typ string) int { return len(filterEvents(evs, ofType(typ))) }

// The HTTP API.

type apiAgent struct {
	ID          string `json:"id"`
	State       string `json:"state"`
	PauseReason string `json:"pause_reason"`
	Contacts    *int   `json:"contacts"`
}

func (a *acdProc) apiAgents() map[string]apiAgent {
	a.t.Helper()
	url := fmt.Sprintf("http://127.0.0.1:%d/api/agents", a.httpPort)
	res, err := http.Get(url)
	if err != nil {
		a.t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		a.t.Fatalf("GET %s: %s", url, res.Status)
	}
	var body struct {
		Agents []apiAgent `json:"agents"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		a.t.Fatalf("GET %s: %v", url, err)
	}
	out := map[string]apiAgent{}
	for _, ag := range body.Agents {
		out[ag.ID] = ag
	}
	return out
}

// waitAgent polls the API until agent id is in state (with pauseReason when
// not empty), for at most timeout.
func (a *acdProc) waitAgent(id, state, pauseReason string, timeout time.Duration) {
	a.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ag, ok := a.apiAgents()[id]
		if ok && ag.State == state && (pauseReason == "" || ag.PauseReason == pauseReason) {
			return
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("agent %s: want state %q (pause reason %q) within %v, API shows %+v", id, state, pauseReason, timeout, ag)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// sipp child processes.

// sippProc is one sipp run; every file it writes is in its own directory.
type sippProc struct {
	t        *testing.T
	name     string
	port     int
	cmd      *exec.Cmd
	dir      string
	stat     string
	errLog   string
	screen   string
	logFile  string
	out      string
	exited   chan struct{}
	exitCode int
}

// sippTimeout bounds every sipp run: the global -timeout, with
// -timeout_error so reaching it is a failure, not a quiet exit.
const sippTimeout = 30 * time.Second

// startSipp runs sipp with scenario on its own port. remote is the ACD's
// SIP address for callers and registrations, "" for an agent's UAS.
func (a *acdProc) startSipp(name, scenario, remote string, extra ...string) *sippProc {
	a.t.Helper()
	return a.startSippOn(freePort(a.t), name, scenario, remote, extra...)
}

// startSippOn is startSipp on a given SIP port (from freePort), for a UAS
// whose address the ACD's config names before sipp starts.
func (a *acdProc) startSippOn(port int, name, scenario, remote string, extra ...string) *sippProc {
	a.t.Helper()
	t := a.t
	s := &sippProc{t: t, name: name, port: port, dir: filepath.Join(a.dir, "sipp-"+name)}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s.stat = filepath.Join(s.dir, "stat.csv")
	s.errLog = filepath.Join(s.dir, "errors.log")
	s.screen = filepath.Join(s.dir, "screen.log")
	s.logFile = filepath.Join(s.dir, "logs.log")
	s.out = filepath.Join(s.dir, "stdout.log")
	timeout := sippTimeout
	if remote == "" {
		timeout = 2 * sippTimeout // a UAS lives as long as its test
	}
	args := []string{
		"-sf", filepath.Join(scenarioDir, scenario),
		"-i", "127.0.0.1", "-p", strconv.Itoa(s.port),
		"-nostdin",
		"-timeout", fmt.Sprintf("%ds", int(timeout/time.Second)), "-timeout_error",
		"-trace_err", "-error_file", s.errLog,
		"-trace_stat", "-stf", s.stat, "-fd", "1",
		"-trace_screen", "-screen_file", s.screen,
		"-trace_logs", "-log_file", s.logFile,
	}
	args = append(args, extra...)
	if remote != "" {
		args = append(args, remote)
	}
	out, err := os.Create(s.out)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	s.cmd = exec.Command("sipp", args...)
	s.cmd.Dir = s.dir
	s.cmd.Stdout = out
	s.cmd.Stderr = out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start sipp %s: %v", name, err)
	}
	s.exited = make(chan struct{})
	go func() {
		_ = s.cmd.Wait()
		s.exitCode = s.cmd.ProcessState.ExitCode()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			s.logFiles()
		}
	})
	return s
}

// startAgentUAS runs an agent phone's sipp UAS (one per agent) with its
// 200 OK SDP pointing at rtpPort.
func (a *acdProc) startAgentUAS(name, scenario string, rtpPort int, extra ...string) *sippProc {
	a.t.Helper()
	return a.startSipp(name, scenario, "", append([]string{"-key", "rtp_port", strconv.Itoa(rtpPort)}, extra...)...)
}

// register registers agent id's phone (its UAS listening on uas.port) and
// waits until the agent is logged in.
func (a *acdProc) register(id string, uas *sippProc) {
	a.t.Helper()
	pw := a.password(id)
	r := a.startSipp("register-"+id, "agent_register.xml", a.sipAddr(),
		"-s", id, "-au", id, "-ap", pw, "-key", "contact_port", strconv.Itoa(uas.port), "-m", "1")
	r.expectSuccess(1)
	a.waitEvent("agent "+id+" logged in", 10*time.Second, func(e event) bool {
		return e.Type == "agent-state" && e.Agent == id && e.State == "available"
	})
}

func (a *acdProc) password(id string) string {
	for _, ag := range a.spec.Agents {
		if ag.ID == id {
			return ag.Password
		}
	}
	a.t.Fatalf("no agent %s in the config", id)
	return ""
}

// wait waits for sipp to exit on its own and returns its exit code.
func (s *sippProc) wait(timeout time.Duration) int {
	s.t.Helper()
	select {
	case <-s.exited:
	case <-time.After(timeout):
		s.t.Fatalf("sipp %s still running after %v", s.name, timeout)
	}
	return s.exitCode
}

// stop ends a UAS the test is done with: SIGUSR1 is sipp's soft exit (no
// new calls, finish the ones in progress, dump screens and statistics).
func (s *sippProc) stop() {
	s.t.Helper()
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGUSR1)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		s.t.Errorf("sipp %s ignored SIGUSR1 for 10s", s.name)
	}
}

// sippStats are the cumulative counters of sipp's last statistics line.
type sippStats struct {
	Successful, Failed, Created int
	// ResponseTime1 is the average time from the INVITE to the response
	// marked rtd="true" (the ACD's 200 OK in the caller scenarios).
	ResponseTime1 time.Duration
}

func (s *sippProc) stats() sippStats {
	s.t.Helper()
	b, err := os.ReadFile(s.stat)
	if err != nil {
		s.t.Fatalf("sipp %s: statistics: %v", s.name, err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 2 {
		s.t.Fatalf("sipp %s: statistics file has no data line:\n%s", s.name, b)
	}
	header := strings.Split(lines[0], ";")
	last := strings.Split(lines[len(lines)-1], ";")
	column := func(name string) string {
		for i, h := range header {
			if h == name && i < len(last) {
				return strings.TrimSpace(last[i])
			}
		}
		return ""
	}
	get := func(name string) int {
		n, err := strconv.Atoi(column(name))
		if err != nil {
			s.t.Fatalf("sipp %s: statistics %s: %v", s.name, name, err)
		}
		return n
	}
	var rtd time.Duration
	if v := column("ResponseTime1(C)"); v != "" { // only with rtd="true"
		if rtd, err = sippDuration(v); err != nil {
			s.t.Fatalf("sipp %s: statistics ResponseTime1(C): %v", s.name, err)
		}
	}
	return sippStats{Successful: get("SuccessfulCall(C)"), Failed: get("FailedCall(C)"), Created: get("TotalCallCreated"),
		ResponseTime1: rtd}
}

// sippDuration reads sipp's hh:mm:ss:micro durations.
func sippDuration(v string) (time.Duration, error) {
	var h, m, sec, us int64
	if _, err := fmt.Sscanf(v, "%d:%d:%d:%d", &h, &m, &sec, &us); err != nil {
		return 0, fmt.Errorf("duration %q: %w", v, err)
	}
	return time.Duration(((h*60+m)*60+sec)*1e6+us) * time.Microsecond, nil
}

// expectSuccess waits for a sipp that ends by itself (-m) and checks that
// it exited 0 with calls successful calls and no failure.
func (s *sippProc) expectSuccess(calls int) {
	s.t.Helper()
	if code := s.wait(sippTimeout + 10*time.Second); code != 0 {
		s.t.Fatalf("sipp %s exited %d, want 0 (all calls successful)%s", s.name, code, s.diagnostics())
	}
	if st := s.stats(); st.Successful != calls || st.Failed != 0 {
		s.t.Fatalf("sipp %s: %d successful and %d failed calls, want %d and 0%s", s.name, st.Successful, st.Failed, calls, s.diagnostics())
	}
}

// stopAndExpect stops a UAS and checks its call counts.
func (s *sippProc) stopAndExpect(successful int) {
	s.t.Helper()
	s.stop()
	st := s.stats()
	if st.Successful != successful || st.Failed != 0 {
		s.t.Errorf("sipp %s: %d successful and %d failed calls, want %d and 0%s", s.name, st.Successful, st.Failed, successful, s.diagnostics())
	}
	if s.exitCode != 0 {
		s.t.Errorf("sipp %s exited %d after SIGUSR1, want 0%s", s.name, s.exitCode, s.diagnostics())
	}
}

func (s *sippProc) diagnostics() string {
	var b strings.Builder
	for _, f := range []string{s.errLog, s.screen} {
		if data, err := os.ReadFile(f); err == nil && len(data) > 0 {
			fmt.Fprintf(&b, "\n--- %s:\n%s", filepath.Base(f), tail(string(data), 6000))
		}
	}
	if data, err := os.ReadFile(s.out); err == nil && len(data) > 0 && b.Len() == 0 {
		fmt.Fprintf(&b, "\n--- stdout:\n%s", tail(string(data), 4000))
	}
	return b.String()
}

func (s *sippProc) logFiles() {
	s.t.Logf("sipp %s (port %d, exit %d):%s", s.name, s.port, s.exitCode, s.diagnostics())
}

// logText is what the scenario's <log> actions wrote.
func (s *sippProc) logText() string {
	b, _ := os.ReadFile(s.logFile)
	return string(b)
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
