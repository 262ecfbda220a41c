package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error it returns is a
// *Error naming the input, and that a config it accepts passes Validate.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "config", "*.yaml"))
	seeds = append(seeds, "sample.yaml", "example.yaml")
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("queues: [{name: q, number: '1'}]\nx: &a [*a]\n"))
	f.Add([]byte("sip: {<<: {realm: a}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			if c != nil {
				t.Fatal("Parse returned a config along with an error")
			}
			errs := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				errs = j.Unwrap()
			}
			for _, err := range errs {
				var e *Error
				if !errors.As(err, &e) || e.File != "fuzz.yaml" {
					t.Fatalf("error %q (%T) is not a *Error about fuzz.yaml", err, err)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that Validate rejects: %v", err)
		}
		if len(c.Queues) == 0 {
			t.Fatal("Parse accepted a config without queues")
		}
	})
}
