package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCallbackParse(t *testing.T) {
	src := `
events: {path: /var/lib/acd/events.jsonl}
queues:
  - name: support
    number: "100"
    callback:
      offer_after: 1m
      offer_every: 45s
      ask_number: true
      trunk: "sip:{number}@203.0.113.5:5060"
      attempts: 2
      retry_after: 30s
  - name: sales
    number: "200"
    callback: {trunk: "sip:{number}@trunk.example.com"}
agents:
  - {id: a1, password: p, queues: [support, sales]}
`
	c, err := Parse("cb.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Callback{OfferAfter: time.Minute, OfferEvery: 45 * time.Second, Digit: "1", AskNumber: true,
		Trunk: "sip:{number}@203.0.113.5:5060", Attempts: 2, RetryAfter: 30 * time.Second, RingTimeout: 30 * time.Second}
	if got := c.Queues[0].Callback; got == nil || *got != want {
		t.Errorf("callback = %+v, want %+v", got, want)
	}
	def := defaultCallback()
	def.Trunk = "sip:{number}@trunk.example.com"
	if got := c.Queues[1].Callback; got == nil || *got != def {
		t.Errorf("defaults = %+v, want %+v", got, def)
	}
	if got := c.BookPath(); got != filepath.Join("/var/lib/acd", "callbacks.json") {
		t.Errorf("book path %q, want next to the event log", got)
	}
	c.Callbacks.File = "/tmp/cb.json"
	if got := c.BookPath(); got != "/tmp/cb.json" {
		t.Errorf("book path %q", got)
	}
}

func TestCallbackErrors(t *testing.T) {
	cases := []struct{ name, cb, want string }{
		{"no trunk", `{offer_after: 1m}`, "cb.yaml:5: queues[0].callback.trunk: is required"},
		{"no number", `{trunk: "sip:trunk@10.0.0.1"}`, "has no {number}"},
		{"bad uri", `{trunk: "http://{number}"}`, "want a sip: or sips: URI"},
		{"bad port", `{trunk: "sip:{number}@10.0.0.1:99999"}`, "port"},
		{"digit", `{trunk: "sip:{number}@h", digit: "12"}`, "queues[0].callback.digit: must be one DTMF digit"},
		{"hash digit", `{trunk: "sip:{number}@h", digit: "#", ask_number: true}`, "cannot be # with ask_number"},
		{"attempts", `{trunk: "sip:{number}@h", attempts: 0}`, "queues[0].callback.attempts: must be 1 to 10"},
		{"retry", `{trunk: "sip:{number}@h", retry_after: 10ms}`, "retry_after: must be at least 1s"},
		{"ring", `{trunk: "sip:{number}@h", ring_timeout: 0s}`, "ring_timeout: must be at least 1s"},
		{"every", `{trunk: "sip:{number}@h", offer_every: 10ms}`, "offer_every: must be 0"},
		{"negative", `{trunk: "sip:{number}@h", offer_after: -1s}`, "offer_after"},
		{"unknown key", `{trunk: "sip:{number}@h", digits: "1"}`, "digits"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := "events: {path: e.jsonl}\nqueues:\n  - name: support\n    number: \"100\"\n    callback:\n      " +
				strings.TrimPrefix(strings.TrimSuffix(strings.ReplaceAll(tc.cb, ", ", "\n      "), "}"), "{") +
				"\nagents:\n  - {id: a1, password: p, queues: [support]}\n"
			_, err := Parse("cb.yaml", []byte(src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q\n%s", err, tc.want, src)
			}
		})
	}
}
