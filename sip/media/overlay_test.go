package media

import (
	"context"
	"slices"
	"testing"
)

func TestOverlayPlaysClipsThenResumesHold(t *testing.T) {
	hold := NewLoop([]int16{7, 8, 9})
	o := NewOverlay(hold)
	frame := make([]int16, 4)

	o.NextFrame(frame)
	if want := []int16{7, 8, 9, 7}; !slices.Equal(frame, want) {
		t.Fatalf("hold frame = %v, want %v", frame, want)
	}
	first := o.Say([]int16{1, 2, 3})
	second := o.Say([]int16{4, 5})
	if !o.Speaking() {
		t.Fatal("Speaking = false with two clips queued")
	}
	o.NextFrame(frame)
	if want := []int16{1, 2, 3, 4}; !slices.Equal(frame, want) {
		t.Fatalf("clip frame = %v, want %v", frame, want)
	}
	assertClosed(t, first, "first clip")
	assertOpen(t, second, "second clip")
	o.NextFrame(frame)
	if want := []int16{5, 0, 0, 0}; !slices.Equal(frame, want) {
		t.Fatalf("last clip frame = %v, want %v (padded with silence)", frame, want)
	}
	assertClosed(t, second, "second clip")
	o.NextFrame(frame)
	if want := []int16{8, 9, 7, 8}; !slices.Equal(frame, want) {
		t.Fatalf("after clips = %v, want hold resumed where it paused %v", frame, want)
	}
}

func TestOverlayClearAndEmptyClip(t *testing.T) {
	o := NewOverlay(NewLoop([]int16{1}))
	assertClosed(t, o.Say(nil), "empty clip")
	c := o.Say(make([]int16, 1000))
	o.Clear()
	assertClosed(t, c, "cleared clip")
	if o.Speaking() {
		t.Fatal("Speaking after Clear")
	}
	frame := make([]int16, 2)
	o.NextFrame(frame)
	if !slices.Equal(frame, []int16{1, 1}) {
		t.Fatalf("frame after Clear = %v, want hold", frame)
	}
}

// TestOverlaySayWhileEndedQueuesNothing: an announcement loop whose wait
// has ended (its context cancelled before the overlay was cleared, as
// endWaiting does) cannot queue a clip behind the Clear: the caller who
// left for voicemail or was bridged never hears a stale position.
func TestOverlaySayWhileEndedQueuesNothing(t *testing.T) {
	o := NewOverlay(NewLoop([]int16{1}))
	ctx, cancel := context.WithCancel(context.Background())
	live := o.SayWhile(ctx, make([]int16, 10))
	assertOpen(t, live, "clip of a live speaker")
	cancel()
	o.Clear()
	assertClosed(t, live, "clip queued before the cancel")
	late := o.SayWhile(ctx, make([]int16, 10))
	assertClosed(t, late, "clip of an ended speaker")
	if o.Speaking() {
		t.Fatal("a clip was queued after its speaker's context ended")
	}
}

func assertClosed(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	default:
		t.Fatalf("%s: done channel still open", what)
	}
}

func assertOpen(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
		t.Fatalf("%s: done channel closed too early", what)
	default:
	}
}
