package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/report"
)

// writeReportLog writes a morning in Paris: agent a1 logged in 09:00–09:30; ten
// calls, one every 3 minutes from 09:00, each waiting 5 s then talking 160
// s with 10 s of wrap-up (AHT 170 s); one more call at 09:29:59.999 that
// abandons after 30 s; and, when torn, half a line a crash cut short.
func writeReportLog(t *testing.T, torn bool) string {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 3, 4, 9, 0, 0, 0, paris)
	sec := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	evs := []acd.Event{{Time: t0, Type: acd.EvAgentState, Agent: "a1", State: "available", Reason: "login"}}
	for i := range 10 {
		id, at := "c"+strconv.Itoa(i), float64(180*i)
		evs = append(evs,
			acd.Event{Time: sec(at), Type: acd.EvEntered, CallID: id, Queue: "support", Caller: "+3361234567" + strconv.Itoa(i)},
			acd.Event{Time: sec(at + 1), Type: acd.EvOffered, CallID: id, Queue: "support", Agents: []string{"a1"}, Attempts: 1},
			acd.Event{Time: sec(at + 1), Type: acd.EvAgentState, Agent: "a1", State: "ringing"},
			acd.Event{Time: sec(at + 5), Type: acd.EvConnected, CallID: id, Queue: "support", Agent: "a1", WaitMS: 5000},
			acd.Event{Time: sec(at + 5), Type: acd.EvAgentState, Agent: "a1", State: "busy"},
			acd.Event{Time: sec(at + 165), Type: acd.EvCompleted, CallID: id, Queue: "support", Agent: "a1", TalkMS: 160000},
			acd.Event{Time: sec(at + 165), Type: acd.EvAgentState, Agent: "a1", State: "wrap-up"},
			acd.Event{Time: sec(at + 175), Type: acd.EvAgentState, Agent: "a1", State: "available"},
		)
	}
	evs = append(evs,
		acd.Event{Time: sec(1799.999), Type: acd.EvEntered, CallID: "late", Queue: "support"},
		acd.Event{Time: sec(1800), Type: acd.EvAgentState, Agent: "a1", State: "offline", Reason: "logout"},
		acd.Event{Time: sec(1829.999), Type: acd.EvAbandoned, CallID: "late", Queue: "support", WaitMS: 30000},
	)
	var b bytes.Buffer
	for _, ev := range evs {
		line, _ := json.Marshal(ev)
		b.Write(append(line, '\n'))
	}
	if torn {
		b.WriteString(`{"time":"2025-03-04T09:31:00+01:00","type":"ent`)
	}
	path := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runReportCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestReportCommandJSON(t *testing.T) {
	path := writeReportLog(t, true)
	out, stderr, code := runReportCLI(t, "report", "-log", path, "-interval", "30m", "-format", "json", "-tz", "Europe/Paris", "-rows", "queues,calls", "-mask")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var j report.JSONReport
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("parse: %v\n%s", err, out)
	}
	if len(j.Torn) != 1 || j.Torn[0].Path != path || j.TimeZone != "Europe/Paris" || j.Interval != "30m" {
		t.Errorf("header %+v", j)
	}
	// The late call entered at 09:29:59.999 and abandoned at 09:30:29.999:
	// it counts at 09:00, and no period of the queue starts at 09:30.
	if len(j.Queues) != 2 || j.Queues[1].Period != "total" {
		t.Fatalf("queues %+v", j.Queues)
	}
	q0 := j.Queues[0]
	if q0.Period != "2025-03-04T09:00:00+01:00" || q0.Offered != 11 || q0.Answered != 10 || q0.Abandoned != 1 ||
		q0.AnsweredWithinT != 10 || q0.ASAS != 5 || q0.AHTS != 170 || q0.SL != report.Num(10.0/11) {
		t.Errorf("09:00 row %+v", q0)
	}
	if len(j.Calls) != 11 || j.Calls[0].Caller != "+********670" {
		t.Errorf("calls %+v", j.Calls)
	}
}

