package media

import "time"

// FrameDuration is the packet duration we send and advertise (a=ptime:20),
// the usual G.711 packetisation (RFC 3551 §4.5).
const FrameDuration = 20 * time.Millisecond

// FrameSamples is the number of 8 kHz samples in one FrameDuration: the RTP
// timestamp step between consecutive G.711 packets.
const FrameSamples = 160

// Source produces hold audio as 16-bit linear PCM at 8 kHz, one frame at a
// time. It never runs dry: finite material loops. A Source is used by one
// Player at a time and need not be safe for concurrent use.
type Source interface {
	// NextFrame fills dst (normally FrameSamples long) with the next samples.
	NextFrame(dst []int16)
}

// Loop is a Source that repeats a fixed buffer of samples forever. The
// samples are never modified, so many Loops (one per call) can share them
// through Clone while each keeps its own position.
type Loop struct {
	pcm []int16
	pos int
}

// NewLoop plays pcm in a loop. pcm must not be empty and must not be
// modified afterwards.
func NewLoop(pcm []int16) *Loop {
	if len(pcm) == 0 {
		pcm = make([]int16, FrameSamples) // silence rather than a panic in NextFrame
	}
	return &Loop{pcm: pcm}
}

// NextFrame copies the next len(dst) samples, wrapping around at the end.
func (l *Loop) NextFrame(dst []int16) {
	for len(dst) > 0 {
		n := copy(dst, l.pcm[l.pos:])
		dst = dst[n:]
		l.pos += n
		if l.pos == len(l.pcm) {
			l.pos = 0
		}
	}
}

// Clone returns a Loop over the same samples starting from the beginning:
// load a WAV once, Clone it per call.
func (l *Loop) Clone() *Loop { return &Loop{pcm: l.pcm} }

// Len is the loop's length in samples.
func (l *Loop) Len() int { return len(l.pcm) }
