package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
)

var logT0 = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

// logLines writes events exactly as acd.FileLog does: one JSON line each.
func logLines(t testing.TB, evs ...acd.Event) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, ev := range evs {
		line, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func sampleEvents() []acd.Event {
	return []acd.Event{
		{Time: logT0, Type: acd.EvEntered, CallID: "c1", Queue: "support", Caller: "+331234"},
		{Time: logT0.Add(time.Second), Type: acd.EvOffered, CallID: "c1", Queue: "support", Agents: []string{"a1"}, Attempts: 1},
		{Time: logT0.Add(3 * time.Second), Type: acd.EvConnected, CallID: "c1", Queue: "support", Agent: "a1", WaitMS: 3000},
	}
}

func TestReportReadLogWhole(t *testing.T) {
	data := logLines(t, sampleEvents()...)
	data = append([]byte("\n"), data...) // blank lines are skipped
	evs, torn, err := ReadLog(bytes.NewReader(data))
	if err != nil || torn != nil || len(evs) != 3 {
		t.Fatalf("ReadLog = %d events, torn %v, err %v", len(evs), torn, err)
	}
	if evs[2].Agent != "a1" || evs[2].WaitMS != 3000 || !evs[0].Time.Equal(logT0) {
		t.Errorf("events %+v", evs)
	}
	if evs, torn, err := ReadLog(strings.NewReader("")); len(evs) != 0 || torn != nil || err != nil {
		t.Errorf("empty log: %v %v %v", evs, torn, err)
	}
}

func TestReportReadLogTornLastLine(t *testing.T) {
	whole := logLines(t, sampleEvents()...)
	last := bytes.LastIndexByte(whole[:len(whole)-1], '\n') + 1
	for name, tc := range map[string]struct {
		data []byte
		off  int
	}{
		"cut mid-line":         {whole[:len(whole)-10], last},
		"complete but no \\n":  {whole[:len(whole)-1], last},
		"garbage with newline": {append(whole[:last:last], "{\"time\":\"2025-03-\x00\x00\n"...), last},
		"NUL tail":             {append(whole[:last:last], "\x00\x00\x00\x00"...), last},
		"bad line then blanks": {append(whole[:last:last], "{oops}\n\n  \n"...), last},
	} {
		t.Run(name, func(t *testing.T) {
			evs, torn, err := ReadLog(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatalf("ReadLog: %v", err)
			}
			if len(evs) != 2 || torn == nil {
				t.Fatalf("got %d events and torn %v, want 2 and a torn line", len(evs), torn)
			}
			if torn.Line != 3 || torn.Offset != int64(tc.off) || !bytes.Equal(torn.Bytes, tc.data[tc.off:]) {
				t.Errorf("torn %+v, want line 3 at offset %d", torn, tc.off)
			}
			if !strings.Contains(torn.String(), "line 3") {
				t.Errorf("torn.String() = %q", torn)
			}
		})
	}
}

func TestReportReadLogBadLineInTheMiddle(t *testing.T) {
	evs := sampleEvents()
	for name, bad := range map[string]string{
		"not json": "{\"time\": nope}\n",
		"null":     "null\n",
		"no type":  `{"time":"2025-03-04T09:00:00Z"}` + "\n",
		"glued":    `{"time":"2025-03-04T09:0{"time":"2025-03-04T09:00:00Z","type":"entered","call_id":"c9"}` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			data := append(logLines(t, evs[0]), bad...)
			data = append(data, logLines(t, evs[1:]...)...)
			_, _, err := ReadLog(bytes.NewReader(data))
			var le *LineError
			if !errors.As(err, &le) || le.Line != 2 || !strings.Contains(err.Error(), "line 2") {
				t.Fatalf("err = %v, want a LineError at line 2", err)
			}
			if name == "glued" && !strings.Contains(err.Error(), "restart") {
				t.Errorf("glued fragment: %v does not suggest the cause", err)
			}
		})
	}
}

func TestReportReadFilesRotated(t *testing.T) {
	dir := t.TempDir()
	evs := sampleEvents()
	older := filepath.Join(dir, "events-1.jsonl")
	newer := filepath.Join(dir, "events-2.jsonl")
	// A crash left a torn line at the end of the older file; the restarted
	// ACD rotated to a new file.
	if err := os.WriteFile(older, append(logLines(t, evs[0]), `{"time":"20`...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(newer, logLines(t, evs[1:]...), 0o600); err != nil {
		t.Fatal(err)
	}
	got, torn, err := ReadFiles(older, newer)
	if err != nil || len(got) != 3 || got[2].Type != acd.EvConnected {
		t.Fatalf("ReadFiles = %d events, %v", len(got), err)
	}
	if len(torn) != 1 || torn[0].Path != older || torn[0].Line != 2 {
		t.Errorf("torn = %+v, want line 2 of %s", torn, older)
	}
	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(bad, append([]byte("{}\n"), logLines(t, evs[0])...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = ReadFiles(newer, bad)
	var le *LineError
	if !errors.As(err, &le) || le.Path != bad || le.Line != 1 || !strings.Contains(err.Error(), bad) {
		t.Errorf("err = %v, want line 1 of %s", err, bad)
	}
	if _, _, err := ReadFiles(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
