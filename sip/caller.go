package sip

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/queue"
	"github.com/sme/acd/sip/media"
)

// callerLeg owns one caller's call from the 200 OK to the end: hold audio,
// ringing agents when the engine offers, the bridge, and every way the call
// can end, in one select loop.
type callerLeg struct {
	s      *Server
	call   queue.Call
	remote media.Remote
	log    *slog.Logger
	// customer is what the customer file says of the caller, nil if
	// nothing; the agent leg shows it to the agent.
	customer *Customer

	offers   chan acd.Assignment
	drops    chan string
	forwards chan string // external URIs the engine sent the call to

	// menu is the IVR menu the call starts in, "" for a call dialled
	// straight to a queue; digits carries DTMF from RTP and SIP INFO.
	menu   string
	digits chan string

	// delayed is set for an INVITE without an offer: ours goes in the
	// 200 OK and the answer arrives in the ACK, on acks (delayed.go).
	delayed bool
	acks    chan []byte

	dlg   *sipgo.DialogServerSession
	codec media.Codec
	rtp   *media.Leg // caller-facing RTP, from answer to the end
	hold  *media.Player
	// overlay is what hold plays: hold audio with announcements and
	// prompts spoken over it (Overlay.Say), seamlessly back to hold.
	overlay *media.Overlay

	// waiting lives while the caller waits in a queue: from entering it to
	// the bridge, a transfer or the end. Announcements and the callback
	// offer run under it; stopWaiting also clears what they queued.
	waiting     context.Context
	stopWaiting context.CancelFunc
	// tasks run on the leg's goroutine, between offers: a feature that
	// must end or redirect the call (callback accepted, voicemail, message)
	// sends a func returning why the call ended (ended true) or nothing.
	tasks chan func() (reason string, ended bool)
	// cb is the callback offer's state (callback_offer.go).
	cb callbackOffer
	// callbackTaken is set (by the leg's goroutine, read by the BYE
	// handler) while the caller's callback request is made and once it
	// was taken: the leg then ends with acd.ReasonCallback.
	callbackTaken atomic.Bool
}

func newCallerLeg(s *Server, call queue.Call, remote media.Remote) *callerLeg {
	return &callerLeg{s: s, call: call, remote: remote,
		log:    s.log.With("call_id", call.ID, "queue", call.Queue, "caller", acd.MaskNumber(call.Caller)),
		offers: make(chan acd.Assignment, 1), drops: make(chan string, 1), forwards: make(chan string, 1), digits: make(chan string, 16),
		tasks: make(chan func() (string, bool), 4), cb: callbackOffer{made: make(chan struct{})},
		acks: make(chan []byte, 1)}
}

// offer hands an assignment from the engine to the leg's goroutine.
func (l *callerLeg) offer(a acd.Assignment) {
	select {
	case l.offers <- a:
	default:
		l.log.Error("offer dropped: leg already has one pending")
	}
}

// drop asks the leg to end the call for reason.
func (l *callerLeg) drop(reason string) {
	select {
	case l.drops <- reason:
	default:
	}
}

// forward asks the leg to transfer the call to an external URI.
func (l *callerLeg) forward(uri string) {
	select {
	case l.forwards <- uri:
	default:
		l.log.Error("forward dropped: leg already has one pending", "uri", uri)
	}
}

