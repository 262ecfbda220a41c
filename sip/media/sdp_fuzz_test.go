package media

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseOffer checks that no input panics the SDP path, and that whatever
// ParseOffer accepts yields a usable address and an answer that parses back
// with the same number of m= lines (RFC 3264 §6).
func FuzzParseOffer(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(sdpDir, "*.sdp"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(sippDefault))
	f.Add([]byte("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 8 0\r\nc=IN IP6 ::1\r\na=inactive\r\n"))
	local := netip.MustParseAddrPort("192.0.2.5:30000")
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseOffer(body)
		if err != nil {
			return
		}
		if !r.Addr.IsValid() || r.Addr.Port() == 0 {
			t.Fatalf("accepted offer with address %v", r.Addr)
		}
		if r.AudioIndex < 0 || r.AudioIndex >= len(r.Media) || r.Media[r.AudioIndex].Media != "audio" {
			t.Fatalf("audio index %d of %v", r.AudioIndex, r.Media)
		}
		c, err := Negotiate(r)
		if err != nil {
			return
		}
		ans := BuildAnswer(r, local, 1, c)
		back, err := ParseOffer(ans)
		if err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, ans)
		}
		if len(back.Media) != len(r.Media) || len(back.Codecs) != 1 || back.Codecs[0].PT != c.PT {
			t.Fatalf("answer %+v to offer %+v", back, r)
		}
	})
}
