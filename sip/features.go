package sip

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/sip/media"
)

// Feature codes an agent dials from their own phone. The call is answered,
// the change applied, and the ACD hangs up.
//
//	*71         log in
//	*72         log out
//	*73         pause (reason "break"); *73<digits> pauses with reason "code-<digits>"
//	*74         unpause
var featureCodes = map[string]agents.EventKind{
	"*71": agents.Login,
	"*72": agents.Logout,
	"*73": agents.Pause,
	"*74": agents.Unpause,
}

// parseFeatureCode reads a dialled number as a feature code.
func parseFeatureCode(number string) (agents.Event, bool) {
	if len(number) < 3 {
		return agents.Event{}, false
	}
	kind, ok := featureCodes[number[:3]]
	if !ok {
		return agents.Event{}, false
	}
	rest := number[3:]
	switch {
	case rest == "" && kind == agents.Pause:
		return agents.Event{Kind: kind, Reason: "break"}, true
	case rest == "":
		return agents.Event{Kind: kind}, true
	case kind == agents.Pause && strings.Trim(rest, "0123456789") == "":
		return agents.Event{Kind: kind, Reason: "code-" + rest}, true
	}
	return agents.Event{}, false
}

// applyFeature runs the feature code for the agent behind username.
func (s *Server) applyFeature(username string, ev agents.Event) error {
	id, ok := s.cfg.AgentID(username)
	if !ok {
		return errNotAnAgent
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := s.engine.Command(ctx, id, ev)
	return err
}

// featureCall answers a feature-code INVITE from an authenticated agent:
// once the offer is known to be answerable the change is applied, then the
// call is answered and hung up at once, so the phone shows a short connected call. A refused change
// (e.g. unpause while not paused) gets 403 with the reason in the phrase.
func (s *Server) featureCall(req *gosip.Request, tx gosip.ServerTransaction, user string, ev agents.Event) {
	remote, err := media.ParseOffer(req.Body())
	var codec media.Codec
	if err == nil {
		codec, err = media.Negotiate(remote)
	}
	if err != nil {
		s.respond(tx, statusFor(err).response(req))
		return
	}
	if err := s.applyFeature(user, ev); err != nil {
		phrase := "Forbidden"
		if errors.Is(err, agents.ErrInvalidTransition) {
			phrase = "Not Allowed In Current State"
		}
		s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusForbidden, phrase, nil))
		return
	}
	conn, err := s.ports.ListenUDP(s.rtpIP)
	if err != nil {
		s.respond(tx, statusFor(err).response(req))
		return
	}
	defer conn.Close()
	dlg, err := s.inbound.ReadInvite(req, tx)
	if err != nil {
		return
	}
	defer dlg.Close()
	local := netip.AddrPortFrom(s.rtpIP, conn.Port())
	if err := dlg.RespondSDP(media.BuildAnswer(remote, local, uint64(time.Now().UnixNano()), codec)); err != nil {
		return
	}
	s.counted(gosip.StatusOK)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = dlg.Bye(ctx)
}
