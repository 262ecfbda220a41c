package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/hours"
)

// HoursSetter is what GET and PUT /api/queues/{name}/hours need of the
// engine; an Engine without it answers 501. *acd.Engine has it.
type HoursSetter interface {
	Hours(queue string) (*hours.Schedule, bool)
	Closed(queue string) (acd.Destination, bool)
	SetSchedule(queue string, s *hours.Schedule, closed *acd.Destination) error
}

var _ HoursSetter = (*acd.Engine)(nil)

// hoursBody is the body of both routes: the schedule with the config
// file's keys, and where calls go while closed.
type hoursBody struct {
	hours.Spec
	// Closed is left out of a PUT to keep the current destination.
	Closed *Destination `json:"closed,omitempty"`
	// AlwaysOpen is set in answers for a queue without hours.
	AlwaysOpen bool `json:"always_open,omitempty"`
}

// Destination is a closed destination as the API reads and writes it: the
// keys of the config file's hours.closed. Action is queue, uri,
// voicemail, message or hangup; MaxLength a Go duration such as "2m".
type Destination struct {
	Action    string `json:"action"`
	Queue     string `json:"queue,omitempty"`
	URI       string `json:"uri,omitempty"`
	Status    int    `json:"status,omitempty"`
	Prompt    string `json:"prompt,omitempty"`
	MaxLength string `json:"max_length,omitempty"`
}

// getHours serves GET /api/queues/{name}/hours: the schedule and closed
// destination the next arriving call will meet.
func (s *server) getHours(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	hs, ok := s.hoursSetter(w)
	if !ok {
		return
	}
	sc, ok := hs.Hours(name)
	if !ok {
		s.fail(w, r, fmt.Errorf("queue %s hours: %w", name, acd.ErrUnknownQueue))
		return
	}
	closed, _ := hs.Closed(name)
	writeJSON(w, http.StatusOK, answerHours(sc, closed))
}

