package acd

import "unicode"

// MaskNumber hides a caller's number for logs and masked reports: every
// letter and digit becomes '*' except the last three digits, while '+',
// separators and the length stay; "+33612345678" becomes "+********678".
// The last digits are enough to tell callers apart when reading a log,
// and reveal neither who called nor their operator. Text without digits
// ("anonymous") is masked whole. (acd/report's MaskNumber does the same.)
func MaskNumber(s string) string {
	b := []rune(s)
	keep := 3
	for i := len(b) - 1; i >= 0; i-- {
		switch r := b[i]; {
		case r >= '0' && r <= '9' && keep > 0:
			keep--
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b[i] = '*'
		}
	}
	return string(b)
}
