package sip

import (
	"net/netip"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/queue"
	"github.com/sme/acd/sip/media"
)

// callerOffer reads the offer of a caller's INVITE. An INVITE without a
// body is a delayed offer (RFC 3261 §13.2.1, common from trunks): delayed
// is then true, and the ACD makes the offer in its 200 OK and takes the
// answer from the ACK (acceptDelayed). Otherwise the offer must parse and
// hold a codec we speak.
func callerOffer(req *gosip.Request) (remote media.Remote, delayed bool, err error) {
	if len(req.Body()) == 0 {
		return media.Remote{AudioIndex: -1}, true, nil
	}
	remote, err = media.ParseOffer(req.Body())
	if err == nil {
		_, err = media.Negotiate(remote)
	}
	return remote, false, err
}

// ackAnswer hands the body of the ACK of our 2xx to a leg that made a
// delayed-offer answer and waits for it (RFC 3261 §13.2.1: the answer is
// in the ACK). Only the first is kept; it never blocks.
func (l *callerLeg) ackAnswer(body []byte) {
	select {
	case l.acks <- body:
	default:
	}
}

// onAckBody passes an ACK's body to the caller leg of its dialog, if
// that leg waits for an answer, before the ACK confirms the dialog (the
// 200 OK's sender returns once it is confirmed).
func (s *Server) onAckBody(req *gosip.Request) {
	id := req.CallID()
	if id == nil || len(req.Body()) == 0 {
		return
	}
	if v, ok := s.legs.Load(queue.CallID(id.Value())); ok {
		if leg := v.(*callerLeg); leg.delayed {
			leg.ackAnswer(req.Body())
		}
	}
}

// acceptDelayed answers a delayed-offer INVITE: our offer (every codec we
// speak, and telephone-events) in the 200 OK, then the caller's answer
// from the ACK, which sets l.remote and l.codec. A missing or unusable
// answer leaves a session that cannot carry audio: the call is ended with
// a BYE (RFC 3261 §15) and ok is false.
func (l *callerLeg) acceptDelayed(dlg *sipgo.DialogServerSession, local netip.AddrPort) (reason string, ok bool) {
	offer := media.BuildOffer(local, uint64(time.Now().UnixNano()))
	if err := dlg.RespondSDP(offer); err != nil {
		l.log.Info("caller gone before ACK", "err", err)
		return acd.ReasonCaller, false
	}
	l.s.counted(gosip.StatusOK)
	var answer []byte
	select {
	case answer = <-l.acks:
	default:
		l.log.Warn("delayed offer: the ACK carried no SDP answer; hanging up")
		l.bye(dlg)
		return acd.ReasonCaller, false
	}
	remote, err := media.ParseOffer(answer)
	if err == nil {
		l.codec, err = media.Negotiate(remote)
	}
	if err != nil {
		l.log.Warn("delayed offer: unusable SDP answer in the ACK; hanging up", "err", err)
		l.bye(dlg)
		return acd.ReasonCaller, false
	}
	l.remote = remote
	return "", true
}
