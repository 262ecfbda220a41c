package acd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
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
	torn     []byte
}

// OpenFileLog opens (creating if needed) the event log at path for appending.
// A last line left unfinished by a crash is moved to path+".torn" and cut
// from the log first, so the next event does not glue onto it; that line
// was never acknowledged, since Append returns only after a whole line.
func OpenFileLog(path string, syncEvery bool, syncInterval time.Duration) (*FileLog, error) {
	torn, err := cutTornTail(path)
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	return &FileLog{f: f, w: bufio.NewWriterSize(f, 64<<10), every: syncEvery, interval: syncInterval, torn: torn}, nil
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
