package media

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wavFile builds a RIFF WAVE file; extra chunks go between fmt and data.
type wavFile struct {
	tag            uint16
	channels, bits uint16
	rate           uint32
	samples        []int16
	extra          [][]byte // whole chunks inserted before data
	truncate       int      // bytes cut off the end
	extensible     bool
}

func (w wavFile) bytes() []byte {
	le := binary.LittleEndian
	fmtBody := le.AppendUint16(nil, w.tag)
	if w.extensible {
		fmtBody = le.AppendUint16(nil, wavTagExtensible)
	}
	fmtBody = le.AppendUint16(fmtBody, w.channels)
	fmtBody = le.AppendUint32(fmtBody, w.rate)
	align := w.channels * w.bits / 8
	fmtBody = le.AppendUint32(fmtBody, w.rate*uint32(align))
	fmtBody = le.AppendUint16(fmtBody, align)
	fmtBody = le.AppendUint16(fmtBody, w.bits)
	if w.extensible {
		fmtBody = le.AppendUint16(fmtBody, 22)         // cbSize
		fmtBody = le.AppendUint16(fmtBody, w.bits)     // valid bits
		fmtBody = le.AppendUint32(fmtBody, 4)          // channel mask
		fmtBody = le.AppendUint16(fmtBody, w.tag)      // sub-format GUID starts with the tag
		fmtBody = append(fmtBody, make([]byte, 14)...) // rest of the GUID
	}
	body := []byte("WAVE")
	body = append(append(append(body, "fmt "...), le.AppendUint32(nil, uint32(len(fmtBody)))...), fmtBody...)
	for _, c := range w.extra {
		body = append(body, c...)
	}
	var data []byte
	for _, s := range w.samples {
		data = le.AppendUint16(data, uint16(s))
	}
	body = append(append(append(body, "data"...), le.AppendUint32(nil, uint32(len(data)))...), data...)
	out := append(append([]byte("RIFF"), le.AppendUint32(nil, uint32(len(body)))...), body...)
	return out[:len(out)-w.truncate]
}

func writeWAV(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hold.wav")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadWAV(t *testing.T) {
	ok := wavFile{tag: 1, channels: 1, bits: 16, rate: 8000, samples: []int16{0, 1000, -1000, 32767, -32768}}
	odd := ok
	odd.extra = [][]byte{[]byte("LIST\x03\x00\x00\x00abc\x00")} // odd size, padded
	ext := ok
	ext.extensible = true
	for name, w := range map[string]wavFile{"plain": ok, "odd chunk before data": odd, "extensible": ext} {
		t.Run(name, func(t *testing.T) {
			l, err := LoadWAV(writeWAV(t, w.bytes()))
			if err != nil {
				t.Fatal(err)
			}
			got := make([]int16, len(w.samples)+1)
			l.NextFrame(got)
			for i, s := range w.samples {
				if got[i] != s {
					t.Fatalf("samples = %v, want %v then a loop", got, w.samples)
				}
			}
			if got[len(w.samples)] != w.samples[0] {
				t.Error("did not loop")
			}
		})
	}
}

// A file from an independent writer (Python's wave module).
func TestLoadWAVFixture(t *testing.T) {
	l, err := LoadWAV("../../testdata/media/tone-440hz-8k-mono.wav")
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 4000 {
		t.Fatalf("%d samples, want 4000", l.Len())
	}
	pcm := make([]int16, 4000)
	l.NextFrame(pcm)
	if p, off := goertzel(pcm, 440), goertzel(pcm, 1000); p < 1000*off {
		t.Errorf("440 Hz power %.3g not dominant over 1 kHz %.3g", p, off)
	}
}

func TestLoadWAVErrors(t *testing.T) {
	base := wavFile{tag: 1, channels: 1, bits: 16, rate: 8000, samples: make([]int16, 160)}
	with := func(f func(*wavFile)) []byte { w := base; f(&w); return w.bytes() }
	tests := []struct {
		name string
		data []byte
		text string
	}{
		{"16 kHz", with(func(w *wavFile) { w.rate = 16000 }), "16000 Hz, want 8000"},
		{"stereo", with(func(w *wavFile) { w.channels = 2 }), "2 channels"},
		{"8-bit", with(func(w *wavFile) { w.bits = 8 }), "8 bits per sample"},
		{"float", with(func(w *wavFile) { w.tag = 3; w.bits = 32 }), "format tag 0x3"},
		{"µ-law file", with(func(w *wavFile) { w.tag = 7; w.bits = 8 }), "format tag 0x7"},
		{"truncated data", with(func(w *wavFile) { w.truncate = 11 }), "truncated \"data\" chunk"},
		{"no samples", with(func(w *wavFile) { w.samples = nil }), "no samples"},
		{"not RIFF", []byte("ID3\x03 this is an mp3"), "not a RIFF WAVE"},
		{"header only", []byte("RIFF\x04\x00\x00\x00WAVE"), "no fmt chunk"},
		{"fmt but no data", with(func(w *wavFile) { w.samples = nil })[:36], "no data chunk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadWAV(writeWAV(t, tt.data))
			if !errors.Is(err, ErrBadWAV) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %v, want ErrBadWAV mentioning %q", err, tt.text)
			}
		})
	}
	if _, err := LoadWAV(filepath.Join(t.TempDir(), "missing.wav")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzParseWAV: no input panics the parser, and accepted files have samples.
func FuzzParseWAV(f *testing.F) {
	f.Add(wavFile{tag: 1, channels: 1, bits: 16, rate: 8000, samples: []int16{1, 2, 3}}.bytes())
	f.Add(wavFile{tag: 1, channels: 1, bits: 16, rate: 8000, samples: []int16{1}, extensible: true}.bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		pcm, err := parseWAV(b)
		if err == nil && len(pcm) == 0 {
			t.Fatal("accepted a file without samples")
		}
	})
}
