package main

// The e2e harness's ports: free ports for SIP, HTTP and sipp, and RTP port
// ranges. Tests run in parallel in one process, so every port the harness
// hands out (SIP, HTTP, sipp) is remembered and never handed out twice, and
// never inside an RTP range given to an acd.

import (
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
)

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
