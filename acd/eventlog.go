package acd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// FileLogOptions say when a FileLog reaches the disk and when it starts a
// new file.
type FileLogOptions struct {
	// SyncEvery fsyncs after every event: Append returns once the line is
	// on disk.
	SyncEvery bool
	// GroupSync, with SyncEvery, moves that fsync out of Append into
	// SyncEvents, which the engine calls once per batch of work before it
	// acknowledges any of it (group commit): every event is still on disk
	// before its step is acknowledged, with one fsync per batch.
	GroupSync bool
	// SyncInterval, without SyncEvery, fsyncs at most this often: at once
	// when the last fsync is older than that, otherwise when a timer
	// armed by the first unsynced line fires. A power cut may lose at most
	// the last interval, even when no event follows. Zero (and no
	// SyncEvery) leaves flushing to the operating system, but for
	// rotations and Close.
	SyncInterval time.Duration
	// RotateSize starts a new file before a line would take the current
	// one past this many bytes (a line longer than that gets a file of its
	// own); 0 sets no limit.
	RotateSize int64
	// RotateDaily starts a new file with the first event of each UTC day.
	RotateDaily bool
	// Keep is how many rotated files to keep, the oldest deleted first
	// after each rotation; 0 keeps every one.
	Keep int
	// OnError hears of failures Append does not return because the event
	// was written anyway: a rotation that failed (the log goes on in the
	// file it was writing), a timed fsync, deleting an old file. Nil
	// ignores them.
	OnError func(error)
	// Now is the clock that decides rotations and names rotated files;
	// nil means time.Now.
	Now func() time.Time
}

// FileLog appends events as JSON lines to a file, each line with a single
// write under a mutex, so lines are never interleaved or split by
// anything but a crash. See FileLogOptions for fsync and rotation, and
// eventlog_rotate.go for the rotated files' names.
type FileLog struct {
	mu   sync.Mutex
	path string
	opt  FileLogOptions
	now  func() time.Time
	// fsync and openFile are (*os.File).Sync and os.OpenFile; tests count
	// calls and fail them.
	fsync    func(*os.File) error
	openFile func(string, int, os.FileMode) (*os.File, error)

	f      *os.File // nil once closed
	size   int64    // bytes in f
	day    string   // UTC day of f's last line, for daily rotation
	dirty  bool     // lines written since the last fsync
	last   time.Time
	timer  *time.Timer // a timed fsync is armed
	orphan bool        // f was renamed but no new file could be opened
	prev   time.Time   // the newest rotated file's time

	buf  []byte
	torn []byte
}

// OpenFileLog opens the event log at path with only an fsync policy and no
// rotation; see NewFileLog.
func OpenFileLog(path string, syncEvery bool, syncInterval time.Duration) (*FileLog, error) {
	return NewFileLog(path, FileLogOptions{SyncEvery: syncEvery, SyncInterval: syncInterval})
}

// NewFileLog opens (creating if needed) the event log at path for
// appending. A last line left unfinished by a crash is moved to
// path+".torn" and cut from the log first, so the next event does not glue
// onto it; that line was never acknowledged, since Append returns only
// after a whole line.
func NewFileLog(path string, opt FileLogOptions) (*FileLog, error) {
	torn, err := cutTornTail(path)
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	l := &FileLog{path: path, opt: opt, now: opt.Now, fsync: (*os.File).Sync, openFile: os.OpenFile, torn: torn}
	if l.now == nil {
		l.now = time.Now
	}
	if err := l.open(); err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	rotated, err := RotatedLogs(path)
	if err != nil {
		_ = l.f.Close()
		return nil, fmt.Errorf("open event log: %w", err)
	}
	if n := len(rotated); n > 0 {
		l.prev, _ = rotatedTime(path, rotated[n-1])
	}
	return l, nil
}

// open opens path for appending and learns its size and day.
func (l *FileLog) open() error {
	f, err := l.openFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	l.f, l.size, l.day = f, st.Size(), ""
	if l.size > 0 {
		l.day = utcDay(st.ModTime())
	}
	return nil
}

// TornTail is the unfinished last line found (and set aside) at open, nil
// when the log ended cleanly.
func (l *FileLog) TornTail() []byte { return l.torn }

// cutTornTail moves an unterminated last line of path to path+".torn" and
// truncates path after its last newline.
func cutTornTail(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return nil, err
	}
	// Read back from the end until a newline: lines are short.
	const chunk = 64 << 10
	size := st.Size()
	var tail []byte
	for off := size; off > 0; {
		n := int64(chunk)
		if off < n {
			n = off
		}
		off -= n
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, off); err != nil {
			return nil, err
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			tail = append(buf[i+1:], tail...)
			break
		}
		tail = append(buf, tail...)
	}
	if len(tail) == 0 {
		return nil, nil
	}
	side, err := os.OpenFile(path+".torn", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	_, werr := side.Write(append(append([]byte{}, tail...), '\n'))
	if cerr := side.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, werr
	}
	if err := f.Truncate(size - int64(len(tail))); err != nil {
		return nil, err
	}
	return tail, f.Sync()
}

// Append writes one event as a line; the line reaches the file (and the disk
// when the policy says so) before Append returns. A rotation that is due
// happens first, between the previous line and this one.
func (l *FileLog) Append(ev Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("append event: %w", os.ErrClosed)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	l.buf = append(append(l.buf[:0], b...), '\n')
	now := l.now()
	l.maybeRotate(now, int64(len(l.buf)))
	n, err := l.f.Write(l.buf)
	l.size += int64(n)
	if n > 0 {
		l.dirty, l.day = true, utcDay(now)
	}
	if err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	switch {
	case l.opt.SyncEvery && l.opt.GroupSync:
		return nil // SyncEvents comes before the acknowledgement
	case l.opt.SyncEvery:
	case l.opt.SyncInterval <= 0:
		return nil
	case now.Sub(l.last) < l.opt.SyncInterval:
		if l.timer == nil {
			delay := l.opt.SyncInterval - now.Sub(l.last)
			if delay > l.opt.SyncInterval { // the clock stepped back
				delay = l.opt.SyncInterval
			}
			l.timer = time.AfterFunc(delay, l.timedSync)
		}
		return nil
	}
	if err := l.sync(now); err != nil {
		return fmt.Errorf("sync event log: %w", err)
	}
	return nil
}

// SyncEvents implements Syncer: with GroupSync, it fsyncs the lines
// appended since the last fsync; otherwise Append already did what the
// policy asks and it does nothing.
func (l *FileLog) SyncEvents() error {
	if !l.opt.GroupSync {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil || !l.dirty {
		return nil
	}
	if err := l.sync(l.now()); err != nil {
		return fmt.Errorf("sync event log: %w", err)
	}
	return nil
}

// timedSync is the fsync a quiet period would otherwise never get.
func (l *FileLog) timedSync() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timer = nil
	if l.f == nil || !l.dirty {
		return
	}
	if err := l.sync(l.now()); err != nil {
		l.report(fmt.Errorf("sync event log: %w", err))
	}
}

func (l *FileLog) sync(now time.Time) error {
	if err := l.fsync(l.f); err != nil {
		return err
	}
	l.dirty, l.last = false, now
	return nil
}

func (l *FileLog) report(err error) {
	if l.opt.OnError != nil {
		l.opt.OnError(err)
	}
}

// Close syncs and closes the file.
func (l *FileLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	err := l.fsync(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("close event log: %w", err)
	}
	return nil
}
