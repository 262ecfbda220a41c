package main

// Tones, WAVs and the RTP caller of the baresip end-to-end tests.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/sme/acd/sip/media"
)

const (
	// baresipToneHz is the tone baresip sends as its microphone.
	baresipToneHz = 1000
	// bsCallerToneHz is the tone the test's caller sends.
	bsCallerToneHz = 600
	// bsToneAmplitude is the tones' peak, about -12 dBFS.
	bsToneAmplitude = 8000
)

// baresipTest marks a test that needs baresip (and sipp, for the harness).
func baresipTest(t *testing.T) {
	t.Helper()
	e2eTest(t)
	if _, err := exec.LookPath("baresip"); err != nil {
		t.Skip("e2e: baresip is not on PATH (install Debian's baresip-core; scripts/test.sh does)")
	}
}

// baresipModuleDir finds the directory of baresip's modules.
func baresipModuleDir(t *testing.T) string {
	t.Helper()
	for _, dir := range []string{"/usr/lib/baresip/modules", "/usr/local/lib/baresip/modules",
		"/usr/lib/x86_64-linux-gnu/baresip/modules", "/usr/lib/aarch64-linux-gnu/baresip/modules"} {
		if _, err := os.Stat(filepath.Join(dir, "g711.so")); err == nil {
			return dir
		}
	}
	t.Fatal("baresip is installed but its modules (g711.so) are in none of the usual directories")
	return ""
}

// bsWriteToneWAV writes seconds of a sine at hz as an 8 kHz mono 16-bit WAV,
// the format baresip's aufile source needs for G.711.
func bsWriteToneWAV(t *testing.T, path string, hz float64, seconds int) {
	t.Helper()
	n := 8000 * seconds
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(36+2*n))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(8000), uint32(16000), uint16(2), uint16(16)} {
		_ = binary.Write(&b, binary.LittleEndian, v) // PCM, mono, 8 kHz, 2 bytes a sample
	}
	b.WriteString("data")
	_ = binary.Write(&b, binary.LittleEndian, uint32(2*n))
	for i := range n {
		_ = binary.Write(&b, binary.LittleEndian, int16(bsToneAmplitude*math.Sin(2*math.Pi*hz*float64(i)/8000)))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// bsReadWAV reads the 16-bit samples of a WAV that may still be open
// for writing (libsndfile fills the sizes in when it closes the file): a
// data chunk whose size is 0 or past the end runs to the end of the file.
func bsReadWAV(path string) ([]int16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%s: not a WAV file (%d bytes)", path, len(b))
	}
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:off+8]))
		off += 8
		if id == "fmt " && off+16 <= len(b) {
			if ch, bits := binary.LittleEndian.Uint16(b[off+2:]), binary.LittleEndian.Uint16(b[off+14:]); ch != 1 || bits != 16 {
				return nil, fmt.Errorf("%s: %d channels of %d bits, want mono 16-bit", path, ch, bits)
			}
		}
		if id == "data" {
			end := off + size
			if size == 0 || end > len(b) {
				end = len(b)
			}
			out := make([]int16, (end-off)/2)
			for i := range out {
				out[i] = int16(binary.LittleEndian.Uint16(b[off+2*i:]))
			}
			return out, nil
		}
		off += size + size&1
	}
	return nil, fmt.Errorf("%s: no data chunk", path)
}

// Tone measurement.

