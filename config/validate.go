package config

import (
	"cmp"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Validate checks the config's values and cross-references: ranges, unique
// names and numbers, known strategies, queues that agents name. Parse and
// Load call it; call it again after changing a config in code. For a parsed
// config the errors carry the file's line numbers.
func (c *Config) Validate() error {
	v := &validator{c: c, file: cmp.Or(c.source, c.Path)}
	v.top()
	v.eventsRotation()
	v.report()
	v.sip()
	v.rtp()
	v.http()
	v.store()
	v.queues()
	v.menus()
	v.announcements()
	v.overflow()
	v.voicemail()
	v.callbacks()
	v.agents()
	v.customers()
	return joinErrors(v.errs)
}

// validator collects the problems Validate finds.
type validator struct {
	c    *Config
	file string
	errs []*Error
	// numbers maps each dialled number of a queue to its field path, so
	// menus can be checked against them.
	numbers map[string]string
}

// fail records a problem at path, with the line of the nearest enclosing
// field that was written in the file.
func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, &Error{File: v.file, Line: v.line(path), Field: path, Msg: fmt.Sprintf(format, args...)})
}

// line is where path, or failing that its closest parent, appears in the file.
func (v *validator) line(path string) int {
	for {
		if l, ok := v.c.lines[path]; ok {
			return l
		}
		if path == "" {
			return 0
		}
		i := strings.LastIndexAny(path, ".[")
		path = path[:max(i, 0)]
	}
}

func (v *validator) top() {
	if !validToken(v.c.NodeID) {
		v.fail("node_id", "must be non-empty without spaces, got %q", v.c.NodeID)
	}
	if v.c.Events.Path == "" {
		v.fail("events.path", "is required")
	}
	switch f := v.c.Events.Fsync; f {
	case FsyncEveryEvent, FsyncNever:
	default:
		if d, err := time.ParseDuration(f); err != nil || d <= 0 {
			v.fail("events.fsync", "must be %q, %q or a positive duration such as \"100ms\", got %q", FsyncEveryEvent, FsyncNever, f)
		}
	}
}

func (v *validator) sip() {
	s := v.c.SIP
	okUDP := v.listen("sip.listen_udp", s.ListenUDP)
	okTCP := v.listen("sip.listen_tcp", s.ListenTCP)
	if s.ListenUDP == "" && s.ListenTCP == "" {
		v.fail("sip", "at least one of listen_udp and listen_tcp is required")
	}
	if okUDP && okTCP {
		v.advertise(s.Advertise)
	}
	if s.Realm == "" {
		v.fail("sip.realm", "is required")
	}
	if len(s.DigestAlgorithms) == 0 {
		v.fail("sip.digest_algorithms", "needs at least one of SHA-256, MD5")
	}
	seenAlg := map[string]bool{}
	for i, a := range s.DigestAlgorithms {
		if a != "SHA-256" && a != "MD5" {
			v.fail(element("sip.digest_algorithms", i), "unknown algorithm %q (use SHA-256 or MD5)", a)
		}
		if seenAlg[a] {
			v.fail(element("sip.digest_algorithms", i), "%q listed twice", a)
		}
		seenAlg[a] = true
	}
	for i, t := range s.TrustedTrunks {
		if _, err := parsePrefix(t); err != nil {
			v.fail(element("sip.trusted_trunks", i), "%q is not an IP address or CIDR prefix", t)
		}
	}
	if s.MaxMisses < 0 {
		v.fail("sip.max_misses", "must be 0 (never pause) or more, got %d", s.MaxMisses)
	}
	v.nonNegative("sip.shutdown_grace", s.ShutdownGrace)
}

// listen checks an optional host:port listen address and reports whether it
// is usable.
func (v *validator) listen(path, addr string) bool {
	if addr == "" {
		return true
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		v.fail(path, "%q is not a host:port address", addr)
		return false
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		v.fail(path, "%q has an invalid port", addr)
		return false
	}
	return true
}

// advertise checks the address put in Contact, Via and SDP: peers must be
// able to reach it, so a wildcard or a host:port will not do.
func (v *validator) advertise(a string) {
	const path = "sip.advertise"
	if a == "" {
		v.fail(path, "is required when the listen address has no host")
		return
	}
	if ip, err := netip.ParseAddr(a); err == nil {
		if ip.IsUnspecified() {
			v.fail(path, "%q cannot be reached by peers; set sip.advertise to this host's address", a)
		} else if ip.Zone() != "" {
			v.fail(path, "%q: zones are not allowed", a)
		}
		return
	}
	if strings.ContainsAny(a, ":[]/@ \t") {
		v.fail(path, "%q is not a host name or IP address", a)
	}
}

func (v *validator) rtp() {
	r := v.c.RTP
	const rule = "port range %d-%d must satisfy 1024 <= port_min < port_max <= 65535"
	switch {
	case r.PortMin < 1024 || r.PortMin > 65535:
		v.fail("rtp.port_min", rule, r.PortMin, r.PortMax)
	case r.PortMax <= r.PortMin || r.PortMax > 65535:
		v.fail("rtp.port_max", rule, r.PortMin, r.PortMax)
	case r.PortMin%2 != 0:
		v.fail("rtp.port_min", "must be even (RTP uses even ports), got %d", r.PortMin)
	}
	v.nonNegative("rtp.silence_timeout", r.SilenceTimeout)
}

func (v *validator) http() {
	v.listen("http.listen", v.c.HTTP.Listen)
}

// nonNegative checks a duration for which 0 means "none" or "disabled".
func (v *validator) nonNegative(path string, d time.Duration) {
	if d < 0 {
		v.fail(path, "must not be negative, got %s", d)
	}
}

// validToken reports whether s is non-empty and free of spaces and of the
// characters that delimit the user part of a SIP URI.
func validToken(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\r\n@:;<>\"")
}
