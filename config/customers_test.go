package config

import (
	"path/filepath"
	"strings"
	"testing"
)

const customersBase = `
queues:
  - name: support
    number: "100"
agents:
  - id: a1
    password: p
    queues: [support]
`

func TestCustomersSection(t *testing.T) {
	c, err := Parse(filepath.Join("etc", "acd", "acd.yaml"), []byte(customersBase+`customers:
  file: customers.csv
  default_country: 33
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Customers{File: filepath.Join("etc", "acd", "customers.csv"), DefaultCountry: "33",
		PreferTime: DefaultPreferTime, VIPPriority: DefaultVIPPriority}
	if c.Customers != want {
		t.Errorf("customers = %+v, want %+v (defaults, path against the config's directory)", c.Customers, want)
	}

	c, err = Parse("acd.yaml", []byte(customersBase+`customers: {file: /var/lib/acd/c.yaml, prefer_time: 0s, vip_priority: 0}
`))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Customers{File: "/var/lib/acd/c.yaml"}); c.Customers != want {
		t.Errorf("customers = %+v, want %+v", c.Customers, want)
	}

	c, err = Parse("acd.yaml", []byte(customersBase))
	if err != nil || c.Customers != (Customers{}) {
		t.Errorf("no section: %+v, %v; want no customer file", c.Customers, err)
	}
}

func TestCustomersErrors(t *testing.T) {
	for _, tc := range []struct{ section, want string }{
		{"customers:\n", "c.yaml:9: customers.file: is required"},
		{"customers: {default_country: \"33\"}\n", "c.yaml:9: customers.file: is required"},
		{"customers:\n  file: customers.txt\n", `c.yaml:10: customers.file: "customers.txt" must end in .csv, .yaml or .yml`},
		{"customers:\n  file: c.csv\n  default_country: \"+33\"\n", `c.yaml:11: customers.default_country: must be a country code of 1 to 3 digits`},
		{"customers:\n  file: c.csv\n  default_country: \"033\"\n", `c.yaml:11: customers.default_country`},
		{"customers:\n  file: c.csv\n  default_country: 3333\n", `c.yaml:11: customers.default_country`},
		{"customers:\n  file: c.csv\n  prefer_time: -1s\n", `c.yaml:11: customers.prefer_time: must not be negative`},
		{"customers:\n  file: c.csv\n  prefer_time: 15\n", `c.yaml:11: customers.prefer_time: invalid duration`},
		{"customers:\n  file: c.csv\n  vip_priority: -2\n", `c.yaml:11: customers.vip_priority: must be 0 or more`},
		{"customers:\n  file: c.csv\n  vip: 3\n", `c.yaml:11: customers.vip: unknown key "vip"`},
		{"customers: c.csv\n", `c.yaml:9: customers: expected a mapping`},
	} {
		_, err := Parse("c.yaml", []byte(customersBase+tc.section))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.section, err, tc.want)
		}
	}
}
