package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/config"
)

func TestEngineConfigMapsHoursAndOverflow(t *testing.T) {
	cfg, err := config.Parse("o.yaml", []byte(`
queues:
  - name: support
    number: "100"
    hours:
      time_zone: Europe/Paris
      weekly: {mon: ["09:00-18:00"]}
      closed: {action: queue, queue: partner}
    overflow:
      - {when: no-agents, action: queue, queue: partner}
      - {when: queue-length, over: 10, action: hangup, status: 486}
      - {when: estimated-wait, over: 2m}
      - {when: waited, over: 5m, action: queue, queue: partner}
      - {when: no-agents, action: uri, uri: "sip:partner@203.0.113.7:5060"}
  - name: partner
    number: "200"
agents:
  - {id: a1, password: p, queues: [support, partner]}
`))
	if err != nil {
		t.Fatal(err)
	}
	ec := engineConfig(cfg)
	s, p := ec.Queues[0], ec.Queues[1]
	if s.Hours == nil || s.Hours.Location().String() != "Europe/Paris" || s.Closed != (acd.Destination{Queue: "partner"}) {
		t.Errorf("support hours %v closed %+v", s.Hours, s.Closed)
	}
	if !s.Hours.Open(time.Date(2026, 3, 2, 10, 0, 0, 0, s.Hours.Location())) {
		t.Error("support closed on a Monday at 10:00")
	}
	want := []acd.OverflowRule{
		{When: acd.WhenNoAgents, Dest: acd.Destination{Queue: "partner"}},
		{When: acd.WhenQueueLength, Over: 10, Dest: acd.Destination{Status: 486}},
		{When: acd.WhenEstimatedWait, OverWait: 2 * time.Minute, Dest: acd.Destination{Status: 480}},
		{When: acd.WhenWaited, OverWait: 5 * time.Minute, Dest: acd.Destination{Queue: "partner"}},
		{When: acd.WhenNoAgents, Dest: acd.Destination{URI: "sip:partner@203.0.113.7:5060"}},
	}
	if !reflect.DeepEqual(s.Overflow, want) {
		t.Errorf("overflow %+v, want %+v", s.Overflow, want)
	}
	if p.Hours != nil || p.Overflow != nil {
		t.Errorf("partner %+v", p)
	}
	// The config's names agree with the engine's.
	for _, w := range [][2]string{{config.WhenNoAgents, acd.WhenNoAgents}, {config.WhenQueueLength, acd.WhenQueueLength},
		{config.WhenEstimatedWait, acd.WhenEstimatedWait}, {config.WhenWaited, acd.WhenWaited}} {
		if w[0] != w[1] {
			t.Errorf("config %q vs acd %q", w[0], w[1])
		}
	}
}
