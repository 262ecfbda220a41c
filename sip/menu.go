package sip

import (
	"context"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/ivr"
	"github.com/sme/acd/queue"
	"github.com/sme/acd/sip/media"
)

// menuByNumber finds the IVR menu a dialled number leads to.
func (s *Server) menuByNumber(number string) (ivr.Menu, bool) {
	for _, m := range s.cfg.Menus {
		if m.Number != "" && m.Number == number {
			return m, true
		}
	}
	return ivr.Menu{}, false
}

// menuCall admits a call to an IVR menu: it is answered and runs the menu
// before the engine hears of it; the chosen queue then gets it like a call
// dialled to that queue.
func (s *Server) menuCall(req *gosip.Request, tx gosip.ServerTransaction, menu ivr.Menu) {
	remote, delayed, err := callerOffer(req)
	if err != nil {
		s.respond(tx, statusFor(err).response(req))
		return
	}
	id := queue.CallID(req.CallID().Value())
	call := queue.Call{ID: id, Caller: callerNumber(req)}
	leg := newCallerLeg(s, call, remote)
	leg.menu, leg.delayed = menu.Name, delayed
	leg.log = leg.log.With("menu", menu.Name)
	if _, loaded := s.legs.LoadOrStore(id, leg); loaded {
		s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusLoopDetected, "Loop Detected", nil))
		return
	}
	s.calls.Add(1)
	defer s.calls.Done()
	leg.run(req, tx)
}

// digit hands a DTMF digit to the leg's menu; it never blocks.
func (l *callerLeg) digit(d string) {
	select {
	case l.digits <- d:
	default:
	}
}

// runMenu plays the menu prompts and collects digits until the caller has a
// queue, then records the choice and enqueues the call. ended is true if the
// call ended instead, with the reason.
func (l *callerLeg) runMenu(dlg *sipgo.DialogServerSession) (reason string, ended bool) {
	sess, err := ivr.NewSession(l.s.cfg.Menus, l.menu)
	if err != nil {
		l.log.Error("menu", "err", err)
		l.bye(dlg)
		return acd.ReasonCaller, true
	}
	var prompt *media.Player
	stop := func() {
		if prompt != nil {
			prompt.Stop()
		}
	}
	defer stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	play := func() {
		stop()
		m := sess.Current()
		var src media.Source
		if l.s.cfg.MenuPrompt != nil {
			src = l.s.cfg.MenuPrompt(m.Name)
		}
		if src == nil {
			src = media.NewToneSource()
		}
		prompt, _ = media.NewPlayer(src, l.rtp.Sender(), l.codec) // codec checked by the hold player
		if prompt != nil {
			p := prompt
			go func() { _ = p.Run(dlg.Context()) }()
		}
		timer.Reset(m.Timeout)
	}
	play()
	var res ivr.Result
	for {
		select {
		case <-dlg.Context().Done():
			return acd.ReasonCaller, true
		case <-l.rtp.Done():
			l.bye(dlg)
			return acd.ReasonRTPTimeout, true
		case d := <-l.digits:
			res = sess.Digit(d)
		case <-timer.C:
			res = sess.Timeout()
		}
		if res.Kind == ivr.Enter {
			break
		}
		play()
	}
	stop()
	return l.enterQueue(dlg, res)
}

// enterQueue records the menu's outcome and enqueues the call in its queue.
func (l *callerLeg) enterQueue(dlg *sipgo.DialogServerSession, res ivr.Result) (string, bool) {
	l.log.Info("menu choice", "digit", res.Digit, "queue", res.Queue, "reason", res.Reason)
	q, ok := l.s.engine.Queue(res.Queue)
	if !ok {
		l.log.Error("menu leads to unknown queue", "queue", res.Queue)
		l.bye(dlg)
		return acd.ReasonCaller, true
	}
	l.call.Queue, l.call.Priority = q.Name, q.Priority
	l.customer = l.s.identify(&l.call, q)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.s.engine.MenuChoice(ctx, l.call.ID, l.call.Caller, res.Menu, res.Digit, q.Name, res.Reason); err != nil {
		l.log.Error("record menu choice", "err", err)
	}
	if err := l.s.engine.Enqueue(ctx, l.call); err != nil {
		l.log.Info("menu: enqueue failed", "err", err)
		l.bye(dlg)
		return acd.ReasonCaller, true
	}
	l.log = l.log.With("queue", q.Name)
	return "", false
}

// onInfo takes DTMF sent as SIP INFO (application/dtmf-relay "Signal=1",
// or application/dtmf) in a caller's dialog, the fallback for phones that
// do not send RFC 4733 events.
func (s *Server) onInfo(req *gosip.Request, tx gosip.ServerTransaction) {
	if res := checkRequest(req); res != nil {
		s.respond(tx, res)
		return
	}
	var leg *callerLeg
	if id := req.CallID(); id != nil {
		if _, err := s.inbound.MatchDialogRequest(req); err == nil {
			if v, ok := s.legs.Load(queue.CallID(id.Value())); ok {
				leg = v.(*callerLeg)
			}
		}
	}
	if leg == nil {
		s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = strings.ToLower(strings.TrimSpace(strings.SplitN(h.Value(), ";", 2)[0]))
	}
	if d, ok := infoDigit(ct, string(req.Body())); ok {
		leg.digit(d)
	}
	s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusOK, "OK", nil))
}

// infoDigit reads the digit from an INFO body of content type ct.
func infoDigit(ct, body string) (string, bool) {
	var v string
	switch ct {
	case "application/dtmf-relay":
		for _, line := range strings.Split(body, "\n") {
			k, val, ok := strings.Cut(line, "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "signal") {
				v = strings.TrimSpace(val)
				break
			}
		}
	case "application/dtmf":
		v = strings.TrimSpace(body)
	default:
		return "", false
	}
	v = strings.ToUpper(v)
	switch {
	case v == "10":
		return "*", true
	case v == "11":
		return "#", true
	case len(v) == 1 && strings.ContainsAny(v, "0123456789*#ABCD"):
		return v, true
	}
	return "", false
}
