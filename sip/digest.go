package sip

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	gosip "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// authResult says what to answer a request that may carry credentials.
type authResult int

const (
	// authMissing: no credentials for our realm: send a challenge.
	authMissing authResult = iota
	// authStale: right form but our nonce expired or is unknown: challenge
	// again with stale=true so the phone retries without asking the user
	// (RFC 3261 §22.4, RFC 2617 §3.2.1).
	authStale
	// authFailed: wrong password or unknown user, indistinguishable from
	// outside so extensions cannot be enumerated.
	authFailed
	// authOK: the credentials match.
	authOK
)

// Authenticator checks SIP digest credentials (RFC 3261 §22, with SHA-256
// per RFC 8760 and MD5 for older phones) against the configured agents.
// Nonces are random, remembered with an expiry, and never shared.
type Authenticator struct {
	realm    string
	algs     []string
	password func(username string) (string, bool)
	ttl      time.Duration

	mu     sync.Mutex
	nonces map[string]time.Time
}

// NewAuthenticator checks credentials in realm, challenging with algs in
// order ("SHA-256", "MD5"); password looks up a SIP username's password.
func NewAuthenticator(realm string, algs []string, password func(username string) (string, bool)) *Authenticator {
	if len(algs) == 0 {
		algs = []string{"SHA-256", "MD5"}
	}
	return &Authenticator{realm: realm, algs: algs, password: password, ttl: 5 * time.Minute, nonces: map[string]time.Time{}}
}

// challenge builds the 401 for req: one WWW-Authenticate per algorithm in
// the configured order (RFC 8760 §2.4: most preferred first), sharing one
// fresh nonce.
func (a *Authenticator) challenge(req *gosip.Request, stale bool) *gosip.Response {
	nonce := a.newNonce()
	res := gosip.NewResponseFromRequest(req, gosip.StatusUnauthorized, "Unauthorized", nil)
	for _, alg := range a.algs {
		ch := digest.Challenge{Realm: a.realm, Nonce: nonce, Algorithm: alg, QOP: []string{"auth"}, Stale: stale}
		res.AppendHeader(gosip.NewHeader("WWW-Authenticate", ch.String()))
	}
	return res
}

func (a *Authenticator) newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	n := hex.EncodeToString(b[:])
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, exp := range a.nonces {
		if now.After(exp) {
			delete(a.nonces, k)
		}
	}
	a.nonces[n] = now.Add(a.ttl)
	return n
}

func (a *Authenticator) nonceValid(n string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	exp, ok := a.nonces[n]
	return ok && time.Now().Before(exp)
}

// verify checks the Authorization header of req for our realm and returns
// the authenticated username with authOK.
func (a *Authenticator) verify(req *gosip.Request) (string, authResult) {
	var cred *digest.Credentials
	for _, h := range req.GetHeaders("Authorization") {
		if !digest.IsDigest(h.Value()) {
			continue // another scheme: answer with our challenge (RFC 3261 §22.1)
		}
		c, err := digest.ParseCredentials(h.Value())
		if err != nil {
			return "", authFailed
		}
		if c.Realm == a.realm {
			cred = c
			break
		}
	}
	if cred == nil {
		return "", authMissing
	}
	if !a.nonceValid(cred.Nonce) {
		return "", authStale
	}
	alg := strings.ToUpper(cred.Algorithm)
	if alg == "" {
		alg = "MD5" // RFC 2617 §3.2.1: absent means MD5
	}
	if !slices.Contains(a.algs, alg) {
		return "", authFailed
	}
	password, known := a.password(cred.Username)
	if !known {
		password = "\x00no such user" // same work, same answer as a wrong password
	}
	ch := &digest.Challenge{Realm: a.realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	if cred.QOP != "" {
		ch.QOP = []string{cred.QOP}
	}
	want, err := digest.Digest(ch, digest.Options{
		Method: req.Method.String(), URI: cred.URI, Username: cred.Username, Password: password,
		Cnonce: cred.Cnonce, Count: cred.Nc,
	})
	if err != nil || subtle.ConstantTimeCompare([]byte(want.Response), []byte(strings.ToLower(cred.Response))) != 1 || !known {
		return "", authFailed
	}
	return cred.Username, authOK
}
