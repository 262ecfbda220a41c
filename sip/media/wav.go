package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// ErrBadWAV means a hold-audio file is not a RIFF WAV we can play as is:
// 8 kHz, mono, 16-bit linear PCM. Converting elsewhere (sox in.wav -r 8000
// -c 1 -b 16 out.wav) keeps resampling out of the media path.
var ErrBadWAV = errors.New("media: bad wav")

// maxWAVBytes bounds what LoadWAV reads: about 68 minutes of 8 kHz audio.
const maxWAVBytes = 64 << 20

// LoadWAV reads a RIFF WAV file of 8 kHz mono 16-bit PCM for use as hold
// audio. Load once at start-up and Clone the Loop for each call.
func LoadWAV(path string) (*Loop, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load wav: %w", err)
	}
	if st.Size() > maxWAVBytes {
		return nil, fmt.Errorf("load wav %s: %w: %d bytes is over the %d limit", path, ErrBadWAV, st.Size(), maxWAVBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load wav: %w", err)
	}
	pcm, err := parseWAV(data)
	if err != nil {
		return nil, fmt.Errorf("load wav %s: %w", path, err)
	}
	return NewLoop(pcm), nil
}

// wavFormat is the "fmt " chunk of a WAVE file.
type wavFormat struct {
	tag        uint16 // 1 = PCM, 0xFFFE = WAVE_FORMAT_EXTENSIBLE
	channels   uint16
	rate       uint32
	blockAlign uint16
	bits       uint16
}

const (
	wavTagPCM        = 1
	wavTagExtensible = 0xFFFE
)

// parseWAV walks the RIFF chunks (each an id, a little-endian size and a
// body padded to an even length) for "fmt " and "data".
func parseWAV(b []byte) ([]int16, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: not a RIFF WAVE file", ErrBadWAV)
	}
	var (
		fmtChunk *wavFormat
		body     = b[12:]
	)
	for {
		if len(body) < 8 {
			if fmtChunk == nil {
				return nil, fmt.Errorf("%w: no fmt chunk", ErrBadWAV)
			}
			return nil, fmt.Errorf("%w: no data chunk", ErrBadWAV)
		}
		id, size := string(body[0:4]), binary.LittleEndian.Uint32(body[4:8])
		body = body[8:]
		if uint64(size) > uint64(len(body)) {
			return nil, fmt.Errorf("%w: truncated %q chunk: %d bytes declared, %d present", ErrBadWAV, id, size, len(body))
		}
		chunk := body[:size]
		switch id {
		case "fmt ":
			f, err := parseWAVFormat(chunk)
			if err != nil {
				return nil, err
			}
			fmtChunk = &f
		case "data":
			if fmtChunk == nil {
				return nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrBadWAV)
			}
			if len(chunk) < 2 {
				return nil, fmt.Errorf("%w: no samples", ErrBadWAV)
			}
			if len(chunk)%2 != 0 {
				return nil, fmt.Errorf("%w: data chunk of %d bytes ends mid-sample", ErrBadWAV, len(chunk))
			}
			pcm := make([]int16, len(chunk)/2)
			for i := range pcm {
				pcm[i] = int16(binary.LittleEndian.Uint16(chunk[2*i:]))
			}
			return pcm, nil
		}
		skip := uint64(size) + uint64(size&1)
		if skip > uint64(len(body)) {
			skip = uint64(len(body)) // a missing pad byte after the last chunk is common
		}
		body = body[skip:]
	}
}

// parseWAVFormat checks the format against what hold audio must be.
func parseWAVFormat(c []byte) (wavFormat, error) {
	if len(c) < 16 {
		return wavFormat{}, fmt.Errorf("%w: fmt chunk of %d bytes", ErrBadWAV, len(c))
	}
	f := wavFormat{
		tag:        binary.LittleEndian.Uint16(c[0:]),
		channels:   binary.LittleEndian.Uint16(c[2:]),
		rate:       binary.LittleEndian.Uint32(c[4:]),
		blockAlign: binary.LittleEndian.Uint16(c[12:]),
		bits:       binary.LittleEndian.Uint16(c[14:]),
	}
	if f.tag == wavTagExtensible && len(c) >= 26 {
		// The sub-format GUID starts with the real format tag.
		f.tag = binary.LittleEndian.Uint16(c[24:])
	}
	switch {
	case f.tag != wavTagPCM:
		return f, fmt.Errorf("%w: format tag %#x, want 1 (linear PCM)", ErrBadWAV, f.tag)
	case f.rate != 8000:
		return f, fmt.Errorf("%w: %d Hz, want 8000", ErrBadWAV, f.rate)
	case f.channels != 1:
		return f, fmt.Errorf("%w: %d channels, want 1 (mono)", ErrBadWAV, f.channels)
	case f.bits != 16:
		return f, fmt.Errorf("%w: %d bits per sample, want 16", ErrBadWAV, f.bits)
	case f.blockAlign != 2:
		return f, fmt.Errorf("%w: block align %d, want 2", ErrBadWAV, f.blockAlign)
	}
	return f, nil
}

// DecodeWAV reads WAV bytes (8 kHz mono 16-bit PCM, as LoadWAV) into
// samples: prompts embedded in the binary or replaced by the SME's own
// files are decoded once at start-up with it.
func DecodeWAV(data []byte) ([]int16, error) {
	if len(data) > maxWAVBytes {
		return nil, fmt.Errorf("decode wav: %w: %d bytes is over the %d limit", ErrBadWAV, len(data), maxWAVBytes)
	}
	pcm, err := parseWAV(data)
	if err != nil {
		return nil, fmt.Errorf("decode wav: %w", err)
	}
	return pcm, nil
}
