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

// holdMelody renders the loop once per process; every NewToneSource shares
// the samples read-only.
var holdMelody = sync.OnceValue(func() []int16 {
	n := toneLoopSteps * stepSamples // a multiple of FrameSamples: 600 frames
	mix := make([]float64, n)
	// Notes ring past their step and wrap around the loop end, so the loop
	// has no seam.
	for i, note := range melodySteps {
		if note == 0 {
			continue
		}
		f := midiHz(note)
		for t := range noteRing {
			sec := float64(t) / toneRate
			env := math.Exp(-sec / noteDecay)
			if t < noteAttack {
				env *= float64(t) / noteAttack
			}
			if left := noteRing - t; left < noteRelease {
				env *= float64(left) / noteRelease
			}
			w := 2 * math.Pi * f * sec
			s := math.Sin(w) + 0.35*math.Sin(2*w) + 0.1*math.Sin(3*w)
			mix[(i*stepSamples+t)%n] += melodyVoice * env * s
		}
	}
	// Each chord swells in over half a second before its bar and fades out
	// over half a second after it, crossfading with its neighbours.
	bar := 8 * stepSamples
	for c, chord := range padChords {
		length := bar + 2*padFade
		start := c*bar - padFade + n
		for t := range length {
			env := min(1, float64(t)/padFade, float64(length-t)/padFade)
			sec := float64(t) / toneRate
			var s float64
			for _, note := range chord {
				s += math.Sin(2 * math.Pi * midiHz(note) * sec)
			}
			mix[(start+t)%n] += padVoice * env * s
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

// midiHz is the equal-tempered frequency of a MIDI note (A4 = 69 = 440 Hz).
func midiHz(note uint8) float64 { return 440 * math.Pow(2, (float64(note)-69)/12) }
