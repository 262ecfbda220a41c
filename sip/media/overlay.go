package media

import (
	"context"
	"sync"
)

// Overlay is a Source that speaks clips (announcements, prompts) over hold
// audio: while a clip is queued its samples replace the hold audio; when
// the last clip ends, hold audio resumes where it paused. One Player plays
// the Overlay for the whole wait, so the RTP sequence numbers and
// timestamps run on without a gap and the caller hears no click or silence
// between music and announcement (the "seamless return to hold").
type Overlay struct {
	hold Source

	mu    sync.Mutex
	clips []*clip
}

type clip struct {
	pcm  []int16
	pos  int
	done chan struct{}
}

// NewOverlay plays hold when no clip is queued.
func NewOverlay(hold Source) *Overlay { return &Overlay{hold: hold} }

// Say queues pcm after the clips already queued. The returned channel is
// closed once the clip's last sample has gone to the Player (about when it
// is sent), or when Clear drops it; an empty clip is done at once. pcm is
// only read, so one decoded prompt can be said to many calls at once.
func (o *Overlay) Say(pcm []int16) <-chan struct{} {
	return o.SayWhile(context.Background(), pcm)
}

// SayWhile is Say for a speaker that lives as long as ctx (an announcement
// loop): once ctx has ended nothing is queued and the channel is closed at
// once. ctx is checked under the lock Clear takes, so whoever cancels ctx
// and then calls Clear knows no clip of that speaker is left afterwards,
// even one racing the cancel (an announcement fetched just before the
// agent answered or the call left for voicemail).
func (o *Overlay) SayWhile(ctx context.Context, pcm []int16) <-chan struct{} {
	c := &clip{pcm: pcm, done: make(chan struct{})}
	if len(pcm) == 0 {
		close(c.done)
		return c.done
	}
	o.mu.Lock()
	if ctx.Err() != nil {
		o.mu.Unlock()
		close(c.done)
		return c.done
	}
	o.clips = append(o.clips, c)
	o.mu.Unlock()
	return c.done
}

// Clear drops every queued clip, closing their channels: the caller's
// agent answered, or the call is leaving the queue.
func (o *Overlay) Clear() {
	o.mu.Lock()
	clips := o.clips
	o.clips = nil
	o.mu.Unlock()
	for _, c := range clips {
		close(c.done)
	}
}

// Speaking reports whether a clip is playing or queued.
func (o *Overlay) Speaking() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.clips) > 0
}

// NextFrame fills dst from the queued clips, one after the other, and pads
// the frame in which the last one ends with silence; with no clip queued
// it is the hold audio's frame.
func (o *Overlay) NextFrame(dst []int16) {
	o.mu.Lock()
	if len(o.clips) == 0 {
		o.mu.Unlock()
		o.hold.NextFrame(dst)
		return
	}
	var finished []*clip
	n := 0
	for n < len(dst) && len(o.clips) > 0 {
		c := o.clips[0]
		k := copy(dst[n:], c.pcm[c.pos:])
		n += k
		c.pos += k
		if c.pos == len(c.pcm) {
			finished = append(finished, c)
			o.clips[0] = nil
			o.clips = o.clips[1:]
		}
	}
	o.mu.Unlock()
	clear(dst[n:])
	for _, c := range finished {
		close(c.done)
	}
}
