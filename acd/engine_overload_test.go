package acd

import "testing"

// TestOverloadedHysteresis: refusing starts above half of the backlog and
// stops only below a quarter, so a node at its limit does not flap.
func TestOverloadedHysteresis(t *testing.T) {
	e := &Engine{ops: make(chan func(), 16)}
	fill := func(n int) {
		for len(e.ops) < n {
			e.ops <- func() {}
		}
		for len(e.ops) > n {
			<-e.ops
		}
	}
	steps := []struct {
		backlog int
		want    bool
	}{
		{0, false}, {8, false}, // half: not yet
		{9, true},            // over half
		{6, true}, {4, true}, // still a quarter or more: keep refusing
		{3, false},             // under a quarter
		{6, false}, {8, false}, // rising again below half
		{16, true},
	}
	for _, s := range steps {
		fill(s.backlog)
		if got := e.Overloaded(); got != s.want {
			t.Errorf("backlog %d of 16: Overloaded = %v, want %v", s.backlog, got, s.want)
		}
	}
}
