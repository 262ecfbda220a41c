package media

import "testing"

// Known values from the Sun reference implementation, as produced by
// Python's audioop.lin2ulaw / lin2alaw.
func TestG711Encode(t *testing.T) {
	tests := []struct {
		in         int16
		ulaw, alaw byte
	}{
		{0, 0xFF, 0xD5},
		{1, 0xFF, 0xD5},
		{-1, 0x7E, 0x55},
		{8, 0xFE, 0xD5},
		{100, 0xF2, 0xD3},
		{-100, 0x72, 0x53},
		{1000, 0xCE, 0xFA},
		{-1000, 0x4E, 0x7A},
		{4000, 0xAF, 0x9A},
		{-4000, 0x2F, 0x1A},
		{32124, 0x80, 0xAA},
		{32767, 0x80, 0xAA},
		{-32768, 0x00, 0x2A},
	}
	for _, tt := range tests {
		if got := EncodeULaw(tt.in); got != tt.ulaw {
			t.Errorf("EncodeULaw(%d) = %#02x, want %#02x", tt.in, got, tt.ulaw)
		}
		if got := EncodeALaw(tt.in); got != tt.alaw {
			t.Errorf("EncodeALaw(%d) = %#02x, want %#02x", tt.in, got, tt.alaw)
		}
	}
}

func TestG711Decode(t *testing.T) {
	tests := []struct {
		in         byte
		ulaw, alaw int16
	}{
		{0x00, -32124, -5504},
		{0x7F, 0, -848},
		{0x80, 32124, 5504},
		{0xFF, 0, 848},
		{0xD5, 716, 8},
		{0x55, -716, -8},
		{0x2A, -5372, -32256},
		{0xAA, 5372, 32256},
	}
	for _, tt := range tests {
		if got := DecodeULaw(tt.in); got != tt.ulaw {
			t.Errorf("DecodeULaw(%#02x) = %d, want %d", tt.in, got, tt.ulaw)
		}
		if got := DecodeALaw(tt.in); got != tt.alaw {
			t.Errorf("DecodeALaw(%#02x) = %d, want %d", tt.in, got, tt.alaw)
		}
	}
}

// Every code word survives decode then encode (µ-law's "negative zero" 0x7F
// decodes to 0, which encodes as 0xFF), and every sample survives encode then
// decode within half of its quantisation step.
func TestG711RoundTrip(t *testing.T) {
	for i := range 256 {
		b := byte(i)
		if got := EncodeULaw(DecodeULaw(b)); got != b && b != 0x7F {
			t.Errorf("µ-law %#02x -> %d -> %#02x", b, DecodeULaw(b), got)
		}
		if got := EncodeALaw(DecodeALaw(b)); got != b {
			t.Errorf("A-law %#02x -> %d -> %#02x", b, DecodeALaw(b), got)
		}
	}
	for s := -32768; s <= 32767; s += 7 {
		in := int16(s)
		for _, c := range []struct {
			name string
			enc  func(int16) byte
			dec  func(byte) int16
		}{{"µ-law", EncodeULaw, DecodeULaw}, {"A-law", EncodeALaw, DecodeALaw}} {
			out := c.dec(c.enc(in))
			// Quantisation steps double per segment, from 8 (µ-law) or 16
			// (A-law) up to 1024, about |x|/16; the error stays within half
			// a step, plus µ-law's clipping above 32124.
			limit := max(abs(int(in))/32+8, 16)
			if d := abs(int(out) - int(in)); d > limit {
				t.Fatalf("%s: %d -> %d, error %d > %d", c.name, in, out, d, limit)
			}
		}
	}
}

func TestTranscodeTables(t *testing.T) {
	for i := range 256 {
		u := byte(i)
		if got, want := ulawToALaw[u], EncodeALaw(DecodeULaw(u)); got != want {
			t.Fatalf("ulawToALaw[%#02x] = %#02x, want %#02x", u, got, want)
		}
	}
	if tab, ok := transcodeTable(PCMU, PCMA); !ok || tab != &ulawToALaw {
		t.Error("PCMU -> PCMA has no table")
	}
	if tab, ok := transcodeTable(PCMA, PCMA); !ok || tab != nil {
		t.Error("PCMA -> PCMA should need no table")
	}
	if _, ok := transcodeTable(PCMU, Codec{PT: 9, Name: "G722", ClockRate: 8000}); ok {
		t.Error("PCMU -> G722 claimed convertible")
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func BenchmarkEncodeULawFrame(b *testing.B) {
	var pcm [FrameSamples]int16
	var out [FrameSamples]byte
	NewToneSource().NextFrame(pcm[:])
	for b.Loop() {
		for i, v := range pcm {
			out[i] = EncodeULaw(v)
		}
	}
}
