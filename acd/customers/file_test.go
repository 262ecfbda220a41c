package customers

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// writeFile writes a file in a fresh directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}

// open opens path with country 33, 15 s and VIP priority 10, closing it at
// the end of the test.
func open(t *testing.T, path string) *Directory {
	t.Helper()
	d, err := Open(path, Options{DefaultCountry: "33", PreferTime: 15 * time.Second, VIPPriority: 10})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

// dupont and martin are the customers of the sample files.
var (
	dupont = Customer{Number: "+33612345678", Name: "Dupont", Account: "C-42", VIP: true, LastAgent: "1002", LastCall: t0}
	martin = Customer{Number: "+442079460000", Name: "Martin, \"Jo\"", Account: "C-7", Priority: 3, PreferredAgent: "1001"}
)

const sampleCSV = `number,name,account,priority,vip,preferred_agent,last_agent,last_call
06 12 34 56 78,Dupont,C-42,,yes,,1002,2026-03-02T09:30:00Z
0044 20 7946 0000,"Martin, ""Jo""",C-7,3,,1001,,
`

const sampleYAML = `# customers
- number: 0612345678
  name: Dupont
  account: C-42
  vip: true
  last_agent: 1002
  last_call: 2026-03-02T09:30:00Z
- number: "+44 (0)20 7946 0000"
  name: Martin, "Jo"
  account: C-7
  priority: 3
  preferred_agent: "1001"
`

func TestLoadCSVAndYAML(t *testing.T) {
	for _, tc := range []struct{ name, content string }{
		{"customers.csv", sampleCSV},
		{"customers.yaml", sampleYAML},
		{"customers.yml", sampleYAML},
		{"semicolons.csv", "Number;Name;Account;Priority;VIP;Preferred_Agent;Last_Agent;Last_Call\n" +
			"+33 6 12 34 56 78;Dupont;C-42;0;true;;1002;2026-03-02T09:30:00Z\n" +
			"+44 20 7946 0000;\"Martin, \"\"Jo\"\"\";C-7;3;false;1001;;\n"},
		{"bom.csv", "\uFEFF" + sampleCSV},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t, writeFile(t, tc.name, tc.content))
			if got, want := d.List(), []Customer{dupont, martin}; !reflect.DeepEqual(got, want) {
				t.Errorf("loaded %+v,\nwant %+v", got, want)
			}
			for _, n := range []string{"0612345678", "+33 6 12 34 56 78", "0033612345678"} {
				if c, ok := d.Lookup(n); !ok || c.Name != "Dupont" {
					t.Errorf("Lookup(%q) = %+v, %v", n, c, ok)
				}
			}
			if _, ok := d.Lookup("0699999999"); ok {
				t.Error("an unknown number was found")
			}
			if _, ok := d.Lookup("anonymous"); ok {
				t.Error("a non-number was found")
			}
		})
	}
}

func TestLoadEmptyFiles(t *testing.T) {
	for _, tc := range []struct{ name, content string }{
		{"empty.csv", ""},
		{"header.csv", "number,name\n"},
		{"empty.yaml", ""},
		{"null.yaml", "# nobody yet\n"},
		{"list.yaml", "[]\n"},
	} {
		if d := open(t, writeFile(t, tc.name, tc.content)); d.Len() != 0 {
			t.Errorf("%s: %d customers, want none", tc.name, d.Len())
		}
	}
}

