package announce

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// MaxNumber is the largest number Number can say.
const MaxNumber = 999_999

// ErrOutOfRange is returned for a number Number cannot say.
var ErrOutOfRange = errors.New("number out of range")

// Number returns the prompts that say n (0 … MaxNumber) in lang; feminine
// asks for the form used before a feminine noun (French "une minute",
// "vingt et une minutes"). An unsupported language uses English grammar.
//
// French follows the usual rules: "et" in 21, 31 … 61 and 71 (soixante et
// onze) but not in 81 or 91; 70-79 and 90-99 are 60 and quatre-vingt plus
// 10-19; quatre-vingts and deux cents take their s only at the end of the
// number (quatre-vingt-un, deux cent trois, quatre-vingt mille); mille is
// invariable and never preceded by "un".
func Number(lang string, n int, feminine bool) ([]string, error) {
	if n < 0 || n > MaxNumber {
		return nil, fmt.Errorf("say number %d: %w", n, ErrOutOfRange)
	}
	if n == 0 {
		return []string{"0"}, nil
	}
	th, r := n/1000, n%1000
	var out []string
	if lang == French {
		switch {
		case th == 1:
			out = append(out, Mille)
		case th > 1:
			out = append(frBelow1000(out, th, false, false), Mille)
		}
		if r > 0 {
			out = frBelow1000(out, r, feminine, true)
		}
		return out, nil
	}
	if th > 0 {
		out = append(enBelow1000(out, th), Thousand)
	}
	if r > 0 {
		out = enBelow1000(out, r)
	}
	return out, nil
}

// enBelow1000 appends n (1 … 999) in English: "two hundred forty one".
func enBelow1000(out []string, n int) []string {
	if h := n / 100; h > 0 {
		out = append(out, strconv.Itoa(h), Hundred)
	}
	switch r := n % 100; {
	case r == 0:
	case r < 20:
		out = append(out, strconv.Itoa(r))
	default:
		out = append(out, strconv.Itoa(r/10*10))
		if r%10 != 0 {
			out = append(out, strconv.Itoa(r%10))
		}
	}
	return out
}

// frBelow1000 appends n (1 … 999) in French. final says nothing but a noun
// follows in the number (so quatre-vingts and deux cents keep their s).
func frBelow1000(out []string, n int, feminine, final bool) []string {
	h, r := n/100, n%100
	switch {
	case h == 1:
		out = append(out, Cent)
	case h > 1:
		out = frBelow100(out, h, false, false)
		if r == 0 && final {
			out = append(out, Cents)
		} else {
			out = append(out, Cent)
		}
	}
	if r > 0 {
		out = frBelow100(out, r, feminine, final)
	}
	return out
}

// frBelow100 appends n (1 … 99) in French.
func frBelow100(out []string, n int, feminine, final bool) []string {
	unit := func(u int) string {
		if u == 1 && feminine {
			return OneF
		}
		return strconv.Itoa(u)
	}
	switch {
	case n < 20:
		return append(out, unit(n))
	case n < 70:
		t, u := n/10*10, n%10
		switch u {
		case 0:
			return append(out, strconv.Itoa(t))
		case 1:
			return append(out, strconv.Itoa(t), Et, unit(1))
		}
		return append(out, strconv.Itoa(t), unit(u))
	case n < 80: // soixante-dix … soixante-dix-neuf, soixante et onze
		if n == 71 {
			return append(out, "60", Et, "11")
		}
		return append(out, "60", strconv.Itoa(n-60))
	case n == 80:
		if final {
			return append(out, "80")
		}
		return append(out, QuatreVingt)
	}
	// 81 … 99: quatre-vingt-un, quatre-vingt-dix, quatre-vingt-onze …
	return append(out, QuatreVingt, unit(n-80))
}

// Position returns the prompts telling a caller their position in the
// queue: "You are next in line" at 1, else "You are caller number N in
// the queue". Nothing for n < 1; a position above MaxNumber is said as
// MaxNumber.
func Position(lang string, n int) []string {
	switch {
	case n < 1:
		return nil
	case n == 1:
		return []string{NextInLine}
	}
	num, _ := Number(lang, min(n, MaxNumber), false)
	out := append([]string{PositionBefore}, num...)
	return append(out, PositionAfter)
}

// MaxSpokenWait caps the wait Wait says: a longer estimate is "more than
// 30 minutes", since a precise figure that far out is not to be trusted.
const MaxSpokenWait = 30 * time.Minute

// Wait returns the prompts telling a caller their estimated wait d,
// rounded up to whole minutes (a promise is better kept early than late):
// "less than a minute" under one minute, "more than 30 minutes" above
// MaxSpokenWait. One minute is its own sentence (WaitOneMinute), for the
// French elision "d'une minute". The caller decides whether an estimate
// is known at all.
func Wait(lang string, d time.Duration) []string {
	out := []string{WaitBefore}
	switch {
	case d < time.Minute:
		return append(out, LessThanAMinute)
	case d > MaxSpokenWait:
		out = append(out, MoreThan)
		d = MaxSpokenWait
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return []string{WaitOneMinute}
	}
	num, _ := Number(lang, m, true)
	out = append(out, num...)
	return append(out, Minutes)
}
