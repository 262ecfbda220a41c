package config

import (
	"strings"
	"testing"
	"time"
)

const overflowAgents = `
agents:
  - id: a1
    password: p
    queues: [support, partner]
`

func TestHoursAndOverflowParse(t *testing.T) {
	src := `
queues:
  - name: support
    number: "100"
    hours:
      time_zone: Europe/Paris
      weekly:
        mon: ["09:00-12:30", "14:00-18:00"]
        sat: []
      holidays: ["2026-12-25"]
      closed: {action: queue, queue: partner}
    overflow:
      - {when: no-agents, action: queue, queue: partner}
      - {when: queue-length, over: 10, action: hangup, status: 486}
      - {when: estimated-wait, over: 2m, action: queue, queue: partner}
      - {when: waited, over: 5m}
  - name: partner
    number: "200"
    hours:
      weekly: {sun: ["00:00-24:00"]}
` + overflowAgents
	c, err := Parse("o.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	h := c.Queues[0].Hours
	if h.TimeZone != "Europe/Paris" || len(h.Weekly) != 1 || len(h.Weekly["mon"]) != 2 || h.Holidays[0] != "2026-12-25" ||
		h.Closed != (Destination{Action: ActionQueue, Queue: "partner", Status: 480}) {
		t.Errorf("hours = %+v", h)
	}
	if p := c.Queues[1].Hours; p.TimeZone != "UTC" || p.Closed != (Destination{Action: ActionHangup, Status: 480}) {
		t.Errorf("defaults = %+v", p)
	}
	o := c.Queues[0].Overflow
	if len(o) != 4 || o[0].When != WhenNoAgents || o[1].Status != 486 || o[3].Action != ActionHangup || o[3].Status != 480 {
		t.Fatalf("overflow = %+v", o)
	}
	if n, _ := o[1].Length(); n != 10 {
		t.Errorf("length = %d", n)
	}
	if d, _ := o[2].Wait(); d != 2*time.Minute {
		t.Errorf("wait = %s", d)
	}
}

func TestHoursAndOverflowErrors(t *testing.T) {
	cases := []struct{ queues, want string }{
		{`
  - name: support
    number: "100"
    hours: {time_zone: Mars/Base}
  - {name: partner, number: "200"}`, `o.yaml:4: queues[0].hours.time_zone: unknown time zone "Mars/Base"`},
		{`
  - name: support
    number: "100"
    hours:
      weekly:
        mon: ["18:00-09:00"]
  - {name: partner, number: "200"}`, `o.yaml:6: queues[0].hours.weekly.mon[0]: range "18:00-09:00": the end must be after the start`},
		{`
  - name: support
    number: "100"
    hours:
      weekly:
        funday: ["09:00-10:00"]
  - {name: partner, number: "200"}`, `queues[0].hours.weekly.funday: unknown key`},
		{`
  - name: support
    number: "100"
    hours: {holidays: ["2026-13-01"]}
  - {name: partner, number: "200"}`, `queues[0].hours.holidays[0]: "2026-13-01" is not a date`},
		{`
  - name: support
    number: "100"
    hours: {closed: {action: queue, queue: nowhere}}
  - {name: partner, number: "200"}`, `queues[0].hours.closed.queue: unknown queue "nowhere"`},
		{`
  - name: support
    number: "100"
    overflow: [{when: no-agents, action: queue, queue: support}]
  - {name: partner, number: "200"}`, `queues[0].overflow[0].queue: queue "support" sends calls to itself`},
		{`
  - name: support
    number: "100"
    overflow: [{when: waited, over: 1m, action: hangup, status: 200}]
  - {name: partner, number: "200"}`, `queues[0].overflow[0].status: must be a SIP failure status 400-699, got 200`},
		{`
  - name: support
    number: "100"
    overflow: [{when: queue-length, over: 2m}]
  - {name: partner, number: "200"}`, `queues[0].overflow[0].over: must be a queue length`},
		{`
  - name: support
    number: "100"
    overflow: [{when: waited, over: ten}]
  - {name: partner, number: "200"}`, `queues[0].overflow[0].over: must be a positive duration`},
		{`
  - name: support
    number: "100"
    overflow: [{when: sometimes}]
  - {name: partner, number: "200"}`, `queues[0].overflow[0].when: unknown condition "sometimes"`},
		{`
  - name: support
    number: "100"
    overflow: [{when: no-agents, action: transfer}]
  - {name: partner, number: "200"}`, `queues[0].overflow[0].action: unknown action "transfer"`},
		{`
  - name: support
    number: "100"
    overflow: [{when: waited, over: 1m, action: uri}]
  - {name: partner, number: "200"}`, `queues[0].overflow[0].uri: is required with action: uri`},
		{`
  - name: support
    number: "100"
    overflow: [{when: waited, over: 1m, action: uri, uri: "http://partner.example"}]
  - {name: partner, number: "200"}`, `queues[0].overflow[0].uri: "http://partner.example": want a sip: or sips: URI`},
		{`
  - name: support
    number: "100"
    overflow: [{when: waited, over: 1m, action: uri, uri: "sip:p@h:port"}]
  - {name: partner, number: "200"}`, `queues[0].overflow[0].uri: "sip:p@h:port" is not a SIP URI`},
		{`
  - name: support
    number: "100"
    overflow: [{when: waited, over: 1m, action: queue, queue: partner, uri: "sip:p@203.0.113.7"}]
  - {name: partner, number: "200"}`, `queues[0].overflow[0].uri: is only used with action: uri`},
		{`
  - name: support
    number: "100"
    hours: {closed: {action: uri, uri: "sip:p@203.0.113.7", queue: partner}}
  - {name: partner, number: "200"}`, `queues[0].hours.closed.queue: is not used with action: uri`},
		{`
  - name: support
    number: "100"
    overflow: [{when: no-agents, action: queue, queue: partner}]
  - name: partner
    number: "200"
    hours: {closed: {action: queue, queue: support}}`, `overflow and closed destinations form a cycle: support -> partner -> support`},
	}
	for _, c := range cases {
		_, err := Parse("o.yaml", []byte("queues:"+c.queues+"\n"+overflowAgents))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("queues:%s\nerror = %v\nwant it to contain %q", c.queues, err, c.want)
		}
	}
}

func TestOverflowURIParse(t *testing.T) {
	src := `
queues:
  - name: support
    number: "100"
    hours: {closed: {action: uri, uri: "sips:night@partner.example"}}
    overflow:
      - {when: waited, over: 1m, action: uri, uri: "sip:partner@203.0.113.7:5060"}
  - {name: partner, number: "200"}
` + overflowAgents
	c, err := Parse("o.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	q := c.Queues[0]
	if q.Hours.Closed != (Destination{Action: ActionURI, URI: "sips:night@partner.example", Status: 480}) {
		t.Errorf("closed = %+v", q.Hours.Closed)
	}
	if d := q.Overflow[0].Destination; d.Action != ActionURI || d.URI != "sip:partner@203.0.113.7:5060" {
		t.Errorf("overflow = %+v", d)
	}
}

func TestCheckSIPURI(t *testing.T) {
	good := []string{"sip:partner@203.0.113.7:5060", "sips:night@partner.example", "sip:203.0.113.7", "sip:p@[2001:db8::1]:5070;transport=tcp", "SIP:a@b?subject=x"}
	for _, s := range good {
		if err := checkSIPURI(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	bad := []string{"", "http://x", "sip:", "sip:@host", "sip:p@h:0", "sip:p@h:70000", "sip:p@[2001:db8::1", "sip:p@ho st", "partner@host"}
	for _, s := range bad {
		if err := checkSIPURI(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
