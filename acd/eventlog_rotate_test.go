package acd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// rotClock is a clock that moves on by step at every reading.
type rotClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *rotClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(c.step)
	return t
}

func (c *rotClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// readRotated reads every file of the log at path in LogFiles order,
// failing on a file that does not end in a whole line.
func readRotated(t *testing.T, path string) (files []string, lines []Event) {
	t.Helper()
	files, err := LogFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			continue
		}
		if b[len(b)-1] != '\n' {
			t.Fatalf("%s does not end in a whole line: %q", f, b)
		}
		for _, l := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
			var ev Event
			if err := json.Unmarshal(l, &ev); err != nil {
				t.Fatalf("%s: bad line %q: %v", f, l, err)
			}
			lines = append(lines, ev)
		}
	}
	return files, lines
}

func rotCallIDs(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.CallID)
	}
	return out
}

func rotSeq(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("c%03d", i))
	}
	return out
}

func TestFileLogRotatesBySizeBetweenLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	clock := &rotClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), step: time.Millisecond}
	var errs []error
	const limit = 400
	l, err := NewFileLog(path, FileLogOptions{SyncEvery: true, RotateSize: limit, Now: clock.now,
		OnError: func(err error) { errs = append(errs, err) }})
	if err != nil {
		t.Fatal(err)
	}
	const n = 30
	for i := range n {
		if err := l.Append(Event{Time: clock.t, Type: EvEntered, CallID: fmt.Sprintf("c%03d", i), Queue: "support"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("rotation errors: %v", errs)
	}
	files, evs := readRotated(t, path)
	if got := rotCallIDs(evs); !slices.Equal(got, rotSeq(n)) {
		t.Fatalf("lines across %d files = %v, want every event once, in order", len(files), got)
	}
	if len(files) < 4 || files[len(files)-1] != path {
		t.Fatalf("files = %v, want several rotated files then %s", files, path)
	}
	var prev time.Time
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > limit {
			t.Errorf("%s has %d bytes, over the %d limit", f, st.Size(), limit)
		}
		if f == path {
			continue
		}
		at, ok := rotatedTime(path, f)
		if !ok || !at.After(prev) || !strings.HasPrefix(filepath.Base(f), "events.jsonl.20260302T0900") {
			t.Errorf("rotated file %s: time %v (ok %v) after %v", f, at, ok, prev)
		}
		prev = at
	}
}

