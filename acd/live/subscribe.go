package live

import "github.com/sme/acd/acd"

// Change tells a subscriber that something changed: one event was counted.
// Seq grows by one with every event, so a gap shows nothing was lost.
type Change struct {
	Seq   uint64
	Type  acd.EventType
	Queue string
	Agent string
}

type subscriber struct {
	ch chan Change
}

// Subscribe returns a channel that receives a Change for every event, with
// room for buf changes (at least 1), and a cancel function to call when
// done. Append never waits for a subscriber: one that lets its buffer fill
// up is dropped and its channel closed, so a stuck wallboard cannot slow the
// engine; it should then re-read the whole picture or disconnect.
func (t *Tracker) Subscribe(buf int) (<-chan Change, func()) {
	s := &subscriber{ch: make(chan Change, max(buf, 1))}
	t.mu.Lock()
	t.subs[s] = struct{}{}
	t.mu.Unlock()
	return s.ch, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.drop(s)
	}
}

// Subscribers counts the current subscribers.
func (t *Tracker) Subscribers() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.subs)
}

// publish offers c to every subscriber without blocking; t.mu is held.
func (t *Tracker) publish(c Change) {
	for s := range t.subs {
		select {
		case s.ch <- c:
		default:
			t.drop(s)
		}
	}
}

// drop removes s and closes its channel, once; t.mu is held.
func (t *Tracker) drop(s *subscriber) {
	if _, ok := t.subs[s]; ok {
		delete(t.subs, s)
		close(s.ch)
	}
}
