package main

// The crash test: kill -9 of the real binary in the middle of calls, on an
// event log that rotates every 2 KB. Every call the callers saw complete
// must be in the report afterwards, a torn last line must be reported
// rather than fail the report, and a restart on the same log must set the
// torn line aside and go on appending to it.

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashKill kills the binary with SIGKILL, as a crash or the OOM killer
// would: no handler runs, nothing is flushed.
func crashKill(a *acdProc) {
	a.t.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		a.t.Fatalf("kill -9 acd: %v", err)
	}
	select {
	case <-a.exited:
	case <-time.After(10 * time.Second):
		a.t.Fatal("acd still running 10s after SIGKILL")
	}
}

// killSippNow ends a sipp run at once.
func killSippNow(s *sippProc) { s.kill() }

// allLogEvents reads every file of the event log, rotated ones first; a
// torn last line of the current file (being written) is left out.
func allLogEvents(t *testing.T, events string) []event {
	t.Helper()
	var out []event
	for _, f := range logFiles(t, events) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, parseEvents(t, f, b, f == events)...)
	}
	return out
}

// logFiles is the event log's files, the rotated ones (oldest first) then
// the current one.
func logFiles(t *testing.T, events string) []string {
	t.Helper()
	rotated, err := filepath.Glob(events + ".2*")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(rotated)
	return append(rotated, events)
}

