package customers

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sme/acd/acd"
)

// reload reads the file as a fresh directory would.
func reload(t *testing.T, d *Directory) []Customer {
	t.Helper()
	_, list, err := d.format.load(d.path, d.opt.DefaultCountry)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	return list
}

func TestCreatePutDelete(t *testing.T) {
	d := open(t, writeFile(t, "customers.csv", sampleCSV))

	if _, err := d.Create(Customer{Number: "06 12 34 56 78", Name: "Twin"}); !errors.Is(err, ErrExists) {
		t.Errorf("Create of an existing number: %v, want ErrExists", err)
	}
	var fe *Error
	if _, err := d.Create(Customer{Number: "+33 6 99", Name: "Bad\nName"}); !errors.As(err, &fe) || fe.Field != "name" {
		t.Errorf("Create with a line break in the name: %v, want a name error", err)
	}
	if _, err := d.Create(Customer{Name: "No number"}); !errors.As(err, &fe) || fe.Field != "number" || fe.Msg != "is required" {
		t.Errorf("Create without a number: %v", err)
	}

	// Put keeps the last agent the ACD recorded unless asked not to.
	c, created, err := d.Put("0612345678", Customer{Name: "Dupont SA", Account: "C-42", VIP: true, LastAgent: "9999"}, true)
	if err != nil || created || c.LastAgent != "1002" || !c.LastCall.Equal(t0) || c.Number != "+33612345678" {
		t.Errorf("Put = %+v, %v, %v; want the update with last agent 1002 kept", c, created, err)
	}
	if c, _, err = d.Put("0612345678", Customer{Name: "Dupont SA"}, false); err != nil || c.LastAgent != "" {
		t.Errorf("Put without keepLast = %+v, %v; want the last agent cleared", c, err)
	}
	if _, _, err := d.Put("0612345678", Customer{Number: "0699999999"}, true); !errors.As(err, &fe) || fe.Field != "number" {
		t.Errorf("Put with another number in the body: %v", err)
	}
	if c, created, err = d.Put("+33 6 00 00 00 01", Customer{Number: "0600000001", Name: "New"}, true); err != nil || !created {
		t.Errorf("Put of a new number = %+v, %v, %v; want created", c, created, err)
	}

	if err := d.Delete("0044 20 7946 0000"); err != nil {
		t.Errorf("Delete: %v", err)
	}
	if err := d.Delete("0044 20 7946 0000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: %v, want ErrNotFound", err)
	}
	if _, err := d.Get("0044 20 7946 0000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of a deleted customer: %v, want ErrNotFound", err)
	}
	if _, err := d.Get("nobody"); !errors.As(err, &fe) {
		t.Errorf("Get of a non-number: %v, want a field error", err)
	}

	want := []Customer{
		{Number: "+33600000001", Name: "New"},
		{Number: "+33612345678", Name: "Dupont SA"},
	}
	if got := d.List(); !reflect.DeepEqual(got, want) {
		t.Errorf("List = %+v, want %+v", got, want)
	}
	if got := reload(t, d); !reflect.DeepEqual(got, want) {
		t.Errorf("file holds %+v, want %+v", got, want)
	}
}

func TestPriorityAndPreferences(t *testing.T) {
	d := open(t, writeFile(t, "c.csv", ""))
	for _, tc := range []struct {
		c    Customer
		want int
	}{
		{Customer{}, 0},
		{Customer{Priority: 3}, 3},
		{Customer{VIP: true}, 10},
		{Customer{VIP: true, Priority: 3}, 10},
		{Customer{VIP: true, Priority: 20}, 20},
	} {
		if got := d.Priority(tc.c); got != tc.want {
			t.Errorf("Priority(%+v) = %d, want %d", tc.c, got, tc.want)
		}
	}
	for _, tc := range []struct {
		c    Customer
		want []string
	}{
		{Customer{}, nil},
		{Customer{LastAgent: "b"}, []string{"b"}},
		{Customer{PreferredAgent: "a", LastAgent: "b"}, []string{"a", "b"}},
		{Customer{PreferredAgent: "a", LastAgent: "a"}, []string{"a"}},
	} {
		if got := tc.c.Preferences(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Preferences(%+v) = %v, want %v", tc.c, got, tc.want)
		}
	}
}

