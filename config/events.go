package config

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MinRotateSize is the smallest events.rotate_size: a bare number is
// bytes, and "rotate_size: 100" is far more likely a forgotten unit than a
// wish for a new file every line.
const MinRotateSize = 1 << 10

// sizeUnits are the units a size may carry; K, M and G are powers of 1024
// with or without the "i" (as operators say "100MB" for a log).
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1 << 10, "kib": 1 << 10,
	"mb": 1 << 20, "mib": 1 << 20,
	"gb": 1 << 30, "gib": 1 << 30,
}

// size decodes a byte count: an integer (bytes) or a string such as
// "100MB", "512KiB" or "1GB".
func (d *decoder) size(dst *int64) field {
	return func(n *yaml.Node, path string) {
		const want = "a size such as \"100MB\" (B, KB, MB or GB; 1KB = 1024 bytes)"
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!str") {
			d.fail(n, path, "expected %s, got %s", want, describe(n))
			return
		}
		v, ok := parseSize(n.Value)
		if !ok {
			d.fail(n, path, "expected %s, got %s", want, describe(n))
			return
		}
		*dst = v
	}
}

// parseSize reads "<digits>[ ]<unit>"; false if malformed or too large.
func parseSize(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	num, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	mult, ok := sizeUnits[strings.ToLower(strings.TrimSpace(s[i:]))]
	if !ok || num > math.MaxInt64/mult {
		return 0, false
	}
	return num * mult, true
}

// eventsRotation checks rotate_size and keep.
func (v *validator) eventsRotation() {
	e := v.c.Events
	if e.RotateSize != 0 && e.RotateSize < MinRotateSize {
		v.fail("events.rotate_size", "must be 0 (no size limit) or at least 1KB, got %d bytes", e.RotateSize)
	}
	switch {
	case e.Keep < 0:
		v.fail("events.keep", "must be 0 (keep every rotated file) or more, got %d", e.Keep)
	case e.Keep > 0 && e.RotateSize == 0 && !e.RotateDaily:
		v.fail("events.keep", "is only used with rotate_size or rotate_daily, and neither is set")
	}
}
