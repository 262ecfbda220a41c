package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/hours"
)

// HoursSetter is what PUT /api/queues/{name}/hours needs of the engine;
// an Engine without it answers 501. *acd.Engine has it.
type HoursSetter interface {
	SetHours(queue string, s *hours.Schedule) error
}

var _ HoursSetter = (*acd.Engine)(nil)

// putHours serves PUT /api/queues/{name}/hours: the body is the queue's
// whole schedule, {"time_zone": "Europe/Paris", "weekly": {"mon":
// ["09:00-12:30", "14:00-18:00"]}, "holidays": ["2026-12-25"]}, the same
// keys as the config file's hours (a day left out is closed). It applies
// from the next arriving call, without a restart; where closed calls go
// stays as configured. The config file is read again at the next start.
func (s *server) putHours(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	setter, ok := s.eng.(HoursSetter)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this engine cannot change hours")
		return
	}
	spec, err := decodeHours(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err := hours.Parse(spec)
	if err != nil {
		s.fail(w, r, badRequest("%v", err))
		return
	}
	if err := setter.SetHours(name, sc); err != nil {
		s.fail(w, r, fmt.Errorf("queue %s hours: %w", name, err))
		return
	}
	s.log.Info("queue hours set", "queue", name, "time_zone", spec.TimeZone, "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, sc.Spec())
}

func decodeHours(r *http.Request) (hours.Spec, error) {
	var spec hours.Spec
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return spec, fmt.Errorf("read hours body: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return spec, badRequest("decode hours: want {\"time_zone\": \"Europe/Paris\", \"weekly\": {\"mon\": [\"09:00-18:00\"]}, \"holidays\": [\"2026-12-25\"]}: %v", err)
	}
	if dec.More() {
		return spec, badRequest("decode hours: data after the JSON object")
	}
	if spec.TimeZone == "Local" {
		return spec, badRequest("time_zone: want an IANA name such as Europe/Paris")
	}
	return spec, nil
}
