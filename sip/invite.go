package sip

import (
	"context"
	"net/netip"
	"strings"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/queue"
)

// onInvite admits a new call: who may call (trusted trunk or an
// authenticated user, RFC 3261 §22), what was dialled (a queue or a feature
// code), and whether the offer has a codec we speak. An admitted call is
// queued, answered, and then owned by its callerLeg until it ends.
func (s *Server) onInvite(req *gosip.Request, tx gosip.ServerTransaction) {
	if res := checkRequest(req); res != nil {
		s.respond(tx, res)
		return
	}
	if req.To() != nil && req.To().Params.Has("tag") {
		// A re-INVITE inside a dialog: we keep the media as negotiated.
		s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusNotAcceptableHere, "Not Acceptable Here", nil))
		return
	}
	if s.draining.Load() {
		s.respond(tx, statusFor(acd.ErrShuttingDown).response(req))
		return
	}
	if s.overloaded() {
		// Refused before any work (auth, SDP, RTP port) so the node spends
		// its time on the calls it already has (RFC 3261 §21.5.4: 503 with
		// Retry-After; a trunk may try another node).
		s.respond(tx, statusFor(acd.ErrOverloaded).response(req))
		return
	}
	user := ""
	_, isFeature := parseFeatureCode(req.Recipient.User)
	if isFeature || !s.trusted(req) {
		u, verdict := s.auth.verify(req)
		switch verdict {
		case authMissing:
			s.respond(tx, s.auth.challenge(req, false))
			return
		case authStale:
			s.respond(tx, s.auth.challenge(req, true))
			return
		case authFailed:
			s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusForbidden, "Forbidden", nil))
			return
		}
		user = u
	}
	number := req.Recipient.User
	if ev, ok := parseFeatureCode(number); ok {
		s.featureCall(req, tx, user, ev)
		return
	}
	if menu, ok := s.menuByNumber(number); ok {
		s.menuCall(req, tx, menu)
		return
	}
	q, priority, ok := s.engine.QueueByDialled(number)
	if !ok {
		s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusNotFound, "Not Found", nil))
		return
	}
	remote, delayed, err := callerOffer(req)
	if err != nil {
		s.respond(tx, statusFor(err).response(req))
		return
	}
	id := queue.CallID(req.CallID().Value())
	call := queue.Call{ID: id, Queue: q.Name, Caller: callerNumber(req), Priority: priority}
	customer := s.identify(&call, q)
	leg := newCallerLeg(s, call, remote)
	leg.customer, leg.delayed = customer, delayed
	if _, loaded := s.legs.LoadOrStore(id, leg); loaded {
		s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusLoopDetected, "Loop Detected", nil))
		return
	}
	s.calls.Add(1)
	defer s.calls.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	err = s.engine.Enqueue(ctx, call)
	cancel()
	if err != nil {
		s.legs.Delete(id)
		f := statusFor(err)
		if f.code == gosip.StatusBusyHere && q.FullStatus == gosip.StatusServiceUnavailable {
			f = failure{code: q.FullStatus, reason: "Service Unavailable", retryAfter: q.RetryAfter}
		}
		s.respond(tx, f.response(req))
		return
	}
	leg.run(req, tx)
}

// trusted reports whether req comes from a trunk we accept calls from
// without authentication.
func (s *Server) trusted(req *gosip.Request) bool {
	host, _, err := gosip.ParseAddr(req.Source())
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.cfg.TrustedTrunks {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// callerNumber is who calls: P-Asserted-Identity (RFC 3325) from a trunk,
// else the From user.
func callerNumber(req *gosip.Request) string {
	if h := req.GetHeader("P-Asserted-Identity"); h != nil {
		var u gosip.Uri
		v := h.Value()
		if i, j := strings.IndexByte(v, '<'), strings.IndexByte(v, '>'); i >= 0 && j > i {
			v = v[i+1 : j]
		}
		if err := gosip.ParseUri(v, &u); err == nil && u.User != "" {
			return u.User
		}
	}
	if f := req.From(); f != nil {
		return f.Address.User
	}
	return ""
}

// overloaded reports whether a new call must be refused now because the
// engine is too far behind (acd.Engine.Overloaded, or Config.Overloaded).
// The first refusal of an overload episode is logged.
func (s *Server) overloaded() bool {
	over := false
	if s.cfg.Overloaded != nil {
		over = s.cfg.Overloaded()
	} else {
		over = s.engine.Overloaded()
	}
	if over && !s.overload.Swap(true) {
		waiting, capacity := s.engine.Backlog()
		s.log.Warn("overloaded: refusing new calls with 503", "engine_backlog", waiting, "capacity", capacity)
	} else if !over && s.overload.Swap(false) {
		s.log.Info("overload over: accepting new calls")
	}
	return over
}
