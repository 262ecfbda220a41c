package media

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pion/sdp/v3"
)

// ErrBadSDP means a session description could not be understood; the SIP
// layer answers 400 (malformed) rather than 488 (understood but unusable).
var ErrBadSDP = errors.New("media: bad sdp")

// Direction is the media direction attribute of RFC 4566 §6 / RFC 3264 §5.1,
// as seen from the side that wrote the SDP.
type Direction uint8

// The four directions; SendRecv is the default when none is given.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

// String returns the attribute name, for SDP and logs.
func (d Direction) String() string {
	switch d {
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	default:
		return "sendrecv"
	}
}

// Sends reports whether the side that wrote the SDP will send RTP; when it
// does not, silence from it is expected and no RTP timeout should apply.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

// reverse is the direction an answerer must use for a stream offered with d
// (RFC 3264 §6.1).
func (d Direction) reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	default:
		return d
	}
}

// MediaLine is one m= line of an offer, kept so an answer can reject the
// streams we do not use with port 0 in the same position (RFC 3264 §6).
type MediaLine struct {
	Media  string // "audio", "video", ...
	Proto  string // "RTP/AVP", ...
	Format string // the first format listed, repeated in a rejection
}

// Remote is what we need from the other side's SDP to send it audio.
type Remote struct {
	// Addr is where to send RTP: the c= address (media level, else session
	// level) and the m=audio port. An unspecified address (0.0.0.0, the
	// RFC 2543 way of putting a call on hold) means "send nothing".
	Addr netip.AddrPort
	// Proto is the audio stream's transport, normally RTP/AVP.
	Proto string
	// Codecs are the audio formats offered, in the remote's order of
	// preference, named from a=rtpmap or the static table of RFC 3551 §6.
	Codecs []Codec
	// TelephoneEventPT is the payload type of telephone-event/8000
	// (RFC 4733 §7.1.1), 0 when DTMF events were not offered.
	TelephoneEventPT uint8
	// REDPT is the payload type of red/8000 (RFC 2198) when the remote
	// offered it for redundant telephone-events only (a=fmtp:PT TE/TE...,
	// RFC 4733 §2.5.1.5 and §7.1.1), 0 otherwise. We then accept DTMF sent
	// with redundancy; we never send it.
	REDPT uint8
	// Ptime is the packet duration asked for with a=ptime (RFC 4566 §6), 0
	// when absent. We always send 20 ms, which every G.711 peer accepts.
	Ptime time.Duration
	// Direction is the audio stream's direction as the remote wrote it.
	Direction Direction
	// Media lists every m= line in order; AudioIndex is the one we use.
	Media      []MediaLine
	AudioIndex int
}

// ParseOffer extracts the first usable audio stream (m=audio with a non-zero
// port) from an SDP offer or answer. Malformed SDP fails with ErrBadSDP; an
// SDP with no audio stream fails with ErrNoCommonCodec, since it is well
// formed but unusable to us.
func ParseOffer(body []byte) (Remote, error) {
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(body); err != nil {
		return Remote{}, fmt.Errorf("parse sdp: %w: %w", ErrBadSDP, err)
	}
	// pion/sdp accepts input that stops early, even an empty body; RFC 4566
	// §5 requires v=, o=, s= and t=.
	if sd.Origin.NetworkType == "" || len(sd.TimeDescriptions) == 0 {
		return Remote{}, fmt.Errorf("parse sdp: %w: missing o= or t= line", ErrBadSDP)
	}
	r := Remote{AudioIndex: -1}
	for i, md := range sd.MediaDescriptions {
		line := MediaLine{Media: md.MediaName.Media, Proto: strings.Join(md.MediaName.Protos, "/")}
		if len(md.MediaName.Formats) > 0 {
			line.Format = md.MediaName.Formats[0]
		}
		r.Media = append(r.Media, line)
		if r.AudioIndex < 0 && md.MediaName.Media == "audio" && md.MediaName.Port.Value != 0 {
			r.AudioIndex = i
		}
	}
	if r.AudioIndex < 0 {
		return Remote{}, fmt.Errorf("parse sdp: no active m=audio line: %w", ErrNoCommonCodec)
	}
	md := sd.MediaDescriptions[r.AudioIndex]
	r.Proto = r.Media[r.AudioIndex].Proto

	addr, err := connectionAddr(sd.ConnectionInformation, md.ConnectionInformation)
	if err != nil {
		return Remote{}, fmt.Errorf("parse sdp: %w: %w", ErrBadSDP, err)
	}
	port := md.MediaName.Port.Value
	if port < 1 || port > 65535 {
		return Remote{}, fmt.Errorf("parse sdp: %w: audio port %d", ErrBadSDP, port)
	}
	r.Addr = netip.AddrPortFrom(addr, uint16(port))

	if r.Codecs, r.TelephoneEventPT, err = audioFormats(md); err != nil {
		return Remote{}, fmt.Errorf("parse sdp: %w: %w", ErrBadSDP, err)
	}
	r.REDPT = redForEvents(md, r.TelephoneEventPT)
	if r.Ptime, err = ptime(&sd, md); err != nil {
		return Remote{}, fmt.Errorf("parse sdp: %w: %w", ErrBadSDP, err)
	}
	r.Direction = direction(sd.Attributes, SendRecv)
	r.Direction = direction(md.Attributes, r.Direction)
	return r, nil
}

