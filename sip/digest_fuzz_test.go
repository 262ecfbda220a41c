package sip

import (
	"strings"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// FuzzVerify feeds arbitrary Authorization values to the digest check. It
// must never panic, and never say authOK unless the credentials were made
// with the user's real password: the same request checked against an
// authenticator that knows another password must not pass.
func FuzzVerify(f *testing.F) {
	const (
		nonce = "00112233445566778899aabbccddeeff"
		uri   = "sip:127.0.0.1:5060"
		right = "fuzz-right-password"
	)
	newAuth := func(password string) *Authenticator {
		a := NewAuthenticator("acd", []string{"SHA-256", "MD5"}, func(u string) (string, bool) {
			if u == "alice" {
				return password, true
			}
			return "", false
		})
		a.nonces[nonce] = time.Now().Add(time.Hour)
		return a
	}
	for _, alg := range []string{"SHA-256", "MD5", "", "SHA-512", "SHA-512-256"} {
		for _, qop := range []bool{true, false} {
			c := credentials(f, "acd", nonce, alg, "alice", right, "REGISTER", uri, qop)
			f.Add(c, false)
			f.Add(c, true)
			f.Add(strings.Replace(c, "qop=auth", "qop=auth-int", 1), false)
			f.Add(strings.Replace(c, "nc=00000001", "nc=ffffffff", 1), false)
		}
	}
	f.Add(credentials(f, "acd", nonce, "SHA-256", "mallory", "", "REGISTER", uri, true), false)
	f.Add(credentials(f, "other", nonce, "SHA-256", "alice", right, "REGISTER", uri, true), false)
	for _, s := range []string{
		"", "Digest", "Digest ", "digest username=alice", "Basic YWxpY2U6cGFzcw==",
		`Digest username="alice", realm="acd", nonce="` + nonce + `", uri="` + uri + `", response=""`,
		`Digest username="alice", realm="acd", nonce="` + nonce + `", nc=zz, qop=auth, response="00"`,
		`Digest realm="acd", nonce="` + nonce + `", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="", response="x"`,
		`Digest username="\"", realm="acd\\", nonce=` + nonce + `,,,;;`,
		"Digest username=\"al\x00ice\", realm=\"acd\", nonce=\"" + nonce + "\"",
	} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, value string, invite bool) {
		method := gosip.REGISTER
		if invite {
			method = gosip.INVITE
		}
		req := authRequest(method, value)
		user, got := newAuth(right).verify(req)
		switch got {
		case authOK:
			if user != "alice" {
				t.Fatalf("authOK for user %q, who has no password", user)
			}
			if _, other := newAuth("another password").verify(req); other == authOK {
				t.Fatalf("authOK whatever the password: %q", value)
			}
		case authMissing, authStale, authFailed:
			if user != "" {
				t.Fatalf("verify = %q with %v", user, got)
			}
		default:
			t.Fatalf("verify returned %d", got)
		}
	})
}
