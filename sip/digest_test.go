package sip

import (
	"slices"
	"strings"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// challenges parses every WWW-Authenticate of a 401, in order.
func challenges(t *testing.T, res *gosip.Response) []*digest.Challenge {
	t.Helper()
	var out []*digest.Challenge
	for _, h := range res.GetHeaders("WWW-Authenticate") {
		ch, err := digest.ParseChallenge(h.Value())
		if err != nil {
			t.Fatalf("WWW-Authenticate %q: %v", h.Value(), err)
		}
		out = append(out, ch)
	}
	return out
}

// credentials computes an Authorization value for method and uri against a
// challenge of realm, nonce and algorithm, with qop=auth when qop is set.
func credentials(t testing.TB, realm, nonce, alg, user, password, method, uri string, qop bool) string {
	t.Helper()
	ch := &digest.Challenge{Realm: realm, Nonce: nonce, Algorithm: alg}
	if qop {
		ch.QOP = []string{"auth"}
	}
	cred, err := digest.Digest(ch, digest.Options{Method: method, URI: uri, Username: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return cred.String()
}

// Each configured algorithm works on its own with sipgo's DoDigestAuth,
// which answers the (only) challenge it is given.
func TestDigestAlgorithmAccepted(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"SHA-256", "MD5"} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, withAlgorithms(alg))
			ctx := testCtx(t)
			p := h.newPhone(t, "alice")
			req := p.newRegister("alice")
			req.AppendHeader(p.contact.Clone())
			ch, res := p.doAuth(t, ctx, req)
			if ch == nil {
				t.Fatal("REGISTER was not challenged")
			}
			chs := challenges(t, ch)
			if len(chs) != 1 || chs[0].Algorithm != alg || !chs[0].SupportsQOP("auth") || chs[0].Realm != "acd" {
				t.Fatalf("challenge %v, want one %s challenge in realm acd with qop=auth", ch.GetHeaders("WWW-Authenticate"), alg)
			}
			sent, err := digest.ParseCredentials(req.GetHeader("Authorization").Value())
			if err != nil || sent.Algorithm != alg || sent.QOP != "auth" {
				t.Fatalf("phone answered with %v (%v), want %s with qop=auth", req.GetHeader("Authorization"), err, alg)
			}
			mustStatus(t, res, 200)
			if len(h.contacts(t, "alice")) != 1 {
				t.Fatal("authenticated REGISTER bound no contact")
			}
		})
	}
}

// The 401 offers every configured algorithm, most preferred first (RFC 8760
// §2.4), sharing one nonce; every 401 has a fresh nonce.
func TestDigestChallenge(t *testing.T) {
	t.Parallel()
	h := newHarness(t) // SHA-256, MD5
	ctx := testCtx(t)
	p := h.newPhone(t, "alice")
	var nonces []string
	for range 2 {
		req := p.newRegister("alice")
		req.AppendHeader(p.contact.Clone())
		res := p.do(t, ctx, req)
		mustStatus(t, res, gosip.StatusUnauthorized)
		chs := challenges(t, res)
		if len(chs) != 2 || chs[0].Algorithm != "SHA-256" || chs[1].Algorithm != "MD5" {
			t.Fatalf("challenges %v, want SHA-256 then MD5", res.GetHeaders("WWW-Authenticate"))
		}
		for _, ch := range chs {
			if ch.Realm != "acd" || !slices.Equal(ch.QOP, []string{"auth"}) || ch.Stale || ch.Nonce == "" || ch.Nonce != chs[0].Nonce {
				t.Fatalf("challenge %+v: want realm acd, qop=auth, not stale, the response's one nonce", ch)
			}
		}
		nonces = append(nonces, chs[0].Nonce)
	}
	if nonces[0] == nonces[1] {
		t.Fatalf("two challenges share nonce %s", nonces[0])
	}
}

