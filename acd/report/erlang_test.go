package report

import (
	"math"
	"testing"
)

// METRICS.md's check value: 100 calls in 30 min, AHT 180 s, N = 14,
// T = 20 s → A = 10, P_w ≈ 0.1741, SL ≈ 88.8 %, ASA ≈ 7.84 s, ρ ≈ 71.4 %.
func TestErlangCCheckValue(t *testing.T) {
	lambda := 100.0 / 1800
	pw, sl, asa, occ := ErlangC(lambda, 180, 14, 20)
	if !near(lambda*180, 10, 1e-12) {
		t.Fatalf("A = %v", lambda*180)
	}
	if !near(pw, 0.1741, 5e-5) || !near(sl, 0.888, 5e-4) || !near(asa, 7.84, 5e-3) || !near(occ, 0.714, 5e-4) {
		t.Errorf("ErlangC = P_w %.5f SL %.5f ASA %.4f ρ %.5f, want 0.1741 0.888 7.84 0.714", pw, sl, asa, occ)
	}
}

// erlangCDirect is METRICS.md's closed formula, fine for small N.
func erlangCDirect(a float64, n int) float64 {
	sum, term := 0.0, 1.0 // term = A^k/k!
	for k := 0; k < n; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	top := term * float64(n) / (float64(n) - a)
	return top / (sum + top)
}

func TestErlangCRecursionMatchesClosedFormula(t *testing.T) {
	// By hand: A = 2.5, N = 3: A³/3!·3/(3−2.5) = 15.625, Σ = 1 + 2.5 + 3.125
	// = 6.625, so P_w = 15.625 / 22.25.
	if pw, _, _, _ := ErlangC(2.5, 1, 3, 0); !near(pw, 15.625/22.25, 1e-12) {
		t.Errorf("P_w(2.5, 3) = %v, want %v", pw, 15.625/22.25)
	}
	for _, tc := range []struct {
		a float64
		n int
	}{{0.5, 1}, {1, 2}, {7.3, 9}, {10, 11}, {10, 30}, {42.5, 50}} {
		pw, sl, asa, occ := ErlangC(tc.a/100, 100, tc.n, 20)
		want := erlangCDirect(tc.a, tc.n)
		nf := float64(tc.n)
		if !near(pw, want, 1e-9) || !near(occ, tc.a/nf, 1e-12) ||
			!near(sl, 1-want*math.Exp(-(nf-tc.a)*20/100), 1e-9) || !near(asa, want*100/(nf-tc.a), 1e-7) {
			t.Errorf("A=%v N=%d: P_w %v SL %v ASA %v ρ %v, want P_w %v", tc.a, tc.n, pw, sl, asa, occ, want)
		}
	}
}

func TestErlangCEdges(t *testing.T) {
	if pw, sl, asa, occ := ErlangC(0, 180, 3, 20); pw != 0 || sl != 1 || asa != 0 || occ != 0 {
		t.Errorf("no traffic: %v %v %v %v", pw, sl, asa, occ)
	}
	if pw, sl, asa, occ := ErlangC(10.0/180, 180, 10, 20); pw != 1 || sl != 0 || !math.IsInf(asa, 1) || occ != 1 {
		t.Errorf("N = A: %v %v %v %v, want an unbounded queue", pw, sl, asa, occ)
	}
	// Large N: the recursion stays finite where A^N/N! would overflow.
	pw, sl, asa, occ := ErlangC(1000.0/180, 180, 1050, 20)
	for _, v := range []float64{pw, sl, asa, occ} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Fatalf("A=1000 N=1050: %v %v %v %v", pw, sl, asa, occ)
		}
	}
	if pw <= 0 || pw >= 1 || sl <= 0.5 || sl >= 1 {
		t.Errorf("A=1000 N=1050: P_w %v SL %v", pw, sl)
	}
}

func TestStaffCheckValue(t *testing.T) {
	// SL(13) = 79.6 % < 80 %, SL(14) = 88.8 %: 14 agents, 14 / 0.7 = 20 scheduled.
	n, sched, p, err := Staff(100.0/1800, 180, 0.8, 20, 0.85, 0.3)
	if err != nil || n != 14 || sched != 20 || !near(p.SL, 0.888, 5e-4) || !near(p.ASA, 7.84, 5e-3) || !near(p.Traffic, 10, 1e-12) {
		t.Errorf("Staff = %d, %d, %+v, %v; want 14, 20, SL 88.8 %%", n, sched, p, err)
	}
	// A loose SL target: occupancy decides. 10/0.7 = 14.3 → 15 agents.
	n, sched, p, err = Staff(100.0/1800, 180, 0.05, 20, 0.7, 0)
	if err != nil || n != 15 || sched != 15 || p.Occupancy > 0.7 {
		t.Errorf("occupancy-bound Staff = %d, %d, %+v, %v; want 15", n, sched, p, err)
	}
	if n, sched, _, err := Staff(0, 180, 0.8, 20, 0.85, 0.3); n != 0 || sched != 0 || err != nil {
		t.Errorf("no traffic: %d %d %v", n, sched, err)
	}
	for _, bad := range [][6]float64{
		{-1, 180, 0.8, 20, 0.85, 0.3}, {1, 180, 1, 20, 0.85, 0.3}, {1, 180, 0.8, 20, 0, 0.3},
		{1, 180, 0.8, 20, 0.85, 1}, {1, 180, math.NaN(), 20, 0.85, 0.3},
	} {
		if _, _, _, err := Staff(bad[0], bad[1], bad[2], bad[3], bad[4], bad[5]); err == nil {
			t.Errorf("Staff%v: no error", bad)
		}
	}
}
