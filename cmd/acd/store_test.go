package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/redisstore"
	"github.com/sme/acd/acd/report"
	"github.com/sme/acd/config"
	"github.com/sme/acd/internal/redistest"
)

func TestNewRedisClient(t *testing.T) {
	if c, ok := newRedisClient(config.Redis{Cluster: []string{"h1:7000", "h2:7000"}}).(*redis.ClusterClient); !ok {
		t.Error("cluster: not a ClusterClient")
	} else {
		c.Close()
	}
	single, ok := newRedisClient(config.Redis{Address: "unix:/run/r.sock", DB: 3, Password: "pw"}).(*redis.Client)
	if !ok {
		t.Fatal("address: not a Client")
	}
	defer single.Close()
	o := single.Options()
	if o.Network != "unix" || o.Addr != "/run/r.sock" || o.DB != 3 || o.Password != "pw" ||
		o.DialTimeout != redisDialTimeout || o.ReadTimeout != redisIOTimeout || o.MaxRetries != redisMaxRetries {
		t.Errorf("options %+v", o)
	}
	tcp := newRedisClient(config.Redis{Address: "10.1.2.3:6380"}).(*redis.Client)
	defer tcp.Close()
	if o := tcp.Options(); o.Network != "tcp" || o.Addr != "10.1.2.3:6380" {
		t.Errorf("tcp options: %s %s", o.Network, o.Addr)
	}
	fo, ok := newRedisClient(config.Redis{Sentinel: config.Sentinel{Master: "m", Addresses: []string{"s:26379"}}}).(*redis.Client)
	if !ok {
		t.Fatal("sentinel: not a (failover) Client")
	}
	fo.Close()
}

// clusterConfig writes a config using Redis at socket with prefix.
func clusterConfig(t *testing.T, socket, prefix string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "acd.yaml")
	src := fmt.Sprintf("queues: [{name: support, number: \"100\"}]\nstore:\n  kind: redis\n  redis: {address: %q, prefix: %q}\n",
		"unix:"+socket, prefix)
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReportReadsClusterStream: two nodes' events in the Redis stream;
// `acd report -config` with the redis store counts each node's calls once.
func TestReportReadsClusterStream(t *testing.T) {
	srv := redistest.Start(t)
	const prefix = "report:"
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for n, node := range []string{"n1", "n2"} {
		l := redisstore.NewStreamLog(srv.Client(t), redisstore.StreamOptions{Prefix: prefix, Node: node, Log: slog.New(slog.DiscardHandler)})
		for i := range 3 {
			id := fmt.Sprintf("%s-c%d", node, i)
			at := t0.Add(time.Duration(10*i+n) * time.Second)
			for _, ev := range []acd.Event{
				{Time: at, Type: acd.EvEntered, CallID: id, Queue: "support"},
				{Time: at.Add(time.Second), Type: acd.EvOffered, CallID: id, Queue: "support", Agents: []string{"a1"}, Attempts: 1},
				{Time: at.Add(2 * time.Second), Type: acd.EvConnected, CallID: id, Queue: "support", Agent: "a1", WaitMS: 2000},
				{Time: at.Add(5 * time.Second), Type: acd.EvCompleted, CallID: id, Queue: "support", Agent: "a1", TalkMS: 3000},
			} {
				ev.Node = node
				if err := l.Append(ev); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	cfg := clusterConfig(t, srv.Socket(), prefix)
	out, stderr, code := runReportCLI(t, "report", "-config", cfg, "-interval", "total", "-format", "json", "-rows", "queues,calls", "-tz", "UTC")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var j report.JSONReport
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("parse: %v\n%s", err, out)
	}
	if len(j.Queues) != 1 || j.Queues[0].Offered != 6 || j.Queues[0].Answered != 6 {
		t.Errorf("queues %+v, want 6 offered and answered", j.Queues)
	}
	nodes := map[string]int{}
	for _, c := range j.Calls {
		nodes[strings.SplitN(c.CallID, "-", 2)[0]]++
	}
	if len(j.Calls) != 6 || nodes["n1"] != 3 || nodes["n2"] != 3 {
		t.Errorf("calls %+v, want 3 of each node", j.Calls)
	}

	// -log still reads a file even with a redis config.
	if _, stderr, code := runReportCLI(t, "report", "-config", cfg, "-log", filepath.Join(t.TempDir(), "none")); code != 1 || !strings.Contains(stderr, "none") {
		t.Errorf("-log with a redis config: exit %d %s", code, stderr)
	}
	srv.Stop()
	if _, stderr, code := runReportCLI(t, "report", "-config", cfg); code != 1 || !strings.Contains(stderr, "read event stream") {
		t.Errorf("Redis down: exit %d %s", code, stderr)
	}
}

// TestRedisLoggerQuietensRepeats: while Redis is down go-redis reports
// every failed dial; the node logs one of a kind per redisLogEvery.
func TestRedisLoggerQuietensRepeats(t *testing.T) {
	var buf strings.Builder
	l := newRedisLogger(slog.New(slog.NewTextHandler(&buf, nil)))
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l.nowFor = func() time.Time { return now }
	for i := range 10 {
		l.Printf(t.Context(), "redis: connection pool: failed to dial after %d attempts: %v", 1, fmt.Errorf("refused %d", i))
		now = now.Add(time.Second)
	}
	l.Printf(t.Context(), "redis: other %s", "thing")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `msg="connection pool: failed to dial after 1 attempts: refused 0"`) ||
		!strings.Contains(lines[1], "refused 5") || !strings.Contains(lines[1], "similar_left_out=4") || !strings.Contains(lines[2], "other thing") {
		t.Errorf("logged:\n%s", buf.String())
	}
}
