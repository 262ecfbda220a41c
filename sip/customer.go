package sip

import (
	"context"
	"strings"
	"time"
	"unicode"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/queue"
)

// Customer is what the customer file says about a caller: who they are,
// for the agent's phone, and how to route them.
type Customer struct {
	// Name and Account go to the agent's phone only: in the From display
	// name and the X-ACD-Customer header of the agent leg's INVITE.
	Name, Account string
	// Priority is the priority the customer's calls get at least (0: the
	// queue's).
	Priority int
	// Preferred is the agent the call should wait for during its first
	// PreferFor ("" for none).
	Preferred string
	PreferFor time.Duration
}

// customerLookupTimeout bounds the customer lookup of one INVITE.
const customerLookupTimeout = 2 * time.Second

// identify looks the caller up in the customer file, if there is one, and
// sets what it says on the call: the priority (never below the queue's)
// and the preferred agent. It returns the customer for the agent leg, nil
// for an unknown caller. Only the masked number is logged.
func (s *Server) identify(call *queue.Call, q acd.QueueConfig) *Customer {
	if s.cfg.LookupCustomer == nil || call.Caller == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), customerLookupTimeout)
	defer cancel()
	c, ok := s.cfg.LookupCustomer(ctx, call.Caller, q.Name)
	if !ok {
		return nil
	}
	call.Priority = max(call.Priority, q.Priority, c.Priority)
	call.Preferred, call.PreferFor = c.Preferred, c.PreferFor
	s.log.Info("known customer calling", "call_id", call.ID, "queue", q.Name, "caller", acd.MaskNumber(call.Caller),
		"priority", call.Priority, "preferred", c.Preferred, "prefer_for", c.PreferFor)
	return &c
}

// Limits on what the agent leg carries of a customer, in characters.
const (
	maxDisplayName = 64
	maxAccount     = 64
)

// displayName is the From display name of the agent leg: the customer's
// name, or else the caller's number, ready to go between the quotes
// sipgo writes around it.
func (l *callerLeg) displayName() string {
	if l.customer != nil && strings.TrimSpace(l.customer.Name) != "" {
		return quotedText(l.customer.Name, maxDisplayName)
	}
	return quotedText(l.call.Caller, maxDisplayName)
}

// customerHeader is the agent leg's X-ACD-Customer header, nil for an
// unknown caller: X-ACD-Customer: name="Dupont"; account="C-42".
func (l *callerLeg) customerHeader() gosip.Header {
	if l.customer == nil {
		return nil
	}
	return gosip.NewHeader("X-ACD-Customer", `name="`+quotedText(l.customer.Name, maxDisplayName)+
		`"; account="`+quotedText(l.customer.Account, maxAccount)+`"`)
}

// quotedText makes s safe inside a SIP quoted-string (RFC 3261 §25.1):
// control characters, CR and LF above all (which would end the header and
// start one of the caller's choosing), are dropped, invalid UTF-8 is
// replaced, '"' and '\' are escaped, and the text is cut to max
// characters.
func quotedText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			continue
		}
		if n == max {
			break
		}
		n++
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