// run answers the INVITE and serves the call until it ends. The engine
// already queued the call (or, for a menu call, queues it when the caller
// has chosen); every exit reports to the engine exactly once.
func (l *callerLeg) run(req *gosip.Request, tx gosip.ServerTransaction) {
	reason := l.serve(req, tx)
	l.s.legs.Delete(l.call.ID) // before Ended: no offer may arrive after it
	if l.hold != nil {
		l.hold.Stop()
	}
	if l.rtp != nil {
		l.rtp.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.s.engine.Ended(ctx, l.call.ID, reason); err != nil {
		l.log.Error("report call end", "err", err)
	}
	l.log.Debug("call ended", "reason", reason)
}

// serve returns why the call ended.
func (l *callerLeg) serve(req *gosip.Request, tx gosip.ServerTransaction) string {
	dlg, err := l.s.inbound.ReadInvite(req, tx)
	if err != nil {
		l.log.Warn("read invite", "err", err)
		return acd.ReasonCaller
	}
	l.dlg = dlg
	defer dlg.Close()
	l.s.respondDialog(dlg, gosip.StatusTrying, "Trying")
	conn, err := l.s.ports.ListenUDP(l.s.rtpIP)
	if err != nil {
		l.log.Error("no rtp port", "err", err)
		l.s.respondDialog(dlg, gosip.StatusServiceUnavailable, "Service Unavailable")
		return acd.ReasonCaller
	}
	if l.delayed {
		if reason, ok := l.acceptDelayed(dlg, netip.AddrPortFrom(l.s.rtpIP, conn.Port())); !ok {
			conn.Close()
			return reason
		}
		if err := l.startMedia(conn); err != nil {
			l.log.Error("caller media", "err", err)
			l.bye(dlg)
			return acd.ReasonCaller
		}
	} else {
		l.codec, _ = media.Negotiate(l.remote)
		if err := l.startMedia(conn); err != nil {
			l.s.respondDialog(dlg, gosip.StatusNotAcceptableHere, "Not Acceptable Here")
			return acd.ReasonCaller
		}
		answer := media.BuildAnswer(l.remote, l.rtp.LocalAddr(), uint64(time.Now().UnixNano()), l.codec)
		if err := dlg.RespondSDP(answer); err != nil {
			l.log.Info("caller gone before ACK", "err", err)
			return acd.ReasonCaller
		}
		l.s.counted(gosip.StatusOK)
	}
	go func() { _ = l.rtp.Run(dlg.Context()) }()
	if l.menu != "" {
		if reason, ended := l.runMenu(dlg); ended {
			return reason
		}
	}
	go func() { _ = l.hold.Run(dlg.Context()) }()
	l.waiting, l.stopWaiting = context.WithCancel(dlg.Context())
	defer l.endWaiting()
	select {
	case task := <-l.tasks:
		// An exit the engine chose on arrival (closed, an arrival rule):
		// carried out before any announcement.
		if reason, ended := task(); ended {
			return reason
		}
	default:
	}
	l.startWaiting()

	for {
		select {
		case <-dlg.Context().Done():
			return acd.ReasonCaller
		case reason := <-l.drops:
			l.bye(dlg)
			return reason
		case <-l.rtp.Done():
			l.bye(dlg)
			return acd.ReasonRTPTimeout
		case a := <-l.offers:
			if reason, ended := l.ringAndTalk(a); ended {
				return reason
			}
		case uri := <-l.forwards:
			l.endWaiting()
			return l.forwardTo(uri)
		case d := <-l.digits:
			l.queueDigit(d)
		case task := <-l.tasks:
			if reason, ended := task(); ended {
				return reason
			}
		}
	}
}

// do runs task on the leg's goroutine (see tasks); false if the leg is
// not taking tasks (it is busy with one already, or ringing).
func (l *callerLeg) do(task func() (string, bool)) bool {
	select {
	case l.tasks <- task:
		return true
	default:
		return false
	}
}

// endWaiting stops what runs while the caller waits (announcements, the
// callback offer) and drops any prompt not yet spoken. Idempotent.
func (l *callerLeg) endWaiting() {
	if l.stopWaiting != nil {
		l.stopWaiting()
	}
	if l.overlay != nil {
		l.overlay.Clear()
	}
}

func (l *callerLeg) bye(dlg *sipgo.DialogServerSession) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := dlg.Bye(ctx); err != nil {
		l.log.Debug("bye caller", "err", err)
	}
}

// startMedia sets up the caller-facing RTP on conn (which the leg then
// owns) with the negotiated l.remote and l.codec: DTMF to l.digit, and
// hold audio through the overlay.
func (l *callerLeg) startMedia(conn *media.Conn) error {
	onDTMF := func(ev media.Event) {
		if ev.Digit != 0 {
			l.digit(string(ev.Digit))
		}
	}
	l.rtp = l.s.newLeg(conn, l.remote, l.codec, l.log, onDTMF)
	l.overlay = media.NewOverlay(l.s.cfg.HoldAudio())
	var err error
	if l.hold, err = media.NewPlayer(l.overlay, l.rtp.Sender(), l.codec); err != nil {
		return fmt.Errorf("hold audio: %w", err)
	}
	return nil
}