// A wrong password and an unknown user get the same 403, so extensions
// cannot be enumerated; a nonce we never issued gets a stale challenge; an
// algorithm not configured is refused; another realm's credentials are no
// credentials at all.
func TestDigestRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withAlgorithms("SHA-256"))
	ctx := testCtx(t)
	p := h.newPhone(t, "alice")

	// answer sends a REGISTER for aor, takes the challenge, and answers it
	// with the Authorization that mk builds from the challenge.
	answer := func(aor string, mk func(ch *digest.Challenge, uri string) string) *gosip.Response {
		t.Helper()
		req := p.newRegister(aor)
		req.AppendHeader(p.contact.Clone())
		res := p.do(t, ctx, req)
		mustStatus(t, res, gosip.StatusUnauthorized)
		return p.resend(t, ctx, req, mk(challenges(t, res)[0], req.Recipient.Addr()))
	}
	registerAs := func(user, password, alg string) func(*digest.Challenge, string) string {
		return func(ch *digest.Challenge, uri string) string {
			return credentials(t, ch.Realm, ch.Nonce, alg, user, password, "REGISTER", uri, true)
		}
	}

	wrong := answer("alice", registerAs("alice", "not-her-password", "SHA-256"))
	unknown := answer("mallory", registerAs("mallory", "whatever", "SHA-256"))
	mustStatus(t, wrong, gosip.StatusForbidden)
	mustStatus(t, unknown, gosip.StatusForbidden)
	if wrong.StartLine() != unknown.StartLine() {
		t.Fatalf("wrong password %q and unknown user %q answered differently", wrong.StartLine(), unknown.StartLine())
	}
	if headerNames(wrong) != headerNames(unknown) || len(wrong.Body()) != 0 || len(unknown.Body()) != 0 {
		t.Fatalf("403s differ in headers or body:\n%s\n%s", wrong, unknown)
	}

	forged := answer("alice", func(ch *digest.Challenge, uri string) string {
		return credentials(t, ch.Realm, "0123456789abcdef0123456789abcdef", "SHA-256", "alice", testUsers["alice"].password, "REGISTER", uri, true)
	})
	mustStatus(t, forged, gosip.StatusUnauthorized)
	chs := challenges(t, forged)
	if len(chs) != 1 || !chs[0].Stale {
		t.Fatalf("unknown nonce: challenges %v, want stale=true", forged.GetHeaders("WWW-Authenticate"))
	}

	md5 := answer("alice", registerAs("alice", testUsers["alice"].password, "MD5"))
	mustStatus(t, md5, gosip.StatusForbidden)

	otherRealm := answer("alice", func(ch *digest.Challenge, uri string) string {
		return credentials(t, "elsewhere", ch.Nonce, "SHA-256", "alice", testUsers["alice"].password, "REGISTER", uri, true)
	})
	mustStatus(t, otherRealm, gosip.StatusUnauthorized)
	if chs := challenges(t, otherRealm); len(chs) != 1 || chs[0].Stale || chs[0].Realm != "acd" {
		t.Fatalf("other realm: challenges %v, want a fresh non-stale challenge for acd", otherRealm.GetHeaders("WWW-Authenticate"))
	}
	if n := len(h.contacts(t, "alice")); n != 0 {
		t.Fatalf("refused REGISTERs bound %d contacts", n)
	}
}

func headerNames(res *gosip.Response) string {
	var names []string
	for _, h := range res.Headers() {
		names = append(names, h.Name())
	}
	return strings.Join(names, ",")
}

func testPassword(u string) (string, bool) {
	tu, ok := testUsers[u]
	return tu.password, ok
}

func authRequest(method gosip.RequestMethod, authorization ...string) *gosip.Request {
	req := gosip.NewRequest(method, gosip.Uri{Scheme: "sip", Host: "127.0.0.1", Port: 5060})
	for _, a := range authorization {
		req.AppendHeader(gosip.NewHeader("Authorization", a))
	}
	return req
}

