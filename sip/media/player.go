package media

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Player sends hold audio from a Source through a Sender, one G.711 frame
// every FrameDuration, until stopped. Pacing comes from a time.Ticker (so
// testing/synctest can drive it); timestamps advance by FrameSamples per
// frame sent.
type Player struct {
	src    Source
	s      *Sender
	pt     uint8
	encode func(int16) byte

	mu      sync.Mutex
	state   playerState
	stop    chan struct{}
	done    chan struct{}
	pcm     [FrameSamples]int16
	payload [FrameSamples]byte
}

type playerState uint8

const (
	playerIdle playerState = iota
	playerRunning
	playerStopped
)

// NewPlayer prepares hold audio for one call in codec, which must be PCMU or
// PCMA (anything else wraps ErrNoCommonCodec).
func NewPlayer(src Source, s *Sender, codec Codec) (*Player, error) {
	enc, err := encoderFor(codec)
	if err != nil {
		return nil, fmt.Errorf("new player: %w", err)
	}
	return &Player{
		src: src, s: s, pt: codec.PT, encode: enc,
		stop: make(chan struct{}), done: make(chan struct{}),
	}, nil
}

// Run plays until ctx ends or Stop is called; the first frame goes out at
// once so the caller hears audio as soon as the call is answered. Write
// errors other than a closed socket are skipped: a lost frame of hold music
// does not end a call. Run may be called once; after Stop it returns at once.
func (p *Player) Run(ctx context.Context) error {
	p.mu.Lock()
	switch p.state {
	case playerRunning:
		p.mu.Unlock()
		return errors.New("media: player already running")
	case playerStopped:
		p.mu.Unlock()
		return nil
	}
	p.state = playerRunning
	p.mu.Unlock()
	defer close(p.done)

	t := time.NewTicker(FrameDuration)
	defer t.Stop()
	for {
		if err := p.sendFrame(); errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("play hold audio: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-p.stop:
			return nil
		case <-t.C:
		}
	}
}

func (p *Player) sendFrame() error {
	p.src.NextFrame(p.pcm[:])
	for i, v := range p.pcm {
		p.payload[i] = p.encode(v)
	}
	return p.s.WriteFrame(p.payload[:], p.pt, FrameSamples)
}

// Stop ends playback and returns only after Run has sent its last packet, so
// the relay can take over the Sender without interleaving. Safe to call more
// than once, concurrently, and before Run.
func (p *Player) Stop() {
	p.mu.Lock()
	running := p.state == playerRunning
	if p.state == playerIdle {
		p.state = playerStopped
	}
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	p.mu.Unlock()
	if running {
		<-p.done
	}
}
