package config

import (
	"strings"
	"testing"
	"time"
)

const supportAgent = `
agents:
  - {id: a1, password: p, queues: [support]}
`

func TestVoicemailAndMessageParse(t *testing.T) {
	src := `
voicemail: {dir: /var/spool/acd/vm, silence: 8s}
queues:
  - name: support
    number: "100"
    hours:
      weekly: {mon: ["09:00-18:00"]}
      closed: {action: voicemail, prompt: after-hours, max_length: 90s}
    overflow:
      - {when: waited, over: 5m, action: message}
      - {when: no-agents, action: message, prompt: all-busy}
  - name: partner
    number: "200"
    hours: {closed: {action: message}}
` + overflowAgents
	c, err := Parse("v.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Voicemail != (Voicemail{Dir: "/var/spool/acd/vm", Silence: 8 * time.Second}) {
		t.Errorf("voicemail = %+v", c.Voicemail)
	}
	q := c.Queues[0]
	if d := q.Hours.Closed; d.Action != ActionVoicemail || d.Prompt != "after-hours" || d.MaxLength != 90*time.Second {
		t.Errorf("closed = %+v", d)
	}
	if o := q.Overflow; o[0].Action != ActionMessage || o[0].Prompt != "" || o[1].Prompt != "all-busy" {
		t.Errorf("overflow = %+v", o)
	}
	if d := c.Queues[1].Hours.Closed; d.Action != ActionMessage || d.Prompt != "" {
		t.Errorf("partner closed = %+v", d)
	}

	def, err := Parse("d.yaml", []byte("queues: [{name: support, number: \"100\"}]\n"+supportAgent))
	if err != nil {
		t.Fatal(err)
	}
	if def.Voicemail != (Voicemail{Dir: "voicemail", Silence: 5 * time.Second}) {
		t.Errorf("default voicemail = %+v", def.Voicemail)
	}
}

func TestVoicemailAndMessageErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{`queues:
  - name: support
    number: "100"
    hours: {closed: {action: voicemail, max_length: 2h}}
`, `v.yaml:4: queues[0].hours.closed.max_length: must be a duration up to 1h0m0s, got 2h0m0s`},
		{`queues:
  - name: support
    number: "100"
    overflow: [{when: waited, over: 1m, action: message, max_length: 1m}]
`, `v.yaml:4: queues[0].overflow[0].max_length: is only used with action: voicemail`},
		{`queues:
  - name: support
    number: "100"
    overflow: [{when: waited, over: 1m, action: message, prompt: "Closed Now"}]
`, `queues[0].overflow[0].prompt: "Closed Now" is not a prompt name`},
		{`queues:
  - name: support
    number: "100"
    overflow: [{when: waited, over: 1m, action: hangup, prompt: closed}]
`, `queues[0].overflow[0].prompt: is only used with action: voicemail or message`},
		{`queues:
  - name: support
    number: "100"
    hours: {closed: {action: voicemail, queue: support}}
`, `queues[0].hours.closed.queue: is not used with action: voicemail`},
		{`queues:
  - name: support
    number: "100"
    hours: {closed: {action: voicemail, max_length: soon}}
`, `v.yaml:4: queues[0].hours.closed.max_length: invalid duration "soon"`},
		{`voicemail: {silence: 200ms}
queues: [{name: support, number: "100"}]
`, `v.yaml:1: voicemail.silence: must be 0 (never) or at least 1s`},
		{`voicemail: {dir: ""}
queues: [{name: support, number: "100"}]
`, `voicemail.dir: must not be empty`},
		{`voicemail: {path: x}
queues: [{name: support, number: "100"}]
`, `voicemail.path: unknown key`},
	}
	for _, c := range cases {
		_, err := Parse("v.yaml", []byte(c.src+supportAgent))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\nerror = %v\nwant it to contain %q", c.src, err, c.want)
		}
	}
}
