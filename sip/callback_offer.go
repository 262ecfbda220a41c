package sip

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sme/acd/acd"
)

// callbackRecheck is how often a waiting caller's queue is asked again
// whether a callback may be offered, when it may not yet (the estimated
// wait is under the threshold) and the queue sets no offer_every.
const callbackRecheck = 15 * time.Second

// callbackConfirmMax bounds how long the confirmation prompt may keep the
// caller on the line before the BYE.
const callbackConfirmMax = 30 * time.Second

// callbackOffer is the caller leg's side of the callback offer. offered is
// set by the offer goroutine once the offer was spoken; the rest belongs
// to the leg's goroutine (digits arrive there).
type callbackOffer struct {
	offered atomic.Pointer[acd.CallbackPolicy]
	// made is closed once the offer was first spoken (tests wait on it).
	made     chan struct{}
	entering bool   // typing the number to call back, until #
	number   []byte // the digits typed so far
	accepted bool   // a request is on its way to the engine
}

// startCallbackOffer offers a callback (virtual hold) to a caller whose
// queue's estimated wait reaches the queue's threshold (the engine decides:
// Engine.CallbackOffer), and again every offer_every while they wait. It
// runs under l.waiting, so it stops at the bridge, a transfer or the end.
func (l *callerLeg) startCallbackOffer() {
	if q, ok := l.s.engine.Queue(l.call.Queue); !ok || q.Callback == nil {
		return // the queue offers no callback: nothing to ask the engine
	}
	ctx := l.waiting
	go l.offerCallbacks(ctx)
}

func (l *callerLeg) offerCallbacks(ctx context.Context) {
	lang := l.s.language(l.call.Queue)
	for {
		p, ok := l.s.engine.CallbackOffer(ctx, l.call.ID)
		next := callbackRecheck
		if ok {
			if l.cb.offered.Swap(&p) == nil {
				close(l.cb.made)
			}
			l.log.Info("callback offered", "digit", p.Digit)
			select {
			case <-l.overlay.SayWhile(ctx, l.s.prompt(lang, "callback-offer")):
			case <-ctx.Done():
				return
			}
			if p.OfferEvery <= 0 {
				return
			}
			next = p.OfferEvery
		}
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// callbackDigit takes a digit pressed while waiting (RFC 4733 or SIP
// INFO, see queueDigit): the offer's digit
// accepts it (then, with ask_number, digits and # give the number to call
// back; # alone keeps the caller's own number).
func (l *callerLeg) callbackDigit(d string) {
	cb := &l.cb
	p := cb.offered.Load()
	if p == nil || cb.accepted {
		return
	}
	if cb.entering {
		switch {
		case d == "#":
			cb.entering = false
			l.acceptCallback(*p, string(cb.number))
		case d == "*":
			cb.number = cb.number[:0] // start again
		case len(d) == 1 && d[0] >= '0' && d[0] <= '9' && len(cb.number) < 20:
			cb.number = append(cb.number, d[0])
		}
		return
	}
	if d != p.Digit {
		return
	}
	if p.AskNumber {
		cb.entering, cb.number = true, cb.number[:0]
		l.overlay.Clear()
		l.overlay.SayWhile(l.waiting, l.s.prompt(l.s.language(l.call.Queue), "callback-enter-number"))
		return
	}
	l.acceptCallback(*p, "")
}

// acceptCallback asks the engine to turn the call into a callback to
// number ("" for the caller's own), through a task on the leg's
// goroutine: confirmed, the caller hears callback-confirm and gets a BYE,
// and the leg ends with acd.ReasonCallback, which the engine does not
// count as an abandon: the call keeps its place in the queue.
func (l *callerLeg) acceptCallback(p acd.CallbackPolicy, number string) {
	l.cb.accepted = true
	task := func() (string, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		l.callbackTaken.Store(true) // before the request: see recordEnd
		err := l.s.engine.RequestCallback(ctx, l.call.ID, number)
		cancel()
		if err != nil {
			l.callbackTaken.Store(false)
			l.cb.accepted = false
			l.log.Warn("callback refused", "err", err, "typed", number != "")
			if errors.Is(err, acd.ErrNoCallbackNumber) && p.AskNumber {
				l.cb.entering, l.cb.number = true, l.cb.number[:0]
				l.overlay.SayWhile(l.waiting, l.s.prompt(l.s.language(l.call.Queue), "callback-enter-number"))
			}
			return "", false
		}
		l.log.Info("callback requested", "number", acd.MaskNumber(strings.TrimSpace(number)))
		l.endWaiting()
		done := l.overlay.Say(l.s.prompt(l.s.language(l.call.Queue), "callback-confirm"))
		t := time.NewTimer(callbackConfirmMax)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		case <-l.dlg.Context().Done():
			return acd.ReasonCallback, true // hung up during the confirmation
		case r := <-l.drops:
			// Shutdown: the callback is in the book already; hang up now
			// rather than hold the shutdown for the prompt.
			l.log.Info("callback confirmation cut short", "reason", r)
		}
		l.bye(l.dlg)
		return acd.ReasonCallback, true
	}
	if !l.do(task) {
		l.cb.accepted = false
		l.log.Warn("callback not requested: the leg is busy")
	}
}
