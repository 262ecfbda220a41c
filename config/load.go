package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

// sample is the configuration Default returns: a single node on loopback.
//
//go:embed sample.yaml
var sample []byte

// Load reads and validates the config file at path. A relative hold_audio
// or customers file path is resolved against the file's directory.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a config held in memory. name is the file's
// path: errors are reported against it, Config.Path is set to it and a
// relative hold_audio or customers file is resolved against its directory.
// Errors are *Error values (several joined with errors.Join), first line
// first.
func Parse(name string, data []byte) (*Config, error) {
	c, err := parse(name, data)
	if err != nil {
		return nil, err
	}
	c.Path = name
	if h := c.RTP.HoldAudio; h != "" && !filepath.IsAbs(h) {
		c.RTP.HoldAudio = filepath.Join(filepath.Dir(name), h)
	}
	if f := c.Customers.File; f != "" && !filepath.IsAbs(f) {
		c.Customers.File = filepath.Join(filepath.Dir(name), f)
	}
	resolvePromptsDir(c, name)
	return c, nil
}

// Default returns a fresh copy of the embedded sample config (one "support"
// queue on number 100 and three agents, all on loopback), so the ACD can run
// and be tried without writing a file first.
func Default() *Config {
	c, err := parse("sample.yaml", sample)
	if err != nil {
		// sample.yaml is compiled in and tested; this cannot happen at run time.
		panic(fmt.Sprintf("config: embedded sample is invalid: %v", err))
	}
	return c
}

// parse decodes data into a config with defaults applied, then validates it.
// Validation runs only when decoding succeeded, so a value that failed to
// decode does not also cause misleading follow-on errors.
func parse(name string, data []byte) (*Config, error) {
	root, err := document(name, data)
	if err != nil {
		return nil, err
	}
	c := defaultConfig()
	c.source = name
	d := &decoder{file: name, lines: map[string]int{}}
	if root != nil {
		d.config(root, c)
	}
	if err := joinErrors(d.errs); err != nil {
		return nil, err
	}
	c.lines = d.lines
	fillDerived(c)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// document parses data as a single YAML document and returns its root node,
// or nil for an empty document.
func document(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, syntaxError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{File: name, Line: extra.Line, Msg: "only one YAML document is allowed"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(name, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// defaultConfig returns a config holding every default, ready for the file's
// values to be decoded over it.
func defaultConfig() *Config {
	return &Config{
		NodeID: "acd-1",
		SIP: SIP{
			ListenUDP:        "127.0.0.1:5060",
			ListenTCP:        "127.0.0.1:5060",
			Realm:            "acd",
			DigestAlgorithms: []string{"SHA-256", "MD5"},
			MaxMisses:        3,
			LoginOnRegister:  true,
			ShutdownGrace:    30 * time.Second,
		},
		RTP: RTP{
			PortMin:        20000,
			PortMax:        29999,
			SilenceTimeout: 30 * time.Second,
		},
		HTTP:      HTTP{Listen: "127.0.0.1:8080"},
		Events:    Events{Path: "acd-events.jsonl", Fsync: FsyncEveryEvent},
		Voicemail: Voicemail{Dir: "voicemail", Silence: 5 * time.Second},
		Report:    defaultReport(),
		Store:     Store{Kind: StoreMemory, Lease: 10 * time.Second, Redis: Redis{Prefix: "acd:"}},
	}
}

// defaultQueue returns a queue holding every per-queue default.
func defaultQueue() Queue {
	return Queue{
		Strategy:     StrategyLongestIdle,
		RingTimeout:  15 * time.Second,
		WrapUp:       5 * time.Second,
		ServiceLevel: 20 * time.Second,
		FullResponse: 486,
		RetryAfter:   60 * time.Second,
	}
}

// fillDerived applies the defaults that depend on other fields: an agent's
// username is its id, and the advertised address is the host SIP listens on.
func fillDerived(c *Config) {
	for i := range c.Agents {
		if c.Agents[i].Username == "" {
			c.Agents[i].Username = c.Agents[i].ID
		}
	}
	if c.SIP.Advertise == "" {
		for _, addr := range []string{c.SIP.ListenUDP, c.SIP.ListenTCP} {
			if host, _, err := net.SplitHostPort(addr); err == nil {
				c.SIP.Advertise = host
				break
			}
		}
	}
}
