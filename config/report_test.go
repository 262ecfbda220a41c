package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const reportBase = `queues:
  - name: support
    number: "100"
agents:
  - id: "1001"
    password: p
    queues: [support]
`

func TestReportDefaults(t *testing.T) {
	c, err := Parse("r.yaml", []byte(reportBase))
	if err != nil {
		t.Fatal(err)
	}
	if c.Report.TimeZone != "Local" || c.Report.SLFormula != "sl_b" || c.Report.ShortAbandon != 5*time.Second {
		t.Fatalf("defaults %+v", c.Report)
	}
	if c.Report.Location() != time.Local {
		t.Fatalf("Local zone not used")
	}
}

func TestReportSection(t *testing.T) {
	c, err := Parse("r.yaml", []byte(reportBase+"report:\n  time_zone: Europe/Paris\n  sl_formula: sl_d\n  short_abandon: 3s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Report.Location().String() != "Europe/Paris" || c.Report.SLFormula != "sl_d" || c.Report.ShortAbandon != 3*time.Second {
		t.Fatalf("report %+v", c.Report)
	}
}

func TestReportErrors(t *testing.T) {
	tests := []struct {
		yaml, field, msg string
		line             int
	}{
		{"report:\n  time_zone: Mars/Olympus\n", "report.time_zone", "unknown time zone", 9},
		{"report:\n  sl_formula: sl_z\n", "report.sl_formula", "unknown formula", 9},
		{"report:\n  short_abandon: 25s\n", "report.short_abandon", "S < T", 9},
	}
	for _, tt := range tests {
		_, err := Parse("r.yaml", []byte(reportBase+tt.yaml))
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("%q: err %v, want *Error", tt.yaml, err)
		}
		if ce.Field != tt.field || ce.Line != tt.line || !strings.Contains(ce.Msg, tt.msg) {
			t.Errorf("%q: got %s:%d: %s: %s, want line %d field %s msg ~%q", tt.yaml, ce.File, ce.Line, ce.Field, ce.Msg, tt.line, tt.field, tt.msg)
		}
	}
}

func TestPriorityNumbers(t *testing.T) {
	base := "queues:\n  - name: support\n    number: \"100\"\n    priority_numbers: {\"101\": 7}\nagents:\n  - id: \"1001\"\n    password: p\n    queues: [support]\n"
	c, err := Parse("p.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if c.Queues[0].PriorityNumbers["101"] != 7 {
		t.Fatalf("priority numbers %v", c.Queues[0].PriorityNumbers)
	}
	dup := strings.Replace(base, `{"101": 7}`, `{"100": 7}`, 1)
	_, err = Parse("p.yaml", []byte(dup))
	var ce *Error
	if !errors.As(err, &ce) || ce.Field != "queues[0].priority_numbers.100" || ce.Line != 4 || !strings.Contains(ce.Msg, "100") {
		t.Fatalf("duplicate number: %v", err)
	}
	bad := strings.Replace(base, `{"101": 7}`, `{"101": high}`, 1)
	if _, err := Parse("p.yaml", []byte(bad)); !errors.As(err, &ce) || ce.Line != 4 {
		t.Fatalf("bad priority: %v", err)
	}
}
