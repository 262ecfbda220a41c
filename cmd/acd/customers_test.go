package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd/customers"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/sip"
)

// TestCustomerLookupPicksAReachablePreferredAgent: the preferred agent
// first, else the last one, but only one who serves the call's queue and
// is logged in; the priority is the customer's, VIP included.
func TestCustomerLookupPicksAReachablePreferredAgent(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	for _, a := range []agents.Agent{
		{ID: "on", Username: "on", Queues: []string{"support"}},
		{ID: "off", Username: "off", Queues: []string{"support"}},
		{ID: "sales", Username: "sales", Queues: []string{"sales"}},
	} {
		if err := store.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"on", "sales"} {
		if _, err := store.Apply(ctx, id, agents.Event{Kind: agents.Login}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "customers.csv")
	if err := os.WriteFile(path, []byte("number,name,account,priority,vip,preferred_agent,last_agent\n"+
		"0600000001,Offline pref,A1,,yes,off,on\n"+
		"0600000002,Pref,A2,3,,on,off\n"+
		"0600000003,Other queue,A3,,,sales,\n"+
		"0600000004,Gone,A4,,,gone,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, err := customers.Open(path, customers.Options{DefaultCountry: "33", PreferTime: 15 * time.Second, VIPPriority: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	lookup := customerLookup(dir, store, slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		number string
		want   sip.Customer
		known  bool
	}{
		{"+33600000001", sip.Customer{Name: "Offline pref", Account: "A1", Priority: 10, Preferred: "on", PreferFor: 15 * time.Second}, true},
		{"0600000002", sip.Customer{Name: "Pref", Account: "A2", Priority: 3, Preferred: "on", PreferFor: 15 * time.Second}, true},
		{"0600000003", sip.Customer{Name: "Other queue", Account: "A3"}, true},
		{"0600000004", sip.Customer{Name: "Gone", Account: "A4"}, true},
		{"0600000009", sip.Customer{}, false},
		{"anonymous", sip.Customer{}, false},
	} {
		got, ok := lookup(ctx, tc.number, "support")
		if ok != tc.known || got != tc.want {
			t.Errorf("lookup(%s) = %+v, %v; want %+v, %v", tc.number, got, ok, tc.want, tc.known)
		}
	}
	if customerLookup(nil, store, nil) != nil {
		t.Error("a lookup without a customer file")
	}
}

// TestCheckConfigReadsTheCustomerFile: check-config also reads the
// customer file, so a bad line is found before a restart, and writes
// nothing.
func TestCheckConfigReadsTheCustomerFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "acd.yaml")
	if err := os.WriteFile(cfg, []byte("queues:\n  - {name: support, number: \"100\"}\nagents:\n  - {id: a1, password: p, queues: [support]}\n"+
		"customers: {file: customers.csv, default_country: \"33\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "customers.csv")
	for _, tc := range []struct {
		content, want string
		code          int
	}{
		{"number,name\n06 12 34 56 78,Dupont\n", "ok (1 queues, 1 agents, 1 customers)", 0},
		{"number,name\nnot a number,Dupont\n", "customers.csv:2: number:", 1},
	} {
		if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errOut strings.Builder
		code := checkConfigCommand([]string{cfg}, &out, &errOut)
		if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.want) {
			t.Errorf("check-config = %d, %q %q; want %d and %q", code, out.String(), errOut.String(), tc.code, tc.want)
		}
		if b, _ := os.ReadFile(file); string(b) != tc.content {
			t.Errorf("check-config rewrote the customer file:\n%s", b)
		}
	}
}
