package main

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// sendDTMF sends one RFC 4733 telephone-event (PT 101) to every source the
// peer has heard: a start packet and three end packets sharing the event's
// timestamp, in the peer's own stream to that source.
func (p *rtpPeer) sendDTMF(code byte) int {
	sent := 0
	for i, end := range []bool{false, true, true, true} {
		p.mu.Lock()
		for _, s := range p.streams {
			payload := make([]byte, 4)
			payload[0] = code
			payload[1] = 10
			if end {
				payload[1] |= 0x80
			}
			binary.BigEndian.PutUint16(payload[2:], uint16(frameSamples*(i+1)))
			pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: s.seq,
				Timestamp: s.ts, SSRC: s.ssrc, Marker: i == 0}, Payload: payload}
			b, err := pkt.Marshal()
			if err != nil {
				continue
			}
			if _, err := p.conn.WriteToUDPAddrPort(b, s.from); err == nil {
				s.seq++
				sent++
			}
		}
		p.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	return sent
}

// menuLines is an IVR menu on 500: 1 → partner, default support.
func menuLines(timeout string) acdOption {
	return withConfig(func(yaml string) string {
		return yaml + "menus:\n  - name: main\n    number: \"500\"\n    timeout: " + timeout +
			"\n    repeats: 1\n    options: {\"1\": {queue: partner}, \"2\": {queue: support}}\n    default: {queue: support}\n"
	})
}

// callPath is the call's events as type/queue.
func callPath(evs []event, callID string) string {
	var got []string
	for _, e := range callEvents(evs)[callID] {
		got = append(got, e.Type+"/"+e.Queue)
	}
	return strings.Join(got, " ")
}

// TestE2EMenuDTMF: a caller dials a menu, hears the prompt, presses 1 as an
// RFC 4733 event and is queued in partner, whose agent answers.
func TestE2EMenuDTMF(t *testing.T) {
	e2eTest(t)
	partner := queueSpec{Name: "partner", Number: "200", Strategy: "longest-idle", RingTimeout: 2 * time.Second}
	spec := acdSpec{Queues: []queueSpec{supportQueue(), partner},
		Agents: []agentSpec{{ID: "1001", Password: "pw-1001", Queues: []string{"partner"}}}}
	acd := startACDOpts(t, spec, menuLines(`"10s"`))
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	agent := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", agent)

	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "500", "-key", "rtp_port", callerRTP.portArg(), "-d", "3000", "-m", "1")
	deadline := time.Now().Add(10 * time.Second)
	for len(callerRTP.snapshot()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no prompt audio from the menu")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the leg latches onto our stream first
	if callerRTP.sendDTMF(1) == 0 {
		t.Fatal("no DTMF sent")
	}
	caller.expectSuccess(1)
	done := acd.waitEvent("completed event", 10*time.Second, ofType("completed"))
	evs := acd.readEvents()
	menu := filterEvents(evs, ofType("menu-choice"))
	if len(menu) != 1 || menu[0].Digit != "1" || menu[0].Queue != "partner" || menu[0].Menu != "main" || menu[0].Reason != "choice" {
		t.Errorf("menu-choice events %v, want one with digit 1 to partner", menu)
	}
	want := "menu-choice/partner entered/partner offered/partner connected/partner completed/partner"
	if got := callPath(evs, done.CallID); got != want || done.Agent != "1001" {
		t.Errorf("call events %s by %s, want %s by 1001", got, done.Agent, want)
	}
	agent.stopAndExpect(1)
}

// TestE2EMenuTimeoutDefault: a caller who presses nothing hears the prompt
// twice and goes to the menu's default queue.
func TestE2EMenuTimeoutDefault(t *testing.T) {
	e2eTest(t)
	partner := queueSpec{Name: "partner", Number: "200", Strategy: "longest-idle", RingTimeout: 2 * time.Second}
	spec := acdSpec{Queues: []queueSpec{supportQueue(), partner},
		Agents: []agentSpec{{ID: "1001", Password: "pw-1001", Queues: []string{"support"}}}}
	acd := startACDOpts(t, spec, menuLines(`"300ms"`))
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	agent := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", agent)

	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(),
		"-s", "500", "-key", "rtp_port", callerRTP.portArg(), "-d", "2500", "-m", "1")
	caller.expectSuccess(1)
	done := acd.waitEvent("completed event", 10*time.Second, ofType("completed"))
	evs := acd.readEvents()
	menu := filterEvents(evs, ofType("menu-choice"))
	if len(menu) != 1 || menu[0].Digit != "" || menu[0].Queue != "support" || menu[0].Reason != "timeout" {
		t.Errorf("menu-choice events %v, want one timeout to support", menu)
	}
	want := "menu-choice/support entered/support offered/support connected/support completed/support"
	if got := callPath(evs, done.CallID); got != want {
		t.Errorf("call events %s, want %s", got, want)
	}
	agent.stopAndExpect(1)
}
