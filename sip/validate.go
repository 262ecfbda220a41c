package sip

import (
	"slices"
	"strings"

	gosip "github.com/emiago/sipgo/sip"
)

// checkRequest makes the checks RFC 3261 §8.2 asks of a UAS before it looks
// at what a request means, which sipgo leaves to its user: the version, the
// mandatory and single-valued headers, the CSeq method, the Request-URI
// scheme, Require, and for an INVITE the body type we can read and answer
// with. It returns the error response, or nil when the request may go on.
func checkRequest(req *gosip.Request) *gosip.Response {
	reject := func(code int, reason string) *gosip.Response {
		res := gosip.NewResponseFromRequest(req, code, reason, nil)
		res.SipVersion = "SIP/2.0"
		return res
	}
	if !strings.EqualFold(req.SipVersion, "SIP/2.0") {
		return reject(gosip.StatusVersionNotSupported, "Version Not Supported") // §21.5.6
	}
	// §8.1.1: a request without these cannot be answered or matched; code
	// that reads them (req.CallID().Value()) must never see them missing.
	if req.CallID() == nil || req.From() == nil || req.To() == nil || req.CSeq() == nil {
		return reject(gosip.StatusBadRequest, "Missing Call-ID, From, To or CSeq")
	}
	for _, name := range []string{"Call-ID", "From", "To", "CSeq", "Max-Forwards", "Content-Length", "Content-Type"} {
		if len(req.GetHeaders(name)) > 1 {
			return reject(gosip.StatusBadRequest, "Duplicate "+name)
		}
	}
	// §8.1.1.5: the CSeq method matches the request's (sipgo upper-cases
	// the request line's method, so compare without case).
	if !strings.EqualFold(string(req.CSeq().MethodName), string(req.Method)) {
		return reject(gosip.StatusBadRequest, "CSeq Method Mismatch")
	}
	// §8.2.2.1: we only serve SIP and SIPS URIs.
	if s := strings.ToLower(req.Recipient.Scheme); s != "sip" && s != "sips" {
		return reject(416, "Unsupported URI Scheme") // sipgo names 416 by its HTTP meaning
	}
	// §8.2.2.3: we support no extension a request could require.
	var required []string
	for _, h := range req.GetHeaders("Require") {
		for _, tag := range strings.Split(h.Value(), ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				required = append(required, tag)
			}
		}
	}
	if len(required) > 0 {
		res := reject(gosip.StatusBadExtension, "Bad Extension")
		res.AppendHeader(gosip.NewHeader("Unsupported", strings.Join(required, ", ")))
		return res
	}
	switch req.Method {
	case gosip.REGISTER:
		// §10.2: the To of a REGISTER is the address of record, a SIP URI.
		if s := strings.ToLower(req.To().Address.Scheme); s != "sip" && s != "sips" {
			return reject(gosip.StatusBadRequest, "Address Of Record Must Be A SIP URI")
		}
	case gosip.INVITE:
		// §8.2.3: a body we cannot read gets 415 listing what we can.
		if ct := req.ContentType(); len(req.Body()) > 0 && (ct == nil || !isSDP(ct.Value())) {
			res := reject(gosip.StatusUnsupportedMediaType, "Unsupported Media Type")
			res.AppendHeader(gosip.NewHeader("Accept", "application/sdp"))
			return res
		}
		// §21.4.7: our answer carries SDP; a caller who accepts no SDP
		// cannot take it.
		if accepts := req.GetHeaders("Accept"); len(accepts) > 0 && !slices.ContainsFunc(accepts, acceptsSDP) {
			return reject(gosip.StatusNotAcceptable, "Not Acceptable")
		}
	}
	return nil
}

func isSDP(contentType string) bool {
	media, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(media), "application/sdp")
}

func acceptsSDP(h gosip.Header) bool {
	for _, r := range strings.Split(h.Value(), ",") {
		media, _, _ := strings.Cut(r, ";")
		switch strings.ToLower(strings.TrimSpace(media)) {
		case "application/sdp", "application/*", "*/*":
			return true
		}
	}
	return false
}

// knownMethods are the methods of RFC 3261 and its common extensions: one
// we know but do not serve gets 405 with Allow (§8.2.1), any other 501
// (§21.5.2).
var knownMethods = []gosip.RequestMethod{gosip.INVITE, gosip.ACK, gosip.CANCEL, gosip.BYE, gosip.REGISTER, gosip.OPTIONS,
	gosip.SUBSCRIBE, gosip.NOTIFY, gosip.REFER, gosip.INFO, gosip.MESSAGE, gosip.PRACK, gosip.UPDATE, gosip.PUBLISH}

// allowed is the Allow header value: the methods we serve.
const allowed = "INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, INFO"

// onOther answers every method without a handler of its own.
func (s *Server) onOther(req *gosip.Request, tx gosip.ServerTransaction) {
	switch {
	case req.IsAck():
		return // never answered (§17.2.3: an ACK for no transaction is dropped)
	case req.IsCancel():
		// sipgo answers a CANCEL that matches a pending INVITE itself; this
		// one matches none (§9.2).
		s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	if res := checkRequest(req); res != nil {
		s.respond(tx, res)
		return
	}
	if slices.Contains(knownMethods, req.Method) {
		res := gosip.NewResponseFromRequest(req, gosip.StatusMethodNotAllowed, "Method Not Allowed", nil)
		res.AppendHeader(gosip.NewHeader("Allow", allowed))
		s.respond(tx, res)
		return
	}
	s.respond(tx, gosip.NewResponseFromRequest(req, gosip.StatusNotImplemented, "Not Implemented", nil))
}