func TestLoadErrorsNameFileLineAndField(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"a.csv", "number,nmae\n", `a.csv:1: nmae: unknown column`},
		{"a.csv", "name,account\nDupont,C-1\n", `a.csv:1: number: the first line must name the columns`},
		{"a.csv", "number,name,number\n", `a.csv:1: number: column listed twice`},
		{"a.csv", "number,name\n0612345678,Dupont\n0612,Martin\nabc,X\n", `a.csv:4: number: "abc": not a phone number`},
		{"a.csv", "number,priority\n0612345678,high\n", `a.csv:2: priority: expected an integer, got "high"`},
		{"a.csv", "number,priority\n0612345678,-1\n", `a.csv:2: priority: must be 0 to`},
		{"a.csv", "number,vip\n0612345678,maybe\n", `a.csv:2: vip: expected true or false`},
		{"a.csv", "number,last_call\n0612345678,yesterday\n", `a.csv:2: last_call: expected a time`},
		{"a.csv", "number,name\n0612345678,Dupont\n", ""},
		{"a.csv", "number,name\n0612345678,Dupont\n+33 6 12 34 56 78,Again\n", `a.csv:3: number: +33612345678 is already on line 2`},
		{"a.csv", "number,name\n0612345678,Dupont,extra\n", `a.csv:2: wrong number of fields`},
		{"a.csv", "number,name\n0612345678,\"Du\rpont\"\n", `a.csv:2: name: has control characters`},
		{"a.csv", "number,preferred_agent\n0612345678,bob smith\n", `a.csv:2: preferred_agent: "bob smith" is not a valid agent id`},
		{"a.yaml", "number: 1\n", `a.yaml:1: expected a list of customers`},
		{"a.yaml", "- 0612345678\n", `a.yaml:1: expected a customer`},
		{"a.yaml", "- number: 0612345678\n  nmae: x\n", `a.yaml:2: nmae: unknown field`},
		{"a.yaml", "- number: 0612345678\n  name: [a, b]\n", `a.yaml:2: name: expected a single value`},
		{"a.yaml", "- number: 0612345678\n  name: a\n  name: b\n", `a.yaml:3: name: repeated key`},
		{"a.yaml", "- name: Dupont\n", `a.yaml:1: number: is required`},
		{"a.yaml", "- number: 0612345678\n- number: 0033612345678\n", `a.yaml:2: number: +33612345678 is already on line 1`},
		{"a.yaml", "- number: 0612345678\n  vip: [\n", `a.yaml: syntax error`},
		{"a.txt", "", `want a .csv, .yaml or .yml file`},
	} {
		_, err := Open(writeFile(t, tc.name, tc.content), Options{DefaultCountry: "33"})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.content, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want it to contain %q", tc.content, err, tc.want)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.csv"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want os.ErrNotExist", err)
	}
	if _, err := Open(writeFile(t, "a.csv", ""), Options{DefaultCountry: "033"}); err == nil {
		t.Error("a default country starting with 0 was accepted")
	}
}

// TestSaveRoundTrips: what the directory writes, it reads back the same,
// in both formats, and the separator of a CSV file is kept.
func TestSaveRoundTrips(t *testing.T) {
	for _, tc := range []struct{ name, content, wantHead string }{
		{"customers.csv", sampleCSV, "number,name,account,priority,vip,preferred_agent,last_agent,last_call\n"},
		{"semi.csv", strings.ReplaceAll(strings.ReplaceAll(sampleCSV, ",", ";"), `"Martin; ""Jo"""`, `"Martin, ""Jo"""`), "number;name;"},
		{"customers.yaml", sampleYAML, "- number: \"+33100000000\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.name, tc.content)
			d := open(t, path)
			added := Customer{Number: "+33100000000", Name: "Ünïcode Ōsaka 大阪", Account: "=1+1"}
			if _, err := d.Create(added); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), tc.wantHead) {
				t.Errorf("file starts %q, want %q", b, tc.wantHead)
			}
			again := open(t, path)
			if got, want := again.List(), []Customer{added, dupont, martin}; !reflect.DeepEqual(got, want) {
				t.Errorf("read back %+v,\nwant %+v\nfile:\n%s", got, want, b)
			}
		})
	}
}

// TestSaveIsAtomicAndKeepsThePermissions: a save leaves no temporary file,
// keeps the file's mode, and a failed save undoes the change and leaves no
// temporary file behind.
func TestSaveIsAtomicAndKeepsThePermissions(t *testing.T) {
	path := writeFile(t, "customers.csv", sampleCSV)
	if err := os.Chmod(path, 0o604); err != nil {
		t.Fatal(err)
	}
	d := open(t, path)
	if err := d.Delete("+442079460000"); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %v, want the customer file only", entries)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o604 {
		t.Errorf("mode after save: %v, %v; want 0604", st.Mode(), err)
	}

	// A directory where the file was: the rename fails, even for root.
	before, _ := os.ReadFile(path)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Create(Customer{Number: "0600000000"}); err == nil {
		t.Fatal("Create succeeded though the file could not be written")
	}
	if _, ok := d.Lookup("0600000000"); ok {
		t.Error("a change that could not be saved stayed in memory")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("a failed save left %v", entries)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, before, 0o604); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Create(Customer{Number: "0600000000"}); err != nil {
		t.Errorf("Create once the file can be written: %v", err)
	}
}