// putHours serves PUT /api/queues/{name}/hours: the body is the queue's
// whole schedule, {"time_zone": "Europe/Paris", "weekly": {"mon":
// ["09:00-12:30", "14:00-18:00"]}, "holidays": ["2026-12-25"]}, the same
// keys as the config file's hours (a day left out is closed), and
// optionally "closed": {"action": "voicemail", "prompt": "...",
// "max_length": "2m"} (left out: unchanged). Both apply together from the
// next arriving call, without a restart. The config file is read again at
// the next start. The destination is checked by the engine and, when set,
// by LiveOptions.CheckDestination (prompt names against the prompt
// library, the URI as the config file checks it).
func (s *server) putHours(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	setter, ok := s.hoursSetter(w)
	if !ok {
		return
	}
	body, err := decodeHours(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err := hours.Parse(body.Spec)
	if err != nil {
		s.fail(w, r, badRequest("%v", err))
		return
	}
	var closed *acd.Destination
	if body.Closed != nil {
		d, err := body.Closed.engine()
		if err == nil && s.checkDest != nil {
			if cerr := s.checkDest(name, d); cerr != nil {
				err = badRequest("closed: %v", cerr)
			}
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		closed = &d
	}
	if err := setter.SetSchedule(name, sc, closed); err != nil {
		if errors.Is(err, acd.ErrBadDestination) {
			err = badRequest("closed: %v", err)
		}
		s.fail(w, r, fmt.Errorf("queue %s hours: %w", name, err))
		return
	}
	now, _ := setter.Closed(name)
	s.log.Info("queue hours set", "queue", name, "time_zone", body.TimeZone, "closed", describeDest(now), "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, answerHours(sc, now))
}

// hoursSetter is the engine's HoursSetter; without one it answers 501.
func (s *server) hoursSetter(w http.ResponseWriter) (HoursSetter, bool) {
	hs, ok := s.eng.(HoursSetter)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this engine has no business hours")
	}
	return hs, ok
}

func decodeHours(r *http.Request) (hoursBody, error) {
	var b hoursBody
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return b, fmt.Errorf("read hours body: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return b, badRequest("decode hours: want {\"time_zone\": \"Europe/Paris\", \"weekly\": {\"mon\": [\"09:00-18:00\"]}, \"holidays\": [\"2026-12-25\"], \"closed\": {\"action\": \"voicemail\"}}: %v", err)
	}
	if dec.More() {
		return b, badRequest("decode hours: data after the JSON object")
	}
	if b.TimeZone == "Local" {
		return b, badRequest("time_zone: want an IANA name such as Europe/Paris")
	}
	if b.AlwaysOpen {
		return b, badRequest("always_open: send hours that are open every day instead")
	}
	return b, nil
}

// answerHours is the body GET and PUT answer with.
func answerHours(sc *hours.Schedule, closed acd.Destination) hoursBody {
	d := apiDestination(closed)
	if sc == nil {
		return hoursBody{Closed: &d, AlwaysOpen: true}
	}
	return hoursBody{Spec: sc.Spec(), Closed: &d}
}

// engine turns an API destination into the engine's, strictly: a key that
// the action does not use is an error, as in the config file. The engine
// checks the rest (SetSchedule).
func (d Destination) engine() (acd.Destination, error) {
	unused := func(key string, set bool) error {
		if set {
			return badRequest("closed.%s: is not used with action %q", key, d.Action)
		}
		return nil
	}
	var ml time.Duration
	if d.MaxLength != "" {
		v, err := time.ParseDuration(d.MaxLength)
		if err != nil {
			return acd.Destination{}, badRequest("closed.max_length: %q is not a duration such as \"2m\"", d.MaxLength)
		}
		ml = v
	}
	exit := d.Action == acd.ExitVoicemail || d.Action == acd.ExitMessage
	err := errors.Join(
		unused("queue", d.Queue != "" && d.Action != "queue"),
		unused("uri", d.URI != "" && d.Action != "uri"),
		unused("status", d.Status != 0 && d.Action != "hangup"),
		unused("prompt", d.Prompt != "" && !exit),
		unused("max_length", d.MaxLength != "" && d.Action != acd.ExitVoicemail),
	)
	if err != nil {
		return acd.Destination{}, badRequest("%v", err)
	}
	switch d.Action {
	case "queue":
		if d.Queue == "" {
			return acd.Destination{}, badRequest("closed.queue: is required with action queue")
		}
		return acd.Destination{Queue: d.Queue}, nil
	case "uri":
		if d.URI == "" {
			return acd.Destination{}, badRequest("closed.uri: is required with action uri")
		}
		return acd.Destination{URI: d.URI}, nil
	case acd.ExitVoicemail, acd.ExitMessage:
		return acd.Destination{Exit: d.Action, Prompt: d.Prompt, MaxLength: ml}, nil
	case "hangup":
		if d.Status == 0 {
			d.Status = 480 // the config file's default
		}
		return acd.Destination{Status: d.Status}, nil
	}
	return acd.Destination{}, badRequest("closed.action: unknown action %q (want queue, uri, voicemail, message or hangup)", d.Action)
}

// apiDestination is the engine's destination as the API shows it.
func apiDestination(d acd.Destination) Destination {
	switch {
	case d.Queue != "":
		return Destination{Action: "queue", Queue: d.Queue}
	case d.URI != "":
		return Destination{Action: "uri", URI: d.URI}
	case d.Exit != "":
		out := Destination{Action: d.Exit, Prompt: d.Prompt}
		if d.MaxLength != 0 {
			out.MaxLength = d.MaxLength.String()
		}
		return out
	}
	return Destination{Action: "hangup", Status: d.Status}
}

// describeDest is a destination in one word or two, for the log.
func describeDest(d acd.Destination) string {
	a := apiDestination(d)
	return strings.TrimSpace(a.Action + " " + a.Queue + a.URI + a.Prompt)
}
