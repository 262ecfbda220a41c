package main

// Reading agents' sipp message traces and checking no agent had two calls at once.

import (
	"bufio"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

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
