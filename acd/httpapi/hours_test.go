package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPutHoursWithRealEngine(t *testing.T) {
	e := startEngine(t)
	c := serve(t, e.eng, "tok")

	body := `{"time_zone": "Europe/Paris", "weekly": {"mon": ["09:00-12:30", "14:00-18:00"]}, "holidays": ["2026-12-25"]}`
	c.do("PUT", "/api/queues/support/hours", body).want(t, http.StatusOK)
	sc, ok := e.eng.Hours("support")
	if !ok || sc == nil || sc.Location().String() != "Europe/Paris" {
		t.Fatalf("hours after PUT: %v %v", sc, ok)
	}
	// Monday 2 March 2026, 10:00 in Paris: open; 13:00: closed; Christmas: closed.
	paris := sc.Location()
	if !sc.Open(time.Date(2026, 3, 2, 10, 0, 0, 0, paris)) || sc.Open(time.Date(2026, 3, 2, 13, 0, 0, 0, paris)) {
		t.Error("schedule not the one sent")
	}

	for _, bad := range []string{
		`{"time_zone": "Mars/Base"}`,
		`{"weekly": {"mon": ["18:00-09:00"]}}`,
		`{"weekly": {"funday": ["09:00-10:00"]}}`,
		`{"holidays": ["25/12/2026"]}`,
		`{"closed": {"action": "teleport"}}`,
		`[1]`,
	} {
		c.do("PUT", "/api/queues/support/hours", bad).want(t, http.StatusBadRequest)
	}
	if got := c.do("PUT", "/api/queues/nope/hours", `{}`).want(t, http.StatusNotFound).errorText(t); !strings.Contains(got.Error, "unknown queue") {
		t.Errorf("404 body %+v", got)
	}
	if sc2, _ := e.eng.Hours("support"); sc2 != sc {
		t.Error("a refused PUT changed the hours")
	}
}

func TestPutHoursNeedsToken(t *testing.T) {
	e := startEngine(t)
	c := serve(t, e.eng, "tok")
	c.token = ""
	c.do("PUT", "/api/queues/support/hours", `{}`).want(t, http.StatusUnauthorized)
}
