package sip

import (
	"log/slog"

	"github.com/sme/acd/sip/media"
)

// newLeg wraps an RTP socket as one side of a call's media, sending to
// where the peer's SDP says and watching for silence.
// onDTMF, if not nil, gets each RFC 4733 digit the peer sends.
func (s *Server) newLeg(conn *media.Conn, remote media.Remote, codec media.Codec, log *slog.Logger, onDTMF func(media.Event)) *media.Leg {
	timeout := s.cfg.SilenceTimeout
	if !remote.Direction.Sends() {
		timeout = 0 // a peer that said it will not send is not silent-dead
	}
	return media.NewLeg(conn, media.LegOptions{
		Remote: remote.Addr, Codec: codec, TelephoneEventPT: remote.TelephoneEventPT, REDPT: remote.REDPT,
		SilenceTimeout: timeout, Logger: log, OnDTMF: onDTMF,
	})
}
