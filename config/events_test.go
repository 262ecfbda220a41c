package config

import (
	"strings"
	"testing"
)

func TestEventsRotationKeys(t *testing.T) {
	const q = "queues: [{name: q, number: \"1\"}]\n"
	c, err := Parse("acd.yaml", []byte(q+"events:\n  rotate_size: 100MB\n  rotate_daily: true\n  keep: 30\n  mask_callers: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Events
	if e.RotateSize != 100<<20 || !e.RotateDaily || e.Keep != 30 || !e.MaskCallers {
		t.Errorf("events = %+v", e)
	}
	if e.Path != "acd-events.jsonl" || e.Fsync != FsyncEveryEvent {
		t.Errorf("defaults lost: %+v", e)
	}
	d, err := Parse("acd.yaml", []byte(q))
	if err != nil {
		t.Fatal(err)
	}
	if e := d.Events; e.RotateSize != 0 || e.RotateDaily || e.Keep != 0 || e.MaskCallers {
		t.Errorf("default events = %+v, want no rotation and no masking", e)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1024": 1024, "1KB": 1 << 10, "1kib": 1 << 10, "100MB": 100 << 20, "100 MB": 100 << 20,
		"2GiB": 2 << 30, "512B": 512, " 7mb ": 7 << 20,
	} {
		if got, ok := parseSize(in); !ok || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "MB", "1.5GB", "-1MB", "10TB", "10 M B", "99999999999999999999", "9999999999GB"} {
		if got, ok := parseSize(in); ok {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestEventsRotationErrors(t *testing.T) {
	const q = "queues: [{name: q, number: \"1\"}]\n"
	for _, tc := range []struct {
		name, src string
		line      int
		field     string
		msg       string
	}{
		{"size without unit too small", q + "events:\n  rotate_size: 100\n", 3, "events.rotate_size", "at least 1KB, got 100 bytes"},
		{"size not a size", q + "events:\n  rotate_size: lots\n", 3, "events.rotate_size", `expected a size such as "100MB"`},
		{"size float", q + "events:\n  rotate_size: 1.5\n", 3, "events.rotate_size", `got the number "1.5"`},
		{"daily not a bool", q + "events:\n  rotate_daily: daily\n", 3, "events.rotate_daily", "expected true or false"},
		{"negative keep", q + "events:\n  rotate_daily: true\n  keep: -1\n", 4, "events.keep", "got -1"},
		{"keep without rotation", q + "events:\n  path: e.jsonl\n  keep: 3\n", 4, "events.keep", "only used with rotate_size or rotate_daily"},
		{"mask not a bool", q + "events:\n  mask_callers: 1\n", 3, "events.mask_callers", "expected true or false"},
		{"typo", q + "events:\n  rotate_sise: 1MB\n", 3, "events.rotate_sise", `did you mean "rotate_size"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("acd.yaml", []byte(tc.src))
			if c != nil {
				t.Error("Parse returned a config along with an error")
			}
			e := firstError(t, err)
			if e.File != "acd.yaml" || e.Line != tc.line || e.Field != tc.field || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %s:%d: %s: %s\nwant acd.yaml:%d: %s: …%s…", e.File, e.Line, e.Field, e.Msg, tc.line, tc.field, tc.msg)
			}
		})
	}
}
