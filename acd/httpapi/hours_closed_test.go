package httpapi_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/acd/live"
)

// hoursAnswer is the body of GET and PUT /api/queues/{name}/hours.
type hoursAnswer struct {
	TimeZone   string               `json:"time_zone"`
	Weekly     map[string][]string  `json:"weekly"`
	Holidays   []string             `json:"holidays"`
	Closed     *httpapi.Destination `json:"closed"`
	AlwaysOpen bool                 `json:"always_open"`
}

// TestHoursClosedDestination: the closed destination is read and changed
// with the hours, checked first, and kept when a PUT leaves it out.
func TestHoursClosedDestination(t *testing.T) {
	e := startEngine(t)
	c := serve(t, e.eng, "tok")

	var got hoursAnswer
	c.do("GET", "/api/queues/support/hours", "").want(t, http.StatusOK).decode(t, &got)
	if !got.AlwaysOpen || got.Closed == nil || got.Closed.Action != "hangup" {
		t.Errorf("GET before any PUT: %+v closed %+v", got, got.Closed)
	}

	body := `{"time_zone": "Europe/Paris", "weekly": {"mon": ["09:00-18:00"]},
		"closed": {"action": "voicemail", "prompt": "after-hours", "max_length": "90s"}}`
	c.do("PUT", "/api/queues/support/hours", body).want(t, http.StatusOK).decode(t, &got)
	want := httpapi.Destination{Action: "voicemail", Prompt: "after-hours", MaxLength: "1m30s"}
	if got.Closed == nil || *got.Closed != want || got.TimeZone != "Europe/Paris" {
		t.Errorf("PUT answered %+v closed %+v", got, got.Closed)
	}
	if d, _ := e.eng.Closed("support"); d != (acd.Destination{Exit: acd.ExitVoicemail, Prompt: "after-hours", MaxLength: 90 * time.Second}) {
		t.Errorf("engine closed %+v", d)
	}
	got = hoursAnswer{}
	c.do("GET", "/api/queues/support/hours", "").want(t, http.StatusOK).decode(t, &got)
	if got.AlwaysOpen || got.Closed == nil || *got.Closed != want || len(got.Weekly["mon"]) != 1 {
		t.Errorf("GET after PUT: %+v closed %+v", got, got.Closed)
	}

	// Left out: kept.
	c.do("PUT", "/api/queues/support/hours", `{"weekly": {"tue": ["09:00-18:00"]}}`).want(t, http.StatusOK).decode(t, &got)
	if got.Closed == nil || *got.Closed != want {
		t.Errorf("closed after a PUT without it: %+v", got.Closed)
	}
	c.do("PUT", "/api/queues/support/hours", `{"closed": {"action": "message"}}`).want(t, http.StatusOK)
	if d, _ := e.eng.Closed("support"); d != (acd.Destination{Exit: acd.ExitMessage}) {
		t.Errorf("engine closed %+v", d)
	}

	for bad, msg := range map[string]string{
		`{"closed": {"action": "queue", "queue": "support"}}`:       "leads calls back to support",
		`{"closed": {"action": "queue", "queue": "nope"}}`:          `unknown queue "nope"`,
		`{"closed": {"action": "queue"}}`:                           "closed.queue: is required",
		`{"closed": {"action": "message", "max_length": "1m"}}`:     "closed.max_length: is not used",
		`{"closed": {"action": "voicemail", "max_length": "soon"}}`: "not a duration",
		`{"closed": {"action": "voicemail", "max_length": "3h"}}`:   "max_length 3h0m0s",
		`{"closed": {"action": "voicemail", "prompt": "../x"}}`:     `prompt "../x"`,
		`{"closed": {"action": "uri", "uri": "http://x"}}`:          `uri "http://x"`,
		`{"closed": {"action": "hangup", "status": 200}}`:           "status 200",
		`{"closed": {"action": "hangup", "queue": "support"}}`:      "closed.queue: is not used",
		`{"closed": {"action": "fax"}}`:                             `unknown action "fax"`,
		`{"closed": {"action": "message", "colour": "red"}}`:        "unknown field",
		`{"always_open": true}`:                                     "always_open",
	} {
		eb := c.do("PUT", "/api/queues/support/hours", bad).want(t, http.StatusBadRequest).errorText(t)
		if !strings.Contains(eb.Error, msg) {
			t.Errorf("PUT %s: error %q, want it to contain %q", bad, eb.Error, msg)
		}
	}
	if d, _ := e.eng.Closed("support"); d != (acd.Destination{Exit: acd.ExitMessage}) {
		t.Errorf("a refused PUT changed the closed destination to %+v", d)
	}
	c.do("GET", "/api/queues/nope/hours", "").want(t, http.StatusNotFound)
}

// TestHoursClosedDestinationInjectedCheck: the engine only knows a prompt
// name's form; LiveOptions.CheckDestination (the prompt library, the
// config file's URI check) refuses what the engine would take, with a
// 400 naming it, and the closed destination stays as it was.
func TestHoursClosedDestinationInjectedCheck(t *testing.T) {
	e := startEngine(t)
	var asked []string
	check := func(queue string, d acd.Destination) error {
		asked = append(asked, queue+" "+d.Prompt)
		if d.Prompt == "no-such-prompt" {
			return errors.New(`no en prompt "no-such-prompt"`)
		}
		return nil
	}
	s := serveLive(t, e.eng, live.NewTracker(nil, liveQueues, time.UTC, fixedNow), "tok",
		httpapi.LiveOptions{CheckDestination: check})
	eb := s.do("PUT", "/api/queues/support/hours", `{"closed": {"action": "message", "prompt": "no-such-prompt"}}`).
		want(t, http.StatusBadRequest).errorText(t)
	if !strings.Contains(eb.Error, `no en prompt "no-such-prompt"`) {
		t.Errorf("error %q does not name the prompt", eb.Error)
	}
	if d, _ := e.eng.Closed("support"); d.Exit != "" {
		t.Errorf("a refused PUT changed the closed destination to %+v", d)
	}
	s.do("PUT", "/api/queues/support/hours", `{"closed": {"action": "message", "prompt": "closed"}}`).want(t, http.StatusOK)
	if d, _ := e.eng.Closed("support"); d.Prompt != "closed" {
		t.Errorf("closed %+v after an accepted PUT", d)
	}
	if len(asked) != 2 || asked[0] != "support no-such-prompt" {
		t.Errorf("check asked %q", asked)
	}
}
