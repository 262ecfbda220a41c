package sip

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// contactOf builds a Contact for user at port, with an expires parameter
// when expires >= 0.
func contactOf(user string, port, expires int) *gosip.ContactHeader {
	c := &gosip.ContactHeader{Address: gosip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: port}, Params: gosip.NewParams()}
	if expires >= 0 {
		c.Params.Add("expires", strconv.Itoa(expires))
	}
	return c
}

// bindings reads the Contact headers of a REGISTER's 200 as URI → expires.
func bindings(t *testing.T, res *gosip.Response) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, h := range res.GetHeaders("Contact") {
		ch, ok := h.(*gosip.ContactHeader)
		if !ok {
			t.Fatalf("Contact %q not parsed", h.Value())
		}
		v, ok := ch.Params.Get("expires")
		if !ok {
			t.Fatalf("Contact %q in the 200 has no expires parameter (RFC 3261 §10.3 step 8)", h.Value())
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("Contact %q: expires %q", h.Value(), v)
		}
		out[ch.Address.String()] = n
	}
	return out
}

// near reports whether got is want seconds give or take the one second a
// slow run may lose between the REGISTER and its 200.
func near(got, want int) bool { return got <= want && got >= want-2 }

func mustStatus(t *testing.T, res *gosip.Response, code int) {
	t.Helper()
	if res.StatusCode != code {
		t.Fatalf("got %d %s, want %d\n%s", res.StatusCode, res.Reason, code, res)
	}
}

