package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
)

var contactTests = []contractTest{
	{"ContactsUnknownUserEmpty", testContactsEmpty},
	{"RegisterRefreshSameURI", testRegisterRefresh},
	{"RegisterSeveralContactsPerUser", testRegisterSeveral},
	{"UnregisterOne", testUnregisterOne},
	{"UnregisterAll", testUnregisterAll},
	{"ContactsFiltersExpired", testContactsExpiry},
}

// contact is a UDP binding for uri that lapses ttl after t0.
func contact(uri string, ttl time.Duration, cseq uint32) acd.Contact {
	return acd.Contact{
		URI: uri, Source: "192.0.2.10:5060", Transport: "udp",
		Expires: t0.Add(ttl), CallID: "reg-" + uri, CSeq: cseq,
	}
}

func mustRegister(t *testing.T, s acd.Store, user string, cs ...acd.Contact) {
	t.Helper()
	for _, c := range cs {
		if err := s.Register(ctx, user, c); err != nil {
			t.Fatalf("Register(%s, %s): %v", user, c.URI, err)
		}
	}
}

// contactsAt returns user's contacts at now sorted by URI, since the
// contract does not fix their order.
func contactsAt(t *testing.T, s acd.Store, user string, now time.Time) []acd.Contact {
	t.Helper()
	cs, err := s.Contacts(ctx, user, now)
	if err != nil {
		t.Fatalf("Contacts(%s, %v): %v", user, now, err)
	}
	cs = slices.Clone(cs)
	slices.SortFunc(cs, func(a, b acd.Contact) int { return strings.Compare(a.URI, b.URI) })
	return cs
}

// wantContacts fails the test unless user has exactly want at now.
func wantContacts(t *testing.T, s acd.Store, user string, now time.Time, want ...acd.Contact) {
	t.Helper()
	got := contactsAt(t, s, user, now)
	same := slices.EqualFunc(got, want, func(a, b acd.Contact) bool {
		return a.URI == b.URI && a.Source == b.Source && a.Transport == b.Transport &&
			a.Expires.Equal(b.Expires) && a.CallID == b.CallID && a.CSeq == b.CSeq
	})
	if !same {
		t.Errorf("Contacts(%s) at %v = %+v, want %+v", user, now.Format(time.TimeOnly), got, want)
	}
}

func testContactsEmpty(t *testing.T, s acd.Store) {
	wantContacts(t, s, "nobody", t0)
	if err := s.Unregister(ctx, "nobody", "sip:x@192.0.2.1"); err != nil {
		t.Errorf("Unregister of a user without contacts: %v", err)
	}
	if err := s.Unregister(ctx, "nobody", "*"); err != nil {
		t.Errorf("Unregister * of a user without contacts: %v", err)
	}
	wantContacts(t, s, "nobody", t0)
}

func testRegisterRefresh(t *testing.T, s acd.Store) {
	first := contact("sip:ann@192.0.2.10:5060", time.Minute, 1)
	mustRegister(t, s, "ann", first)
	wantContacts(t, s, "ann", t0, first)

	refresh := first
	refresh.Expires, refresh.CSeq, refresh.Source = t0.Add(time.Hour), 2, "198.51.100.7:40000"
	mustRegister(t, s, "ann", refresh)
	wantContacts(t, s, "ann", t0, refresh)
	// The refresh carries the binding past its first expiry.
	wantContacts(t, s, "ann", t0.Add(2*time.Minute), refresh)
}

func testRegisterSeveral(t *testing.T, s acd.Store) {
	desk := contact("sip:ann@192.0.2.10:5060", time.Hour, 1)
	mobile := contact("sip:ann@203.0.113.5:5062;transport=tcp", 30*time.Minute, 7)
	mobile.Transport = "tcp"
	bob := contact("sip:bob@192.0.2.11:5060", time.Hour, 1)
	mustRegister(t, s, "ann", mobile, desk)
	mustRegister(t, s, "bob", bob)

	wantContacts(t, s, "ann", t0, desk, mobile)
	wantContacts(t, s, "bob", t0, bob)
}

func testUnregisterOne(t *testing.T, s acd.Store) {
	desk := contact("sip:ann@192.0.2.10:5060", time.Hour, 1)
	mobile := contact("sip:ann@203.0.113.5:5062", time.Hour, 1)
	bob := contact("sip:bob@192.0.2.11:5060", time.Hour, 1)
	mustRegister(t, s, "ann", desk, mobile)
	mustRegister(t, s, "bob", bob)

	if err := s.Unregister(ctx, "ann", desk.URI); err != nil {
		t.Fatalf("Unregister(ann, desk): %v", err)
	}
	wantContacts(t, s, "ann", t0, mobile)
	// Unregistering a URI that is not bound changes nothing.
	if err := s.Unregister(ctx, "ann", desk.URI); err != nil {
		t.Errorf("second Unregister(ann, desk): %v", err)
	}
	// Another user's binding with that URI is not touched.
	if err := s.Unregister(ctx, "ann", bob.URI); err != nil {
		t.Errorf("Unregister(ann, bob's uri): %v", err)
	}
	wantContacts(t, s, "ann", t0, mobile)
	wantContacts(t, s, "bob", t0, bob)
}

func testUnregisterAll(t *testing.T, s acd.Store) {
	bob := contact("sip:bob@192.0.2.11:5060", time.Hour, 1)
	mustRegister(t, s, "ann",
		contact("sip:ann@192.0.2.10:5060", time.Hour, 1),
		contact("sip:ann@203.0.113.5:5062", time.Hour, 1))
	mustRegister(t, s, "bob", bob)

	if err := s.Unregister(ctx, "ann", "*"); err != nil {
		t.Fatalf("Unregister(ann, *): %v", err)
	}
	wantContacts(t, s, "ann", t0)
	wantContacts(t, s, "bob", t0, bob)

	// The user can register again afterwards.
	again := contact("sip:ann@192.0.2.10:5060", time.Hour, 2)
	mustRegister(t, s, "ann", again)
	wantContacts(t, s, "ann", t0, again)
}

// testContactsExpiry: a binding is valid strictly before its
// Expires; at Expires it has lapsed. Calls go forward in time only, so a
// store may prune lapsed bindings when it reads them.
func testContactsExpiry(t *testing.T, s acd.Store) {
	short := contact("sip:ann@192.0.2.10:5060", time.Minute, 1)
	long := contact("sip:ann@203.0.113.5:5062", time.Hour, 1)
	mustRegister(t, s, "ann", short, long)

	wantContacts(t, s, "ann", t0, short, long)
	wantContacts(t, s, "ann", t0.Add(time.Minute-time.Second), short, long)
	wantContacts(t, s, "ann", t0.Add(time.Minute), long)
	wantContacts(t, s, "ann", t0.Add(30*time.Minute), long)
	wantContacts(t, s, "ann", t0.Add(time.Hour))

	// A lapsed binding registered again is live again.
	short.Expires, short.CSeq = t0.Add(2*time.Hour), 2
	mustRegister(t, s, "ann", short)
	wantContacts(t, s, "ann", t0.Add(90*time.Minute), short)
}