func TestImport(t *testing.T) {
	d := open(t, writeFile(t, "customers.yaml", sampleYAML))

	// Merge: Dupont updated (last agent kept: no such column), a new one.
	res, err := d.Import("body", []byte("number,name,vip\n0612345678,Dupont SA,true\n0600000001,New,\n"), false)
	if err != nil || res != (ImportResult{Created: 1, Updated: 1, Total: 3}) {
		t.Fatalf("Import = %+v, %v", res, err)
	}
	c, _ := d.Lookup("0612345678")
	if c.Name != "Dupont SA" || c.Account != "" || c.LastAgent != "1002" || !c.LastCall.Equal(t0) {
		t.Errorf("Dupont after import: %+v; want the new name, no account, last agent kept", c)
	}

	// All or nothing: one bad line changes nothing, and every bad line is named.
	_, err = d.Import("body", []byte("number,name\n0600000002,Ok\nabc,Bad\n0600000003,\"Bad\x01\"\n"), false)
	if err == nil || !strings.Contains(err.Error(), "body:3: number") || !strings.Contains(err.Error(), "body:4: name") {
		t.Errorf("Import of bad lines: %v; want body:3 and body:4 named", err)
	}
	if _, ok := d.Lookup("0600000002"); ok || d.Len() != 3 {
		t.Errorf("a failed import changed the directory (%d customers)", d.Len())
	}

	// Replace: only what the document lists is left; an explicit last_agent
	// column is taken as given.
	res, err = d.Import("body", []byte("number,name,last_agent\n0600000001,New,1003\n"), true)
	if err != nil || res != (ImportResult{Updated: 1, Deleted: 2, Total: 1}) {
		t.Fatalf("Import with replace = %+v, %v", res, err)
	}
	want := []Customer{{Number: "+33600000001", Name: "New", LastAgent: "1003"}}
	if got := reload(t, d); !reflect.DeepEqual(got, want) {
		t.Errorf("file after replace holds %+v, want %+v", got, want)
	}
}

// TestServedIsSavedInTheBackground: a connected call of a known customer
// records its agent and time, written to the file without the caller
// waiting; an unknown caller is not added.
func TestServedIsSavedInTheBackground(t *testing.T) {
	d := open(t, writeFile(t, "customers.csv", sampleCSV))
	at := t0.Add(time.Hour + 300*time.Millisecond)
	if !d.Served("+442079460000", "1003", at) {
		t.Fatal("Served of a known customer returned false")
	}
	if d.Served("0699999999", "1003", at) || d.Served("anonymous", "1003", at) || d.Served("0612345678", "", at) {
		t.Error("Served recorded an unknown caller or an empty agent")
	}
	want := martin
	want.LastAgent, want.LastCall = "1003", t0.Add(time.Hour)
	if c, _ := d.Lookup("+442079460000"); !reflect.DeepEqual(c, want) {
		t.Errorf("after Served: %+v, want %+v", c, want)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		list := reload(t, d)
		if len(list) == 2 && reflect.DeepEqual(list[1], want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("file still holds %+v", list)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestConcurrentUse: lookups, API changes and last-agent updates at once,
// under -race; every change ends up in the file.
func TestConcurrentUse(t *testing.T) {
	path := writeFile(t, "customers.csv", sampleCSV)
	d, err := Open(path, Options{DefaultCountry: "33"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 25 {
				n := fmt.Sprintf("06%02d%06d", w, i)
				if _, err := d.Create(Customer{Number: n, Name: "C"}); err != nil {
					t.Error(err)
				}
				d.Served(n, "1001", t0)
				d.Lookup("0612345678")
				d.Served("0612345678", fmt.Sprintf("10%02d", w), t0)
				_ = d.List()
			}
		})
	}
	wg.Wait()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	list := reload(t, d)
	if len(list) != 102 {
		t.Fatalf("file holds %d customers, want 102", len(list))
	}
	for _, c := range list {
		if c.LastAgent == "" && c.Number != "+442079460000" {
			t.Errorf("%s has no last agent in the file", c.Number)
		}
	}
}

type memLog struct{ evs []acd.Event }

func (l *memLog) Append(ev acd.Event) error {
	l.evs = append(l.evs, ev)
	if ev.Type == "fail" {
		return errors.New("disk full")
	}
	return nil
}

func TestLastAgentLog(t *testing.T) {
	d := open(t, writeFile(t, "customers.csv", sampleCSV))
	next := &memLog{}
	l := LastAgentLog{Next: next, Dir: d}
	at := t0.Add(time.Hour)
	for _, ev := range []acd.Event{
		{Type: acd.EvEntered, Caller: "+442079460000", Queue: "support"},
		{Type: acd.EvOffered, Caller: "+442079460000", Agents: []string{"1009"}},
		{Type: acd.EvConnected, Caller: "0044 20 7946 0000", Agent: "1003", Time: at},
		{Type: acd.EvConnected, Caller: "0699999999", Agent: "1003", Time: at},
		{Type: acd.EvCompleted, Caller: "+33612345678", Agent: "1009", Time: at},
	} {
		if err := l.Append(ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(next.evs) != 5 {
		t.Errorf("next log got %d events, want all 5", len(next.evs))
	}
	if c, _ := d.Lookup("+442079460000"); c.LastAgent != "1003" || !c.LastCall.Equal(at) {
		t.Errorf("Martin after connected: %+v, want last agent 1003", c)
	}
	if c, _ := d.Lookup("+33612345678"); c.LastAgent != "1002" {
		t.Errorf("Dupont changed by a completed event: %+v", c)
	}
	if _, ok := d.Lookup("0699999999"); ok {
		t.Error("an unknown caller was added")
	}
	if err := l.Append(acd.Event{Type: "fail"}); err == nil {
		t.Error("the next log's error was lost")
	}
}
