package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func sameNum(a, b Num) bool {
	return a == b || math.IsNaN(float64(a)) && math.IsNaN(float64(b))
}

// sameRows compares two slices of row structs field by field, NaN equal to NaN.
func sameRows(t *testing.T, got, want any) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	if g.Len() != w.Len() {
		t.Fatalf("%d rows, want %d", g.Len(), w.Len())
	}
	for i := range g.Len() {
		for k := range g.Index(i).NumField() {
			gf, wf := g.Index(i).Field(k), w.Index(i).Field(k)
			name := g.Index(i).Type().Field(k).Name
			if n, ok := gf.Interface().(Num); ok {
				if !sameNum(n, wf.Interface().(Num)) {
					t.Errorf("row %d %s = %v, want %v", i, name, n, wf.Interface())
				}
				continue
			}
			if gm, ok := gf.Interface().(map[string]Num); ok {
				if pauseString(gm) != pauseString(wf.Interface().(map[string]Num)) {
					t.Errorf("row %d %s = %v, want %v", i, name, gm, wf.Interface())
				}
				continue
			}
			if !reflect.DeepEqual(gf.Interface(), wf.Interface()) {
				t.Errorf("row %d %s = %v, want %v", i, name, gf.Interface(), wf.Interface())
			}
		}
	}
}

func TestReportJSONParsesBack(t *testing.T) {
	r := syntheticReport(t, Min15)
	var b bytes.Buffer
	if err := r.WriteJSON(&b, Sections{Queues: true, Agents: true, Calls: true}); err != nil {
		t.Fatal(err)
	}
	var j JSONReport
	if err := json.Unmarshal(b.Bytes(), &j); err != nil {
		t.Fatalf("parse back: %v\n%s", err, b.String())
	}
	if j.Rule != Rule || j.Interval != "15m" || j.TimeZone != "Europe/Paris" || j.SLFormula != SLB || j.ThresholdS != 20 || j.ShortS != 5 {
		t.Errorf("header %+v", j)
	}
	sameRows(t, j.Queues, r.QueueRows())
	sameRows(t, j.Agents, r.AgentRows())
	sameRows(t, j.Calls, r.CallRows())
	if q := j.Queues[1]; q.Period != "2025-03-04T09:15:00+01:00" || q.Offered != 5 || q.SL != Num(2.0/3) || q.ASAS != 5 {
		t.Errorf("09:15 row %+v", q)
	}
	// A period without answered calls has no ASA: null, not 0.
	if !strings.Contains(b.String(), `"asa_s": null`) && !strings.Contains(b.String(), `"aht_s": null`) {
		t.Errorf("no null figure in\n%s", b.String())
	}
}

func TestReportCSVParsesBack(t *testing.T) {
	r := syntheticReport(t, Min15)
	for _, tc := range []struct {
		sec  Sections
		rows any
	}{
		{Sections{Queues: true}, r.QueueRows()},
		{Sections{Agents: true}, r.AgentRows()},
		{Sections{Calls: true}, r.CallRows()},
	} {
		var b bytes.Buffer
		if err := r.WriteCSV(&b, tc.sec); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatalf("parse back: %v", err)
		}
		v := reflect.ValueOf(tc.rows)
		typ := v.Type().Elem()
		if len(recs) != v.Len()+1 || len(recs[0]) != typ.NumField() {
			t.Fatalf("%+v: %d records of %d fields", tc.sec, len(recs), len(recs[0]))
		}
		for k := range typ.NumField() {
			if want := strings.Split(typ.Field(k).Tag.Get("json"), ",")[0]; recs[0][k] != want {
				t.Errorf("column %d is %q, want %q", k, recs[0][k], want)
			}
		}
		for i := range v.Len() {
			for k := range typ.NumField() {
				cellText, f := recs[i+1][k], v.Index(i).Field(k)
				switch x := f.Interface().(type) {
				case Num:
					got := Num(math.NaN())
					if cellText != "" {
						p, err := strconv.ParseFloat(cellText, 64)
						if err != nil {
							t.Fatalf("row %d %s: %v", i, recs[0][k], err)
						}
						got = Num(p)
					}
					if !sameNum(got, x) {
						t.Errorf("row %d %s = %v, want %v", i, recs[0][k], got, x)
					}
				default:
					if cellText != cell(f) {
						t.Errorf("row %d %s = %q, want %q", i, recs[0][k], cellText, cell(f))
					}
				}
			}
		}
	}
	if err := r.WriteCSV(&bytes.Buffer{}, Sections{Queues: true, Agents: true}); err == nil {
		t.Error("CSV of two sections did not fail")
	}
}

func TestReportTableStatesTheRule(t *testing.T) {
	r := syntheticReport(t, Min15)
	r.Torn = []TornLine{{Line: 9, Offset: 100, Bytes: []byte(`{"ti`)}}
	var b bytes.Buffer
	if err := r.WriteTable(&b, Sections{Queues: true, Agents: true, Calls: true}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"entered the queue", "Offered = Answered + Abandoned + Flow-outs", "sl_b = (Ans≤T + Ab≤T) / (Ans + Ab)",
		"2025-03-04 09:15 CET", "66.7%", "17.5s", "lunch=300", "line 9 (offset 100): torn", "Europe/Paris", "+********432",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
