package redisstore

import (
	"reflect"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/internal/redistest"
)

// TestContactsOf: the batched read gives every user what Contacts gives,
// leaves out users without a live binding and prunes lapsed bindings.
func TestContactsOf(t *testing.T) {
	t.Parallel()
	s := nodes(t, redistest.Start(t), 0, 1)[0]
	reg := func(user, uri string, exp time.Time) {
		t.Helper()
		if err := s.Register(ctx, user, acd.Contact{URI: uri, Transport: "udp", Expires: exp}); err != nil {
			t.Fatal(err)
		}
	}
	reg("u1", "sip:u1@a", at(100))
	reg("u1", "sip:u1@b", at(100))
	reg("u2", "sip:u2@a", at(5)) // lapsed at 10
	reg("u3", "sip:u3@a", at(5))
	reg("u3", "sip:u3@b", at(100))

	got, err := s.ContactsOf(ctx, []string{"u1", "u2", "u3", "nobody"}, at(10))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"u1", "u2", "u3", "nobody"} {
		want, err := s.Contacts(ctx, u, at(10))
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			if _, ok := got[u]; ok {
				t.Errorf("%s: %v, want no entry", u, got[u])
			}
			continue
		}
		if !reflect.DeepEqual(got[u], want) {
			t.Errorf("%s: %v, want %v", u, got[u], want)
		}
	}
	if n, err := s.rdb.HLen(ctx, s.contactsKey("u3")).Result(); err != nil || n != 1 {
		t.Errorf("u3 keeps %d bindings (%v), want the lapsed one pruned", n, err)
	}
	if got, err := s.ContactsOf(ctx, nil, at(10)); err != nil || len(got) != 0 {
		t.Errorf("ContactsOf(nil) = %v, %v", got, err)
	}
}
