package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// firstError returns the first *Error in err, failing the test if there is none.
func firstError(t *testing.T, err error) *Error {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %q (%T) is not a *config.Error", err, err)
	}
	return e
}

func TestBadConfigFiles(t *testing.T) {
	for _, tc := range []struct {
		file  string
		line  int
		field string
		msg   string
	}{
		{"unknown_key.yaml", 5, "sip.listen_upd", `unknown key "listen_upd" (did you mean "listen_udp"?)`},
		{"bad_duration.yaml", 7, "queues[1].ring_timeout", `invalid duration "15"`},
		{"unknown_queue.yaml", 12, "agents[1].queues[0]", `unknown queue "sales"`},
		{"unknown_strategy.yaml", 5, "queues[0].strategy", `unknown strategy "longest-idel"`},
		{"duplicate_number.yaml", 8, "queues[2].number", `duplicate number "100" (also queues[0].number on line 4)`},
		{"bad_trunk.yaml", 5, "sip.trusted_trunks[1]", `"10.0.0.0/33" is not an IP address or CIDR prefix`},
		{"bad_port_range.yaml", 4, "rtp.port_max", "port range 30000-20000"},
		{"missing_password.yaml", 6, "agents[0].password", "is required"},
		{"wrong_type.yaml", 3, "sip.max_misses", `expected an integer, got the string "three"`},
		{"duplicate_username.yaml", 11, "agents[1].username", `duplicate username "1002" (also agents[0].username on line 8)`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("..", "testdata", "config", tc.file)
			c, err := Load(path)
			if c != nil {
				t.Error("Load returned a config along with an error")
			}
			e := firstError(t, err)
			if e.File != path || e.Line != tc.line || e.Field != tc.field || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %s:%d: %s: %s\nwant %s:%d: %s: …%s…", e.File, e.Line, e.Field, e.Msg, path, tc.line, tc.field, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), e.Error()) {
				t.Errorf("first line of %q is not %q", err, e)
			}
		})
	}
}