// bsToneLevel measures pcm at 8 kHz: its RMS and the share of its power in
// the bin at hz (Goertzel), 0 … 1.
func bsToneLevel(pcm []int16, hz float64) (rms, share float64) {
	if len(pcm) == 0 {
		return 0, 0
	}
	var total float64
	for _, s := range pcm {
		total += float64(s) * float64(s)
	}
	coeff := 2 * math.Cos(2*math.Pi*hz/8000)
	var s1, s2 float64
	for _, s := range pcm {
		s0 := float64(s) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2 // |X(hz)|², N²A²/4 for a pure tone
	n := float64(len(pcm))
	rms = math.Sqrt(total / n)
	if total == 0 {
		return rms, 0
	}
	return rms, min(1, 2*power/(n*total))
}

// bsCheckTone fails the test unless pcm (8 kHz) is at least 1 s of a tone
// at hz: loud enough and with most of its power at hz.
func bsCheckTone(t *testing.T, what string, pcm []int16, hz float64) {
	t.Helper()
	rms, share := bsToneLevel(pcm, hz)
	t.Logf("%s: %.2f s, RMS %.0f, %.0f %% of the power at %v Hz", what, float64(len(pcm))/8000, rms, 100*share, hz)
	switch {
	case len(pcm) < 8000:
		t.Errorf("%s: only %d samples, want at least 1 s", what, len(pcm))
	case rms < bsToneAmplitude/math.Sqrt2/4:
		t.Errorf("%s: RMS %.0f, want about %.0f (a %v Hz tone); silent or too quiet", what, rms, bsToneAmplitude/math.Sqrt2, hz)
	case share < 0.8:
		t.Errorf("%s: only %.0f %% of the power at %v Hz, want most of it", what, 100*share, hz)
	}
}

// bsTonePeer is the media of the other side of baresip's call (a sipp
// caller's or agent's SDP points at it): it sends a G.711 µ-law tone every
// 20 ms to the first address it hears from (the acd's leg, which latches on
// our stream too) and keeps every packet it receives.
type bsTonePeer struct {
	udpRTPPeer
	t  *testing.T
	hz float64

	// under mu
	remote netip.AddrPort
	rx     []bsPacket
}

// bsPacket is one RTP packet a bsTonePeer received.
type bsPacket struct {
	At      time.Time
	PT      uint8
	Payload []byte
}

func newBSTonePeer(t *testing.T, hz float64) *bsTonePeer {
	t.Helper()
	p := &bsTonePeer{t: t, hz: hz}
	p.listen(t, "tone peer", p)
	p.pace(20*time.Millisecond, p.sender())
	return p
}

// onPacket keeps a copy of pkt; the first source heard is where we send.
func (p *bsTonePeer) onPacket(from netip.AddrPort, pkt *rtp.Packet) {
	if !p.remote.IsValid() {
		p.remote = from
	}
	p.rx = append(p.rx, bsPacket{At: time.Now(), PT: pkt.PayloadType, Payload: bytes.Clone(pkt.Payload)})
}

// sender is the pacer's tick: the tone's next frame to the remote, once
// one is known.
func (p *bsTonePeer) sender() func() {
	var seq uint16
	var ts uint32
	var phase int
	payload := make([]byte, frameSamples)
	return func() {
		p.mu.Lock()
		to := p.remote
		p.mu.Unlock()
		if !to.IsValid() {
			return
		}
		for i := range payload {
			payload[i] = media.EncodeULaw(int16(bsToneAmplitude * math.Sin(2*math.Pi*p.hz*float64(phase)/8000)))
			phase = (phase + 1) % 8000
		}
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: seq, Timestamp: ts,
			SSRC: 0x70AE, Marker: seq == 0}, Payload: payload}
		b, err := pkt.Marshal()
		if err != nil {
			return
		}
		if _, err := p.conn.WriteToUDPAddrPort(b, to); err == nil {
			seq++
			ts += frameSamples
		}
	}
}

// heardSince decodes the G.711 the peer received at or after from.
func (p *bsTonePeer) heardSince(from time.Time) (pcm []int16, packets int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pk := range p.rx {
		if pk.At.Before(from) {
			continue
		}
		switch pk.PT {
		case 0:
			for _, c := range pk.Payload {
				pcm = append(pcm, media.DecodeULaw(c))
			}
		case 8:
			for _, c := range pk.Payload {
				pcm = append(pcm, media.DecodeALaw(c))
			}
		default:
			continue
		}
		packets++
	}
	return pcm, packets
}

// baresip processes.
