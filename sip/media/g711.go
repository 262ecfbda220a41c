package media

import "fmt"

// G.711 companding (ITU-T G.711, 1988) between 16-bit linear PCM and 8-bit
// µ-law (PCMU) or A-law (PCMA). The encoders follow the widely used Sun
// Microsystems reference (the same results as sox, ffmpeg and Python's
// audioop): µ-law works on the top 14 bits, A-law on the top 13.

const (
	g711SignBit   = 0x80
	g711QuantMask = 0x0f
	g711SegShift  = 4
	g711SegMask   = 0x70
	ulawBias      = 0x84 // added to the magnitude before µ-law segment search
	ulawClip      = 8159 // largest 14-bit magnitude µ-law can represent
)

// segment returns the G.711 segment (0..7) of a magnitude whose segment
// end points are ends, or 8 when it is beyond the last one.
func segment(v int32, ends *[8]int32) int32 {
	for i, end := range ends {
		if v <= end {
			return int32(i)
		}
	}
	return 8
}

var (
	ulawSegEnd = [8]int32{0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF}
	alawSegEnd = [8]int32{0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF}
)

// EncodeULaw compresses one linear sample to µ-law; silence (0) is 0xFF.
func EncodeULaw(sample int16) byte {
	v := int32(sample) >> 2
	mask := int32(0xFF)
	if v < 0 {
		v = -v
		mask = 0x7F
	}
	if v > ulawClip {
		v = ulawClip
	}
	v += ulawBias >> 2
	seg := segment(v, &ulawSegEnd)
	if seg >= 8 {
		return byte(0x7F ^ mask)
	}
	return byte((seg<<g711SegShift | (v>>(seg+1))&g711QuantMask) ^ mask)
}

// DecodeULaw expands one µ-law byte to a linear sample.
func DecodeULaw(u byte) int16 { return ulawTable[u] }

// EncodeALaw compresses one linear sample to A-law; silence (0) is 0xD5.
func EncodeALaw(sample int16) byte {
	v := int32(sample) >> 3
	mask := int32(0xD5)
	if v < 0 {
		mask = 0x55
		v = -v - 1
	}
	seg := segment(v, &alawSegEnd)
	if seg >= 8 {
		return byte(0x7F ^ mask)
	}
	a := seg << g711SegShift
	if seg < 2 {
		a |= (v >> 1) & g711QuantMask
	} else {
		a |= (v >> seg) & g711QuantMask
	}
	return byte(a ^ mask)
}

// DecodeALaw expands one A-law byte to a linear sample.
func DecodeALaw(a byte) int16 { return alawTable[a] }

var ulawTable, alawTable = func() (u, a [256]int16) {
	for i := range 256 {
		u[i] = decodeULaw(byte(i))
		a[i] = decodeALaw(byte(i))
	}
	return u, a
}()

func decodeULaw(u byte) int16 {
	u = ^u
	t := (int32(u&g711QuantMask) << 3) + ulawBias
	t <<= (u & g711SegMask) >> g711SegShift
	if u&g711SignBit != 0 {
		return int16(ulawBias - t)
	}
	return int16(t - ulawBias)
}

func decodeALaw(a byte) int16 {
	a ^= 0x55
	t := int32(a&g711QuantMask) << 4
	switch seg := (a & g711SegMask) >> g711SegShift; seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&g711SignBit != 0 {
		return int16(t)
	}
	return int16(-t)
}

// ulawToALaw and alawToULaw convert directly between the two laws, so the
// relay can bridge a PCMU caller with a PCMA agent without a linear step
// per packet.
var ulawToALaw, alawToULaw = func() (ua, au [256]byte) {
	for i := range 256 {
		ua[i] = EncodeALaw(DecodeULaw(byte(i)))
		au[i] = EncodeULaw(DecodeALaw(byte(i)))
	}
	return ua, au
}()

// encoderFor returns the per-sample encoder of a codec we can send.
func encoderFor(c Codec) (func(int16) byte, error) {
	switch {
	case c.sameFormat(PCMU):
		return EncodeULaw, nil
	case c.sameFormat(PCMA):
		return EncodeALaw, nil
	}
	return nil, fmt.Errorf("media: cannot encode %v: %w", c, ErrNoCommonCodec)
}

// transcodeTable returns the byte mapping from one G.711 law to the other,
// nil when no conversion is needed, and false when either side is not G.711.
func transcodeTable(from, to Codec) (*[256]byte, bool) {
	switch {
	case from.sameFormat(to) && (from.sameFormat(PCMU) || from.sameFormat(PCMA)):
		return nil, true
	case from.sameFormat(PCMU) && to.sameFormat(PCMA):
		return &ulawToALaw, true
	case from.sameFormat(PCMA) && to.sameFormat(PCMU):
		return &alawToULaw, true
	}
	return nil, false
}
