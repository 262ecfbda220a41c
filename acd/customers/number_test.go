package customers

import (
	"errors"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, cc, want string }{
		{"+33612345678", "", "+33612345678"},
		{"+33 6 12 34 56 78", "", "+33612345678"},
		{"+33 (0)6 12 34 56 78", "", "+33612345678"},
		{"+330612345678", "", "+330612345678"}, // kept as written: E.164 has no such 0, but it is digits
		{"0033612345678", "", "+33612345678"},
		{"00 33 6.12.34.56.78", "", "+33612345678"},
		{"0612345678", "33", "+33612345678"},
		{"06-12-34-56-78", "33", "+33612345678"},
		{"(06) 12 34 56 78", "33", "+33612345678"},
		{"06/12/34/56/78", "33", "+33612345678"},
		{"0612345678", "", "0612345678"}, // no default country: kept
		{"0044 20 7946 0000", "33", "+442079460000"},
		{"1001", "33", "1001"}, // an extension
		{"612345678", "33", "612345678"},
		{"0", "33", "0"},
		{"tel:+33-6-12-34-56-78", "", "+33612345678"},
		{"sip:0612345678@trunk.example;user=phone", "33", "+33612345678"},
		{"+33612345678;phone-context=x", "", "+33612345678"},
		{" \t+33612345678 ", "", "+33612345678"},
		{"+123456789012345", "", "+123456789012345"},
		{"+1234567890123456", "", ""}, // 16 digits
		{"0", "", "0"},
		{"", "33", ""},
		{"+", "", ""},
		{"00", "", ""},
		{"anonymous", "33", ""},
		{"+33 6 12 AB", "", ""},
		{"+0612", "", ""},
		{"000612", "", ""},
		{"06\r\n12", "33", ""},
	} {
		got, err := Normalize(tc.in, tc.cc)
		switch {
		case tc.want == "" && !errors.Is(err, ErrBadNumber):
			t.Errorf("Normalize(%q, %q) = %q, %v; want ErrBadNumber", tc.in, tc.cc, got, err)
		case tc.want != "" && (err != nil || got != tc.want):
			t.Errorf("Normalize(%q, %q) = %q, %v; want %q", tc.in, tc.cc, got, err, tc.want)
		}
	}
}

func TestValidCountry(t *testing.T) {
	for cc, want := range map[string]bool{"": true, "1": true, "33": true, "353": true, "0": false, "033": false, "3333": false, "3a": false, "+33": false} {
		if got := ValidCountry(cc); got != want {
			t.Errorf("ValidCountry(%q) = %v, want %v", cc, got, want)
		}
	}
}

// FuzzNormalize: whatever the input, a result is "+"? and 1 to 15 digits,
// and normalising it again changes nothing.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"+33612345678", "0612345678", "00 33 6", "tel:+1-555", "sip:1001@x", "anonymous", ""} {
		f.Add(s, "33")
	}
	f.Fuzz(func(t *testing.T, raw, cc string) {
		if !ValidCountry(cc) {
			cc = ""
		}
		n, err := Normalize(raw, cc)
		if err != nil {
			return
		}
		digits := n
		if digits != "" && digits[0] == '+' {
			digits = digits[1:]
		}
		if digits == "" || len(digits) > MaxDigits || !allDigits(digits) {
			t.Fatalf("Normalize(%q, %q) = %q", raw, cc, n)
		}
		if again, err := Normalize(n, cc); err != nil || again != n {
			if !(n[0] == '0' && cc != "") { // a national number meets the country code only once
				t.Fatalf("Normalize(%q) = %q, then %q, %v", raw, n, again, err)
			}
		}
	})
}
