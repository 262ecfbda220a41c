package customers

import (
	"errors"
	"fmt"
	"strings"
)

// MaxDigits is the most digits a number may have: E.164 allows 15.
const MaxDigits = 15

// ErrBadNumber is returned for text that is no phone number.
var ErrBadNumber = errors.New("not a phone number")

// Normalize turns a caller's number, as a trunk sends it or as someone
// typed it, into the form the directory is keyed by, E.164-like:
//
//   - spaces, tabs, dashes, dots, slashes and parentheses are dropped, and so
//     is a "tel:", "sip:" or "sips:" scheme with anything from ';' or '@' on
//     (so a pasted URI works);
//   - "+" followed by digits is kept: "+33 6 12 34 56 78" → "+33612345678",
//     and so is "+33 (0)6 12 34 56 78" (the "(0)" is dropped);
//   - a "00" international prefix becomes "+": "0033612345678" → "+33612345678";
//   - with a default country code (digits, e.g. "33"), a national number
//     starting with a single 0 gets it: "06 12 34 56 78" → "+33612345678";
//   - any other string of digits is kept as it is (an extension, or a
//     national number when there is no default country).
//
// The result has 1 to MaxDigits digits, and no country code starts with 0.
// Anything else (a name such as "anonymous", letters, an empty string) is
// ErrBadNumber. The customer file's numbers go through the same function,
// so a number matches whichever way either side wrote it.
func Normalize(raw, defaultCountry string) (string, error) {
	s := strings.TrimSpace(raw)
	if scheme, rest, ok := strings.Cut(s, ":"); ok {
		switch strings.ToLower(scheme) {
		case "tel", "sip", "sips":
			s = rest
		}
	}
	if i := strings.IndexAny(s, ";@"); i >= 0 {
		s = s[:i]
	}
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "00") {
		s = strings.ReplaceAll(s, "(0)", "") // "+44 (0)20 …": the 0 is for national dialling
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '-', '.', '/', '(', ')':
			return -1
		}
		return r
	}, s)
	var digits, out string
	switch {
	case strings.HasPrefix(s, "+"):
		digits = s[1:]
		out = "+" + digits
	case strings.HasPrefix(s, "00"):
		digits = s[2:]
		out = "+" + digits
	case strings.HasPrefix(s, "0") && len(s) > 1 && defaultCountry != "":
		digits = defaultCountry + s[1:]
		out = "+" + digits
	default:
		digits = s
		out = s
	}
	switch {
	case digits == "" || !allDigits(digits):
		return "", fmt.Errorf("%q: %w", raw, ErrBadNumber)
	case len(digits) > MaxDigits:
		return "", fmt.Errorf("%q: more than %d digits: %w", raw, MaxDigits, ErrBadNumber)
	case out[0] == '+' && digits[0] == '0':
		return "", fmt.Errorf("%q: a country code cannot start with 0: %w", raw, ErrBadNumber)
	}
	return out, nil
}

// ValidCountry reports whether cc can be a default country code: 1 to 3
// digits, not starting with 0 ("" means none).
func ValidCountry(cc string) bool {
	return cc == "" || len(cc) <= 3 && allDigits(cc) && cc[0] != '0'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
