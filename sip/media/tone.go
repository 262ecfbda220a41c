package media

import (
	"math"
	"sync"
)

// NewToneSource returns the built-in hold music: a calm 12-second loop of
// soft, bell-like notes over a slow four-chord pad (C, Am, F, G), generated
// at start-up so the ACD needs no audio files. It sits within the telephone
// band and peaks at about -7 dBFS, so it survives G.711 without harshness.
func NewToneSource() *Loop { return &Loop{pcm: holdMelody()} }

// The melody, one MIDI note per 375 ms step (0 = rest), one bar per chord.
var (
	melodySteps = [...]uint8{
		76, 79, 81, 79, 76, 74, 72, 0, // C:  E G A G E D C
		69, 72, 76, 74, 72, 69, 0, 0, // Am: A C E D C A
		65, 69, 72, 74, 72, 69, 67, 0, // F:  F A C D C A G
		67, 71, 74, 76, 74, 71, 74, 0, // G:  G B D E D B D, leading back to E
	}
	padChords = [...][3]uint8{
		{60, 64, 67}, // C4 E4 G4
		{57, 60, 64}, // A3 C4 E4
		{53, 57, 60}, // F3 A3 C4
		{55, 59, 62}, // G3 B3 D4
	}
)

const (
	toneRate      = 8000
	stepSamples   = 3 * toneRate / 8 // 375 ms
	noteRing      = 12 * toneRate / 10
	noteAttack    = 15 * toneRate / 1000
	noteRelease   = 60 * toneRate / 1000
	noteDecay     = 0.45 // seconds, exponential decay time constant
	padFade       = toneRate / 2
	melodyPeak    = 0.45 * math.MaxInt16
	melodyVoice   = 1.0
	padVoice      = 0.18
	toneLoopSteps = len(melodySteps)
)

// holdMelody renders the loop once per process (a few milliseconds); every
// NewToneSource shares the samples read-only.
var holdMelody = sync.OnceValue(func() []int16 {
	n := toneLoopSteps * stepSamples // a multiple of FrameSamples: 600 frames
	mix := make([]float64, n)
	// Notes ring past their step and wrap around the loop end, so the loop
	// has no seam.
	for i, note := range melodySteps {
		if note == 0 {
			continue
		}
		osc := newOscillator(midiHz(note))
		decay := math.Exp(-1 / (noteDecay * toneRate))
		env := 1.0
		for t := range noteRing {
			sin, cos := osc.next()
			// Bell-like timbre: the 2nd and 3rd harmonics from the
			// fundamental by the double- and triple-angle formulas.
			s := sin + 0.35*2*sin*cos + 0.1*(3*sin-4*sin*sin*sin)
			g := env
			if t < noteAttack {
				g *= float64(t) / noteAttack
			}
			if left := noteRing - t; left < noteRelease {
				g *= float64(left) / noteRelease
			}
			mix[(i*stepSamples+t)%n] += melodyVoice * g * s
			env *= decay
		}
	}
	// Each chord swells in over half a second before its bar and fades out
	// over half a second after it, crossfading with its neighbours.
	bar := 8 * stepSamples
	for c, chord := range padChords {
		length := bar + 2*padFade
		start := c*bar - padFade + n
		for _, note := range chord {
			osc := newOscillator(midiHz(note))
			for t := range length {
				sin, _ := osc.next()
				env := min(1, float64(t)/padFade, float64(length-t)/padFade)
				mix[(start+t)%n] += padVoice * env * sin
			}
		}
	}
	peak := 0.0
	for _, v := range mix {
		peak = max(peak, math.Abs(v))
	}
	pcm := make([]int16, n)
	for i, v := range mix {
		pcm[i] = int16(math.Round(v / peak * melodyPeak))
	}
	return pcm
})

// oscillator produces sin and cos of a steadily advancing phase by rotating
// a unit vector: two multiplications per sample instead of a math.Sin call.
type oscillator struct{ sin, cos, stepSin, stepCos float64 }

func newOscillator(hz float64) oscillator {
	w := 2 * math.Pi * hz / toneRate
	return oscillator{sin: 0, cos: 1, stepSin: math.Sin(w), stepCos: math.Cos(w)}
}

// next returns the current phase's sin and cos, then advances one sample.
func (o *oscillator) next() (float64, float64) {
	s, c := o.sin, o.cos
	o.sin, o.cos = s*o.stepCos+c*o.stepSin, c*o.stepCos-s*o.stepSin
	return s, c
}

// midiHz is the equal-tempered frequency of a MIDI note (A4 = 69 = 440 Hz).
func midiHz(note uint8) float64 { return 440 * math.Pow(2, (float64(note)-69)/12) }
