package acd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// FileLog appends events as JSON lines to a file. With SyncEvery it fsyncs
// after every event; with a SyncInterval it fsyncs at most that often (a
// crash may then lose the last interval); with neither it leaves flushing to
// the operating system.
type FileLog struct {
	mu       sync.Mutex
	f        *os.File
	w        *bufio.Writer
	every    bool
	interval time.Duration
	lastSync time.Time
	buf      []byte
}

// OpenFileLog opens (creating if needed) the event log at path for appending.
func OpenFileLog(path string, syncEvery bool, syncInterval time.Duration) (*FileLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	return &FileLog{f: f, w: bufio.NewWriterSize(f, 64<<10), every: syncEvery, interval: syncInterval}, nil
}

// Append writes one event as a line; the line reaches the file (and the disk
// when the policy says so) before Append returns.
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
	if _, err := l.w.Write(l.buf); err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	if err := l.w.Flush(); err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	now := time.Now()
	if l.every || (l.interval > 0 && now.Sub(l.lastSync) >= l.interval) {
		l.lastSync = now
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("sync event log: %w", err)
		}
	}
	return nil
}

// Close flushes, syncs and closes the file.
func (l *FileLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.w.Flush()
	if serr := l.f.Sync(); err == nil {
		err = serr
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("close event log: %w", err)
	}
	return nil
}
