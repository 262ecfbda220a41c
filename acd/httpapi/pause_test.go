package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sme/acd/agents"
)

func TestPauseReason(t *testing.T) {
	long := strings.Repeat("é", 64)
	cases := []struct {
		name, query, body string
		want              int
		reason            string
	}{
		{"json body", "", `{"reason":"lunch"}`, http.StatusOK, "lunch"},
		{"query", "?reason=coffee", "", http.StatusOK, "coffee"},
		{"body wins over query", "?reason=coffee", `{"reason":"lunch"}`, http.StatusOK, "lunch"},
		{"empty body object falls back to query", "?reason=coffee", `{}`, http.StatusOK, "coffee"},
		{"trimmed", "", `{"reason":"  lunch "}`, http.StatusOK, "lunch"},
		{"64 characters", "?reason=" + url.QueryEscape(long), "", http.StatusOK, long},
		{"missing", "", "", http.StatusBadRequest, ""},
		{"blank", "?reason=%20%20", "", http.StatusBadRequest, ""},
		{"65 characters", "?reason=" + strings.Repeat("x", 65), "", http.StatusBadRequest, ""},
		{"control character", "", `{"reason":"lu\nnch"}`, http.StatusBadRequest, ""},
		{"not json", "", `lunch`, http.StatusBadRequest, ""},
		{"unknown field", "", `{"reasn":"lunch"}`, http.StatusBadRequest, ""},
		{"trailing data", "", `{"reason":"lunch"}{}`, http.StatusBadRequest, ""},
		{"wrong type", "", `{"reason":5}`, http.StatusBadRequest, ""},
		{"body over 4 KiB", "", `{"reason":"` + strings.Repeat("x", 5000) + `"}`, http.StatusRequestEntityTooLarge, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEngine{agent: agents.Agent{ID: "a1", State: agents.Paused}}
			r := serve(t, f, "").do("POST", "/api/agents/a1/pause"+tc.query, tc.body).want(t, tc.want)
			got := f.received()
			if tc.want != http.StatusOK {
				r.errorText(t)
				if len(got) != 0 {
					t.Fatalf("engine got %+v for a bad request", got)
				}
				return
			}
			if len(got) != 1 || got[0].ev != (agents.Event{Kind: agents.Pause, Reason: tc.reason}) {
				t.Fatalf("engine got %+v, want reason %q", got, tc.reason)
			}
		})
	}
}
