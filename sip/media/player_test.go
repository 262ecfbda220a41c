package media

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// One second of fake time is 50 frames of 20 ms: the first at once, then
// one per tick, each one sequence number and 160 timestamp units on.
func TestPlayerPacing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &memWriter{}
		s := NewSender(w, peerAddr)
		p, err := NewPlayer(NewToneSource(), s, PCMA)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- p.Run(context.Background()) }()

		time.Sleep(time.Second - time.Millisecond) // fake time: frames at 0, 20, ..., 980 ms
		synctest.Wait()
		if n := len(w.packets()); n != 50 {
			t.Fatalf("%d packets in 1 s, want 50", n)
		}
		p.Stop()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
		time.Sleep(time.Second)
		pkts := w.packets()
		if len(pkts) != 50 {
			t.Fatalf("%d packets after Stop, want still 50", len(pkts))
		}
		checkContinuous(t, pkts, FrameSamples)
		for i, pkt := range pkts {
			if pkt.PayloadType != PCMA.PT || len(pkt.Payload) != FrameSamples || pkt.Marker != (i == 0) {
				t.Fatalf("packet %d: pt %d, %d bytes, marker %v", i, pkt.PayloadType, len(pkt.Payload), pkt.Marker)
			}
		}
		// The payload is the tone source, A-law encoded.
		want := make([]int16, FrameSamples)
		NewToneSource().NextFrame(want)
		if pkts[0].Payload[100] != EncodeALaw(want[100]) {
			t.Error("payload is not the encoded source")
		}
	})
}

func TestPlayerStopsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &memWriter{}
		p, _ := NewPlayer(NewToneSource(), NewSender(w, peerAddr), PCMU)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		time.Sleep(100 * time.Millisecond)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := len(w.packets()); n != 6 { // 0, 20, ..., 100 ms
			t.Errorf("%d packets in 100 ms, want 6", n)
		}
		p.Stop() // after Run returned: does not block
	})
}

func TestPlayerStopBeforeRun(t *testing.T) {
	w := &memWriter{}
	p, _ := NewPlayer(NewToneSource(), NewSender(w, peerAddr), PCMU)
	p.Stop()
	p.Stop()
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(w.packets()) != 0 {
		t.Error("played after Stop")
	}
}

func TestNewPlayerRejectsCodec(t *testing.T) {
	_, err := NewPlayer(NewToneSource(), NewSender(discardWriter{}, peerAddr), Codec{PT: 9, Name: "G722", ClockRate: 8000})
	if !errors.Is(err, ErrNoCommonCodec) {
		t.Errorf("err = %v", err)
	}
}
