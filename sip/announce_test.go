package sip

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/announce"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/queue"
	"github.com/sme/acd/sip/media"
)

// fakePrompts gives each prompt name 100 samples of its own value (1000
// plus its index in names), so what the overlay plays can be read back as
// names.
type fakePrompts []string

func (f fakePrompts) get(_, name string) ([]int16, bool) {
	i := slices.Index(f, name)
	if i < 0 {
		return nil, false
	}
	return slices.Repeat([]int16{int16(1000 + i)}, 100), true
}

// spoken plays the overlay as a Player would until no clip is left and
// returns the prompt names heard, in order (a prompt said twice in a row
// reads as once, which these tests never do).
func (f fakePrompts) spoken(o *media.Overlay) []string {
	var out []string
	frame := make([]int16, 160)
	for o.Speaking() {
		o.NextFrame(frame)
		for _, s := range frame {
			if s >= 1000 {
				out = append(out, f[s-1000])
			}
		}
	}
	return slices.Compact(out)
}

// announceRig is a caller leg with an overlay and a real engine, without
// SIP: enough to run startAnnouncements.
type announceRig struct {
	eng     *acd.Engine
	events  *eventLog
	prompts fakePrompts
	stop    context.CancelFunc
}

func newAnnounceRig(t *testing.T) *announceRig {
	t.Helper()
	r := &announceRig{events: newEventLog(), prompts: fakePrompts{announce.PositionBefore, announce.PositionAfter,
		announce.NextInLine, announce.WaitBefore, "1", "2", "3", announce.Minutes, "soldes"}}
	q := acd.QueueConfig{Name: "support", Number: "100", Strategy: acd.LongestIdle{}, RingTimeout: 10 * time.Second}
	eng, err := acd.NewEngine(acd.EngineConfig{Node: "test", Queues: []acd.QueueConfig{q}, Seed: 1}, memstore.New(), nil, r.events, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	r.eng = eng
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = eng.Run(ctx); close(done) }()
	r.stop = func() { stop(); <-done }
	return r
}

func (r *announceRig) leg(id string, ac AnnounceConfig) *callerLeg {
	s := &Server{cfg: Config{Prompt: r.prompts.get, Announce: map[string]AnnounceConfig{"support": ac},
		Languages: map[string]string{"support": "fr"}}, engine: r.eng, log: slog.New(slog.DiscardHandler)}
	l := &callerLeg{s: s, call: queue.Call{ID: queue.CallID(id), Queue: "support"}, log: s.log,
		overlay: media.NewOverlay(media.NewLoop([]int16{7}))}
	l.waiting, l.stopWaiting = context.WithCancel(context.Background())
	return l
}

// TestAnnouncementsSchedule: the position on entry and every period,
// counted from the end of the clip before; a periodic message on its own
// interval; nothing after the wait ends.
func TestAnnouncementsSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ac := AnnounceConfig{Position: true, Wait: true, Every: 30 * time.Second,
			Messages: []PeriodicMessage{{Prompt: "soldes", Every: 45 * time.Second}}}
		r := newAnnounceRig(t)
		defer r.stop()
		ctx := context.Background()
		for _, id := range []queue.CallID{"c1", "c2"} {
			if err := r.eng.Enqueue(ctx, queue.Call{ID: id, Queue: "support"}); err != nil {
				t.Fatal(err)
			}
		}
		l := r.leg("c2", ac)
		l.startAnnouncements()
		synctest.Wait()
		position := []string{announce.PositionBefore, "2", announce.PositionAfter} // no estimate yet
		if got := r.prompts.spoken(l.overlay); !slices.Equal(got, position) {
			t.Fatalf("on entry: %v, want %v", got, position)
		}
		time.Sleep(30*time.Second - time.Millisecond)
		synctest.Wait()
		if l.overlay.Speaking() {
			t.Fatalf("spoke before the period")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := r.prompts.spoken(l.overlay); !slices.Equal(got, position) {
			t.Fatalf("after 30 s: %v, want %v", got, position)
		}
		time.Sleep(15 * time.Second)
		synctest.Wait()
		if got := r.prompts.spoken(l.overlay); !slices.Equal(got, []string{"soldes"}) {
			t.Fatalf("after 45 s: %v, want the message", got)
		}
		evs, _ := r.events.snapshot()
		if n := len(filter(evs, acd.EvAnnounced)); n != 2 {
			t.Errorf("%d announced events, want 2", n)
		}
		l.endWaiting()
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if l.overlay.Speaking() {
			t.Errorf("spoke after the wait ended")
		}
		evs, _ = r.events.snapshot()
		if n := len(filter(evs, acd.EvAnnounced)); n != 2 {
			t.Errorf("%d announced events after the wait ended, want 2", n)
		}
	})
}

// TestAnnouncementsNotWaiting: a call the engine does not hold as waiting
// (ringing, gone) is told nothing; a queue without announcements starts
// nothing.
func TestAnnouncementsNotWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ac := AnnounceConfig{Position: true, Every: 30 * time.Second}
		r := newAnnounceRig(t)
		defer r.stop()
		l := r.leg("ghost", ac)
		l.startAnnouncements()
		synctest.Wait()
		if l.overlay.Speaking() {
			t.Errorf("spoke to a call that is not waiting")
		}
		l.endWaiting()
		plain := r.leg("c9", ac)
		plain.call.Queue = "other"
		plain.startAnnouncements()
		synctest.Wait()
		if plain.overlay.Speaking() {
			t.Errorf("spoke in a queue without announcements")
		}
		plain.endWaiting()
	})
}

// TestAnnouncementAfterWaitEndsIsDropped: the engine has told the leg the
// caller's position, and the wait ends (the agent answers, the call
// leaves for voicemail) just before the clip is queued: the clip must not
// be queued behind the Clear, where it would be spoken over the bridge's
// start or in front of the voicemail greeting. The loop ends too.
func TestAnnouncementAfterWaitEndsIsDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newAnnounceRig(t)
		defer r.stop()
		if err := r.eng.Enqueue(context.Background(), queue.Call{ID: "c1", Queue: "support"}); err != nil {
			t.Fatal(err)
		}
		l := r.leg("c1", AnnounceConfig{Position: true, Every: 30 * time.Second})
		var once sync.Once
		l.s.cfg.Prompt = func(lang, name string) ([]int16, bool) {
			once.Do(l.endWaiting) // the wait ends as the announcement is being built
			return r.prompts.get(lang, name)
		}
		l.startAnnouncements()
		synctest.Wait()
		if l.overlay.Speaking() {
			t.Fatal("an announcement was queued after the wait ended")
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if l.overlay.Speaking() {
			t.Error("announced after the wait ended")
		}
	})
}

func filter(evs []acd.Event, typ acd.EventType) []acd.Event {
	var out []acd.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}
