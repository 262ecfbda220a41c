package acd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Rotated event logs are named <path>.<UTC time of the rotation>, in a
// fixed-width form so that sorting the names sorts them in time:
// events.jsonl.20260302T000000.000000000Z holds every line written before
// that instant and after the previous rotated file's. The rotation time is
// made later than the newest rotated file's, even if the clock stepped
// back, so name order is always line order.
const rotatedLayout = "20060102T150405.000000000Z"

// RotatedLogs lists the rotated files of the event log at path, oldest
// first. Other files beside it (path+".torn", editors' backups) are not
// listed.
func RotatedLogs(path string) ([]string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list rotated event logs: %w", err)
	}
	var out []string
	for _, e := range entries {
		name := filepath.Join(filepath.Dir(path), e.Name())
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), base+".") {
			if _, ok := rotatedTime(path, name); ok {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out) // fixed width: name order is time order
	return out, nil
}

// LogFiles is every file of the event log at path, oldest first: the
// rotated ones, then path itself. Path is listed even when it does not
// exist and nothing was rotated, so a reader reports it missing.
func LogFiles(path string) ([]string, error) {
	files, err := RotatedLogs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil || len(files) == 0 {
		files = append(files, path)
	}
	return files, nil
}

// rotatedTime reads the rotation time from a rotated file's name.
func rotatedTime(path, name string) (time.Time, bool) {
	suffix, ok := strings.CutPrefix(filepath.Base(name), filepath.Base(path)+".")
	if !ok || len(suffix) != len(rotatedLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(rotatedLayout, suffix)
	return t, err == nil
}

func utcDay(t time.Time) string { return t.UTC().Format("2006-01-02") }

// maybeRotate starts a new file if the next line, of n bytes, is due in
// one. A failure is reported through OnError and the line goes to the file
// in use: losing no line matters more than the file's size.
func (l *FileLog) maybeRotate(now time.Time, n int64) {
	if l.orphan {
		// The last rotation renamed the file but could not create the
		// next: try again before anything else.
		if err := l.switchFile(); err != nil {
			l.report(fmt.Errorf("rotate event log: %w", err))
			return
		}
	}
	due := l.size > 0 && ((l.opt.RotateSize > 0 && l.size+n > l.opt.RotateSize) ||
		(l.opt.RotateDaily && l.day != "" && l.day != utcDay(now)))
	if !due {
		return
	}
	if err := l.rotate(now); err != nil {
		l.report(fmt.Errorf("rotate event log: %w", err))
	}
}

// rotate syncs the file, renames it to its rotated name, starts a new one
// at path and deletes rotated files beyond Keep. It runs under l.mu
// between two whole lines. Until the rename nothing has changed; after it,
// lines go on into the renamed file until a new one is open, so a failure
// anywhere loses nothing and a crash anywhere leaves whole lines in files
// LogFiles lists, in order.
func (l *FileLog) rotate(now time.Time) error {
	if err := l.sync(now); err != nil {
		return fmt.Errorf("sync before rotation: %w", err)
	}
	at := now.UTC().Truncate(time.Nanosecond)
	if !at.After(l.prev) {
		at = l.prev.Add(time.Nanosecond)
	}
	name := l.path + "." + at.Format(rotatedLayout)
	for {
		if _, err := os.Lstat(name); errors.Is(err, os.ErrNotExist) {
			break
		}
		at = at.Add(time.Nanosecond)
		name = l.path + "." + at.Format(rotatedLayout)
	}
	if err := os.Rename(l.path, name); err != nil {
		return err
	}
	l.prev, l.orphan = at, true
	if err := l.switchFile(); err != nil {
		return err
	}
	l.prune()
	return nil
}

// switchFile opens a new file at path and closes the renamed one.
func (l *FileLog) switchFile() error {
	old := l.f
	if err := l.open(); err != nil {
		l.f = old
		return fmt.Errorf("open new file: %w", err)
	}
	l.orphan = false
	if err := syncDir(filepath.Dir(l.path)); err != nil {
		l.report(fmt.Errorf("rotate event log: sync directory: %w", err))
	}
	// Synced before the rename, or (an orphan) written since: sync again,
	// the close must not be the last word on the renamed file's lines.
	err := l.fsync(old)
	if cerr := old.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		l.report(fmt.Errorf("rotate event log: close rotated file: %w", err))
	}
	return nil
}

// prune deletes the oldest rotated files beyond Keep.
func (l *FileLog) prune() {
	if l.opt.Keep <= 0 {
		return
	}
	files, err := RotatedLogs(l.path)
	if err != nil {
		l.report(err)
		return
	}
	for len(files) > l.opt.Keep {
		if err := os.Remove(files[0]); err != nil && !errors.Is(err, os.ErrNotExist) {
			l.report(fmt.Errorf("delete old event log: %w", err))
		}
		files = files[1:]
	}
}

// syncDir makes a rename or a new file in dir survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
