package ivr

import (
	"testing"
	"time"
)

func testMenus() map[string]Menu {
	return map[string]Menu{
		"main": {Name: "main", Number: "500", Timeout: 5 * time.Second, Repeats: 2,
			Options: map[string]Target{"1": {Queue: "support"}, "2": {Menu: "sales"}},
			Default: Target{Queue: "support"}},
		"sales": {Name: "sales", Timeout: 5 * time.Second, Repeats: 0,
			Options: map[string]Target{"1": {Queue: "sales-new"}, "9": {Menu: "main"}},
			Default: Target{Queue: "sales"}},
	}
}

func TestSession(t *testing.T) {
	// Each step is a digit, or "T" for a timeout.
	tests := []struct {
		name   string
		steps  []string
		want   []Kind
		queue  string
		reason string
		menu   string
	}{
		{"direct choice", []string{"1"}, []Kind{Enter}, "support", ReasonChoice, "main"},
		{"sub-menu then choice", []string{"2", "1"}, []Kind{Replay, Enter}, "sales-new", ReasonChoice, "sales"},
		{"timeouts reach default", []string{"T", "T", "T"}, []Kind{Replay, Replay, Enter}, "support", ReasonTimeout, "main"},
		{"invalid digits reach default", []string{"7", "#", "*"}, []Kind{Replay, Replay, Enter}, "support", ReasonInvalid, "main"},
		{"mixed failures", []string{"7", "T", "8"}, []Kind{Replay, Replay, Enter}, "support", ReasonInvalid, "main"},
		{"recover after invalid", []string{"7", "T", "1"}, []Kind{Replay, Replay, Enter}, "support", ReasonChoice, "main"},
		{"sub-menu no repeats", []string{"2", "T"}, []Kind{Replay, Enter}, "sales", ReasonTimeout, "sales"},
		{"back to main resets tries", []string{"T", "T", "2", "9", "T", "T", "1"}, []Kind{Replay, Replay, Replay, Replay, Replay, Replay, Enter}, "support", ReasonChoice, "main"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSession(testMenus(), "main")
			if err != nil {
				t.Fatal(err)
			}
			var last Result
			for i, st := range tt.steps {
				if st == "T" {
					last = s.Timeout()
				} else {
					last = s.Digit(st)
				}
				if last.Kind != tt.want[i] {
					t.Fatalf("step %d (%q): kind %v, want %v", i, st, last.Kind, tt.want[i])
				}
			}
			if last.Queue != tt.queue || last.Reason != tt.reason || last.Menu != tt.menu {
				t.Fatalf("end = %+v, want queue %q reason %q menu %q", last, tt.queue, tt.reason, tt.menu)
			}
		})
	}
}

func TestNewSessionUnknown(t *testing.T) {
	if _, err := NewSession(testMenus(), "nope"); err == nil {
		t.Fatal("want error for unknown menu")
	}
}
