package announce

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNumberEnglish(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0"},
		{1, "1"},
		{7, "7"},
		{13, "13"},
		{19, "19"},
		{20, "20"},
		{21, "20 1"},
		{45, "40 5"},
		{99, "90 9"},
		{100, "1 hundred"},
		{101, "1 hundred 1"},
		{115, "1 hundred 15"},
		{240, "2 hundred 40"},
		{999, "9 hundred 90 9"},
		{1000, "1 thousand"},
		{1001, "1 thousand 1"},
		{21512, "20 1 thousand 5 hundred 12"},
		{MaxNumber, "9 hundred 90 9 thousand 9 hundred 90 9"},
	}
	for _, tt := range tests {
		got, err := Number(English, tt.n, false)
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("Number(en, %d) = %q, %v; want %q", tt.n, got, err, tt.want)
		}
		if fem, _ := Number(English, tt.n, true); !slices.Equal(fem, got) {
			t.Errorf("Number(en, %d, feminine) = %q; English has no feminine numbers", tt.n, fem)
		}
	}
}

func TestNumberFrench(t *testing.T) {
	tests := []struct {
		n    int
		fem  bool
		want string
	}{
		{0, false, "0"},
		{1, false, "1"},
		{1, true, "1f"},         // une
		{16, false, "16"},       // seize
		{17, false, "17"},       // dix-sept
		{20, false, "20"},       // vingt
		{21, false, "20 et 1"},  // vingt et un
		{21, true, "20 et 1f"},  // vingt et une
		{22, false, "20 2"},     // vingt-deux
		{31, false, "30 et 1"},  // trente et un
		{61, false, "60 et 1"},  // soixante et un
		{69, false, "60 9"},     // soixante-neuf
		{70, false, "60 10"},    // soixante-dix
		{71, false, "60 et 11"}, // soixante et onze
		{72, false, "60 12"},    // soixante-douze
		{77, false, "60 17"},    // soixante-dix-sept
		{79, false, "60 19"},    // soixante-dix-neuf
		{80, false, "80"},       // quatre-vingts
		{80, true, "80"},
		{81, false, "quatre-vingt 1"},  // quatre-vingt-un (no et)
		{81, true, "quatre-vingt 1f"},  // quatre-vingt-une
		{89, false, "quatre-vingt 9"},  // quatre-vingt-neuf
		{90, false, "quatre-vingt 10"}, // quatre-vingt-dix
		{91, false, "quatre-vingt 11"}, // quatre-vingt-onze (no et)
		{97, false, "quatre-vingt 17"}, // quatre-vingt-dix-sept
		{99, false, "quatre-vingt 19"},
		{100, false, "cent"},                   // cent, not un cent
		{101, false, "cent 1"},                 // cent un
		{121, false, "cent 20 et 1"},           // cent vingt et un
		{180, false, "cent 80"},                // cent quatre-vingts
		{200, false, "2 cents"},                // deux cents
		{201, false, "2 cent 1"},               // deux cent un
		{280, false, "2 cent 80"},              // deux cent quatre-vingts
		{999, false, "9 cent quatre-vingt 19"}, // neuf cent quatre-vingt-dix-neuf
		{1000, false, "mille"},                 // mille, not un mille
		{1001, false, "mille 1"},
		{2000, false, "2 mille"},
		{21000, false, "20 et 1 mille"},      // vingt et un mille
		{80000, false, "quatre-vingt mille"}, // no s before mille
		{200000, false, "2 cent mille"},      // no s before mille
		{280080, false, "2 cent quatre-vingt mille 80"},
		{MaxNumber, false, "9 cent quatre-vingt 19 mille 9 cent quatre-vingt 19"},
	}
	for _, tt := range tests {
		got, err := Number(French, tt.n, tt.fem)
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("Number(fr, %d, %v) = %q, %v; want %q", tt.n, tt.fem, got, err, tt.want)
		}
	}
}

func TestNumberOutOfRange(t *testing.T) {
	for _, n := range []int{-1, MaxNumber + 1} {
		if _, err := Number(English, n, false); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("Number(%d) err = %v, want ErrOutOfRange", n, err)
		}
	}
}

// Every prompt the grammar can ask for is shipped, in both languages.
func TestNumberPromptsAreShipped(t *testing.T) {
	lib, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	check := func(lang string, n int, fem bool) {
		names, err := Number(lang, n, fem)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if !lib.Has(lang, name) {
				t.Fatalf("Number(%s, %d, %v) needs prompt %q, which is not shipped", lang, n, fem, name)
			}
		}
	}
	for _, lang := range Languages() {
		for n := 0; n <= 2000; n++ {
			check(lang, n, false)
			check(lang, n, true)
		}
		for n := 2000; n <= MaxNumber; n += 997 {
			check(lang, n, false)
		}
	}
}

func TestPosition(t *testing.T) {
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{English, 0, ""},
		{English, -3, ""},
		{English, 1, "next-in-line"},
		{French, 1, "next-in-line"},
		{English, 2, "position-before 2 position-after"},
		{English, 42, "position-before 40 2 position-after"},
		{French, 21, "position-before 20 et 1 position-after"}, // vingt et un, masculine
		{French, 80, "position-before 80 position-after"},
		{English, MaxNumber + 5, "position-before 9 hundred 90 9 thousand 9 hundred 90 9 position-after"},
	}
	for _, tt := range tests {
		if got := strings.Join(Position(tt.lang, tt.n), " "); got != tt.want {
			t.Errorf("Position(%s, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestWait(t *testing.T) {
	tests := []struct {
		lang string
		d    time.Duration
		want string
	}{
		{English, 0, "wait-before less-than-a-minute"},
		{English, 59 * time.Second, "wait-before less-than-a-minute"},
		{English, time.Minute, "wait-one-minute"},
		{French, time.Minute, "wait-one-minute"}, // "est d'une minute", never "est de une minute"
		{French, 50 * time.Second, "wait-before less-than-a-minute"},
		{French, time.Minute + time.Second, "wait-before 2 minutes"},
		{English, time.Minute + time.Second, "wait-before 2 minutes"},
		{English, 4*time.Minute + 30*time.Second, "wait-before 5 minutes"},
		{French, 20*time.Minute + time.Second, "wait-before 20 et 1f minutes"}, // vingt et une minutes
		{English, 30 * time.Minute, "wait-before 30 minutes"},
		{English, 29*time.Minute + time.Second, "wait-before 30 minutes"},
		{English, 30*time.Minute + time.Second, "wait-before more-than 30 minutes"},
		{French, 3 * time.Hour, "wait-before more-than 30 minutes"},
	}
	for _, tt := range tests {
		if got := strings.Join(Wait(tt.lang, tt.d), " "); got != tt.want {
			t.Errorf("Wait(%s, %v) = %q, want %q", tt.lang, tt.d, got, tt.want)
		}
	}
}
