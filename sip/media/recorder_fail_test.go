package media

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// fullDisk is a recording's file on a disk with room for limit bytes:
// the write that passes it writes what fits and fails with ENOSPC, as
// write(2) does.
type fullDisk struct {
	*os.File
	limit, written int
}

func (f *fullDisk) Write(b []byte) (int, error) {
	if room := f.limit - f.written; len(b) > room {
		n, _ := f.File.Write(b[:max(room, 0)])
		f.written += n
		return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	n, err := f.File.Write(b)
	f.written += n
	return n, err
}

// TestRecorderDiskFullKeepsWhatWasWritten: the disk fills up mid-message.
// Failed tells the leg to stop at once (not after max_length or silence);
// Close saves the half second that reached the disk as a valid WAV and
// reports the error; no ".part" file is left behind.
func TestRecorderDiskFullKeepsWhatWasWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "msg.wav")
	const room = wavHeaderBytes + 2*4000 // 500 ms
	r, err := newRecorder(path, PCMU, time.Minute, RecorderOptions{}, func(name string) (recFile, error) {
		f, err := createPart(name)
		if err != nil {
			return nil, err
		}
		return &fullDisk{File: f.(*os.File), limit: room}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 150 { // 3 s: the 32 KiB buffer is flushed (and fails) at about 2 s
		r.Write(pkt(PCMU.PT, uint32(i*FrameSamples), ulawFrame(8000, i*FrameSamples)))
	}
	select {
	case <-r.Failed():
	default:
		t.Fatal("Failed not closed after a write failed")
	}
	got, dur, err := r.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Close error %v, want ENOSPC", err)
	}
	if got != path || dur != 500*time.Millisecond {
		t.Fatalf("Close = %q %v, want %q 500ms: the message so far is lost", got, dur, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if pcm, err := DecodeWAV(data); err != nil || len(pcm) != 4000 {
		t.Fatalf("saved WAV: %d samples, %v", len(pcm), err)
	}
	if _, err := os.Stat(path + PartSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}
}

// TestRecorderDiskFullBeforeAnySample: nothing reached the disk; Close
// reports the error and leaves no file.
func TestRecorderDiskFullBeforeAnySample(t *testing.T) {
	dir := t.TempDir()
	r, err := newRecorder(filepath.Join(dir, "msg.wav"), PCMU, time.Minute, RecorderOptions{}, func(name string) (recFile, error) {
		f, err := createPart(name)
		if err != nil {
			return nil, err
		}
		return &fullDisk{File: f.(*os.File), limit: 10}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r.Write(pkt(PCMU.PT, 0, ulawFrame(8000, 0)))
	if got, _, err := r.Close(); got != "" || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Close = %q %v, want no file and ENOSPC", got, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left: %v", ents)
	}
}

// TestRecoverPart: the ".part" a crash left becomes a playable message
// (a trailing half sample dropped); one without audio is removed; one
// whose message already exists is left alone.
func TestRecoverPart(t *testing.T) {
	dir := t.TempDir()
	part := filepath.Join(dir, "a.wav"+PartSuffix)
	if err := os.WriteFile(part, make([]byte, wavHeaderBytes+2*800+1), 0o640); err != nil {
		t.Fatal(err)
	}
	path, dur, err := RecoverPart(part)
	if err != nil || path != filepath.Join(dir, "a.wav") || dur != 100*time.Millisecond {
		t.Fatalf("RecoverPart = %q %v %v", path, dur, err)
	}
	data, _ := os.ReadFile(path)
	if pcm, err := DecodeWAV(data); err != nil || len(pcm) != 800 {
		t.Errorf("recovered WAV: %d samples, %v", len(pcm), err)
	}

	empty := filepath.Join(dir, "b.wav"+PartSuffix)
	if err := os.WriteFile(empty, make([]byte, wavHeaderBytes), 0o640); err != nil {
		t.Fatal(err)
	}
	if path, _, err := RecoverPart(empty); path != "" || err != nil {
		t.Errorf("empty part: %q %v", path, err)
	}
	if _, err := os.Stat(empty); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty part not removed: %v", err)
	}

	clash := filepath.Join(dir, "a.wav"+PartSuffix)
	if err := os.WriteFile(clash, make([]byte, wavHeaderBytes+20), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, _, err := RecoverPart(clash); err == nil {
		t.Error("recovered over an existing message")
	}
	if _, err := os.Stat(clash); err != nil {
		t.Errorf("part beside an existing message removed: %v", err)
	}
	if _, _, err := RecoverPart(filepath.Join(dir, "a.wav")); err == nil {
		t.Error("recovered a file that is not a part")
	}
}