func TestFileLogRotatesDaily(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	clock := &rotClock{t: time.Date(2026, 3, 2, 23, 59, 59, 0, time.UTC)}
	l, err := NewFileLog(path, FileLogOptions{RotateDaily: true, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"c000", "c001"} {
		if err := l.Append(Event{Time: clock.t, Type: EvEntered, CallID: id}); err != nil {
			t.Fatal(err)
		}
	}
	clock.set(time.Date(2026, 3, 3, 0, 0, 1, 0, time.UTC))
	if err := l.Append(Event{Time: clock.t, Type: EvEntered, CallID: "c002"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	files, evs := readRotated(t, path)
	want := []string{filepath.Join(dir, "events.jsonl.20260303T000001.000000000Z"), path}
	if !slices.Equal(files, want) || !slices.Equal(rotCallIDs(evs), rotSeq(3)) {
		t.Fatalf("files %v with %v, want %v with c000..c002", files, rotCallIDs(evs), want)
	}
	if b, _ := os.ReadFile(path); bytes.Count(b, []byte("\n")) != 1 {
		t.Errorf("current file holds %q, want only the new day's event", b)
	}

	// Reopened on a later day, a file last written the day before is
	// rotated before the first event of the new day.
	old := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	clock.set(time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC))
	l, err = NewFileLog(path, FileLogOptions{RotateDaily: true, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Event{Time: clock.t, Type: EvEntered, CallID: "c003"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	files, evs = readRotated(t, path)
	if len(files) != 3 || !slices.Equal(rotCallIDs(evs), rotSeq(4)) {
		t.Fatalf("after reopening: files %v with %v", files, rotCallIDs(evs))
	}
}

func TestFileLogKeepsTheNewestRotatedFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	// Something else beside the log is never deleted.
	for _, other := range []string{"events.jsonl.torn", "events.jsonl.bak", "other.jsonl.20260302T090000.000000000Z"} {
		if err := os.WriteFile(filepath.Join(dir, other), []byte("x\n"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	clock := &rotClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), step: time.Second}
	l, err := NewFileLog(path, FileLogOptions{RotateSize: 1, Keep: 2, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 { // a line per file: five rotations
		if err := l.Append(Event{Time: clock.t, Type: EvEntered, CallID: fmt.Sprintf("c%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	files, evs := readRotated(t, path)
	if len(files) != 3 || !slices.Equal(rotCallIDs(evs), []string{"c003", "c004", "c005"}) {
		t.Fatalf("files %v with %v, want the two newest rotated files and the current one", files, rotCallIDs(evs))
	}
	for _, other := range []string{"events.jsonl.torn", "events.jsonl.bak", "other.jsonl.20260302T090000.000000000Z"} {
		if _, err := os.Stat(filepath.Join(dir, other)); err != nil {
			t.Errorf("%s: %v", other, err)
		}
	}
}

// A new file that cannot be created after the rename: the lines go on in
// the renamed file, the error is reported, and the next line tries again.
func TestFileLogRotationFailureLosesNoLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	clock := &rotClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), step: time.Millisecond}
	var errs []error
	l, err := NewFileLog(path, FileLogOptions{SyncEvery: true, RotateSize: 1, Now: clock.now,
		OnError: func(err error) { errs = append(errs, err) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Event{Time: clock.t, Type: EvEntered, CallID: "c000"}); err != nil {
		t.Fatal(err)
	}
	failing := errors.New("disk says no")
	l.openFile = func(string, int, os.FileMode) (*os.File, error) { return nil, failing }
	for _, id := range []string{"c001", "c002"} {
		if err := l.Append(Event{Time: clock.t, Type: EvEntered, CallID: id}); err != nil {
			t.Fatalf("append %s while rotation fails: %v", id, err)
		}
	}
	if len(errs) != 2 || !errors.Is(errs[0], failing) {
		t.Fatalf("errors reported: %v, want the failed open twice", errs)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("current file exists while its creation fails: %v", err)
	}
	l.openFile = os.OpenFile
	if err := l.Append(Event{Time: clock.t, Type: EvEntered, CallID: "c003"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	files, evs := readRotated(t, path)
	if !slices.Equal(rotCallIDs(evs), rotSeq(4)) {
		t.Fatalf("lines %v across %v, want c000..c003 once each, in order", rotCallIDs(evs), files)
	}
}

// The clock stepping back never names a rotated file before an older one.
func TestFileLogRotatedNamesFollowLineOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	clock := &rotClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	l, err := NewFileLog(path, FileLogOptions{RotateSize: 1, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	for i, at := range []time.Time{
		time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 2, 9, 0, 5, 0, time.UTC),
		time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), // stepped back an hour
		time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC),
	} {
		clock.set(at)
		if err := l.Append(Event{Time: at, Type: EvEntered, CallID: fmt.Sprintf("c%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	// Reopening learns the newest name too.
	clock.set(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	l, err = NewFileLog(path, FileLogOptions{RotateSize: 1, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Event{Type: EvEntered, CallID: "c004"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	files, evs := readRotated(t, path)
	if len(files) != 5 || !slices.Equal(rotCallIDs(evs), rotSeq(5)) {
		t.Fatalf("lines %v across %v, want c000..c004 in order", rotCallIDs(evs), files)
	}
}

func TestFileLogConcurrentAppendsAcrossRotations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	l, err := NewFileLog(path, FileLogOptions{RotateSize: 4 << 10, SyncInterval: time.Millisecond,
		OnError: func(err error) { t.Errorf("log error: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 150
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := l.Append(Event{Time: time.Now(), Type: EvEntered, CallID: fmt.Sprintf("w%d-%04d", w, i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	l.Close()
	files, evs := readRotated(t, path)
	if len(evs) != writers*each || len(files) < 3 {
		t.Fatalf("%d lines in %d files, want %d in several", len(evs), len(files), writers*each)
	}
	next := map[string]int{}
	for _, e := range evs {
		w, i, _ := strings.Cut(e.CallID, "-")
		if want := fmt.Sprintf("%04d", next[w]); i != want {
			t.Fatalf("writer %s: line %s after %d", w, i, next[w]-1)
		}
		next[w]++
	}
}

// With a periodic policy, the last lines before a quiet period are synced
// by a timer, not left for an event that may not come; and the timer does
// not tick on when there is nothing to sync.
func TestFileLogPeriodicSyncRunsOnATimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "events.jsonl")
		l, err := NewFileLog(path, FileLogOptions{SyncInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		syncs := 0
		l.fsync = func(f *os.File) error {
			mu.Lock()
			syncs++
			mu.Unlock()
			return f.Sync()
		}
		count := func() int {
			synctest.Wait()
			mu.Lock()
			defer mu.Unlock()
			return syncs
		}
		ev := Event{Type: EvEntered, CallID: "c"}
		l.Append(ev) // the first line: synced at once
		if n := count(); n != 1 {
			t.Fatalf("%d syncs after the first line, want 1", n)
		}
		time.Sleep(10 * time.Millisecond)
		l.Append(ev)
		l.Append(ev)
		if n := count(); n != 1 {
			t.Fatalf("%d syncs within the interval, want still 1", n)
		}
		time.Sleep(89 * time.Millisecond)
		if n := count(); n != 1 {
			t.Fatalf("%d syncs before the interval is over, want still 1", n)
		}
		time.Sleep(2 * time.Millisecond)
		if n := count(); n != 2 {
			t.Fatalf("%d syncs once the interval is over with no new event, want 2", n)
		}
		time.Sleep(time.Minute)
		if n := count(); n != 2 {
			t.Fatalf("%d syncs after a quiet minute with nothing to sync, want 2", n)
		}
		l.Append(ev) // long after the last sync: at once
		if n := count(); n != 3 {
			t.Fatalf("%d syncs after a line following a quiet period, want 3", n)
		}
		l.Append(ev)
		if err := l.Close(); err != nil { // syncs, and stops the armed timer
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if n := count(); n != 4 {
			t.Fatalf("%d syncs after close, want 4", n)
		}
	})
}

func TestLogFilesListsRotatedThenCurrent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	if files, err := LogFiles(path); err != nil || !slices.Equal(files, []string{path}) {
		t.Fatalf("LogFiles of nothing = %v, %v; want the path itself", files, err)
	}
	names := []string{"events.jsonl.20260302T100000.000000000Z", "events.jsonl.20260302T090000.000000000Z",
		"events.jsonl.torn", "events.jsonl.2026", "events.jsonl.20260302T090000.000000000Z.gz", "xevents.jsonl.20260302T080000.000000000Z"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{filepath.Join(dir, names[1]), filepath.Join(dir, names[0])}
	if files, err := LogFiles(path); err != nil || !slices.Equal(files, want) {
		t.Fatalf("LogFiles without a current file = %v, %v; want %v", files, err, want)
	}
	if err := os.WriteFile(path, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	if files, err := LogFiles(path); err != nil || !slices.Equal(files, append(want, path)) {
		t.Fatalf("LogFiles = %v, %v; want %v then the current file", files, err, want)
	}
}
