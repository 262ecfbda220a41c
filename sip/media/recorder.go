package media

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// Recorder writes what a caller says, received as G.711 RTP, to a WAV file
// of 8 kHz mono 16-bit linear PCM (the format LoadWAV and DecodeWAV read):
// a voicemail message. It writes to a temporary name beside the file and
// renames it only when complete and synced, so whoever collects messages
// never sees half a file, and a crash leaves at most a ".part" file
// (RecoverPart makes it a message).
//
// A write that fails (a full disk) ends the message: Failed is closed and
// Close keeps what reached the disk, so the caller's words so far are not
// lost with the rest.
//
// Write is a Leg sink (Leg.SetSink) and runs on the leg's read goroutine;
// Close runs on another. Both are safe together.
type Recorder struct {
	path, tmp string
	pt        uint8
	decode    func(byte) int16
	max       int // samples
	onVoice   func()

	mu      sync.Mutex
	f       recFile
	w       *bufio.Writer
	n       int // samples written
	started bool
	nextTS  uint32
	closed  bool
	err     error // the first write error; Close reports it
	buf     []byte

	full       chan struct{}
	fullOnce   sync.Once
	failed     chan struct{}
	failedOnce sync.Once
}

// recFile is what a Recorder needs of its file (an *os.File; a test fakes
// a full disk).
type recFile interface {
	io.Writer
	io.WriterAt
	Sync() error
	Close() error
	Stat() (os.FileInfo, error)
	Truncate(size int64) error
}

// createPart creates a recording's temporary file; it must not exist.
func createPart(name string) (recFile, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
}

// PartSuffix ends the name of a message being recorded (see Recorder).
const PartSuffix = ".part"

// RecorderOptions tune a Recorder.
type RecorderOptions struct {
	// OnVoice, when set, is called (on the writing goroutine, must not
	// block) for each packet loud enough to be speech, so the caller can
	// end a message after a long silence.
	OnVoice func()
}

const (
	wavHeaderBytes = 44
	// maxGapSamples: a timestamp jump up to this (1 s) is packets lost
	// and filled with silence; a larger one is a new stream (a new SSRC,
	// a phone that restarted its clock) and is not filled.
	maxGapSamples = 8000
	// voiceLevel is the mean absolute sample value above which a packet
	// counts as speech: about -42 dBFS, above line noise and comfort
	// noise.
	voiceLevel = 256
)

// NewRecorder creates the temporary file beside path for a message of at
// most maxLen in codec (PCMU or PCMA; anything else wraps
// ErrNoCommonCodec). Packets of other payload types (RFC 4733
// telephone-events, comfort noise) are skipped.
func NewRecorder(path string, codec Codec, maxLen time.Duration, opts RecorderOptions) (*Recorder, error) {
	return newRecorder(path, codec, maxLen, opts, createPart)
}

func newRecorder(path string, codec Codec, maxLen time.Duration, opts RecorderOptions, create func(string) (recFile, error)) (*Recorder, error) {
	var decode func(byte) int16
	switch {
	case codec.sameFormat(PCMU):
		decode = DecodeULaw
	case codec.sameFormat(PCMA):
		decode = DecodeALaw
	default:
		return nil, fmt.Errorf("new recorder: cannot decode %v: %w", codec, ErrNoCommonCodec)
	}
	if maxLen <= 0 {
		return nil, errors.New("new recorder: max length must be positive")
	}
	tmp := path + PartSuffix
	f, err := create(tmp)
	if err != nil {
		return nil, fmt.Errorf("new recorder: %w", err)
	}
	r := &Recorder{path: path, tmp: tmp, pt: codec.PT, decode: decode,
		max: int(maxLen / (time.Second / 8000)), onVoice: opts.OnVoice,
		f: f, w: bufio.NewWriterSize(f, 32<<10), full: make(chan struct{}), failed: make(chan struct{})}
	if _, err := r.w.Write(make([]byte, wavHeaderBytes)); err != nil { // patched by Close
		_ = f.Close()
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("new recorder: %w", err)
	}
	return r, nil
}

// Path is where the message will be once Close has succeeded.
func (r *Recorder) Path() string { return r.path }

// Full is closed when the message reached its maximum length; later
// packets are dropped.
func (r *Recorder) Full() <-chan struct{} { return r.full }

// Failed is closed when a write failed (a full disk): later packets are
// dropped, and Close saves what was written before and reports the error.
func (r *Recorder) Failed() <-chan struct{} { return r.failed }

// Write appends one packet's audio. A gap in timestamps of up to a second
// (lost packets) is filled with silence; a late or repeated packet is
// dropped. It never blocks on anything but the file.
func (r *Recorder) Write(pkt *rtp.Packet) {
	if pkt.PayloadType != r.pt || len(pkt.Payload) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.err != nil || r.n >= r.max {
		return
	}
	if r.started {
		switch gap := int32(pkt.Timestamp - r.nextTS); {
		case gap < 0 && gap > -maxGapSamples:
			return // late or repeated
		case gap > 0 && gap <= maxGapSamples:
			r.samples(nil, int(gap))
		}
	}
	r.started, r.nextTS = true, pkt.Timestamp+uint32(len(pkt.Payload))
	r.samples(pkt.Payload, len(pkt.Payload))
	if r.onVoice != nil && loud(pkt.Payload, r.decode) {
		r.onVoice()
	}
}