func TestRegistrar(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		first []string
	)
	h := newHarness(t, withFirstContact(func(u string) {
		mu.Lock()
		defer mu.Unlock()
		first = append(first, u)
	}))
	firstContacts := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(first)
	}
	ctx := testCtx(t)
	p := h.newPhone(t, "alice")
	port := p.contact.Address.Port
	c1, c2 := contactOf("alice", port, -1), contactOf("alice", port+1000, -1)
	uri1, uri2 := c1.Address.String(), c2.Address.String()

	register := func(expires string, contacts ...gosip.Header) *gosip.Response {
		t.Helper()
		req := p.newRegister("alice")
		for _, c := range contacts {
			req.AppendHeader(c)
		}
		if expires != "" {
			req.AppendHeader(gosip.NewHeader("Expires", expires))
		}
		ch, res := p.doAuth(t, ctx, req)
		if ch == nil {
			t.Fatalf("REGISTER was not challenged: %d", res.StatusCode)
		}
		return res
	}

	t.Run("one contact", func(t *testing.T) {
		res := register("60", c1.Clone())
		mustStatus(t, res, 200)
		if b := bindings(t, res); len(b) != 1 || !near(b[uri1], 60) {
			t.Fatalf("bindings %v, want %s for 60 s", b, uri1)
		}
		if got := firstContacts(); !slices.Equal(got, []string{"alice"}) {
			t.Fatalf("onFirstContact calls %v, want once for alice", got)
		}
		cs := h.contacts(t, "alice")
		if len(cs) != 1 || cs[0].URI != uri1 || cs[0].Transport != "udp" || cs[0].Source != p.conn.LocalAddr().String() {
			t.Fatalf("stored contacts %+v", cs)
		}
	})
	t.Run("refresh keeps one binding", func(t *testing.T) {
		res := register("120", c1.Clone())
		mustStatus(t, res, 200)
		if b := bindings(t, res); len(b) != 1 || !near(b[uri1], 120) {
			t.Fatalf("bindings %v, want only %s for 120 s", b, uri1)
		}
		if n := len(h.contacts(t, "alice")); n != 1 {
			t.Fatalf("%d stored contacts after refresh, want 1", n)
		}
	})
	t.Run("second contact", func(t *testing.T) {
		res := register("90", c2.Clone())
		mustStatus(t, res, 200)
		b := bindings(t, res)
		if len(b) != 2 || !near(b[uri1], 120) || !near(b[uri2], 90) {
			t.Fatalf("bindings %v, want both contacts", b)
		}
		if got := firstContacts(); len(got) != 1 {
			t.Fatalf("onFirstContact calls %v, want still one", got)
		}
	})
	t.Run("query without Contact lists bindings", func(t *testing.T) {
		res := register("")
		mustStatus(t, res, 200)
		if b := bindings(t, res); len(b) != 2 {
			t.Fatalf("bindings %v, want both", b)
		}
	})
	t.Run("contact expires param beats Expires header", func(t *testing.T) {
		res := register("300", contactOf("alice", port, 45), c2.Clone())
		mustStatus(t, res, 200)
		b := bindings(t, res)
		if !near(b[uri1], 45) || !near(b[uri2], 300) {
			t.Fatalf("bindings %v, want %s 45 s (param) and %s 300 s (header)", b, uri1, uri2)
		}
	})
	t.Run("expires above the maximum is cut to it", func(t *testing.T) {
		over := int((maxExpires + time.Hour) / time.Second)
		res := register(strconv.Itoa(over), c1.Clone())
		mustStatus(t, res, 200)
		if b := bindings(t, res); !near(b[uri1], int(maxExpires/time.Second)) {
			t.Fatalf("bindings %v, want %s cut to %v", b, uri1, maxExpires)
		}
	})
	t.Run("too brief", func(t *testing.T) {
		res := register("", contactOf("alice", port, int(minExpires/time.Second)-1))
		mustStatus(t, res, gosip.StatusIntervalToBrief)
		if h := res.GetHeader("Min-Expires"); h == nil || h.Value() != strconv.Itoa(int(minExpires/time.Second)) {
			t.Fatalf("423 without Min-Expires: %v", h)
		}
		if n := len(h.contacts(t, "alice")); n != 2 {
			t.Fatalf("%d contacts after a refused REGISTER, want 2", n)
		}
	})
	t.Run("a refused REGISTER changes no binding", func(t *testing.T) {
		// RFC 3261 §10.3 step 7: bindings change if and only if every
		// update of the request succeeds.
		c3 := contactOf("alice", port+2000, 60)
		res := register("", contactOf("alice", port, 0), c3, contactOf("alice", port+3000, 1))
		mustStatus(t, res, gosip.StatusIntervalToBrief)
		res = register("0", c3.Clone(), gosip.NewHeader("Contact", "*"))
		mustStatus(t, res, gosip.StatusBadRequest)
		var got []string
		for _, c := range h.contacts(t, "alice") {
			got = append(got, c.URI)
		}
		slices.Sort(got)
		if want := []string{uri1, uri2}; !slices.Equal(got, want) {
			t.Fatalf("contacts %v after refused REGISTERs, want %v unchanged", got, want)
		}
	})
	t.Run("expires=0 removes one", func(t *testing.T) {
		res := register("", contactOf("alice", port+1000, 0))
		mustStatus(t, res, 200)
		if b := bindings(t, res); len(b) != 1 || b[uri1] == 0 {
			t.Fatalf("bindings %v, want only %s", b, uri1)
		}
	})
	t.Run("wildcard without Expires 0", func(t *testing.T) {
		mustStatus(t, register("", gosip.NewHeader("Contact", "*")), gosip.StatusBadRequest)
		mustStatus(t, register("60", gosip.NewHeader("Contact", "*")), gosip.StatusBadRequest)
		mustStatus(t, register("0", gosip.NewHeader("Contact", "*"), c2.Clone()), gosip.StatusBadRequest)
		if n := len(h.contacts(t, "alice")); n != 1 {
			t.Fatalf("%d contacts after refused wildcards, want 1", n)
		}
	})
	t.Run("wildcard with Expires 0 removes all", func(t *testing.T) {
		register("60", c2.Clone())
		res := register("0", gosip.NewHeader("Contact", "*"))
		mustStatus(t, res, 200)
		if b := bindings(t, res); len(b) != 0 {
			t.Fatalf("bindings %v after *, want none", b)
		}
		if n := len(h.contacts(t, "alice")); n != 0 {
			t.Fatalf("%d contacts after *, want 0", n)
		}
	})
	t.Run("first binding again calls the hook again", func(t *testing.T) {
		mustStatus(t, register("60", c1.Clone()), 200)
		if got := firstContacts(); !slices.Equal(got, []string{"alice", "alice"}) {
			t.Fatalf("onFirstContact calls %v, want a second call after all bindings went", got)
		}
	})
	t.Run("another user's AOR", func(t *testing.T) {
		req := p.newRegister("bob")
		req.AppendHeader(c1.Clone())
		_, res := p.doAuth(t, ctx, req)
		mustStatus(t, res, gosip.StatusForbidden)
		if n := len(h.contacts(t, "bob")); n != 0 {
			t.Fatalf("alice registered %d contacts for bob", n)
		}
	})
}

// A phone registering over TCP is stored with transport tcp and the
// connection's source, which the ACD calls it back on.
func TestRegistrarTCP(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := testCtx(t)
	p := h.newPhone(t, "bob", overTCP())
	mustStatus(t, p.register(t, ctx, 60), 200)
	cs := h.contacts(t, "bob")
	if len(cs) != 1 || cs[0].Transport != "tcp" || cs[0].Source == "" {
		t.Fatalf("stored contacts %+v, want one tcp binding with its source", cs)
	}
	if a := h.agent(t, "a2"); a.State.String() != "available" {
		t.Fatalf("bob's agent is %s after the first registration, want available (logged in)", a.State)
	}
}
