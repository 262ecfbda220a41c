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

// Registration limits (RFC 3261 §10.2.1.1, §10.3 step 7).
const (
	defaultExpires = 3600 * time.Second
	maxExpires     = 3600 * time.Second
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
	for _, h := range req.GetHeaders("Contact") {
		ch, ok := h.(*gosip.ContactHeader)
		if !ok {
			return gosip.NewResponseFromRequest(req, gosip.StatusBadRequest, "Bad Contact", nil)
		}
		if ch.Address.Wildcard {
			// §10.3 step 6: "*" only with Expires: 0, removes every binding.
			if headerExpires != 0 || len(req.GetHeaders("Contact")) != 1 {
				return gosip.NewResponseFromRequest(req, gosip.StatusBadRequest, "Wildcard Contact needs Expires: 0", nil)
			}
			if err := r.store.Unregister(ctx, user, "*"); err != nil {
				return r.storeFailure(req, err)
			}
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
		uri := ch.Address.String()
		if exp == 0 {
			if err := r.store.Unregister(ctx, user, uri); err != nil {
				return r.storeFailure(req, err)
			}
			continue
		}
		if exp < minExpires {
			res := gosip.NewResponseFromRequest(req, gosip.StatusIntervalToBrief, "Interval Too Brief", nil)
			res.AppendHeader(gosip.NewHeader("Min-Expires", strconv.Itoa(int(minExpires/time.Second))))
			return res
		}
		exp = min(exp, maxExpires)
		c := acd.Contact{URI: uri, Source: req.Source(), Transport: strings.ToLower(req.Transport()),
			Expires: now.Add(exp), CallID: callID, CSeq: cseq}
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
