package main

// The cluster end-to-end test: two acd processes share one redis-server
// (its own, with an append-only file so it can be restarted with its data,
// as a production Redis would be). sipp agents register on either node,
// sipp callers call both. What is checked comes from outside the ACD: the
// callers' and agents' sipp statistics, the agents' own message traces
// (no agent ever had two calls at once), the nodes' event files, the HTTP
// API and `acd report` reading the cluster's Redis stream.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/sme/acd/acd/report"
)

// redisProc is a redis-server the test runs on a unix socket, persisting
// to an append-only file in its directory.
type redisProc struct {
	t      *testing.T
	bin    string
	dir    string
	socket string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

func startRedis(t *testing.T) *redisProc {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not on PATH (scripts/test.sh installs it)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir, err := os.MkdirTemp("", "acdcl") // a unix socket path must stay short
	if err != nil {
		t.Fatal(err)
	}
	r := &redisProc{t: t, bin: bin, dir: dir, socket: filepath.Join(dir, "redis.sock")}
	t.Cleanup(func() {
		r.kill()
		os.RemoveAll(dir)
	})
	r.start()
	return r
}

func (r *redisProc) start() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	logf, err := os.OpenFile(filepath.Join(r.dir, "redis.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		r.t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(r.bin, "--port", "0", "--unixsocket", r.socket, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", r.dir, "--daemonize", "no")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	r.cmd, r.exited = cmd, exited
	client := redis.NewClient(&redis.Options{Network: "unix", Addr: r.socket, MaxRetries: -1,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}})
	defer client.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := client.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
			r.t.Fatalf("redis-server exited at start:\n%s", b)
		default:
		}
		if time.Now().After(deadline) {
			r.t.Fatal("redis-server not answering after 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop shuts Redis down (SIGTERM: it writes its file and exits).
func (r *redisProc) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
	r.cmd = nil
}

func (r *redisProc) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.exited
	r.cmd = nil
}

// startClusterNode starts an acd named node whose store is r with prefix:
// startACD with the store section added to the config.
func startClusterNode(t *testing.T, spec acdSpec, node string, r *redisProc, prefix string, lease time.Duration) *acdProc {
	t.Helper()
	return startACDOpts(t, spec, withName(node), withConfig(func(yaml string) string {
		if !strings.HasPrefix(yaml, "node_id: e2e\n") {
			t.Fatalf("unexpected config start:\n%s", yaml)
		}
		yaml = "node_id: " + node + yaml[len("node_id: e2e"):]
		return yaml + fmt.Sprintf("store:\n  kind: redis\n  redis: {address: %q, prefix: %q}\n  lease: %s\n", "unix:"+r.socket, prefix, yamlDur(lease))
	}))
}

// kill9 kills the node as a crash would.
func (a *acdProc) kill9() {
	a.t.Helper()
	crashKill(a)
}

