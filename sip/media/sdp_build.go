package media

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// BuildSDP writes an SDP offer (RFC 4566, RFC 3264 §5) for one sendrecv audio
// stream at local: used when the ACD calls an agent. codecs are listed in
// order of preference; telephoneEventPT, when not 0, adds RFC 4733 DTMF events
// 0-16. local must be the address the peer can reach, not 0.0.0.0. sessionID
// is used for both the o= session id and version (RFC 4566 §5.2); a re-offer
// in the same session needs a higher version, which this package never makes.
func BuildSDP(local netip.AddrPort, sessionID uint64, codecs []Codec, telephoneEventPT uint8) []byte {
	return marshalSDP(local, sessionID, []*sdp.MediaDescription{
		audioMedia(local.Port(), "RTP/AVP", codecs, telephoneEventPT, SendRecv),
	})
}

// BuildAnswer writes the SDP answer to remote (RFC 3264 §6): the audio stream
// with the negotiated codec, the remote's telephone-event payload type if it
// offered one, and the direction that mirrors the offer's; every other m= line
// of the offer is rejected with port 0 in its original position, as §6
// requires.
func BuildAnswer(remote Remote, local netip.AddrPort, sessionID uint64, codec Codec) []byte {
	media := make([]*sdp.MediaDescription, 0, len(remote.Media))
	for i, m := range remote.Media {
		if i == remote.AudioIndex {
			md := audioMedia(local.Port(), m.Proto, []Codec{codec}, remote.TelephoneEventPT, remote.Direction.reverse())
			if remote.REDPT != 0 && remote.TelephoneEventPT != 0 {
				addREDForEvents(md, remote.REDPT, remote.TelephoneEventPT)
			}
			media = append(media, md)
			continue
		}
		format := m.Format
		if format == "" {
			format = "0" // SDP needs at least one format even in a rejection
		}
		media = append(media, &sdp.MediaDescription{MediaName: sdp.MediaName{
			Media: m.Media, Port: sdp.RangedPort{Value: 0}, Protos: splitProto(m.Proto), Formats: []string{format},
		}})
	}
	return marshalSDP(local, sessionID, media)
}

// marshalSDP wraps media descriptions in the session lines v=, o=, s=, c= and
// t=0 0 (a permanent session, RFC 4566 §5.9). The c= line is at session level
// and covers every stream.
func marshalSDP(local netip.AddrPort, sessionID uint64, media []*sdp.MediaDescription) []byte {
	addrType, addr := "IP4", local.Addr().Unmap()
	if addr.Is6() {
		addrType = "IP6"
	}
	sd := sdp.SessionDescription{
		Origin: sdp.Origin{
			Username: "-", SessionID: sessionID, SessionVersion: sessionID,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: addr.String(),
		},
		SessionName: "-",
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN", AddressType: addrType, Address: &sdp.Address{Address: addr.String()},
		},
		TimeDescriptions:  []sdp.TimeDescription{{Timing: sdp.Timing{}}},
		MediaDescriptions: media,
	}
	out, err := sd.Marshal()
	if err != nil {
		// pion/sdp's Marshal has no failing path; reaching this is a bug.
		panic("media: marshal sdp: " + err.Error())
	}
	return out
}

// audioMedia builds the m=audio section with an rtpmap for every format, the
// DTMF events we understand (0-16: digits, *, #, A-D, flash; RFC 4733 §3.2),
// our 20 ms packet time and the direction.
func audioMedia(port uint16, proto string, codecs []Codec, tePT uint8, dir Direction) *sdp.MediaDescription {
	md := &sdp.MediaDescription{MediaName: sdp.MediaName{
		Media: "audio", Port: sdp.RangedPort{Value: int(port)}, Protos: splitProto(proto),
	}}
	for _, c := range codecs {
		pt := strconv.Itoa(int(c.PT))
		md.MediaName.Formats = append(md.MediaName.Formats, pt)
		md.Attributes = append(md.Attributes, sdp.NewAttribute("rtpmap", pt+" "+c.String()))
	}
	if tePT != 0 {
		pt := strconv.Itoa(int(tePT))
		md.MediaName.Formats = append(md.MediaName.Formats, pt)
		md.Attributes = append(md.Attributes,
			sdp.NewAttribute("rtpmap", pt+" "+telephoneEvent+"/8000"),
			sdp.NewAttribute("fmtp", pt+" 0-16"))
	}
	md.Attributes = append(md.Attributes,
		sdp.NewAttribute("ptime", strconv.Itoa(int(FrameDuration.Milliseconds()))),
		sdp.NewPropertyAttribute(dir.String()))
	return md
}

// splitProto turns "RTP/AVP" into pion's list form.
func splitProto(proto string) []string {
	if proto == "" {
		proto = "RTP/AVP"
	}
	return strings.Split(proto, "/")
}

// addREDForEvents accepts redundant telephone-events (RFC 2198 red/8000
// with fmtp TE/TE, RFC 4733 §2.5.1.5) in an answer: the format goes
// before ptime and the direction attribute.
func addREDForEvents(md *sdp.MediaDescription, red, te uint8) {
	pt := strconv.Itoa(int(red))
	tes := strconv.Itoa(int(te))
	md.MediaName.Formats = append(md.MediaName.Formats, pt)
	n := len(md.Attributes) - 2 // ptime and direction stay last
	attrs := append([]sdp.Attribute{}, md.Attributes[:n]...)
	attrs = append(attrs, sdp.NewAttribute("rtpmap", pt+" "+redName+"/8000"),
		sdp.NewAttribute("fmtp", pt+" "+tes+"/"+tes+"/"+tes))
	md.Attributes = append(attrs, md.Attributes[n:]...)
}

// BuildOffer is the ACD's own offer for a caller whose INVITE had none (a
// delayed offer, RFC 3261 §13.2.1): every codec we speak in our order of
// preference, and telephone-events.
func BuildOffer(local netip.AddrPort, sessionID uint64) []byte {
	return BuildSDP(local, sessionID, supported, DefaultTelephoneEventPT)
}
