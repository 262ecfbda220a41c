package main

// The e2e harness's config of one acd under test, written out as YAML.

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

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
