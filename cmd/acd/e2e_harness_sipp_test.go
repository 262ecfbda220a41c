package main

// The e2e harness's sipp child processes: callers, agent phones (UAS) and
// registrations, their exit codes, statistics and logs.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

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
