package acd

import "testing"

func TestMaskNumber(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"+33612345678", "+********678"},
		{"0612345678", "*******678"},
		{"+33 6 12 34 56 78", "+** * ** ** *6 78"},
		{"5551", "*551"},
		{"555", "555"},
		{"anonymous", "*********"},
		{"1001;user=phone", "*001;****=*****"},
	} {
		if got := MaskNumber(tc.in); got != tc.want {
			t.Errorf("MaskNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
