package config

import (
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Customers configures the customer file: the SME's own directory of
// known callers, kept on this server, which raises VIPs' priority, sends a
// returning customer to the agent who knows them, and shows the agent who
// calls. Without File there is none.
type Customers struct {
	// File is the customer file, CSV (.csv) or YAML (.yaml, .yml); it must
	// exist (an empty file holds no customers). The ACD rewrites it when
	// customers change through the HTTP API and after each connected call
	// of a known customer (the last agent). A relative path is resolved
	// against the config file's directory.
	File string
	// DefaultCountry is the country code (1 to 3 digits, e.g. "33") given
	// to national numbers, those starting with a single 0, so that
	// 06 12 34 56 78 and +33 6 12 34 56 78 are the same customer. Empty:
	// national numbers are kept as they are.
	DefaultCountry string
	// PreferTime is how long a known customer's call waits for their
	// preferred agent, or else the agent who served them last, before any
	// eligible agent may take it; 0 turns the preference off. Default 15s.
	PreferTime time.Duration
	// VIPPriority is the priority a VIP customer's calls get at least
	// (the queue's, or the customer's own, if higher). Default 10.
	VIPPriority int
}

// Customer file defaults, applied when the customers section is present.
const (
	DefaultPreferTime  = 15 * time.Second
	DefaultVIPPriority = 10
)

func (d *decoder) customers(n *yaml.Node, path string, c *Customers) {
	c.PreferTime, c.VIPPriority = DefaultPreferTime, DefaultVIPPriority
	d.mapping(n, path, map[string]field{
		"file":            d.str(&c.File),
		"default_country": d.str(&c.DefaultCountry),
		"prefer_time":     d.duration(&c.PreferTime),
		"vip_priority":    d.integer(&c.VIPPriority),
	})
}

func (v *validator) customers() {
	c := v.c.Customers
	if _, set := v.c.lines["customers"]; !set && c == (Customers{}) {
		return
	}
	switch ext := strings.ToLower(filepath.Ext(c.File)); {
	case c.File == "":
		v.fail("customers.file", "is required in the customers section (a .csv or .yaml file)")
	case ext != ".csv" && ext != ".yaml" && ext != ".yml":
		v.fail("customers.file", "%q must end in .csv, .yaml or .yml", c.File)
	}
	if cc := c.DefaultCountry; cc != "" && (len(cc) > 3 || strings.Trim(cc, "0123456789") != "" || cc[0] == '0') {
		v.fail("customers.default_country", "must be a country code of 1 to 3 digits such as \"33\", without + or 00, got %q", cc)
	}
	v.nonNegative("customers.prefer_time", c.PreferTime)
	if c.VIPPriority < 0 {
		v.fail("customers.vip_priority", "must be 0 or more, got %d", c.VIPPriority)
	}
}
