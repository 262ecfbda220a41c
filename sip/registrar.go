package sip

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
)

// Registration limits (RFC 3261 §10.2.1.1, §10.3 step 7). The maximum is
// kept short because the in-memory store forgets registrations on restart:
// phones then come back within ten minutes at most.
const (
	defaultExpires = 600 * time.Second
	maxExpires     = 600 * time.Second
	minExpires     = 10 * time.Second
)

// Registrar answers agents' REGISTER requests (RFC 3261 §10.3) after digest
// authentication, and keeps their phones' contacts in the store so any node
// can ring them.
type Registrar struct {
	store acd.Store
	auth  *Authenticator
	log   *slog.Logger
	// onFirstContact runs when a username goes from no contact to one, e.g.
	// to log the agent in.
	onFirstContact func(username string)
}

// NewRegistrar builds a registrar over store; onFirstContact may be nil.
func NewRegistrar(store acd.Store, auth *Authenticator, log *slog.Logger, onFirstContact func(username string)) *Registrar {
	return &Registrar{store: store, auth: auth, log: log, onFirstContact: onFirstContact}
}

// handle processes one REGISTER and returns the response to send.
func (r *Registrar) handle(ctx context.Context, req *gosip.Request) *gosip.Response {
	user, verdict := r.auth.verify(req)
	switch verdict {
	case authMissing:
		return r.auth.challenge(req, false)
	case authStale:
		return r.auth.challenge(req, true)
	case authFailed:
		r.log.Info("register refused", "source", req.Source())
		return gosip.NewResponseFromRequest(req, gosip.StatusForbidden, "Forbidden", nil)
	}
	to := req.To()
	if to == nil || to.Address.User != user {
		// §10.3 step 6: the authenticated user may only register its own AOR.
		return gosip.NewResponseFromRequest(req, gosip.StatusForbidden, "Forbidden", nil)
	}
	now := time.Now()
	before, err := r.store.Contacts(ctx, user, now)
	if err != nil {
		return r.storeFailure(req, err)
	}
	headerExpires := time.Duration(-1)
	if h := req.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n >= 0 {
			headerExpires = time.Duration(n) * time.Second
		}
	}
	callID, cseq := "", uint32(0)
	if h := req.CallID(); h != nil {
		callID = h.Value()
	}
	if h := req.CSeq(); h != nil {
		cseq = h.SeqNo
	}
	// §10.3 step 7: bindings change if and only if every update of the
	// request is valid, so the whole request is checked before the store
	// is touched.
	type update struct {
		uri string
		exp time.Duration // 0 removes the binding; "*" removes them all
	}
	var updates []update
	contacts := req.GetHeaders("Contact")
	for _, h := range contacts {
		ch, ok := h.(*gosip.ContactHeader)
		if !ok {
			return gosip.NewResponseFromRequest(req, gosip.StatusBadRequest, "Bad Contact", nil)
		}
		if ch.Address.Wildcard {
			// §10.3 step 6: "*" only with Expires: 0, removes every binding.
			if headerExpires != 0 || len(contacts) != 1 {
				return gosip.NewResponseFromRequest(req, gosip.StatusBadRequest, "Wildcard Contact needs Expires: 0", nil)
			}
			updates = append(updates, update{uri: "*"})
			continue
		}
		exp := headerExpires
		if v, ok := ch.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				exp = time.Duration(n) * time.Second
			}
		}
		if exp < 0 {
			exp = defaultExpires
		}
		if exp > 0 && exp < minExpires {
			res := gosip.NewResponseFromRequest(req, gosip.StatusIntervalToBrief, "Interval Too Brief", nil)
			res.AppendHeader(gosip.NewHeader("Min-Expires", strconv.Itoa(int(minExpires/time.Second))))
			return res
		}
		updates = append(updates, update{uri: ch.Address.String(), exp: min(exp, maxExpires)})
	}
	for _, u := range updates {
		if u.exp == 0 {
			if err := r.store.Unregister(ctx, user, u.uri); err != nil {
				return r.storeFailure(req, err)
			}
			continue
		}
		c := acd.Contact{URI: u.uri, Source: req.Source(), Transport: strings.ToLower(req.Transport()),
			Expires: now.Add(u.exp), CallID: callID, CSeq: cseq}
		if err := r.store.Register(ctx, user, c); err != nil {
			return r.storeFailure(req, err)
		}
	}
	after, err := r.store.Contacts(ctx, user, now)
	if err != nil {
		return r.storeFailure(req, err)
	}
	res := gosip.NewResponseFromRequest(req, gosip.StatusOK, "OK", nil)
	for _, c := range after {
		var uri gosip.Uri
		if err := gosip.ParseUri(c.URI, &uri); err != nil {
			continue
		}
		ch := &gosip.ContactHeader{Address: uri, Params: gosip.NewParams()}
		ch.Params.Add("expires", strconv.Itoa(int(c.Expires.Sub(now).Round(time.Second)/time.Second)))
		res.AppendHeader(ch)
	}
	res.AppendHeader(gosip.NewHeader("Date", now.UTC().Format(time.RFC1123)))
	if len(before) == 0 && len(after) > 0 {
		r.log.Info("agent phone registered", "user", user, "contacts", len(after))
		if r.onFirstContact != nil {
			r.onFirstContact(user)
		}
	}
	return res
}

func (r *Registrar) storeFailure(req *gosip.Request, err error) *gosip.Response {
	r.log.Error("register: store unavailable", "err", err)
	res := gosip.NewResponseFromRequest(req, gosip.StatusServiceUnavailable, "Service Unavailable", nil)
	res.AppendHeader(gosip.NewHeader("Retry-After", "30"))
	return res
}
