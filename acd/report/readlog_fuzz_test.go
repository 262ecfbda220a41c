package report

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/sme/acd/acd"
)

// FuzzReportReadLog: ReadLog never panics; a torn line is always the whole
// tail of the input starting at a line boundary; an error is always a
// LineError; and cutting a clean log anywhere (as a crash would) never
// fails and loses nothing but the line that was cut.
func FuzzReportReadLog(f *testing.F) {
	all := append(sampleEvents(),
		acd.Event{Time: logT0.Add(time.Minute), Type: acd.EvCompleted, CallID: "c1", Queue: "support", Agent: "a1", WaitMS: 3000, TalkMS: 57000},
		acd.Event{Time: logT0.Add(time.Minute), Type: acd.EvAgentState, Agent: "a1", State: "wrap-up", Reason: "hangup"},
		acd.Event{Time: logT0.Add(2 * time.Minute), Type: acd.EvAbandoned, CallID: "c2", Queue: "support", WaitMS: 4200, Agents: []string{"a2"}},
		acd.Event{Time: logT0.Add(3 * time.Minute), Type: acd.EvRejected, CallID: "c3", Queue: "support", Reason: "queue-full"},
	)
	clean := logLines(f, all...)
	f.Add(clean)
	f.Add(clean[:len(clean)-7])
	f.Add(append(clean, "\x00\x00\x00"...))
	f.Add([]byte("null\n{}\n"))
	f.Add([]byte("\n\n  \n"))
	f.Add([]byte(`{"time":"2025-03-04T09:00:00Z","type":"x"}` + "\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, torn, err := ReadLog(bytes.NewReader(data))
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) || le.Line < 1 || le.Offset < 0 || le.Offset >= int64(len(data)) {
				t.Fatalf("error %v is not a LineError inside the input", err)
			}
			return
		}
		valid := data
		if torn != nil {
			o := torn.Offset
			if o < 0 || o >= int64(len(data)) || (o > 0 && data[o-1] != '\n') || !bytes.Equal(torn.Bytes, data[o:]) {
				t.Fatalf("torn %+v is not the tail from a line boundary of %q", torn, data)
			}
			valid = data[:o]
		} else if len(data) > 0 && data[len(data)-1] != '\n' {
			t.Fatalf("input without final newline and no torn line")
		}
		again, torn2, err := ReadLog(bytes.NewReader(valid))
		if err != nil || torn2 != nil || !sameEvents(again, evs) {
			t.Fatalf("re-reading the clean part: %d events (want %d), torn %v, err %v", len(again), len(evs), torn2, err)
		}
		for _, cut := range []int{len(valid) / 2, len(valid) - 1, len(valid) / 3} {
			if cut < 0 {
				continue
			}
			part, _, err := ReadLog(bytes.NewReader(valid[:cut]))
			if err != nil {
				t.Fatalf("cut at %d: %v", cut, err)
			}
			if want := fullLines(valid[:cut]); len(part) != want || !sameEvents(part, evs[:want]) {
				t.Fatalf("cut at %d: %d events, want the first %d", cut, len(part), want)
			}
		}
	})
}

// fullLines counts the non-blank lines ended by a newline.
func fullLines(b []byte) int {
	n := 0
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return n
		}
		if len(bytes.TrimSpace(b[:i])) > 0 {
			n++
		}
		b = b[i+1:]
	}
}

func sameEvents(a, b []acd.Event) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}