func TestBadConfigInline(t *testing.T) {
	const q = "queues: [{name: q, number: \"1\"}]\n"
	for _, tc := range []struct {
		name, src string
		line      int
		field     string
		msg       string
	}{
		{"syntax", "sip:\n\trealm: acd\n", 2, "", "syntax error: found character that cannot start any token"},
		{"two documents", q + "---\nnode_id: b\n", 2, "", "only one YAML document"},
		{"empty", "", 0, "queues", "at least one queue is required"},
		{"no queues", "node_id: x\n", 1, "queues", "at least one queue is required"},
		{"duplicate key", q + "node_id: a\nnode_id: b\n", 3, "node_id", `duplicate key "node_id"`},
		{"unknown top key", q + "agent: []\n", 2, "agent", `unknown key "agent" (did you mean "agents"?)`},
		{"section not a mapping", q + "sip: true\n", 2, "sip", "expected a mapping, got the boolean true"},
		{"alias", q + "x: &a 1\n", 2, "x", `unknown key "x"`},
		{"alias value", "node_id: &n a\nhttp: {token: *n}\n" + q, 2, "http.token", "aliases (*n) are not supported"},
		{"merge key", q + "sip:\n  <<: {realm: a}\n", 3, "sip.<<", "merge keys"},
		{"bool type", q + "sip: {login_on_register: 1}\n", 2, "sip.login_on_register", "expected true or false"},
		{"list type", q + "sip: {trusted_trunks: 127.0.0.1}\n", 2, "sip.trusted_trunks", "expected a list"},
		{"string type", q + "http: {token: [a]}\n", 2, "http.token", "expected a string, got a list"},
		{"duration type", q + "sip: {shutdown_grace: 1.5}\n", 2, "sip.shutdown_grace", "expected a duration"},
		{"null duration", q + "sip: {shutdown_grace: }\n", 2, "sip.shutdown_grace", "got nothing"},
		{"int overflow", q + "rtp: {port_min: 9223372036854775808}\n", 2, "rtp.port_min", "out of range"},
		{"bad fsync", q + "events:\n  fsync: sometimes\n", 3, "events.fsync", `got "sometimes"`},
		{"odd port_min", q + "rtp:\n  port_min: 20001\n", 3, "rtp.port_min", "must be even"},
		{"not a number", q + "rtp: {port_min: 1e9}\n", 2, "rtp.port_min", `expected an integer, got the number "1e9"`},
		{"port_min low", q + "rtp:\n  port_min: 80\n", 3, "rtp.port_min", "port range 80-29999"},
		{"port_max high", q + "rtp:\n  port_max: 70000\n", 3, "rtp.port_max", "port range 20000-70000"},
		{"listen", q + "http:\n  listen: localhost\n", 3, "http.listen", "not a host:port"},
		{"no sip", q + "sip:\n  listen_udp: ''\n  listen_tcp: ''\n", 2, "sip", "at least one of listen_udp"},
		{"wildcard", q + "sip:\n  listen_udp: 0.0.0.0:5060\n", 2, "sip.advertise", `"0.0.0.0" cannot be reached`},
		{"advertise port", q + "sip:\n  advertise: host:5060\n", 3, "sip.advertise", "not a host name"},
		{"trunk zone", q + "sip:\n  trusted_trunks: ['fe80::1%eth0']\n", 3, "sip.trusted_trunks[0]", "not an IP address"},
		{"full response", "queues:\n- name: q\n  number: '1'\n  full_response: 404\n", 4, "queues[0].full_response", "486 or 503"},
		{"ring timeout", "queues:\n- name: q\n  number: '1'\n  ring_timeout: 0s\n", 4, "queues[0].ring_timeout", "must be positive"},
		{"negative wrap", "queues:\n- name: q\n  number: '1'\n  wrap_up: -1s\n", 4, "queues[0].wrap_up", "must not be negative"},
		{"queue name", "queues:\n- name: Sales\n  number: '1'\n", 2, "queues[0].name", "may contain only"},
		{"missing number", "queues:\n- name: q\n", 2, "queues[0].number", "is required"},
		{"duplicate name", "queues:\n- {name: q, number: '1'}\n- {name: q, number: '2'}\n", 3, "queues[1].name", `duplicate name "q"`},
		{"queue item type", "queues:\n- q\n", 2, "queues[0]", "expected a mapping"},
		{"duplicate agent", q + "agents:\n- {id: a, username: x, password: p, queues: [q]}\n- {id: a, username: y, password: p, queues: [q]}\n", 4, "agents[1].id", `duplicate id "a"`},
		{"agent no queues", q + "agents:\n- id: a\n  password: p\n", 3, "agents[0].queues", "at least one queue"},
		{"agent queue twice", q + "agents:\n- id: a\n  password: p\n  queues: [q, q]\n", 5, "agents[0].queues[1]", "listed twice"},
		{"empty password", q + "agents:\n- id: a\n  password: ''\n  queues: [q]\n", 4, "agents[0].password", "is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.src))
			e := firstError(t, err)
			if e.File != "t.yaml" || e.Line != tc.line || e.Field != tc.field || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %s:%d: %s: %s\nwant t.yaml:%d: %s: …%s…", e.File, e.Line, e.Field, e.Msg, tc.line, tc.field, tc.msg)
			}
		})
	}
}

func TestErrorsAreCollectedInLineOrder(t *testing.T) {
	src := `agents:
  - id: "1"
    password: p
    queues: [nope]
queues:
  - name: q
    number: "1"
    strategy: bogus
sip:
  trusted_trunks: [not-an-ip]
`
	_, err := Parse("many.yaml", []byte(src))
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %v does not join several errors", err)
	}
	var lines []int
	for _, err := range joined.Unwrap() {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%v is not a *config.Error", err)
		}
		lines = append(lines, e.Line)
	}
	if want := []int{4, 8, 10}; len(lines) != len(want) || lines[0] != 4 || lines[1] != 8 || lines[2] != 10 {
		t.Errorf("lines = %v, want %v", lines, want)
	}
	if first := strings.Split(err.Error(), "\n")[0]; first != `many.yaml:4: agents[0].queues[0]: unknown queue "nope"` {
		t.Errorf("first line = %q", first)
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.yaml", Line: 3, Field: "sip.realm", Msg: "is required"}, "a.yaml:3: sip.realm: is required"},
		{Error{File: "a.yaml", Field: "queues", Msg: "m"}, "a.yaml: queues: m"},
		{Error{Msg: "m"}, "config: m"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if err == nil || !strings.HasPrefix(err.Error(), "load config: ") {
		t.Errorf("err = %v", err)
	}
}
