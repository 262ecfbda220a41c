package main

// The cluster test's harness: cluster nodes, killing nodes and sipp runs, the report and the API.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd/report"
)

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
