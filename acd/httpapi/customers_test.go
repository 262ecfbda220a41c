package httpapi_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd/customers"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/agents"
)

// serveCustomers starts the API with the customer routes over a customer
// file holding Dupont (VIP, last served by 1002).
func serveCustomers(t *testing.T, token string) (*client, *customers.Directory) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "customers.csv")
	if err := os.WriteFile(path, []byte("number,name,account,vip,last_agent,last_call\n"+
		"06 12 34 56 78,Dupont,C-42,yes,1002,2026-03-02T09:30:00Z\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, err := customers.Open(path, customers.Options{DefaultCountry: "33", PreferTime: 15 * time.Second, VIPPriority: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dir.Close() })
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := httpapi.WithCustomers(httpapi.New(&fakeEngine{}, token, log), dir, token, log)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &client{t: t, base: srv.URL, token: token}, dir
}

func (r response) customer(t *testing.T) customers.Customer {
	t.Helper()
	var c customers.Customer
	r.decode(t, &c)
	return c
}

func TestCustomersCRUD(t *testing.T) {
	c, dir := serveCustomers(t, "tok")

	var list httpapi.CustomerList
	c.do("GET", "/api/customers", "").want(t, http.StatusOK).decode(t, &list)
	if list.Total != 1 || list.Customers[0].Name != "Dupont" || list.Customers[0].Number != "+33612345678" {
		t.Fatalf("list %+v", list)
	}
	for _, p := range []string{"/api/customers/0612345678", "/api/customers/+33612345678", "/api/customers/%2B33612345678", "/api/customers/06%2012%2034%2056%2078"} {
		if got := c.do("GET", p, "").want(t, http.StatusOK).customer(t); got.Account != "C-42" || !got.VIP {
			t.Errorf("GET %s: %+v", p, got)
		}
	}
	c.do("GET", "/api/customers/0699999999", "").want(t, http.StatusNotFound)
	c.do("GET", "/api/customers/anonymous", "").want(t, http.StatusBadRequest)

	// Create, then conflict.
	r := c.do("POST", "/api/customers", `{"number":"+44 20 7946 0000","name":"Martin","account":"C-7","priority":3,"preferred_agent":"1001"}`).
		want(t, http.StatusCreated)
	if loc := r.header.Get("Location"); loc != "/api/customers/+442079460000" {
		t.Errorf("Location %q", loc)
	}
	if got := r.customer(t); got.Number != "+442079460000" || got.PreferredAgent != "1001" || got.Priority != 3 {
		t.Errorf("created %+v", got)
	}
	c.do("POST", "/api/customers", `{"number":"0044 20 7946 0000","name":"Twin"}`).want(t, http.StatusConflict)

	// PUT keeps the last agent unless the body names it.
	got := c.do("PUT", "/api/customers/0612345678", `{"name":"Dupont SA","account":"C-42","vip":true}`).want(t, http.StatusOK).customer(t)
	if got.Name != "Dupont SA" || got.LastAgent != "1002" || got.LastCall.IsZero() {
		t.Errorf("PUT without last agent: %+v, want it kept", got)
	}
	got = c.do("PUT", "/api/customers/0612345678", `{"name":"Dupont SA","last_agent":""}`).want(t, http.StatusOK).customer(t)
	if got.LastAgent != "" || !got.LastCall.IsZero() || got.VIP {
		t.Errorf("PUT with an empty last agent: %+v, want a full replace", got)
	}
	c.do("PUT", "/api/customers/0600000001", `{"name":"New"}`).want(t, http.StatusCreated)
	c.do("PUT", "/api/customers/0600000001", `{"number":"0600000002"}`).want(t, http.StatusBadRequest)

	// Bad bodies.
	for _, body := range []string{
		`{"number":"0600000003","name":"Evil\r\nX-Injected: 1"}`,
		`{"number":"0600000003","nmae":"typo"}`,
		`{"number":"0600000003","priority":-1}`,
		`{"number":"0600000003","preferred_agent":"bob smith"}`,
		`{"number":"not a number"}`,
		`{"name":"no number"}`,
		`{"number":"0600000003"} {}`,
		`[1]`,
	} {
		e := c.do("POST", "/api/customers", body).want(t, http.StatusBadRequest).errorText(t)
		t.Logf("%s → %s", body, e.Error)
	}
	c.do("POST", "/api/customers", `{"number":"0600000003","name":"`+strings.Repeat("x", 20<<10)+`"}`).want(t, http.StatusRequestEntityTooLarge)

	// Delete.
	c.do("DELETE", "/api/customers/+442079460000", "").want(t, http.StatusNoContent)
	c.do("DELETE", "/api/customers/+442079460000", "").want(t, http.StatusNotFound)

	// Everything is in the file.
	again, err := customers.Open(dir.Path(), customers.Options{DefaultCountry: "33"})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	var numbers []string
	for _, cu := range again.List() {
		numbers = append(numbers, cu.Number+"="+cu.Name)
	}
	if want := "+33600000001=New +33612345678=Dupont SA"; strings.Join(numbers, " ") != want {
		t.Errorf("file holds %v, want %s", numbers, want)
	}
}

func TestCustomersImport(t *testing.T) {
	c, dir := serveCustomers(t, "")
	var res customers.ImportResult
	c.do("POST", "/api/customers/import", "number;name;vip\n06 12 34 56 78;Dupont SA;yes\n0600000001;New;\n", "Content-Type", "text/csv").
		want(t, http.StatusOK).decode(t, &res)
	if res != (customers.ImportResult{Created: 1, Updated: 1, Total: 2}) {
		t.Errorf("import %+v", res)
	}
	if cu, _ := dir.Lookup("0612345678"); cu.Name != "Dupont SA" || cu.LastAgent != "1002" {
		t.Errorf("Dupont after import: %+v, want the new name and the last agent kept", cu)
	}

	e := c.do("POST", "/api/customers/import", "number,name\n0600000002,Ok\nabc,Bad\n0600000003,x,y\n").want(t, http.StatusBadRequest).errorText(t)
	if !strings.Contains(e.Error, "import:3: number") {
		t.Errorf("error %q, want the bad line named", e.Error)
	}
	if dir.Len() != 2 {
		t.Errorf("a failed import changed the directory: %d customers", dir.Len())
	}
	c.do("POST", "/api/customers/import?replace=maybe", "number\n").want(t, http.StatusBadRequest)
	c.do("POST", "/api/customers/import?replace=true", "number,name\n0600000001,Only\n").want(t, http.StatusOK).decode(t, &res)
	if res != (customers.ImportResult{Updated: 1, Deleted: 1, Total: 1}) || dir.Len() != 1 {
		t.Errorf("replace import %+v (%d customers)", res, dir.Len())
	}
	// A whole file is allowed, far above the limit of other routes.
	big := "number,name\n" + strings.Repeat("0600000001,Only\n", 0) + bigCSV(2000)
	c.do("POST", "/api/customers/import", big).want(t, http.StatusOK).decode(t, &res)
	if res.Total != 2001 {
		t.Errorf("big import: %+v", res)
	}
}

func bigCSV(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("+3310")
		b.WriteString(strings.Repeat("0", 6-len(itoa(i))) + itoa(i))
		b.WriteString(",Customer with a fairly long name for size\n")
	}
	return b.String()
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestCustomersAuthAndOtherRoutes: the customer routes need the token like
// the rest of /api/, refuse cross-origin changes, and leave the other
// routes to the handler they wrap.
func TestCustomersAuthAndOtherRoutes(t *testing.T) {
	c, _ := serveCustomers(t, "s3cret")
	anon := *c
	anon.token = ""
	for _, p := range []string{"/api/customers", "/api/customers/0612345678"} {
		anon.do("GET", p, "").want(t, http.StatusUnauthorized)
	}
	anon.do("POST", "/api/customers/import", "number\n").want(t, http.StatusUnauthorized)
	anon.do("GET", "/healthz", "").want(t, http.StatusOK)
	anon.do("GET", "/api/queues", "").want(t, http.StatusUnauthorized)
	c.do("GET", "/api/queues", "").want(t, http.StatusOK)
	c.do("DELETE", "/api/customers/0612345678", "", "Sec-Fetch-Site", "cross-site").want(t, http.StatusForbidden)
	c.do("GET", "/api/customers/0612345678", "").want(t, http.StatusOK)
}

func TestSetSkills(t *testing.T) {
	f := &fakeEngine{agent: agents.Agent{ID: "a1", Username: "alice", State: agents.Available, Queues: []string{"support"}}}
	c := serve(t, f, "tok")
	a := c.do("PUT", "/api/agents/a1/skills", `{"billing":4,"french":2}`).want(t, http.StatusOK).agent(t)
	if a.Skills["billing"] != 4 || a.Skills["french"] != 2 || a.State != agents.Available {
		t.Errorf("reply %+v", a)
	}
	c.do("PUT", "/api/agents/a1/skills", `{}`).want(t, http.StatusOK)
	for _, body := range []string{`{"billing":6}`, `{"billing":0}`, `{"Billing":3}`, `{"billing":4.5}`, `null`, `[]`, `{"a":1} x`} {
		c.do("PUT", "/api/agents/a1/skills", body).want(t, http.StatusBadRequest)
	}
	got := f.received()
	if len(got) != 2 || got[0].id != "a1" || got[0].skills["billing"] != 4 || len(got[1].skills) != 0 || got[1].skills == nil {
		t.Errorf("engine got %+v", got)
	}
	anon := *c
	anon.token = ""
	anon.do("PUT", "/api/agents/a1/skills", `{"billing":4}`).want(t, http.StatusUnauthorized)
}
