package report

import (
	"errors"
	"fmt"
	"math"
)

// ErlangC predicts an M/M/N queue (Erlang C, METRICS.md): λ arrivals per
// second, average handle time ahtSec, n agents and answer-time target
// targetSec give the probability of waiting, the service level SL(T), the
// ASA in seconds and the occupancy ρ = A/N. P_w comes from the Erlang B
// recursion, which stays stable for large N. With n ≤ A the queue grows
// without bound: pw = 1, sl = 0, asa = +Inf and occupancy ≥ 1.
func ErlangC(lambdaPerSec, ahtSec float64, n int, targetSec float64) (pw, sl, asa, occupancy float64) {
	a := lambdaPerSec * ahtSec
	switch {
	case a <= 0:
		return 0, 1, 0, 0
	case n <= 0:
		return 1, 0, math.Inf(1), math.Inf(1)
	}
	occupancy = a / float64(n)
	if float64(n) <= a {
		return 1, 0, math.Inf(1), occupancy
	}
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	nf := float64(n)
	pw = nf * b / (nf - a*(1-b))
	sl = 1 - pw*math.Exp(-(nf-a)*targetSec/ahtSec)
	asa = pw * ahtSec / (nf - a)
	return pw, sl, asa, occupancy
}

// Prediction is what Erlang C says of a staffing level.
type Prediction struct {
	Traffic   float64 // A = λ·AHT, in erlangs
	PW        float64 // probability of waiting
	SL        float64 // fraction answered within the target time
	ASA       float64 // seconds
	Occupancy float64 // ρ = A/N
}

// maxStaff bounds the search for N beyond the offered traffic.
const maxStaff = 100000

// Staff finds the smallest number of agents n whose predicted service level
// within targetSec reaches targetSL and whose occupancy stays at or below
// maxOccupancy, and the staff to schedule for it, n / (1 − shrinkage)
// rounded up. No traffic needs no one.
func Staff(lambdaPerSec, ahtSec, targetSL, targetSec, maxOccupancy, shrinkage float64) (n, scheduled int, p Prediction, err error) {
	switch {
	case lambdaPerSec < 0 || ahtSec < 0 || targetSec < 0 || math.IsNaN(lambdaPerSec+ahtSec+targetSec):
		return 0, 0, p, errors.New("staff: rate, AHT and target time must be ≥ 0")
	case !(targetSL > 0 && targetSL < 1):
		return 0, 0, p, fmt.Errorf("staff: target service level %v: want a fraction between 0 and 1", targetSL)
	case !(maxOccupancy > 0 && maxOccupancy <= 1):
		return 0, 0, p, fmt.Errorf("staff: max occupancy %v: want a fraction in (0, 1]", maxOccupancy)
	case !(shrinkage >= 0 && shrinkage < 1):
		return 0, 0, p, fmt.Errorf("staff: shrinkage %v: want a fraction in [0, 1)", shrinkage)
	}
	a := lambdaPerSec * ahtSec
	if a == 0 {
		return 0, 0, Prediction{SL: 1}, nil
	}
	if a > maxStaff {
		return 0, 0, p, fmt.Errorf("staff: traffic of %.0f erlangs is beyond %d agents", a, maxStaff)
	}
	// Neither bound can be met below ⌈A/ρmax⌉ agents.
	start := max(int(math.Floor(a))+1, int(math.Ceil(a/maxOccupancy-1e-9)))
	for n = start; n <= start+maxStaff; n++ {
		pw, sl, asa, occ := ErlangC(lambdaPerSec, ahtSec, n, targetSec)
		if sl >= targetSL && occ <= maxOccupancy+1e-12 {
			p = Prediction{Traffic: a, PW: pw, SL: sl, ASA: asa, Occupancy: occ}
			return n, int(math.Ceil(float64(n)/(1-shrinkage) - 1e-9)), p, nil
		}
	}
	return 0, 0, p, fmt.Errorf("staff: no staffing up to %d agents meets the target", start+maxStaff)
}
