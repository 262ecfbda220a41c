package agents

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// TestEveryStateTimesEveryEvent walks the whole state × event table: each
// cell says the resulting state, or "-" where the event must be refused.
func TestEveryStateTimesEveryEvent(t *testing.T) {
	const x = "-"
	// columns: login logout pause unpause offer answer miss cancel hangup wrap-up-done
	table := map[State][10]string{
		Offline:   {"available", x, x, x, x, x, x, x, x, x},
		Available: {"available", "offline", "paused", x, "ringing", x, x, x, x, x},
		Ringing:   {x, "ringing", "ringing", x, x, "busy", "available", "available", x, x},
		Busy:      {x, "busy", "busy", x, x, x, x, x, "wrap-up", x},
		WrapUp:    {x, "offline", "paused", x, x, x, x, x, x, "available"},
		Paused:    {x, "offline", "paused", "available", x, x, x, x, x, x},
	}
	if len(table) != len(States()) {
		t.Fatalf("table covers %d states, want %d", len(table), len(States()))
	}
	for _, s := range States() {
		row := table[s]
		for i, k := range EventKinds() {
			a := Agent{ID: "a1", State: s, StateSince: t0}
			got, err := a.Apply(Event{Kind: k, Reason: "lunch"}, t0.Add(time.Minute))
			if row[i] == x {
				if !errors.Is(err, ErrInvalidTransition) {
					t.Errorf("%s + %s: err = %v, want ErrInvalidTransition", s, k, err)
				}
				if got.State != s {
					t.Errorf("%s + %s: refused event changed state to %s", s, k, got.State)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s + %s: unexpected error %v", s, k, err)
				continue
			}
			if got.State.String() != row[i] {
				t.Errorf("%s + %s = %s, want %s", s, k, got.State, row[i])
			}
		}
	}
}

func TestPauseDuringCallIsDeferredUntilCallEnds(t *testing.T) {
	a := Agent{ID: "a1", State: Available}
	steps := []struct {
		ev   Event
		want State
	}{
		{Event{Kind: Offer}, Ringing},
		{Event{Kind: Answer}, Busy},
		{Event{Kind: Pause, Reason: "lunch"}, Busy},
		{Event{Kind: Hangup}, WrapUp},
		{Event{Kind: WrapUpDone}, Paused},
	}
	now := t0
	for _, st := range steps {
		var err error
		now = now.Add(10 * time.Second)
		a, err = a.Apply(st.ev, now)
		if err != nil || a.State != st.want {
			t.Fatalf("after %s: state %s err %v, want %s", st.ev.Kind, a.State, err, st.want)
		}
	}
	if a.PauseReason != "lunch" || a.Pending != nil {
		t.Fatalf("reason %q pending %v", a.PauseReason, a.Pending)
	}
}

func TestLogoutWhileRingingAppliesOnMiss(t *testing.T) {
	a := Agent{ID: "a1", State: Ringing}
	a, _ = a.Apply(Event{Kind: Logout}, t0)
	a, err := a.Apply(Event{Kind: Miss}, t0.Add(time.Second))
	if err != nil || a.State != Offline {
		t.Fatalf("state %s err %v", a.State, err)
	}
	if a.Misses != 1 {
		t.Fatalf("misses = %d", a.Misses)
	}
}

func TestCountersForStrategies(t *testing.T) {
	a := Agent{ID: "a1", State: Available, IdleSince: t0}
	a, _ = a.Apply(Event{Kind: Offer}, t0.Add(1*time.Second))
	if !a.LastOffered.Equal(t0.Add(time.Second)) {
		t.Fatalf("last offered %v", a.LastOffered)
	}
	a, _ = a.Apply(Event{Kind: Miss}, t0.Add(2*time.Second))
	if !a.IdleSince.Equal(t0) {
		t.Fatalf("a missed offer must not reset idle time: %v", a.IdleSince)
	}
	a, _ = a.Apply(Event{Kind: Offer}, t0.Add(3*time.Second))
	a, _ = a.Apply(Event{Kind: Answer}, t0.Add(4*time.Second))
	if a.Misses != 0 || a.CallsTaken != 1 {
		t.Fatalf("misses %d calls %d", a.Misses, a.CallsTaken)
	}
	a, _ = a.Apply(Event{Kind: Hangup}, t0.Add(64*time.Second))
	if a.TalkTime != time.Minute {
		t.Fatalf("talk time %v", a.TalkTime)
	}
	a, _ = a.Apply(Event{Kind: WrapUpDone}, t0.Add(70*time.Second))
	if a.State != Available || !a.IdleSince.Equal(t0.Add(70*time.Second)) {
		t.Fatalf("state %s idle since %v", a.State, a.IdleSince)
	}
}

func TestStateNamesRoundTrip(t *testing.T) {
	for _, s := range States() {
		b, _ := s.MarshalText()
		var back State
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Fatalf("%s: back %s err %v", s, back, err)
		}
	}
	if _, err := ParseState("sleeping"); !errors.Is(err, ErrUnknownState) {
		t.Fatalf("err = %v", err)
	}
}
