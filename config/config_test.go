package config

import (
	"net/netip"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestDefaultsApplied(t *testing.T) {
	c, err := Parse("min.yaml", []byte("queues:\n  - {name: q, number: \"1\"}\nagents:\n  - {id: a1, password: p, queues: [q]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := defaultConfig()
	checks := []struct {
		name      string
		got, want any
	}{
		{"Path", c.Path, "min.yaml"},
		{"NodeID", c.NodeID, "acd-1"},
		{"ListenUDP", c.SIP.ListenUDP, "127.0.0.1:5060"},
		{"ListenTCP", c.SIP.ListenTCP, "127.0.0.1:5060"},
		{"Advertise", c.SIP.Advertise, "127.0.0.1"},
		{"Realm", c.SIP.Realm, "acd"},
		{"TrustedTrunks", len(c.SIP.TrustedTrunks), 0},
		{"MaxMisses", c.SIP.MaxMisses, 3},
		{"LoginOnRegister", c.SIP.LoginOnRegister, true},
		{"ShutdownGrace", c.SIP.ShutdownGrace, 30 * time.Second},
		{"PortMin", c.RTP.PortMin, 20000},
		{"PortMax", c.RTP.PortMax, 29999},
		{"SilenceTimeout", c.RTP.SilenceTimeout, 30 * time.Second},
		{"HoldAudio", c.RTP.HoldAudio, ""},
		{"HTTP", c.HTTP, want.HTTP},
		{"Events", c.Events, Events{Path: "acd-events.jsonl", Fsync: "every-event"}},
		{"Queue", c.Queues[0], Queue{
			Name: "q", Number: "1", Strategy: "longest-idle", RingTimeout: 15 * time.Second,
			WrapUp: 5 * time.Second, ServiceLevel: 20 * time.Second, FullResponse: 486,
			RetryAfter: 60 * time.Second,
		}},
		{"Username", c.Agents[0].Username, "a1"},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

func TestExplicitValuesOverrideDefaults(t *testing.T) {
	src := `
sip:
  listen_udp: ""
  listen_tcp: "[::1]:5070"
  login_on_register: false
  max_misses: 0
rtp: {silence_timeout: 0}
http: {listen: ""}
events: {fsync: 250ms}
queues:
  - {name: q, number: "0100", max_wait: 0, wrap_up: 0s}
`
	c, err := Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.SIP.ListenUDP != "" || c.SIP.Advertise != "::1" || c.SIP.LoginOnRegister || c.SIP.MaxMisses != 0 {
		t.Errorf("SIP = %+v", c.SIP)
	}
	if c.RTP.SilenceTimeout != 0 || c.HTTP.Listen != "" || c.Queues[0].WrapUp != 0 {
		t.Errorf("zero values not kept: %+v %+v %+v", c.RTP, c.HTTP, c.Queues[0])
	}
	if c.Queues[0].Number != "0100" {
		t.Errorf("Number = %q, want it as written", c.Queues[0].Number)
	}
	if every, d := c.Events.FsyncInterval(); every || d != 250*time.Millisecond {
		t.Errorf("FsyncInterval = %v, %v", every, d)
	}
}

func TestDefault(t *testing.T) {
	c := Default()
	if c.Path != "" || c.NodeID != "acd-1" || c.HTTP.Token != "" || c.Events.Path != "acd-events.jsonl" {
		t.Errorf("Default = %+v", c)
	}
	q, ok := c.QueueByNumber("100")
	if !ok || q.Name != "support" || q.Strategy != StrategyLongestIdle {
		t.Errorf("QueueByNumber(100) = %+v, %v", q, ok)
	}
	var got []string
	for _, a := range c.Agents {
		got = append(got, a.ID+"/"+a.Username+"/"+a.Password+"/"+a.Name)
	}
	want := []string{"1001/1001/1001pass/Alice", "1002/1002/1002pass/Bob", "1003/1003/1003pass/Carol"}
	if !slices.Equal(got, want) {
		t.Errorf("agents = %v, want %v", got, want)
	}
	if p := c.TrustedPrefixes(); !slices.Equal(p, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}) {
		t.Errorf("TrustedPrefixes = %v", p)
	}
	c.Queues[0].Name = "changed"
	if Default().Queues[0].Name != "support" {
		t.Error("Default shares state between calls")
	}
}

func TestExampleParses(t *testing.T) {
	c, err := Load("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Queues) != 3 || len(c.Agents) != 4 {
		t.Fatalf("got %d queues, %d agents", len(c.Queues), len(c.Agents))
	}
	billing, ok := c.QueueByName("billing")
	if !ok || billing.Strategy != StrategyBestSkill || len(billing.Steps) != 2 || billing.Steps[1].Requirements["billing"] != 2 ||
		billing.Weight != 10 || billing.PriorityAging != 30*time.Second {
		t.Errorf("billing = %+v", billing)
	}
	if a := c.Agents[0]; a.Skills["billing"] != 4 || a.Skills["french"] != 2 {
		t.Errorf("agent %s skills %v", a.ID, a.Skills)
	}
	sales, ok := c.QueueByName("sales")
	if !ok || sales.Number != "200" || sales.Strategy != StrategyRingAll || sales.FullResponse != 503 {
		t.Errorf("sales = %+v", sales)
	}
	if _, ok := c.QueueByNumber("400"); ok {
		t.Error("QueueByNumber(400) found a queue")
	}
}

func TestHoldAudioResolvedAgainstConfigDir(t *testing.T) {
	dir := filepath.Join("..", "testdata", "config")
	c, err := Load(filepath.Join(dir, "hold_audio.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "music", "hold.wav"); c.RTP.HoldAudio != want {
		t.Errorf("HoldAudio = %q, want %q", c.RTP.HoldAudio, want)
	}

	abs := filepath.Join(t.TempDir(), "hold.wav")
	c, err = Parse("/etc/acd/acd.yaml", []byte("rtp: {hold_audio: "+abs+"}\nqueues: [{name: q, number: \"1\"}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.RTP.HoldAudio != abs {
		t.Errorf("absolute HoldAudio = %q, want %q", c.RTP.HoldAudio, abs)
	}
}

func TestTrustedPrefixes(t *testing.T) {
	c := Default()
	c.SIP.TrustedTrunks = []string{"10.1.2.3", "10.1.2.3/8", "2001:db8::1", "2001:db8::/32"}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.1.2.3/32"),
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("2001:db8::1/128"),
		netip.MustParsePrefix("2001:db8::/32"),
	}
	if got := c.TrustedPrefixes(); !slices.Equal(got, want) {
		t.Errorf("TrustedPrefixes = %v, want %v", got, want)
	}
}

func TestFsyncInterval(t *testing.T) {
	for _, tc := range []struct {
		fsync    string
		every    bool
		interval time.Duration
	}{
		{"every-event", true, 0},
		{"never", false, 0},
		{"100ms", false, 100 * time.Millisecond},
		{"bogus", true, 0},
	} {
		every, d := Events{Fsync: tc.fsync}.FsyncInterval()
		if every != tc.every || d != tc.interval {
			t.Errorf("FsyncInterval(%q) = %v, %v; want %v, %v", tc.fsync, every, d, tc.every, tc.interval)
		}
	}
}

func TestStrategiesMatchValidation(t *testing.T) {
	if len(Strategies) != 7 {
		t.Errorf("len(Strategies) = %d, want 7", len(Strategies))
	}
	for _, s := range Strategies {
		if !knownStrategy(s) {
			t.Errorf("Strategies lists %q but validation rejects it", s)
		}
	}
	if knownStrategy("") || knownStrategy("Ring-All") {
		t.Error("knownStrategy accepts a name not in Strategies")
	}
}

func TestValidateAfterChange(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.Queues = append(c.Queues, Queue{Name: "support", Number: "100", Strategy: "x"})
	if err := c.Validate(); err == nil {
		t.Fatal("Validate accepted a duplicate, strategy-less, zero-timeout queue")
	}
}
