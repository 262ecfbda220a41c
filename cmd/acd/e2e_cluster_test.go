package main

// The cluster end-to-end test: two acd processes share one redis-server
// (its own, with an append-only file so it can be restarted with its data,
// as a production Redis would be). sipp agents register on either node,
// sipp callers call both. What is checked comes from outside the ACD: the
// callers' and agents' sipp statistics, the agents' own message traces
// (no agent ever had two calls at once), the nodes' event files, the HTTP
// API and `acd report` reading the cluster's Redis stream.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

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
