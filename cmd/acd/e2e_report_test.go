package main

// The report end to end: sipp callers whose waits and talk times the test
// controls go through the real binary, and `acd report -format json` on
// the event log must count them exactly and measure them as the callers
// themselves did. A caller's own times come from its side only: its sipp
// scenario (caller_timed.xml) logs the wall-clock instants it got the
// ACD's 200 OK and sent its BYE, and its RTP endpoint (the test's rtpPeer)
// the instant the agent's audio first reached it.
//
// Also here: starting an acd with an edited config, and again on the same
// config, log and ports after it died (e2e_crash_test.go).

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/report"
)

// acdConfigFile is where startACD and startACDWith write the config.
func acdConfigFile(a *acdProc) string { return a.configPath() }

// startACDWith is startACD with the config passed through edit first.
func startACDWith(t *testing.T, spec acdSpec, edit func(yaml string) string) *acdProc {
	t.Helper()
	return startACDOpts(t, spec, withConfig(edit))
}

// withEventsKeys adds keys to the config's events section.
func withEventsKeys(t *testing.T, keys ...string) func(string) string {
	return func(yaml string) string {
		const anchor = "  fsync: every-event\n"
		i := strings.Index(yaml, anchor)
		if i < 0 {
			t.Fatalf("config has no %q to add events keys after:\n%s", anchor, yaml)
		}
		i += len(anchor)
		return yaml[:i] + "  " + strings.Join(keys, "\n  ") + "\n" + yaml[i:]
	}
}

// relaunchACD starts the binary again on the config, event log and ports
// of a, which must have exited (a crash): what an operator's supervisor
// does. Its stderr goes to a file of its own.
func relaunchACD(a *acdProc) *acdProc {
	a.t.Helper()
	select {
	case <-a.exited:
	default:
		a.t.Fatal("relaunch: the acd is still running")
	}
	b := &acdProc{t: a.t, name: a.name, dir: a.dir, spec: a.spec, sipPort: a.sipPort, httpPort: a.httpPort, events: a.events}
	launchACD(b, fmt.Sprintf("acd-%d.stderr", time.Now().UnixNano()))
	return b
}

// timedCall is one completed call as caller_timed.xml logged it.
type timedCall struct {
	ID              string
	Invite, OK, Bye time.Time
}

// timedCalls parses a caller_timed.xml run's log: the calls it completed.
func timedCalls(s *sippProc) map[string]timedCall {
	s.t.Helper()
	out := map[string]timedCall{}
	for _, line := range strings.Split(s.logText(), "\n") {
		if !strings.HasPrefix(line, "call-id=") {
			continue
		}
		var c timedCall
		for _, f := range strings.Fields(line) {
			k, v, _ := strings.Cut(f, "=")
			var dst *time.Time
			switch k {
			case "call-id":
				c.ID = v
				continue
			case "invite":
				dst = &c.Invite
			case "ok":
				dst = &c.OK
			case "bye":
				dst = &c.Bye
			default:
				continue
			}
			// sipp prints its doubles as %lf: "1795769280.000000,90564.000000".
			sec, us, _ := strings.Cut(v, ",")
			fs, err1 := strconv.ParseFloat(sec, 64)
			fu, err2 := strconv.ParseFloat(us, 64)
			if err1 != nil || err2 != nil {
				s.t.Fatalf("sipp %s: bad time %q in %q", s.name, v, line)
			}
			*dst = time.Unix(int64(fs), int64(fu)*1000)
		}
		if c.ID == "" || c.OK.IsZero() || c.Bye.IsZero() {
			s.t.Fatalf("sipp %s: bad log line %q", s.name, line)
		}
		out[c.ID] = c
	}
	return out
}

// firstAgentAudio is when a caller's RTP endpoint first heard the agent.
func firstAgentAudio(p *rtpPeer) (time.Time, bool) {
	for _, s := range p.snapshot() {
		for _, pkt := range s.Rx {
			if pkt.Fill == agentFill {
				return pkt.At, true
			}
		}
	}
	return time.Time{}, false
}

