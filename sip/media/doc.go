// Package media is the ACD's media plane: SDP offer/answer for the audio
// stream, RTP port allocation, hold audio (G.711 tone or WAV loop), the RTP
// relay that bridges a caller with an agent, and RFC 4733 DTMF detection.
//
// The unit of a call's media is a [Leg]: one UDP socket, one outgoing
// [Sender] and one read goroutine that lives for the whole call. While the
// caller is queued a [Player] writes hold audio through the caller leg's
// Sender and the leg merely drains (and counts) what the caller sends; when an
// agent answers the Player is stopped and a [Relay] points each leg's sink at
// the other leg's Sender. Because the Sender owns SSRC, sequence number and
// timestamp, the caller hears one continuous RTP stream across the switch
// (RFC 3550 §5.1).
//
// The package does no RTCP: RTCP arriving on an RTP port is recognised and
// ignored (RFC 5761 §4), and nothing is sent on port+1.
//
// It imports no other package of this module.
package media