func TestVerify(t *testing.T) {
	t.Parallel()
	a := NewAuthenticator("acd", []string{"SHA-256", "MD5"}, testPassword)
	sha := NewAuthenticator("acd", []string{"SHA-256"}, testPassword)
	nonce, shaNonce, expired := a.newNonce(), sha.newNonce(), a.newNonce()
	a.mu.Lock()
	a.nonces[expired] = time.Now().Add(-time.Second)
	a.mu.Unlock()
	const uri = "sip:127.0.0.1:5060"
	pw := testUsers["alice"].password
	cred := func(realm, nonce, alg, user, password, method string, qop bool) string {
		return credentials(t, realm, nonce, alg, user, password, method, uri, qop)
	}
	good := cred("acd", nonce, "SHA-256", "alice", pw, "REGISTER", true)

	tests := []struct {
		name  string
		auth  *Authenticator
		req   *gosip.Request
		want  authResult
		wantU string
	}{
		{"sha-256", a, authRequest(gosip.REGISTER, good), authOK, "alice"},
		{"md5", a, authRequest(gosip.REGISTER, cred("acd", nonce, "MD5", "alice", pw, "REGISTER", true)), authOK, "alice"},
		{"md5 without qop (RFC 2069)", a, authRequest(gosip.REGISTER, cred("acd", nonce, "MD5", "alice", pw, "REGISTER", false)), authOK, "alice"},
		{"absent algorithm means MD5", a, authRequest(gosip.REGISTER, cred("acd", nonce, "", "alice", pw, "REGISTER", true)), authOK, "alice"},
		{"lower-case algorithm", a, authRequest(gosip.REGISTER, cred("acd", nonce, "sha-256", "alice", pw, "REGISTER", true)), authOK, "alice"},
		{"upper-case response hex", a, authRequest(gosip.REGISTER, upperResponse(t, good)), authOK, "alice"},
		{"invite", a, authRequest(gosip.INVITE, cred("acd", nonce, "SHA-256", "bob", testUsers["bob"].password, "INVITE", true)), authOK, "bob"},
		{"ours after another realm's", a, authRequest(gosip.REGISTER, cred("proxy", nonce, "MD5", "x", "y", "REGISTER", true), good), authOK, "alice"},

		{"no header", a, authRequest(gosip.REGISTER), authMissing, ""},
		{"another realm only", a, authRequest(gosip.REGISTER, cred("elsewhere", nonce, "SHA-256", "alice", pw, "REGISTER", true)), authMissing, ""},
		{"unknown nonce", a, authRequest(gosip.REGISTER, cred("acd", "feedface", "SHA-256", "alice", pw, "REGISTER", true)), authStale, ""},
		{"expired nonce", a, authRequest(gosip.REGISTER, cred("acd", expired, "SHA-256", "alice", pw, "REGISTER", true)), authStale, ""},
		{"another authenticator's nonce", a, authRequest(gosip.REGISTER, cred("acd", shaNonce, "SHA-256", "alice", pw, "REGISTER", true)), authStale, ""},

		{"wrong password", a, authRequest(gosip.REGISTER, cred("acd", nonce, "SHA-256", "alice", "guess", "REGISTER", true)), authFailed, ""},
		{"unknown user", a, authRequest(gosip.REGISTER, cred("acd", nonce, "SHA-256", "mallory", "guess", "REGISTER", true)), authFailed, ""},
		{"unknown user with empty password", a, authRequest(gosip.REGISTER, cred("acd", nonce, "SHA-256", "mallory", "", "REGISTER", true)), authFailed, ""},
		{"credentials for another method", a, authRequest(gosip.INVITE, good), authFailed, ""},
		{"uri changed after hashing", a, authRequest(gosip.REGISTER, strings.Replace(good, uri, "sip:evil.example.com", 1)), authFailed, ""},
		{"username changed after hashing", a, authRequest(gosip.REGISTER, strings.Replace(good, `username="alice"`, `username="bob"`, 1)), authFailed, ""},
		{"algorithm not configured", sha, authRequest(gosip.REGISTER, cred("acd", shaNonce, "MD5", "alice", pw, "REGISTER", true)), authFailed, ""},
		{"algorithm we never offer", a, authRequest(gosip.REGISTER, cred("acd", nonce, "SHA-512", "alice", pw, "REGISTER", true)), authFailed, ""},
		{"userhash (RFC 7616) is not supported", a, authRequest(gosip.REGISTER, userhashCredentials(t, nonce, pw, uri)), authFailed, ""},
		{"empty response", a, authRequest(gosip.REGISTER, `Digest username="alice", realm="acd", nonce="`+nonce+`", uri="`+uri+`", response=""`), authFailed, ""},
		{"not digest: challenged (RFC 3261 §22.1)", a, authRequest(gosip.REGISTER, "Basic YWxpY2U6YWxpY2Utc2VjcmV0"), authMissing, ""},
		{"garbage", a, authRequest(gosip.REGISTER, `Digest username="alice`), authFailed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, got := tt.auth.verify(tt.req)
			if got != tt.want || user != tt.wantU {
				t.Fatalf("verify = %q, %v; want %q, %v\n%s", user, got, tt.wantU, tt.want, tt.req.GetHeaders("Authorization"))
			}
		})
	}
}

// userhashCredentials answers a challenge with userhash=true: the username
// field carries H(username:realm), which we do not look up.
func userhashCredentials(t *testing.T, nonce, password, uri string) string {
	t.Helper()
	cred, err := digest.Digest(&digest.Challenge{Realm: "acd", Nonce: nonce, Algorithm: "SHA-256", QOP: []string{"auth"}, Userhash: true},
		digest.Options{Method: "REGISTER", URI: uri, Username: "alice", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return cred.String()
}

func upperResponse(t *testing.T, authorization string) string {
	t.Helper()
	c, err := digest.ParseCredentials(authorization)
	if err != nil {
		t.Fatal(err)
	}
	c.Response = strings.ToUpper(c.Response)
	return c.String()
}

func TestChallengeHeaders(t *testing.T) {
	t.Parallel()
	a := NewAuthenticator("acd", []string{"MD5", "SHA-256"}, testPassword)
	req := authRequest(gosip.REGISTER)
	req.AppendHeader(&gosip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP", Host: "127.0.0.1", Port: 5060, Params: gosip.NewParams()})
	for _, stale := range []bool{false, true} {
		res := a.challenge(req, stale)
		if res.StatusCode != gosip.StatusUnauthorized {
			t.Fatalf("challenge status %d", res.StatusCode)
		}
		chs := challenges(t, res)
		if len(chs) != 2 || chs[0].Algorithm != "MD5" || chs[1].Algorithm != "SHA-256" {
			t.Fatalf("challenges %v, want MD5 then SHA-256 as configured", res.GetHeaders("WWW-Authenticate"))
		}
		for _, ch := range chs {
			if ch.Stale != stale || !a.nonceValid(ch.Nonce) || !slices.Equal(ch.QOP, []string{"auth"}) {
				t.Fatalf("challenge %+v: want stale=%v, a live nonce and qop=auth", ch, stale)
			}
		}
	}
	// No algorithms configured means both, SHA-256 first.
	d := NewAuthenticator("acd", nil, testPassword)
	if chs := challenges(t, d.challenge(req, false)); len(chs) != 2 || chs[0].Algorithm != "SHA-256" || chs[1].Algorithm != "MD5" {
		t.Fatalf("default challenges %+v", chs)
	}
}