// samples writes n samples decoded from payload (silence when nil), up to
// the maximum length. Called with mu held.
func (r *Recorder) samples(payload []byte, n int) {
	n = min(n, r.max-r.n)
	if cap(r.buf) < 2*n {
		r.buf = make([]byte, 2*n)
	}
	b := r.buf[:2*n]
	if payload == nil {
		clear(b)
	} else {
		for i := range n {
			binary.LittleEndian.PutUint16(b[2*i:], uint16(r.decode(payload[i])))
		}
	}
	if _, err := r.w.Write(b); err != nil {
		r.err = err
		r.failedOnce.Do(func() { close(r.failed) })
		return
	}
	r.n += n
	if r.n >= r.max {
		r.fullOnce.Do(func() { close(r.full) })
	}
}

// loud reports whether a payload's mean absolute level is speech.
func loud(payload []byte, decode func(byte) int16) bool {
	sum := 0
	for _, b := range payload {
		v := int(decode(b))
		if v < 0 {
			v = -v
		}
		sum += v
	}
	return sum > voiceLevel*len(payload)
}

// Close finishes the file: it writes the header with the final sizes,
// syncs the file, renames it to its path and syncs the directory. It
// returns the path and the message's length; a message with no audio is
// deleted instead and path is "". A second Close fails.
//
// After a failed write (Failed) it still saves the samples that reached
// the disk and returns their path and length with the error: a path that
// is not "" is a message on disk, even with an error.
func (r *Recorder) Close() (string, time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return "", 0, errors.New("close recorder: already closed")
	}
	r.closed = true
	n, err := r.n, r.err
	if err == nil && n > 0 {
		err = r.finish()
	}
	if err != nil {
		n = r.salvage() // the samples on disk, their header patched
	}
	if cerr := r.f.Close(); cerr != nil && err == nil {
		err, n = cerr, 0
	}
	if n == 0 {
		_ = os.Remove(r.tmp)
		if err != nil {
			return "", 0, fmt.Errorf("close recorder %s: %w", r.path, err)
		}
		return "", 0, nil
	}
	if rerr := publish(r.tmp, r.path); rerr != nil {
		_ = os.Remove(r.tmp)
		return "", 0, errors.Join(fmt.Errorf("close recorder %s: %w", r.path, err), rerr)
	}
	dur := time.Duration(n) * time.Second / 8000
	if err != nil {
		return r.path, dur, fmt.Errorf("close recorder %s: message cut short at %v: %w", r.path, dur, err)
	}
	return r.path, dur, nil
}

// salvage keeps what of a failed recording reached the disk: whole
// samples after the header, with the header written for them. It returns
// their number, 0 if none can be kept. Called with mu held.
func (r *Recorder) salvage() int {
	st, err := r.f.Stat()
	if err != nil {
		return 0
	}
	n := int((st.Size() - wavHeaderBytes) / 2)
	if n <= 0 {
		return 0
	}
	if r.f.Truncate(wavHeaderBytes+2*int64(n)) != nil {
		return 0
	}
	if _, err := r.f.WriteAt(wavHeader(n), 0); err != nil || r.f.Sync() != nil {
		return 0
	}
	return n
}

// publish renames a finished recording to its path and syncs the
// directory, so the rename survives a crash.
func publish(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("publish recording: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// RecoverPart turns the ".part" file a crash left mid-message into the
// message it would have been (name without PartSuffix): the samples on
// disk get their header and the file is renamed. It returns the message's
// path and length; a part without audio is removed and path is "".
func RecoverPart(part string) (string, time.Duration, error) {
	path, ok := strings.CutSuffix(part, PartSuffix)
	if !ok {
		return "", 0, fmt.Errorf("recover %s: not a %s file", part, PartSuffix)
	}
	f, err := os.OpenFile(part, os.O_RDWR, 0)
	if err != nil {
		return "", 0, fmt.Errorf("recover %s: %w", part, err)
	}
	r := &Recorder{f: f}
	n := r.salvage()
	if err := f.Close(); err != nil {
		n = 0
	}
	if n == 0 {
		if err := os.Remove(part); err != nil {
			return "", 0, fmt.Errorf("recover %s: %w", part, err)
		}
		return "", 0, nil
	}
	if _, err := os.Stat(path); err == nil {
		return "", 0, fmt.Errorf("recover %s: %s exists", part, path)
	}
	if err := publish(part, path); err != nil {
		return "", 0, fmt.Errorf("recover %s: %w", part, err)
	}
	return path, time.Duration(n) * time.Second / 8000, nil
}

// finish flushes the samples and writes the header. Called with mu held.
func (r *Recorder) finish() error {
	if err := r.w.Flush(); err != nil {
		return err
	}
	if _, err := r.f.WriteAt(wavHeader(r.n), 0); err != nil {
		return err
	}
	return r.f.Sync()
}

// wavHeader is the 44-byte RIFF header of n samples of 8 kHz mono 16-bit
// PCM: a "fmt " chunk of 16 bytes and the "data" chunk's header.
func wavHeader(n int) []byte {
	h := make([]byte, wavHeaderBytes)
	data := uint32(2 * n)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], 36+data)
	copy(h[8:], "WAVE")
	copy(h[12:], "fmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], wavTagPCM)
	binary.LittleEndian.PutUint16(h[22:], 1)     // channels
	binary.LittleEndian.PutUint32(h[24:], 8000)  // sample rate
	binary.LittleEndian.PutUint32(h[28:], 16000) // byte rate
	binary.LittleEndian.PutUint16(h[32:], 2)     // block align
	binary.LittleEndian.PutUint16(h[34:], 16)    // bits per sample
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], data)
	return h
}
