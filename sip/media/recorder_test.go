package media

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// ulawFrame is one 20 ms PCMU frame of a 1 kHz tone at amplitude amp.
func ulawFrame(amp float64, start int) []byte {
	b := make([]byte, FrameSamples)
	for i := range b {
		b[i] = EncodeULaw(int16(amp * math.Sin(2*math.Pi*1000*float64(start+i)/8000)))
	}
	return b
}

func pkt(pt uint8, ts uint32, payload []byte) *rtp.Packet {
	return &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, Timestamp: ts}, Payload: payload}
}

func TestRecorderWritesAValidWAV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "msg.wav")
	voiced := 0
	r, err := NewRecorder(path, PCMU, time.Minute, RecorderOptions{OnVoice: func() { voiced++ }})
	if err != nil {
		t.Fatal(err)
	}
	ts := uint32(4_000_000_000) // wraps during the message
	for i := range 50 {
		if i == 10 || i == 11 {
			continue // two packets lost: filled with silence
		}
		r.Write(pkt(PCMU.PT, ts+uint32(i*FrameSamples), ulawFrame(8000, i*FrameSamples)))
		if i == 20 {
			r.Write(pkt(PCMU.PT, ts+uint32(5*FrameSamples), ulawFrame(8000, 0)))   // late: dropped
			r.Write(pkt(101, ts+uint32(i*FrameSamples), []byte{11, 0x8a, 0, 160})) // telephone-event: skipped
			r.Write(pkt(13, ts+uint32(i*FrameSamples), []byte{40}))                // comfort noise: skipped
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file is visible before Close: %v", err)
	}
	got, dur, err := r.Close()
	if err != nil || got != path || dur != time.Second {
		t.Fatalf("Close = %q %v %v, want %q 1s", got, dur, err, path)
	}
	if voiced != 48 {
		t.Errorf("OnVoice called %d times, want 48", voiced)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 44+16000 || string(data[0:4]) != "RIFF" || binary.LittleEndian.Uint32(data[4:]) != uint32(len(data)-8) ||
		binary.LittleEndian.Uint32(data[24:]) != 8000 || binary.LittleEndian.Uint32(data[28:]) != 16000 ||
		binary.LittleEndian.Uint32(data[40:]) != 16000 {
		t.Errorf("header % x (file %d bytes)", data[:44], len(data))
	}
	pcm, err := DecodeWAV(data)
	if err != nil {
		t.Fatalf("DecodeWAV: %v", err)
	}
	if len(pcm) != 8000 {
		t.Fatalf("%d samples, want 8000", len(pcm))
	}
	for i := 10 * FrameSamples; i < 12*FrameSamples; i++ {
		if pcm[i] != 0 {
			t.Fatalf("sample %d of the gap = %d, want silence", i, pcm[i])
		}
	}
	want := ulawFrame(8000, 30*FrameSamples)
	for i, u := range want {
		if pcm[30*FrameSamples+i] != DecodeULaw(u) {
			t.Fatalf("frame 30 sample %d = %d, want %d", i, pcm[30*FrameSamples+i], DecodeULaw(u))
		}
	}
	if _, err := os.Stat(path + ".part"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}
	if _, _, err := r.Close(); err == nil {
		t.Error("second Close succeeded")
	}
}

func TestRecorderStopsAtMaxLength(t *testing.T) {
	path := filepath.Join(t.TempDir(), "msg.wav")
	r, err := NewRecorder(path, PCMA, 50*time.Millisecond, RecorderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]byte, FrameSamples)
	for i := range frame {
		frame[i] = EncodeALaw(1000)
	}
	for i := range 3 {
		select {
		case <-r.Full():
			t.Fatalf("full after %d frames", i)
		default:
		}
		r.Write(pkt(PCMA.PT, uint32(i*FrameSamples), frame))
	}
	select {
	case <-r.Full():
	default:
		t.Fatal("not full after 60 ms of a 50 ms message")
	}
	r.Write(pkt(PCMA.PT, 3*FrameSamples, frame))
	_, dur, err := r.Close()
	if err != nil || dur != 50*time.Millisecond {
		t.Fatalf("Close = %v %v", dur, err)
	}
	data, _ := os.ReadFile(path)
	pcm, err := DecodeWAV(data)
	if err != nil || len(pcm) != 400 || pcm[399] != DecodeALaw(frame[0]) {
		t.Errorf("%d samples, err %v", len(pcm), err)
	}
}

func TestRecorderWithoutAudioLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	r, err := NewRecorder(filepath.Join(dir, "msg.wav"), PCMU, time.Minute, RecorderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r.Write(pkt(101, 0, []byte{11, 0x8a, 0, 160}))
	if path, dur, err := r.Close(); path != "" || dur != 0 || err != nil {
		t.Errorf("Close = %q %v %v", path, dur, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left: %v", ents)
	}
	if _, err := NewRecorder(filepath.Join(dir, "x.wav"), Codec{PT: 9, Name: "G722", ClockRate: 8000}, time.Minute, RecorderOptions{}); !errors.Is(err, ErrNoCommonCodec) {
		t.Errorf("G722: %v", err)
	}
}

func TestRecorderSilenceIsNotVoice(t *testing.T) {
	r, err := NewRecorder(filepath.Join(t.TempDir(), "m.wav"), PCMU, time.Minute, RecorderOptions{OnVoice: func() { t.Error("silence counted as voice") }})
	if err != nil {
		t.Fatal(err)
	}
	r.Write(pkt(PCMU.PT, 0, ulawFrame(100, 0))) // about -50 dBFS: line noise
	if _, _, err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkRecorderWrite: one 20 ms packet into the file's buffer, on the
// leg's read goroutine; it should not allocate.
func BenchmarkRecorderWrite(b *testing.B) {
	r, err := NewRecorder(filepath.Join(b.TempDir(), "m.wav"), PCMU, time.Hour, RecorderOptions{OnVoice: func() {}})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	p := pkt(PCMU.PT, 0, ulawFrame(8000, 0))
	b.ReportAllocs()
	for b.Loop() {
		p.Timestamp += FrameSamples
		r.Write(p)
	}
}
