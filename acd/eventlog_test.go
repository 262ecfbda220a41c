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

// With GroupSync the fsync moves from Append to SyncEvents: lines of one
// batch share a single fsync, and nothing is left unsynced after it.
func TestFileLogGroupSync(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	l, err := NewFileLog(path, FileLogOptions{SyncEvery: true, GroupSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	syncs := 0
	l.fsync = func(f *os.File) error { syncs++; return f.Sync() }
	for range 3 {
		if err := l.Append(Event{Time: time.Now(), Type: EvEntered}); err != nil {
			t.Fatal(err)
		}
	}
	if syncs != 0 {
		t.Fatalf("%d fsyncs during the batch, want 0", syncs)
	}
	if err := SyncEvents(l); err != nil || syncs != 1 {
		t.Fatalf("SyncEvents: err %v, %d fsyncs, want 1", err, syncs)
	}
	if err := SyncEvents(TeeLog{l}); err != nil || syncs != 1 {
		t.Fatalf("nothing new to sync: err %v, %d fsyncs, want still 1", err, syncs)
	}
	// Without GroupSync, every Append syncs and SyncEvents has nothing to do.
	l2, err := NewFileLog(filepath.Join(t.TempDir(), "e2.jsonl"), FileLogOptions{SyncEvery: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	n2 := 0
	l2.fsync = func(f *os.File) error { n2++; return f.Sync() }
	_ = l2.Append(Event{Time: time.Now(), Type: EvEntered})
	_ = SyncEvents(l2)
	if n2 != 1 {
		t.Fatalf("%d fsyncs without group sync, want 1 (in Append)", n2)
	}
}
