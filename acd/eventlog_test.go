package acd

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFileLogAppendsWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	l, err := OpenFileLog(path, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, typ := range []EventType{EvEntered, EvConnected} {
		if err := l.Append(Event{Time: t0, Type: typ, CallID: "c1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if n := bytes.Count(b, []byte("\n")); n != 2 || b[len(b)-1] != '\n' {
		t.Fatalf("want 2 whole lines, got %q", b)
	}
	if err := l.Append(Event{Type: EvEntered}); err == nil {
		t.Fatal("append after close must fail")
	}
}

// A crash mid-write leaves an unfinished line; reopening sets it aside so
// the next event starts on its own line and nothing complete is lost.
func TestFileLogSetsTornTailAsideOnOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	whole := `{"time":"2026-03-02T09:00:00Z","type":"completed","call_id":"c1"}` + "\n"
	torn := `{"time":"2026-03-02T09:00:01Z","type":"ente`
	if err := os.WriteFile(path, []byte(whole+torn), 0o640); err != nil {
		t.Fatal(err)
	}
	l, err := OpenFileLog(path, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	if string(l.TornTail()) != torn {
		t.Fatalf("torn tail = %q", l.TornTail())
	}
	if err := l.Append(Event{Time: time.Date(2026, 3, 2, 9, 0, 2, 0, time.UTC), Type: EvEntered, CallID: "c2"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	b, _ := os.ReadFile(path)
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	if len(lines) != 2 || string(lines[0])+"\n" != whole || !bytes.Contains(lines[1], []byte(`"c2"`)) {
		t.Fatalf("log after reopen = %q", b)
	}
	side, _ := os.ReadFile(path + ".torn")
	if string(side) != torn+"\n" {
		t.Fatalf("side file = %q", side)
	}
	// A clean log is left alone.
	l2, err := OpenFileLog(path, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if l2.TornTail() != nil {
		t.Fatalf("clean log reported torn tail %q", l2.TornTail())
	}
}