// completedInReport is the calls the report shows answered and ended.
func completedInReport(rows map[string]string) []string {
	var out []string
	for id, state := range rows {
		if state == "completed" {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// TestE2ECrashKeepsCompletedCalls: six calls complete; then, with two
// calls talking, one ringing a phone that never answers and one waiting,
// the ACD is killed with SIGKILL. The report over the log (rotated files
// included) holds exactly the calls the callers saw complete, and the
// four in progress as unfinished. Half a line appended to the log, as a
// write cut short by a crash leaves, is reported as torn, with exit 0.
// Restarted on the same log, the ACD sets the torn line aside, appends to
// the same file, completes two more calls, and the report over everything
// holds all eight completed calls.
func TestE2ECrashKeepsCompletedCalls(t *testing.T) {
	e2eTest(t)
	q := supportQueue()
	q.RingTimeout = 20 * time.Second
	q.WrapUp = 300 * time.Millisecond
	node := startACDWith(t, acdSpec{Queues: []queueSpec{q}, Agents: agentsFor(3, "support")},
		withEventsKeys(t, "rotate_size: 2KB"))
	cfg := acdConfigFile(node)
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	var phones []*sippProc
	for _, id := range []string{"1001", "1002"} {
		p := node.startAgentUAS("agent-"+id, "agent_answer.xml", agentRTP.port())
		node.register(id, p)
		phones = append(phones, p)
	}

	// 1. Six calls complete.
	first := node.startSipp("completed", "caller_timed.xml", node.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "600", "-m", "6", "-r", "4", "-l", "2")
	first.expectSuccess(6)
	completed := slices.Sorted(maps.Keys(timedCalls(first)))
	if len(completed) != 6 {
		t.Fatalf("callers logged %d completed calls, want 6", len(completed))
	}
	for _, id := range []string{"1001", "1002"} {
		node.waitAgent(id, "available", "", 5*time.Second) // wrap-ups over: call records written
	}

	// 2. Four calls in progress: 1001 and 1002 answer two (they were idle
	// longest), 1003's phone rings for the third and never answers, the
	// fourth waits.
	ringer := node.startAgentUAS("agent-1003", "agent_noanswer.xml", agentRTP.port())
	node.register("1003", ringer)
	phones = append(phones, ringer)
	busy := node.startSipp("in-progress", "caller_timed.xml", node.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "60000", "-m", "4", "-r", "10", "-l", "4")
	tag := fmt.Sprintf("-%d@", busy.cmd.Process.Pid) // sipp's Call-IDs: N-PID@IP
	var inProgress []string
	deadline := time.Now().Add(15 * time.Second)
	for {
		var entered, connected, ringing int
		inProgress = inProgress[:0]
		for _, e := range allLogEvents(t, node.events) {
			if !strings.Contains(e.CallID, tag) {
				continue
			}
			switch {
			case e.Type == "entered":
				entered++
				inProgress = append(inProgress, e.CallID)
			case e.Type == "connected":
				connected++
			case e.Type == "offered" && slices.Equal(e.Agents, []string{"1003"}):
				ringing++
			}
		}
		if entered == 4 && connected == 2 && ringing == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("in-progress calls: %d entered, %d connected, %d ringing 1003; want 4, 2, 1:\n%s",
				entered, connected, ringing, formatEvents(allLogEvents(t, node.events)))
		}
		time.Sleep(25 * time.Millisecond)
	}
	slices.Sort(inProgress)

	// 3. The crash. No BYE is in flight: every completed call ended long
	// ago and the calls in progress had a minute to go.
	crashKill(node)
	killSippNow(busy)
	for _, p := range phones {
		killSippNow(p)
	}
	rotated, _ := filepath.Glob(node.events + ".2*")
	if len(rotated) < 2 {
		t.Fatalf("%d rotated log files, want the 2 KB rotation to have happened several times", len(rotated))
	}
	before, err := os.ReadFile(node.events)
	if err != nil {
		t.Fatal(err)
	}

	reportCalls := func(wantTorn int) (map[string]string, reportRowCounts) {
		t.Helper()
		j := acdReport(t, "-config", cfg, "-interval", "total", "-rows", "queues,calls", "-tz", "UTC")
		if len(j.Torn) != wantTorn || len(j.Warnings) != 0 {
			t.Errorf("report: torn lines %+v and warnings %v, want %d torn and no warning", j.Torn, j.Warnings, wantTorn)
		}
		states := map[string]string{}
		for _, c := range j.Calls {
			switch {
			case c.Outcome == "answered" && c.Ended != "":
				states[c.CallID] = "completed"
			case c.Ended == "":
				states[c.CallID] = "unfinished"
			default:
				states[c.CallID] = c.Outcome
			}
		}
		row := queueTotal(t, j, "support")
		return states, reportRowCounts{row.Offered, row.Answered, row.Open}
	}
	states, counts := reportCalls(0)
	if got := completedInReport(states); !slices.Equal(got, completed) {
		t.Errorf("after the crash the report's completed calls are\n%v\nthe callers saw complete\n%v", got, completed)
	}
	for _, id := range inProgress {
		if states[id] != "unfinished" {
			t.Errorf("call %s in progress at the crash: report says %q, want it unfinished", id, states[id])
		}
	}
	// Answered counts the two connected calls too; the other two are open.
	if want := (reportRowCounts{10, 8, 2}); counts != want {
		t.Errorf("report offered/answered/open %v, want %v", counts, want)
	}
	records := callRecords(t, node.events)
	for _, id := range completed {
		if n := len(records[id]); n != 1 {
			t.Errorf("completed call %s has %d call records, want 1", id, n)
		}
	}

	// 4. A torn last line: half an event, as a write the crash cut short.
	torn := fmt.Sprintf(`{"time":%q,"type":"completed","node":"e2e","call_id":"torn-by-the-crash","queue":"sup`,
		time.Now().UTC().Format(time.RFC3339Nano))
	f, err := os.OpenFile(node.events, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(torn); err != nil {
		t.Fatal(err)
	}
	f.Close()
	j := acdReport(t, "-config", cfg, "-interval", "total", "-rows", "queues,calls", "-tz", "UTC")
	if len(j.Torn) != 1 || j.Torn[0].Path != node.events || j.Torn[0].Offset != int64(len(before)) || j.Torn[0].Length != len(torn) {
		t.Errorf("report's torn lines %+v, want one of %d bytes at offset %d of %s", j.Torn, len(torn), len(before), node.events)
	}
	states, counts = reportCalls(1)
	if got := completedInReport(states); !slices.Equal(got, completed) || counts != (reportRowCounts{10, 8, 2}) {
		t.Errorf("with a torn line: completed %v, counts %v; want %v and the same counts", got, counts, completed)
	}
	table := exec.Command(acdBinary, "report", "-config", cfg, "-interval", "total", "-tz", "UTC")
	out, err := table.CombinedOutput()
	if err != nil {
		t.Errorf("acd report (table) with a torn line: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "torn last line") || !strings.Contains(string(out), node.events) {
		t.Errorf("acd report (table) does not mention the torn line:\n%s", out)
	}
	t.Logf("report with the torn line:\n%s", out)

	// 5. Restart on the same config and log.
	node2 := relaunchACD(node)
	node2.waitStderr("event log ended with an unfinished line", 5*time.Second)
	if side, err := os.ReadFile(node.events + ".torn"); err != nil || string(side) != torn+"\n" {
		t.Errorf("torn line set aside as %q (%v), want %q", side, err, torn+"\n")
	}
	p := node2.startAgentUAS("agent-1001-again", "agent_answer.xml", agentRTP.port())
	node2.register("1001", p)
	second := node2.startSipp("after-restart", "caller_timed.xml", node2.sipAddr(),
		"-s", "100", "-key", "rtp_port", callerRTP.portArg(), "-d", "600", "-m", "2", "-l", "1")
	second.expectSuccess(2)
	node2.waitAgent("1001", "available", "", 5*time.Second)
	p.stopAndExpect(2)
	after := slices.Sorted(maps.Keys(timedCalls(second)))
	all := slices.Sorted(slices.Values(append(slices.Clone(completed), after...)))

	// The file the crash left is continued: its whole lines, then the
	// restarted node's, whether or not it was rotated since.
	continued := false
	files, _ := filepath.Glob(node.events + ".2*")
	for _, f := range append(files, node.events) {
		b, _ := os.ReadFile(f)
		if rest, ok := bytes.CutPrefix(b, before); ok && len(before) > 0 {
			continued = len(rest) > 0 && !bytes.Contains(rest, []byte("torn-by-the-crash"))
			t.Logf("%s: %d bytes from before the crash, then %d appended after the restart", filepath.Base(f), len(before), len(rest))
		}
	}
	if !continued {
		t.Error("no log file holds the crashed node's whole lines followed by the restarted node's")
	}

	states, counts = reportCalls(0)
	if got := completedInReport(states); !slices.Equal(got, all) {
		t.Errorf("after the restart the report's completed calls are\n%v\nthe callers saw complete\n%v", got, all)
	}
	if want := (reportRowCounts{12, 10, 2}); counts != want {
		t.Errorf("report offered/answered/open %v after the restart, want %v", counts, want)
	}
	records = callRecords(t, node.events)
	for _, id := range all {
		if n := len(records[id]); n != 1 {
			t.Errorf("completed call %s has %d call records, want 1", id, n)
		}
	}
	t.Logf("completed before the crash %v, in progress at it %v, completed after the restart %v; %d rotated files",
		completed, inProgress, after, len(files))
}

// reportRowCounts are a queue total's offered, answered and open calls.
type reportRowCounts struct{ Offered, Answered, Open int }
