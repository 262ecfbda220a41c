// Package report turns the ACD's event log into the figures a contact-centre
// manager asks for: one record per call, agents' time per state, and per
// queue and per agent, per interval and in total, the measurements defined in
// ../shared/METRICS.md (service level in six named variants, ASA, abandonment,
// AHT, occupancy, …), plus Erlang C staffing. Everything is computed at read
// time from the raw events, so one log serves every definition.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sme/acd/acd"
)

// TornLine is the last line of a log that a crash cut short: it has no
// newline, or it is not a valid event. It is reported, not treated as an
// error, because the event it held was never acknowledged as written.
type TornLine struct {
	// Path is the file, when read by ReadFiles.
	Path string `json:"path,omitempty"`
	// Line is the 1-based line number; Offset the byte offset where it starts.
	Line   int   `json:"line"`
	Offset int64 `json:"offset"`
	// Bytes is everything from Offset to the end of the input.
	Bytes []byte `json:"bytes"`
}

func (t TornLine) String() string {
	p := t.Path
	if p != "" {
		p += ": "
	}
	b := t.Bytes
	more := ""
	if len(b) > 60 {
		b, more = b[:60], "…"
	}
	return fmt.Sprintf("%sline %d (offset %d): torn last line of %d bytes ignored: %q%s", p, t.Line, t.Offset, len(t.Bytes), b, more)
}

// LineError is a line in the middle of a log that is not a valid event.
type LineError struct {
	Path   string
	Line   int
	Offset int64
	Err    error
}

func (e *LineError) Error() string {
	p := ""
	if e.Path != "" {
		p = e.Path + ": "
	}
	return fmt.Sprintf("read event log: %sline %d (offset %d): %v", p, e.Line, e.Offset, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// errNotEvent is a line that is valid JSON but no event (e.g. "null").
var errNotEvent = errors.New("not an event: no type or time")

// ReadLog reads an event log of JSON lines. A final line without a newline,
// or one that is not a valid event, comes back as torn and the rest of the
// log is returned without error; an invalid line anywhere else is a
// *LineError naming its line number. Blank lines are skipped. Unknown fields
// are ignored, so logs written by newer versions still read.
func ReadLog(r io.Reader) (events []acd.Event, torn *TornLine, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		off     int64
		line    int
		pending *LineError // an invalid line: an error unless it is the last
		pendRaw []byte
	)
	for {
		raw, rerr := br.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return events, nil, fmt.Errorf("read event log: %w", rerr)
		}
		if len(raw) == 0 {
			break
		}
		line++
		body := bytes.TrimSpace(raw)
		switch {
		case pending != nil && len(body) > 0:
			return events, nil, pending // something follows the bad line
		case pending != nil:
			pendRaw = append(pendRaw, raw...)
		case raw[len(raw)-1] != '\n':
			return events, &TornLine{Line: line, Offset: off, Bytes: raw}, nil
		case len(body) > 0:
			ev, perr := parseEvent(body)
			if perr != nil {
				pending, pendRaw = &LineError{Line: line, Offset: off, Err: perr}, append([]byte(nil), raw...)
			} else {
				events = append(events, ev)
			}
		}
		off += int64(len(raw))
	}
	if pending != nil {
		return events, &TornLine{Line: pending.Line, Offset: pending.Offset, Bytes: pendRaw}, nil
	}
	return events, nil, nil
}

func parseEvent(b []byte) (acd.Event, error) {
	var ev acd.Event
	if err := json.Unmarshal(b, &ev); err != nil {
		if i := bytes.Index(b[1:], []byte(`{"time"`)); i >= 0 {
			return ev, fmt.Errorf("%w (a fragment torn by a crash, then appended to after a restart?)", err)
		}
		return ev, err
	}
	if ev.Type == "" || ev.Time.IsZero() {
		return ev, errNotEvent
	}
	return ev, nil
}

// ReadFiles reads rotated logs in the order given (oldest first) and joins
// their events. Each file may end in a torn line (a crash followed by a
// rotation leaves one at the end of the older file); those are returned
// with their path.
func ReadFiles(paths ...string) ([]acd.Event, []TornLine, error) {
	var (
		all  []acd.Event
		torn []TornLine
	)
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return all, torn, fmt.Errorf("read event log: %w", err)
		}
		evs, t, err := ReadLog(f)
		f.Close()
		all = append(all, evs...)
		if t != nil {
			t.Path = p
			torn = append(torn, *t)
		}
		if err != nil {
			var le *LineError
			if errors.As(err, &le) {
				le.Path = p
			}
			return all, torn, err
		}
	}
	return all, torn, nil
}
