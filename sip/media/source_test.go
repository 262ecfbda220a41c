package media

import (
	"math"
	"testing"
)

func TestLoopWraps(t *testing.T) {
	l := NewLoop([]int16{1, 2, 3})
	got := make([]int16, 7)
	l.NextFrame(got)
	want := []int16{1, 2, 3, 1, 2, 3, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("NextFrame = %v, want %v", got, want)
		}
	}
	c := l.Clone()
	one := make([]int16, 1)
	c.NextFrame(one)
	if one[0] != 1 {
		t.Errorf("Clone starts at %d, want the beginning", one[0])
	}
	l.NextFrame(one)
	if one[0] != 2 {
		t.Errorf("original lost its position: %d", one[0])
	}
}

func TestLoopEmptyIsSilence(t *testing.T) {
	got := []int16{9, 9}
	NewLoop(nil).NextFrame(got)
	if got[0] != 0 || got[1] != 0 {
		t.Errorf("empty loop gave %v", got)
	}
}

// The built-in hold music is a seamless loop at a moderate level with its
// energy where a phone reproduces it (roughly 300-3400 Hz).
func TestToneSource(t *testing.T) {
	src := NewToneSource()
	pcm := holdMelody()
	if len(pcm)%FrameSamples != 0 {
		t.Fatalf("loop of %d samples is not whole frames", len(pcm))
	}
	if len(pcm) != src.Len() || len(pcm) < 10*8000 {
		t.Fatalf("loop of %d samples, want at least 10 s", len(pcm))
	}
	var peak, sum float64
	for _, v := range pcm {
		f := float64(v)
		peak = max(peak, math.Abs(f))
		sum += f * f
	}
	rms := math.Sqrt(sum / float64(len(pcm)))
	if dbfs := 20 * math.Log10(peak/32768); dbfs > -6 || dbfs < -9 {
		t.Errorf("peak at %.1f dBFS, want about -7", dbfs)
	}
	if dbfs := 20 * math.Log10(rms/32768); dbfs > -12 || dbfs < -30 {
		t.Errorf("RMS at %.1f dBFS, want a comfortable level", dbfs)
	}
	// No click at the seam: the step from last to first sample is like any
	// other step.
	maxStep := 0.0
	for i := 1; i < len(pcm); i++ {
		maxStep = max(maxStep, math.Abs(float64(pcm[i])-float64(pcm[i-1])))
	}
	if seam := math.Abs(float64(pcm[0]) - float64(pcm[len(pcm)-1])); seam > maxStep {
		t.Errorf("seam step %v exceeds the largest step inside the loop %v", seam, maxStep)
	}
	// Energy in band: the first note is E5 (659 Hz) over a C chord.
	first := pcm[:2000]
	inBand := goertzel(first, 659.26)
	for _, f := range []float64{100, 4000 - 50} {
		if out := goertzel(first, f); out > inBand/100 {
			t.Errorf("energy at %v Hz is %.3g, over 1%% of the melody's %.3g", f, out, inBand)
		}
	}
	frame := make([]int16, FrameSamples)
	src.NextFrame(frame)
	if frame[FrameSamples-1] != pcm[FrameSamples-1] {
		t.Error("NextFrame does not play the melody")
	}
	if NewToneSource().Len() != src.Len() {
		t.Error("tone sources differ")
	}
}

// goertzel is the power of one frequency in 8 kHz samples.
func goertzel(x []int16, freq float64) float64 {
	k := 2 * math.Cos(2*math.Pi*freq/8000)
	var s1, s2 float64
	for _, v := range x {
		s0 := float64(v) + k*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - k*s1*s2
}
