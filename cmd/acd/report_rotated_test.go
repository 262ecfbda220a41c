package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sme/acd/acd/report"
)

// With -config and no -log, report and staffing read the config's event
// log and the files rotated out of it, oldest first; an explicit -log is
// read as given.
func TestReportReadsRotatedFilesByDefault(t *testing.T) {
	full, err := os.ReadFile(writeReportLog(t, false))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(full, []byte("\n"))
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	// Three files: two rotated (named as FileLog names them) and the
	// current one, holding the last call: entered, a logout, abandoned.
	n := len(lines) - 1 // the last is empty
	parts := map[string][][]byte{
		path + ".20250304T081500.000000000Z": lines[:30],
		path + ".20250304T082000.000000000Z": lines[30 : n-3],
		path:                                 lines[n-3:],
	}
	for f, ls := range parts {
		if err := os.WriteFile(f, bytes.Join(ls, nil), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Beside them, files that are no part of the log.
	_ = os.WriteFile(path+".torn", []byte("{\"ti\n"), 0o600)
	_ = os.WriteFile(path+".bak", []byte("not json\n"), 0o600)
	cfg := filepath.Join(dir, "acd.yaml")
	yaml := "queues: [{name: support, number: \"100\"}]\nagents: [{id: a1, password: pw, queues: [support]}]\nevents: {path: " + path + "}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	total := func(args ...string) report.QueueRow {
		t.Helper()
		out, stderr, code := runReportCLI(t, append([]string{"report", "-interval", "total", "-format", "json", "-rows", "queues"}, args...)...)
		if code != 0 {
			t.Fatalf("report %v: exit %d: %s", args, code, stderr)
		}
		var j report.JSONReport
		if err := json.Unmarshal([]byte(out), &j); err != nil || len(j.Queues) != 1 || len(j.Torn) != 0 {
			t.Fatalf("report %v: %v\n%s", args, err, out)
		}
		return j.Queues[0]
	}
	if q := total("-config", cfg); q.Offered != 11 || q.Answered != 10 || q.Abandoned != 1 || q.Open != 0 {
		t.Errorf("report over the rotated files and the current one: %+v", q)
	}
	if q := total("-config", cfg, "-log", path); q.Offered != 1 || q.Abandoned != 1 {
		t.Errorf("report of the current file alone: %+v", q)
	}
}