// acdReport runs the binary's report command and parses its JSON; it
// must exit 0.
func acdReport(t *testing.T, args ...string) report.JSONReport {
	t.Helper()
	cmd := exec.Command(acdBinary, append([]string{"report", "-format", "json"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("acd report %v: %v\n%s", args, err, stderr.String())
	}
	var j report.JSONReport
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatalf("acd report %v: %v\n%s", args, err, out)
	}
	return j
}

// queueTotal is a report's total row for queue.
func queueTotal(t *testing.T, j report.JSONReport, queue string) report.QueueRow {
	t.Helper()
	for _, q := range j.Queues {
		if q.Queue == queue && q.Period == "total" {
			return q
		}
	}
	t.Fatalf("report has no total row for %s: %+v", queue, j.Queues)
	return report.QueueRow{}
}

// logFileLines reads every line of the event log (the rotated files, then
// the current one) as raw JSON objects.
func logFileLines(t *testing.T, events string) []map[string]json.RawMessage {
	t.Helper()
	var out []map[string]json.RawMessage
	for _, f := range logFiles(t, events) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if line == "" {
				continue
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("%s: bad line %q: %v", f, line, err)
			}
			out = append(out, m)
		}
	}
	return out
}

// callRecords are the log's call-record lines by call id.
func callRecords(t *testing.T, events string) map[string][]acd.CallRecord {
	t.Helper()
	out := map[string][]acd.CallRecord{}
	for _, m := range logFileLines(t, events) {
		if string(m["type"]) != `"call-record"` {
			continue
		}
		var id string
		var rec acd.CallRecord
		if json.Unmarshal(m["call_id"], &id) != nil || json.Unmarshal(m["record"], &rec) != nil {
			t.Fatalf("bad call record %v", m)
		}
		out[id] = append(out[id], rec)
	}
	return out
}

// rtpLatency bounds how far a caller's own timing of a call may be from
// the ACD's: the ACD records a call entering just before its 200 OK goes
// out, and an answer just before it bridges the audio, and the agent's
// audio then reaches the caller's endpoint after at most a packet interval
// at each end (20 ms, the agent's phone speaking only once it hears the
// caller) and two loopback hops, on a machine the race detector slows.
// A BYE likewise reaches the ACD a hop after the caller sent it.
const rtpLatency = 150 * time.Millisecond