func TestReportCommandCSVAndTable(t *testing.T) {
	path := writeReportLog(t, false)
	out, stderr, code := runReportCLI(t, "report", "-log", path, "-interval", "day", "-format", "csv", "-rows", "agents", "-tz", "Europe/Paris")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 3 || recs[0][0] != "agent" || recs[1][1] != "2025-03-04T00:00:00+01:00" {
		t.Fatalf("csv %v %v", recs, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if a := recs[2]; a[col["offered"]] != "10" || a[col["answered"]] != "10" || a[col["logged_in_s"]] != "1800" || a[col["busy_s"]] != "1600" ||
		a[col["available_s"]] != "60" || a[col["occupancy"]] != strconv.FormatFloat(1700.0/1800, 'f', -1, 64) {
		t.Errorf("agent total %v", a)
	}
	out, stderr, code = runReportCLI(t, "report", "-log", path, "-sl", "sl_a", "-threshold", "4s", "-short", "2s", "-tz", "UTC")
	if code != 0 || !strings.Contains(out, "SL = sl_a = Ans≤T / Ans, T = 4s") || !strings.Contains(out, "0.0%") {
		t.Errorf("table (exit %d, %s):\n%s", code, stderr, out)
	}
}

func TestReportCommandErrors(t *testing.T) {
	path := writeReportLog(t, false)
	for _, args := range [][]string{
		{"report", "-log", path, "-sl", "sl_x"},
		{"report", "-log", path, "-interval", "20m"},
		{"report", "-log", path, "-format", "csv", "-rows", "queues,agents"},
		{"report", "-log", path, "-short", "30s"},
		{"staffing", "-rate", "100"},
		{"staffing", "-rate", "100", "-aht", "3m", "-sl", "1.5"},
	} {
		if _, _, code := runReportCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, stderr, code := runReportCLI(t, "report", "-log", filepath.Join(t.TempDir(), "none")); code != 1 || !strings.Contains(stderr, "none") {
		t.Errorf("missing log: exit %d %s", code, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	_ = os.WriteFile(bad, []byte("{}\n{}\n"), 0o600)
	if _, stderr, code := runReportCLI(t, "report", "-log", bad); code != 1 || !strings.Contains(stderr, "line 1") {
		t.Errorf("bad log: exit %d %s", code, stderr)
	}
}

func TestStaffingCommandExplicit(t *testing.T) {
	// METRICS.md's check value: 100 calls in 30 min = 200/h, AHT 180 s.
	out, stderr, code := runReportCLI(t, "staffing", "-rate", "200", "-aht", "180s", "-sl", "0.8", "-t", "20s", "-max-occupancy", "0.85", "-shrinkage", "0.3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"10.00 erlangs", "needed 14 agents on the phones, 20 scheduled", "SL 88.8%", "ASA 7.8s", "occupancy 71.4%"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestStaffingCommandFromLog(t *testing.T) {
	path := writeReportLog(t, false)
	out, stderr, code := runReportCLI(t, "staffing", "-log", path, "-interval", "30m", "-tz", "Europe/Paris")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// 11 calls in 30 min (22/h), AHT 170 s: A = 1.04 erlangs.
	n, sched, p, err := report.Staff(11.0/1800, 170, 0.8, 20, 0.85, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	var row []string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "2025-03-04 09:00 CET") {
			row = strings.Fields(line)
		}
	}
	// interval (3 words), offered, calls/h, AHT, erlangs, needed, scheduled,
	// pred SL, pred ASA, pred occ, logged in, on phones, SL achieved.
	want := []string{"11", "22.0", "170s", "1.04", strconv.Itoa(n), strconv.Itoa(sched),
		strconv.FormatFloat(100*p.SL, 'f', 1, 64) + "%", "", "", "1.0", "1.0", strconv.FormatFloat(1000.0/11, 'f', 1, 64) + "%"}
	if len(row) != 3+len(want) {
		t.Fatalf("row %q in\n%s", row, out)
	}
	for i, w := range want {
		if w != "" && row[3+i] != w {
			t.Errorf("column %d = %q, want %q\n%s", i, row[3+i], w, out)
		}
	}
}

// The config's report section supplies the time zone, SL formula and S
// when the flags are not given; flags still win.
func TestReportCommandUsesConfigReportSection(t *testing.T) {
	path := writeReportLog(t, false)
	cfgPath := filepath.Join(t.TempDir(), "acd.yaml")
	cfgText := "queues:\n  - name: support\n    number: \"100\"\nagents:\n  - id: \"1001\"\n    password: p\n    queues: [support]\n" +
		"report:\n  time_zone: Asia/Kolkata\n  sl_formula: sl_a\n  short_abandon: 3s\n"
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runReportCLI(t, "report", "-config", cfgPath, "-log", path, "-format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var j report.JSONReport
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("parse: %v\n%s", err, out)
	}
	if j.TimeZone != "Asia/Kolkata" || j.SLFormula != report.SLA {
		t.Errorf("zone %q formula %q, want the config's Asia/Kolkata and sl_a", j.TimeZone, j.SLFormula)
	}
	out, _, _ = runReportCLI(t, "report", "-config", cfgPath, "-log", path, "-format", "json", "-sl", "sl_c", "-tz", "UTC")
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	if j.TimeZone != "UTC" || j.SLFormula != report.SLC {
		t.Errorf("flags did not win: zone %q formula %q", j.TimeZone, j.SLFormula)
	}
}
