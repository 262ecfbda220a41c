package sip

import (
	"context"
	"errors"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/announce"
)

// AnnounceConfig is what a queue tells its waiting callers, over the hold
// audio (the config's queues[].announce).
type AnnounceConfig struct {
	// Position and Wait say the caller's position and estimated wait
	// (acd.Engine.Announce) on entry and then every Every (0: on entry
	// only).
	Position, Wait bool
	Every          time.Duration
	// Messages are prompts said periodically, each on its own interval.
	Messages []PeriodicMessage
}

// PeriodicMessage is a prompt said every Every while the caller waits,
// the first time after one period.
type PeriodicMessage struct {
	Prompt string
	Every  time.Duration
}

// startAnnouncements tells the waiting caller their position and estimated
// wait on entry and every so often, with the queue's periodic messages.
// Each runs in its own goroutine under l.waiting, which ends them; clips
// never overlap (the Overlay queues them) and a repeat is timed from the
// end of the clip before it.
func (l *callerLeg) startAnnouncements() {
	cfg, ok := l.s.cfg.Announce[l.call.Queue]
	if !ok {
		return
	}
	ctx, lang := l.waiting, l.s.language(l.call.Queue)
	if cfg.Position || cfg.Wait {
		go l.announceLoop(ctx, cfg, lang)
	}
	for _, m := range cfg.Messages {
		if m.Every > 0 {
			go l.messageLoop(ctx, m, lang)
		}
	}
}

// announceLoop says the position and wait now, then every cfg.Every.
func (l *callerLeg) announceLoop(ctx context.Context, cfg AnnounceConfig, lang string) {
	for {
		l.announcePosition(ctx, cfg, lang)
		if cfg.Every <= 0 || !announcePause(ctx, cfg.Every) {
			return
		}
	}
}

// announcePosition asks the engine where the call stands (which records
// an "announced" event) and says it, returning once the clip has been
// played or dropped.
func (l *callerLeg) announcePosition(ctx context.Context, cfg AnnounceConfig, lang string) {
	a, err := l.s.engine.Announce(ctx, l.call.ID)
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, acd.ErrCallNotWaiting) {
			l.log.Warn("announce position", "err", err)
		}
		return // ringing an agent, or gone: nothing to tell
	}
	var names []string
	if cfg.Position {
		names = append(names, announce.Position(lang, a.Position)...)
	}
	if cfg.Wait && a.WaitKnown {
		names = append(names, announce.Wait(lang, a.Wait)...)
	}
	l.sayPrompts(ctx, lang, names...)
}

// messageLoop says m.Prompt every m.Every.
func (l *callerLeg) messageLoop(ctx context.Context, m PeriodicMessage, lang string) {
	for announcePause(ctx, m.Every) {
		l.sayPrompts(ctx, lang, m.Prompt)
	}
}

// sayPrompts speaks the named prompts over hold audio and waits until
// they are played, dropped (the wait ended) or ctx ends. Nothing is
// queued once ctx (l.waiting) has ended: endWaiting cancels it before
// clearing the overlay, so a late announcement cannot slip in front of a
// voicemail greeting or the callback confirmation (Overlay.SayWhile).
func (l *callerLeg) sayPrompts(ctx context.Context, lang string, names ...string) {
	if len(names) == 0 {
		return
	}
	select {
	case <-l.overlay.SayWhile(ctx, l.s.prompt(lang, names...)):
	case <-ctx.Done():
	}
}

// announcePause waits d; false if ctx ended first.
func announcePause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