// connectionAddr applies RFC 4566 §5.7: a media-level c= overrides the
// session-level one, and one of them must be present. Only literal unicast
// IP addresses are accepted: we do not resolve names in the media path.
func connectionAddr(session, media *sdp.ConnectionInformation) (netip.Addr, error) {
	c := media
	if c == nil {
		c = session
	}
	if c == nil || c.Address == nil {
		return netip.Addr{}, errors.New("no c= line for the audio stream")
	}
	if c.NetworkType != "IN" {
		return netip.Addr{}, fmt.Errorf("c= network type %q", c.NetworkType)
	}
	// Multicast addresses may carry /ttl and /count suffixes (RFC 4566 §5.7).
	text, _, _ := strings.Cut(c.Address.Address, "/")
	addr, err := netip.ParseAddr(text)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("c= address %q is not an IP address", c.Address.Address)
	}
	if addr.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("c= address %q has a zone", c.Address.Address)
	}
	switch {
	case c.AddressType == "IP4" && !addr.Is4():
		return netip.Addr{}, fmt.Errorf("c= IP4 with address %q", c.Address.Address)
	case c.AddressType == "IP6" && !addr.Is6():
		return netip.Addr{}, fmt.Errorf("c= IP6 with address %q", c.Address.Address)
	case addr.IsMulticast():
		return netip.Addr{}, fmt.Errorf("c= address %v is multicast", addr)
	}
	return addr, nil
}

// audioFormats lists the m= line's formats in order with their rtpmap names,
// and finds telephone-event/8000 among them.
func audioFormats(md *sdp.MediaDescription) ([]Codec, uint8, error) {
	rtpmap := map[uint8]Codec{}
	for _, a := range md.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		c, err := parseRTPMap(a.Value)
		if err != nil {
			return nil, 0, err
		}
		rtpmap[c.PT] = c
	}
	var (
		codecs []Codec
		tePT   uint8
	)
	for _, f := range md.MediaName.Formats {
		n, err := strconv.ParseUint(f, 10, 8)
		if err != nil || n > 127 {
			return nil, 0, fmt.Errorf("m=audio format %q is not a payload type", f)
		}
		pt := uint8(n)
		c, ok := rtpmap[pt]
		if !ok {
			c, ok = staticPT[pt]
		}
		if !ok {
			c = Codec{PT: pt}
		}
		if strings.EqualFold(c.Name, telephoneEvent) {
			if c.ClockRate == 8000 && tePT == 0 {
				tePT = pt
			}
			continue
		}
		codecs = append(codecs, c)
	}
	return codecs, tePT, nil
}

// parseRTPMap reads "<payload type> <encoding name>/<clock rate>[/<params>]"
// (RFC 4566 §6).
func parseRTPMap(v string) (Codec, error) {
	ptText, enc, ok := strings.Cut(v, " ")
	if !ok {
		return Codec{}, fmt.Errorf("a=rtpmap:%s: want \"<pt> <name>/<rate>\"", v)
	}
	pt, err := strconv.ParseUint(ptText, 10, 8)
	if err != nil || pt > 127 {
		return Codec{}, fmt.Errorf("a=rtpmap:%s: bad payload type", v)
	}
	parts := strings.Split(strings.TrimSpace(enc), "/")
	if len(parts) < 2 || parts[0] == "" {
		return Codec{}, fmt.Errorf("a=rtpmap:%s: want \"<name>/<rate>\"", v)
	}
	rate, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil || rate == 0 {
		return Codec{}, fmt.Errorf("a=rtpmap:%s: bad clock rate", v)
	}
	return Codec{PT: uint8(pt), Name: parts[0], ClockRate: uint32(rate)}, nil
}

// ptime reads a=ptime, media level first, then session level.
func ptime(sd *sdp.SessionDescription, md *sdp.MediaDescription) (time.Duration, error) {
	v, ok := md.Attribute("ptime")
	if !ok {
		v, ok = sd.Attribute("ptime")
	}
	if !ok {
		return 0, nil
	}
	// Some phones write fractional values such as "20.0".
	ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || !(ms > 0 && ms <= 1000) { // also rejects NaN
		return 0, fmt.Errorf("a=ptime:%s: want milliseconds", v)
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

// direction returns the last direction attribute in attrs, or def.
func direction(attrs []sdp.Attribute, def Direction) Direction {
	for _, a := range attrs {
		switch a.Key {
		case "sendrecv":
			def = SendRecv
		case "sendonly":
			def = SendOnly
		case "recvonly":
			def = RecvOnly
		case "inactive":
			def = Inactive
		}
	}
	return def
}

// redForEvents finds a red/8000 format of the m= line whose fmtp lists
// only the telephone-event payload type te (RFC 2198 §5).
func redForEvents(md *sdp.MediaDescription, te uint8) uint8 {
	if te == 0 {
		return 0
	}
	fmtp := map[string]string{}
	for _, a := range md.Attributes {
		if a.Key == "fmtp" {
			pt, v, _ := strings.Cut(a.Value, " ")
			fmtp[pt] = v
		}
	}
	for _, a := range md.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		c, err := parseRTPMap(a.Value)
		if err != nil || !strings.EqualFold(c.Name, redName) || c.ClockRate != 8000 || c.PT == te {
			continue
		}
		if slices.Contains(md.MediaName.Formats, strconv.Itoa(int(c.PT))) && redundantEvents(fmtp[strconv.Itoa(int(c.PT))], te) {
			return c.PT
		}
	}
	return 0
}