// TestE2EReportMatchesCallersTimings: five callers of queue support with T
// = 2 s and S = 500 ms. Nobody is logged in at first: A hangs up after
// 1 s (abandoned within T), B after 2.7 s (abandoned after T), C stays. At
// 3.5 s agent 1001's phone registers and rings 200 ms: C is answered after
// about 4 s. Then D and E call one after the other, each answered within
// the 200 ms of ringing. The report must count 5 offered, 3 answered and 2
// abandoned, and its ASA and service levels must be those computed from
// the callers' own timings.
func TestE2EReportMatchesCallersTimings(t *testing.T) {
	e2eTest(t)
	const threshold, short = 2 * time.Second, 500 * time.Millisecond
	q := supportQueue()
	q.RingTimeout = 5 * time.Second
	q.WrapUp = time.Second
	node := startACDWith(t, acdSpec{Queues: []queueSpec{q}, Agents: agentsFor(1, "support")},
		withEventsKeys(t, "mask_callers: true"))
	agentRTP := newRTPPeer(t, "agent", agentFill)

	type caller struct {
		name     string
		answered bool // what the test arranges
		rtp      *rtpPeer
		sipp     *sippProc
		call     timedCall
		// The caller's own measurements.
		wait, talk time.Duration
	}
	var callers []*caller
	dial := func(name string, hold time.Duration, answered bool) *caller {
		c := &caller{name: name, answered: answered, rtp: newRTPPeer(t, "caller-"+name, callerFill)}
		c.sipp = node.startSipp(name, "caller_timed.xml", node.sipAddr(),
			"-s", "100", "-key", "rtp_port", c.rtp.portArg(), "-d", strconv.Itoa(int(hold.Milliseconds())), "-m", "1")
		callers = append(callers, c)
		return c
	}
	a := dial("A-abandons-at-1s", time.Second, false)
	b := dial("B-abandons-at-2.7s", 2700*time.Millisecond, false)
	c := dial("C-answered-late", 6500*time.Millisecond, true)
	time.Sleep(3500 * time.Millisecond)
	phone := node.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	node.register("1001", phone)
	for _, x := range []*caller{a, b, c} {
		x.sipp.expectSuccess(1)
	}
	for _, name := range []string{"D-answered", "E-answered"} {
		node.waitAgent("1001", "available", "", 5*time.Second) // the wrap-up is over
		dial(name, 1500*time.Millisecond, true).sipp.expectSuccess(1)
	}
	node.waitAgent("1001", "available", "", 5*time.Second) // so every call record is written
	phone.stopAndExpect(3)

	// The callers' side.
	var ansWithinT, ansAfterT, abWithinT, abAfterT, abShort int
	var sumWait time.Duration
	for _, x := range callers {
		calls := timedCalls(x.sipp)
		if len(calls) != 1 {
			t.Fatalf("caller %s logged %d completed calls, want 1", x.name, len(calls))
		}
		for _, tc := range calls {
			x.call = tc
		}
		x.rtp.close()
		heard, ok := firstAgentAudio(x.rtp)
		if ok != x.answered {
			t.Fatalf("caller %s heard an agent: %v, want %v", x.name, ok, x.answered)
		}
		if x.answered {
			x.wait, x.talk = heard.Sub(x.call.OK), x.call.Bye.Sub(heard)
			sumWait += x.wait
			if x.wait <= threshold {
				ansWithinT++
			} else {
				ansAfterT++
			}
		} else {
			x.wait = x.call.Bye.Sub(x.call.OK)
			switch {
			case x.wait <= short:
				abShort++
				abWithinT++
			case x.wait <= threshold:
				abWithinT++
			default:
				abAfterT++
			}
		}
	}
	// The arrangement held, far enough from T and S that the ACD's
	// timings (within rtpLatency) classify every call the same way.
	if ansWithinT != 2 || ansAfterT != 1 || abWithinT != 1 || abAfterT != 1 || abShort != 0 {
		t.Fatalf("callers' timings: answered within/after T %d/%d, abandoned within/after T %d/%d (short %d); want 2/1, 1/1 (0)",
			ansWithinT, ansAfterT, abWithinT, abAfterT, abShort)
	}
	for _, x := range callers {
		limits := []time.Duration{threshold}
		if !x.answered {
			limits = append(limits, short) // S only sorts abandons
		}
		for _, limit := range limits {
			if (x.wait - limit).Abs() < 3*rtpLatency {
				t.Fatalf("caller %s waited %v, too close to %v for an exact service level", x.name, x.wait, limit)
			}
		}
	}
	ans, ab := float64(ansWithinT+ansAfterT), float64(abWithinT+abAfterT)
	offered := ans + ab
	wantSL := map[string]float64{
		"sl_a": float64(ansWithinT) / ans,
		"sl_b": float64(ansWithinT+abWithinT) / (ans + ab),
		"sl_c": float64(ansWithinT) / (ans + ab),
		"sl_d": float64(ansWithinT) / (ans + float64(abAfterT)),
		"sl_e": float64(ansWithinT+abShort) / (ans + ab),
		"sl_f": float64(ansWithinT+abWithinT) / offered, // every call left the queue answered or abandoned
	}
	wantASA := sumWait.Seconds() / ans

	// The report's side, from the event log alone.
	j := acdReport(t, "-config", acdConfigFile(node), "-interval", "total", "-rows", "queues,calls",
		"-threshold", threshold.String(), "-short", short.String(), "-tz", "UTC")
	if len(j.Torn) != 0 || len(j.Warnings) != 0 {
		t.Errorf("report notes torn lines %v and warnings %v", j.Torn, j.Warnings)
	}
	row := queueTotal(t, j, "support")
	if row.Offered != 5 || row.Answered != 3 || row.Abandoned != 2 || row.ShortAbandons != 0 || row.FlowOuts != 0 ||
		row.Dropped != 0 || row.Open != 0 || row.Rejected != 0 {
		t.Errorf("report counts offered %d answered %d abandoned %d (short %d), flow-outs %d, dropped %d, open %d, rejected %d; want 5, 3, 2 (0), 0, 0, 0, 0",
			row.Offered, row.Answered, row.Abandoned, row.ShortAbandons, row.FlowOuts, row.Dropped, row.Open, row.Rejected)
	}
	if row.AnsweredWithinT != ansWithinT || row.AbandonedWithinT != abWithinT {
		t.Errorf("report: answered within T %d, abandoned within T %d; callers: %d, %d", row.AnsweredWithinT, row.AbandonedWithinT, ansWithinT, abWithinT)
	}
	gotSL := map[string]report.Num{"sl_a": row.SLA, "sl_b": row.SLB, "sl_c": row.SLC, "sl_d": row.SLD, "sl_e": row.SLE, "sl_f": row.SLF}
	for _, name := range []string{"sl_a", "sl_b", "sl_c", "sl_d", "sl_e", "sl_f"} {
		if got := float64(gotSL[name]); math.Abs(got-wantSL[name]) > 1e-9 {
			t.Errorf("report %s = %.4f, the callers' timings give %.4f", name, got, wantSL[name])
		}
	}
	if float64(row.SL) != float64(row.SLB) || j.SLFormula != "sl_b" {
		t.Errorf("report SL %v (%s), want sl_b by default (%v)", row.SL, j.SLFormula, row.SLB)
	}
	if got := float64(row.ASAS); math.Abs(got-wantASA) > rtpLatency.Seconds() {
		t.Errorf("report ASA %.3f s, the callers' timings give %.3f s (tolerance %v)", got, wantASA, rtpLatency)
	}
	if got, want := float64(row.LongestAbandonWaitS), b.wait.Seconds(); math.Abs(got-want) > rtpLatency.Seconds() {
		t.Errorf("report longest abandon wait %.3f s, caller B waited %.3f s", got, want)
	}
	if got := float64(row.AvgWrapUpS); math.Abs(got-q.WrapUp.Seconds()) > rtpLatency.Seconds() {
		t.Errorf("report average wrap-up %.3f s, want the queue's %v", got, q.WrapUp)
	}

	// Call by call, by Call-ID.
	rows := map[string]report.CallRow{}
	for _, r := range j.Calls {
		rows[r.CallID] = r
	}
	if len(rows) != len(callers) {
		t.Errorf("report has %d calls, want %d", len(rows), len(callers))
	}
	records := callRecords(t, node.events)
	entered := map[string]string{} // caller number as received, by call
	for _, e := range node.readEvents() {
		if e.Type == "entered" {
			entered[e.CallID] = e.Caller
		}
	}
	for _, x := range callers {
		r, ok := rows[x.call.ID]
		if !ok {
			t.Errorf("caller %s: call %s not in the report", x.name, x.call.ID)
			continue
		}
		want := map[bool]string{true: "answered", false: "abandoned"}[x.answered]
		gotWait := time.Duration(float64(r.WaitS) * float64(time.Second))
		gotTalk := time.Duration(float64(r.TalkS) * float64(time.Second))
		if r.Outcome != want || (gotWait-x.wait).Abs() > rtpLatency || (gotTalk-x.talk).Abs() > rtpLatency {
			t.Errorf("caller %s: report says %s after waiting %v and talking %v; the caller %s after %v and %v",
				x.name, r.Outcome, gotWait, gotTalk, want, x.wait, x.talk)
		}
		t.Logf("caller %-18s waited %6.3f s, talked %6.3f s by its own clock; the report: %s, %6.3f s and %6.3f s",
			x.name, x.wait.Seconds(), x.talk.Seconds(), r.Outcome, gotWait.Seconds(), gotTalk.Seconds())

		// Its one call record agrees, with the caller's number masked.
		recs := records[x.call.ID]
		if len(recs) != 1 {
			t.Errorf("caller %s: %d call records, want 1", x.name, len(recs))
			continue
		}
		rec := recs[0]
		raw := entered[x.call.ID]
		if rec.Outcome != want || (time.Duration(rec.WaitMS)*time.Millisecond-gotWait).Abs() > time.Millisecond ||
			raw == "" || rec.Caller != acd.MaskNumber(raw) || rec.Caller == raw || rec.Queue != "support" {
			t.Errorf("caller %s: call record %+v; report wait %v, number %q", x.name, rec, gotWait, raw)
		}
		if x.answered && (rec.Agent != "1001" || (time.Duration(rec.WrapUpMS)*time.Millisecond-q.WrapUp).Abs() > rtpLatency) {
			t.Errorf("caller %s: call record agent %q wrap-up %d ms, want 1001 and about %v", x.name, rec.Agent, rec.WrapUpMS, q.WrapUp)
		}
	}
	t.Logf("callers: ASA %.3f s, sl_a %.3f sl_b %.3f sl_c %.3f sl_d %.3f; report: ASA %.3f s, sl_a %.3f sl_b %.3f sl_c %.3f sl_d %.3f",
		wantASA, wantSL["sl_a"], wantSL["sl_b"], wantSL["sl_c"], wantSL["sl_d"],
		float64(row.ASAS), float64(row.SLA), float64(row.SLB), float64(row.SLC), float64(row.SLD))
}