// killSipp ends a sipp run the test gives up on.
func (s *sippProc) kill() {
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// agentDialog is one call an agent's phone took, from its message trace.
type agentDialog struct {
	callID string
	invite time.Time // the first INVITE received
	bye    time.Time // the first BYE received; zero if none came
}

var traceHeader = regexp.MustCompile(`^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)$`)

// readDialogs parses a sipp -trace_msg file: blocks that start with a
// dashed line carrying the time, then "UDP message received …" or "… sent",
// a blank line and the SIP message.
func readDialogs(t *testing.T, path string) []agentDialog {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("agent trace: %v", err)
	}
	defer f.Close()
	byID := map[string]*agentDialog{}
	var order []string
	var (
		at               time.Time
		received         bool
		startLine, callI string
		inMsg            bool
	)
	flush := func() {
		if !received || callI == "" {
			return
		}
		d := byID[callI]
		if d == nil {
			d = &agentDialog{callID: callI}
			byID[callI] = d
			order = append(order, callI)
		}
		switch {
		case strings.HasPrefix(startLine, "INVITE ") && d.invite.IsZero():
			d.invite = at
		case strings.HasPrefix(startLine, "BYE ") && d.bye.IsZero():
			d.bye = at
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if m := traceHeader.FindStringSubmatch(line); m != nil {
			flush()
			at, err = time.ParseInLocation("2006-01-02 15:04:05.000000", m[1], time.Local)
			if err != nil {
				t.Fatalf("agent trace %s: time %q: %v", path, m[1], err)
			}
			received, startLine, callI, inMsg = false, "", "", false
			continue
		}
		switch {
		case strings.Contains(line, "message received"):
			received = true
		case !inMsg && line == "":
		case !inMsg:
			inMsg, startLine = true, line
		default:
			if k, v, ok := strings.Cut(line, ":"); ok && (strings.EqualFold(k, "Call-ID") || k == "i") {
				callI = strings.TrimSpace(v)
			}
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		t.Fatalf("agent trace %s: %v", path, err)
	}
	var out []agentDialog
	for _, id := range order {
		if d := byID[id]; !d.invite.IsZero() {
			out = append(out, *d)
		}
	}
	return out
}

// checkOneCallAtATime fails the test if one agent's phone was in two
// calls at once: the INVITE of a call arrived before the BYE of the one
// before. Calls that never got a BYE (their node was killed) are returned.
func checkOneCallAtATime(t *testing.T, agent string, ds []agentDialog) (complete int, orphans []agentDialog) {
	t.Helper()
	var done []agentDialog
	for _, d := range ds {
		if d.bye.IsZero() {
			orphans = append(orphans, d)
			continue
		}
		done = append(done, d)
	}
	sort.Slice(done, func(i, j int) bool { return done[i].invite.Before(done[j].invite) })
	for i := 1; i < len(done); i++ {
		if p, c := done[i-1], done[i]; c.invite.Before(p.bye) {
			t.Errorf("agent %s had two calls at once: INVITE of %s at %s before the BYE of %s at %s",
				agent, c.callID, c.invite.Format("15:04:05.000000"), p.callID, p.bye.Format("15:04:05.000000"))
		}
	}
	return len(done), orphans
}

// runReport runs `acd report` with the node's config (so on the cluster's
// Redis stream) and returns the parsed JSON.
func runReport(t *testing.T, a *acdProc) report.JSONReport {
	t.Helper()
	return acdReport(t, "-config", a.configPath(), "-interval", "total", "-rows", "queues,calls", "-tz", "UTC")
}

// totalRow is the report's total row for queue support.
func totalRow(t *testing.T, j report.JSONReport) report.QueueRow {
	t.Helper()
	return queueTotal(t, j, "support")
}

// fileCallIDs is every call id in the nodes' event files.
func fileCallIDs(nodes ...*acdProc) map[string]bool {
	ids := map[string]bool{}
	for _, n := range nodes {
		for _, e := range n.readEvents() {
			if e.CallID != "" && e.Type != "agent-state" {
				ids[e.CallID] = true
			}
		}
	}
	return ids
}

// waitAllAvailable polls a node's API until every agent is available.
func waitAllAvailable(a *acdProc, ids []string, within time.Duration) time.Duration {
	a.t.Helper()
	began := time.Now()
	for {
		all := a.apiAgents()
		ok := true
		for _, id := range ids {
			ok = ok && all[id].State == "available"
		}
		if ok {
			return time.Since(began)
		}
		if time.Since(began) > within {
			a.t.Fatalf("agents not all available %v after the load: %+v", within, all)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestE2ECluster: two nodes on one Redis. Steady load, every call
// answered and reported once; node A killed with -9 mid-load, node B
// carries on and frees A's agents and callers within the lease; Redis
// restarted mid-load, calls succeed again once it is back, and nothing is
// left stuck. Throughout, no agent's phone ever has two calls at once.
func TestE2ECluster(t *testing.T) {
	e2eTest(t)
	const lease = 3 * time.Second
	rds := startRedis(t)
	prefix := "e2e-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	q := supportQueue()
	q.RingTimeout = 5 * time.Second
	spec := acdSpec{Queues: []queueSpec{q}, Agents: agentsFor(4, "support")}
	nodeA := startClusterNode(t, spec, "node-a", rds, prefix, lease)
	nodeB := startClusterNode(t, spec, "node-b", rds, prefix, lease)
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)

	agentIDs := []string{"1001", "1002", "1003", "1004"}
	uas := map[string]*sippProc{}
	traces := map[string]string{}
	for i, id := range agentIDs {
		home := nodeA
		if i >= 2 {
			home = nodeB
		}
		traces[id] = filepath.Join(home.dir, "agent-"+id+".msg")
		uas[id] = home.startAgentUAS("agent-"+id, "cluster_agent_answer.xml", agentRTP.port(),
			"-timeout", "600s", "-trace_msg", "-message_file", traces[id])
		home.register(id, uas[id])
	}
	// A caller is answered by the ACD at once, waits on hold for an agent
	// and hangs up talkMS after the ACD's answer: at most limit calls at
	// once per run, so callers reach an agent before hanging up.
	callers := func(a *acdProc, name string, calls, rate, limit, talkMS int) *sippProc {
		return a.startSipp(name, "caller.xml", a.sipAddr(), "-s", "100", "-key", "rtp_port", callerRTP.portArg(),
			"-d", strconv.Itoa(talkMS), "-m", strconv.Itoa(calls), "-r", strconv.Itoa(rate), "-l", strconv.Itoa(limit))
	}
	// answered checks that every call of a caller run reached an agent and
	// was completed, by the node's event file.
	answered := func(a *acdProc, s *sippProc, calls int) {
		t.Helper()
		tag := fmt.Sprintf("-%d@", s.cmd.Process.Pid) // sipp's Call-IDs: N-PID@IP
		var done int
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := map[string][]string{}
			for id, evs := range callEvents(a.readEvents()) {
				if strings.Contains(id, tag) {
					got[id] = types(evs)
				}
			}
			done = 0
			for _, ts := range got {
				if slices.Contains(ts, "connected") && slices.Contains(ts, "completed") {
					done++
				}
			}
			if len(got) == calls && done == calls {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d calls in the event file, %d connected and completed; want %d: %v", s.name, len(got), done, calls, got)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}

	// 1. Steady load on both nodes: every call answered by an agent,
	// and the cluster report counts each once.
	const steady = 12
	c1a := callers(nodeA, "steady-a", steady, 4, 2, 1200)
	c1b := callers(nodeB, "steady-b", steady, 4, 2, 1200)
	c1a.expectSuccess(steady)
	c1b.expectSuccess(steady)
	answered(nodeA, c1a, steady)
	answered(nodeB, c1b, steady)
	j := runReport(t, nodeB)
	if row := totalRow(t, j); row.Offered != 2*steady || row.Answered != 2*steady {
		t.Errorf("report after the steady load: offered %d answered %d, want %d each", row.Offered, row.Answered, 2*steady)
	}
	t.Logf("steady load: %d calls on each node, all answered by agents; the cluster report counts %d answered of %d",
		steady, totalRow(t, j).Answered, totalRow(t, j).Offered)

	// 2. Node A is killed mid-load, with more callers than agents. B's
	// (patient) callers are all answered; A's agents and waiting callers
	// are freed by B within the lease.
	c2a := callers(nodeA, "kill-a", 60, 6, 6, 3000)
	c2b := callers(nodeB, "kill-b", 6, 2, 3, 10000)
	time.Sleep(1500 * time.Millisecond)
	killed := time.Now()
	nodeA.kill9()
	c2a.kill()
	var waitingAtKill []string
	for id, evs := range callEvents(nodeA.readEvents()) {
		if last := evs[len(evs)-1].Type; last == "entered" {
			waitingAtKill = append(waitingAtKill, id)
		}
	}
	c2b.expectSuccess(6)
	answered(nodeB, c2b, 6)
	waitAllAvailable(nodeB, agentIDs, 2*lease+5*time.Second)
	t.Logf("A killed with %d callers waiting: B answered all its callers, and once they were done the API showed every agent available",
		len(waitingAtKill))
	evsB := nodeB.readEvents()
	if len(waitingAtKill) == 0 {
		t.Errorf("no caller of A was waiting when A was killed: the test did not load A enough")
	}
	for _, id := range waitingAtKill {
		if !slices.ContainsFunc(evsB, func(e event) bool { return e.CallID == id && e.Type == "dropped" && e.Reason == "node-lost" }) {
			t.Errorf("A's waiting call %s was not dropped by B with reason node-lost", id)
		}
	}
	freed := filterEvents(evsB, func(e event) bool { return e.Type == "agent-state" && e.Reason == "node-lost" })
	if len(freed) == 0 {
		t.Errorf("B recorded no agent freed from the lost node; events:\n%s", formatEvents(evsB))
	}
	for _, e := range freed {
		if d := e.Time.Sub(killed); d > 2*lease {
			t.Errorf("agent %s freed %v after the kill, later than the lease (%v) allows", e.Agent, d, lease)
		} else {
			t.Logf("agent %s freed by B %v after A was killed", e.Agent, d.Round(time.Millisecond))
		}
	}

	// 3. Redis restarts mid-load (A back as a new process). Calls arriving
	// during the outage are refused (503); calls in progress go on; once
	// Redis is back new calls are answered and no agent is left stuck.
	nodeA2 := startClusterNode(t, spec, "node-a", rds, prefix, lease)
	c3a := callers(nodeA2, "restart-a", 12, 3, 2, 1200)
	c3b := callers(nodeB, "restart-b", 12, 3, 2, 1200)
	time.Sleep(1500 * time.Millisecond)
	rds.stop()
	time.Sleep(time.Second)
	rds.start()
	for _, c := range []*sippProc{c3a, c3b} {
		c.wait(sippTimeout + 10*time.Second)
		st := c.stats()
		errs, _ := os.ReadFile(c.errLog)
		refused := strings.Count(string(errs), "SIP/2.0 503 Service Unavailable")
		t.Logf("through the Redis restart, %s: %d calls, %d answered by the ACD, %d failed (%d refused with 503)",
			c.name, st.Created, st.Successful, st.Failed, refused)
		if st.Failed > 0 && refused == 0 {
			t.Errorf("%s: %d calls failed but none was refused with 503:%s", c.name, st.Failed, c.diagnostics())
		}
	}
	for _, n := range []*acdProc{nodeA2, nodeB} {
		n.waitStderr("store reachable again", 3*lease)
	}
	c4a := callers(nodeA2, "after-a", 6, 3, 2, 1200)
	c4b := callers(nodeB, "after-b", 6, 3, 2, 1200)
	c4a.expectSuccess(6)
	c4b.expectSuccess(6)
	answered(nodeA2, c4a, 6)
	answered(nodeB, c4b, 6)
	for _, n := range []*acdProc{nodeA2, nodeB} {
		waitAllAvailable(n, agentIDs, 2*lease+5*time.Second)
	}

	// Every call in the nodes' files is in the cluster's report, once.
	files := fileCallIDs(nodeA, nodeA2, nodeB)
	j = runReport(t, nodeB)
	seen := map[string]int{}
	for _, c := range j.Calls {
		seen[c.CallID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("report lists call %s %d times", id, n)
		}
		if !files[id] {
			t.Errorf("report lists call %s that no node's file has", id)
		}
	}
	for id := range files {
		if seen[id] == 0 {
			t.Errorf("call %s of the nodes' files is missing from the report", id)
		}
	}
	outcomes := map[string]int{}
	for _, c := range j.Calls {
		outcomes[c.Outcome]++
	}
	t.Logf("report over the cluster's stream: %d calls %v; the nodes' files name %d", len(j.Calls), outcomes, len(files))

	// No agent ever had two calls at once, by the phones' own traces.
	total := 0
	for _, id := range agentIDs {
		uas[id].stop()
		n, orphans := checkOneCallAtATime(t, id, readDialogs(t, traces[id]))
		total += n
		t.Logf("agent %s: %d calls, one at a time; %d left without BYE by the killed node", id, n, len(orphans))
		for _, o := range orphans {
			if o.invite.After(killed) {
				t.Errorf("agent %s: call %s from %s without a BYE, not from the killed node", id, o.callID, o.invite.Format("15:04:05.000"))
			}
		}
	}
	if want := 2*steady + 6 + 12; total < want {
		t.Errorf("agents' phones completed %d calls, want at least %d", total, want)
	}
}
