package main

// End-to-end tests of skills-based routing and the customer file: the real
// acd binary with sipp callers and agents (see e2e_harness_test.go). The
// config these tests need (skills, routing steps, priorities, a customer
// file) is more than acdSpec says, so startSkillsACD writes its own
// queues, agents and customers sections after the harness's common ones.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// skillStep is one routing step of a queue.
type skillStep struct {
	Needs    map[string]int
	Duration time.Duration
}

type skillQueue struct {
	queueSpec
	Priority int
	Steps    []skillStep
}

type skillAgent struct {
	agentSpec
	Skills map[string]int
}

// skillsSpec is an acd with skills, steps, priorities and optionally a
// customer file (CSV content, written next to the config).
type skillsSpec struct {
	Queues         []skillQueue
	Agents         []skillAgent
	Customers      string
	DefaultCountry string
	PreferTime     time.Duration
	VIPPriority    int
}

// yamlMap writes {a: 1, b: 2} with sorted keys.
func yamlMap(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// sections writes the queues, agents and customers sections.
func (s skillsSpec) sections() string {
	var b strings.Builder
	b.WriteString("queues:\n")
	for _, q := range s.Queues {
		strategy := q.Strategy
		if strategy == "" {
			strategy = "longest-idle"
		}
		fmt.Fprintf(&b, "  - name: %s\n    number: %q\n    strategy: %s\n    ring_timeout: %s\n    wrap_up: %s\n    priority: %d\n",
			q.Name, q.Number, strategy, yamlDur(q.RingTimeout), yamlDur(q.WrapUp), q.Priority)
		if len(q.Steps) > 0 {
			b.WriteString("    steps:\n")
			for _, st := range q.Steps {
				fmt.Fprintf(&b, "      - requirements: %s\n        duration: %s\n", yamlMap(st.Needs), yamlDur(st.Duration))
			}
		}
	}
	b.WriteString("agents:\n")
	for _, a := range s.Agents {
		fmt.Fprintf(&b, "  - id: %q\n    password: %q\n    queues: [%s]\n", a.ID, a.Password, strings.Join(a.Queues, ", "))
		if len(a.Skills) > 0 {
			fmt.Fprintf(&b, "    skills: %s\n", yamlMap(a.Skills))
		}
	}
	if s.Customers != "" {
		fmt.Fprintf(&b, "customers:\n  file: customers.csv\n  default_country: %q\n  prefer_time: %s\n  vip_priority: %d\n",
			s.DefaultCountry, yamlDur(s.PreferTime), s.VIPPriority)
	}
	return b.String()
}

// startSkillsACD is startACD for a skillsSpec: the harness's config up to
// its queues, then this spec's sections; the customer file goes next to
// the config (its path is relative to it).
func startSkillsACD(t *testing.T, spec skillsSpec) *acdProc {
	t.Helper()
	base := acdSpec{}
	for _, a := range spec.Agents {
		base.Agents = append(base.Agents, a.agentSpec)
	}
	opts := []acdOption{withConfig(func(yaml string) string {
		i := strings.Index(yaml, "queues:\n")
		if i < 0 {
			t.Fatalf("config has no queues section:\n%s", yaml)
		}
		return yaml[:i] + spec.sections()
	})}
	if spec.Customers != "" {
		opts = append(opts, withFile("customers.csv", spec.Customers))
	}
	return startACDOpts(t, base, opts...)
}

// skilled makes agent id (password "pw-<id>") with skills in queues.
func skilled(id string, skills map[string]int, queues ...string) skillAgent {
	return skillAgent{agentSpec: agentSpec{ID: id, Password: "pw-" + id, Queues: queues}, Skills: skills}
}

// callFrom starts a caller with the given number dialling number, who
// hangs up hold after the ACD answers.
func (a *acdProc) callFrom(name, number, caller string, rtp *rtpPeer, hold time.Duration) *sippProc {
	a.t.Helper()
	return a.startSipp(name, "caller_from.xml", a.sipAddr(), "-s", number, "-key", "caller", caller,
		"-key", "rtp_port", rtp.portArg(), "-d", fmt.Sprint(hold.Milliseconds()), "-m", "1")
}

// enteredBy maps each caller number to the call id it entered with.
func enteredBy(evs []event) map[string]string {
	out := map[string]string{}
	for _, e := range filterEvents(evs, ofType("entered")) {
		out[e.Caller] = e.CallID
	}
	return out
}

// priorities reads the priority of each call's entered event (the
// harness's event type leaves it out).
func (a *acdProc) priorities() map[string]int {
	a.t.Helper()
	b, err := os.ReadFile(a.events)
	if err != nil {
		a.t.Fatal(err)
	}
	out := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var e struct {
			Type     string `json:"type"`
			CallID   string `json:"call_id"`
			Priority int    `json:"priority"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Type == "entered" {
			out[e.CallID] = e.Priority
		}
	}
	return out
}

// TestE2ESkillsTwoQueuesShareAgents: two queues share two agents with
// different skills. A tech call goes to the tech expert although the
// billing expert has idled longer, and a billing call to the billing
// expert; neither agent is ever offered a call outside their skill.
func TestE2ESkillsTwoQueuesShareAgents(t *testing.T) {
	e2eTest(t)
	billing := skillQueue{queueSpec: queueSpec{Name: "billing", Number: "200", RingTimeout: 2 * time.Second},
		Steps: []skillStep{{Needs: map[string]int{"billing": 3}}}}
	tech := skillQueue{queueSpec: queueSpec{Name: "tech", Number: "201", RingTimeout: 2 * time.Second},
		Steps: []skillStep{{Needs: map[string]int{"tech": 3}}}}
	acd := startSkillsACD(t, skillsSpec{Queues: []skillQueue{billing, tech}, Agents: []skillAgent{
		skilled("1001", map[string]int{"billing": 5, "tech": 1}, "billing", "tech"),
		skilled("1002", map[string]int{"billing": 1, "tech": 5}, "billing", "tech"),
	}})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	phones := map[string]*sippProc{}
	for _, id := range []string{"1001", "1002"} { // 1001 first: it idles longest
		phones[id] = acd.startAgentUAS("agent-"+id, "agent_answer.xml", agentRTP.port())
		acd.register(id, phones[id])
	}

	techCaller := acd.startSipp("tech", "caller.xml", acd.sipAddr(), "-s", tech.Number,
		"-key", "rtp_port", callerRTP.portArg(), "-d", "3000", "-m", "1")
	acd.waitEvent("the tech call connected", 10*time.Second, ofType("connected"))
	billingCaller := acd.startSipp("billing", "caller.xml", acd.sipAddr(), "-s", billing.Number,
		"-key", "rtp_port", callerRTP.portArg(), "-d", "2000", "-m", "1")
	techCaller.expectSuccess(1)
	billingCaller.expectSuccess(1)
	evs := acd.waitEvents("2 completed calls", 10*time.Second, func(evs []event) bool { return countType(evs, "completed") == 2 })
	phones["1001"].stopAndExpect(1)
	phones["1002"].stopAndExpect(1)

	byQueue := map[string]string{}
	for _, e := range filterEvents(evs, ofType("connected")) {
		byQueue[e.Queue] = e.Agent
	}
	if byQueue["tech"] != "1002" || byQueue["billing"] != "1001" {
		t.Errorf("connected %v, want tech to 1002 and billing to 1001", byQueue)
	}
	for _, e := range filterEvents(evs, ofType("offered")) {
		if want := map[string]string{"tech": "1002", "billing": "1001"}[e.Queue]; !slices.Equal(e.Agents, []string{want}) {
			t.Errorf("%s call offered to %v, want only %s", e.Queue, e.Agents, want)
		}
	}
}

// TestE2EStepExpiresToALowerLevelAgent: the first step asks for billing 4,
// which nobody has; when it expires after 2 s the call goes, with no other
// event, to the agent with billing 2.
func TestE2EStepExpiresToALowerLevelAgent(t *testing.T) {
	e2eTest(t)
	const step = 2 * time.Second
	q := skillQueue{queueSpec: queueSpec{Name: "billing", Number: "200", RingTimeout: 2 * time.Second},
		Steps: []skillStep{{Needs: map[string]int{"billing": 4}, Duration: step}, {Needs: map[string]int{"billing": 2}}}}
	acd := startSkillsACD(t, skillsSpec{Queues: []skillQueue{q}, Agents: []skillAgent{skilled("1001", map[string]int{"billing": 2}, "billing")}})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	phone := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", phone)

	caller := acd.startSipp("caller", "caller.xml", acd.sipAddr(), "-s", q.Number,
		"-key", "rtp_port", callerRTP.portArg(), "-d", "5000", "-m", "1")
	caller.expectSuccess(1)
	evs := acd.waitEvents("completed call", 10*time.Second, func(evs []event) bool { return countType(evs, "completed") == 1 })
	phone.stopAndExpect(1)
	off := filterEvents(evs, ofType("offered"))
	conn := filterEvents(evs, ofType("connected"))
	if len(off) != 1 || len(conn) != 1 || conn[0].Agent != "1001" {
		t.Fatalf("offered %v, connected %v; want one offer to 1001, answered", off, conn)
	}
	// Offered the moment the step expired (not a second later: no
	// polling), connected after 200 ms of ringing.
	if w := time.Duration(off[0].WaitMS) * time.Millisecond; w < step || w > step+time.Second {
		t.Errorf("offered after %v, want right after the %v step", w, step)
	}
	if w := time.Duration(conn[0].WaitMS) * time.Millisecond; w < step+200*time.Millisecond {
		t.Errorf("connected after %v, want at least the %v step and the 200 ms ring", w, step)
	}
}

// TestE2EVIPServedBeforeEarlierCallers: two callers wait, then a VIP from
// the customer file calls; when the agent logs in the VIP is served
// first, then the others in arrival order.
func TestE2EVIPServedBeforeEarlierCallers(t *testing.T) {
	e2eTest(t)
	q := skillQueue{queueSpec: queueSpec{Name: "support", Number: "100", RingTimeout: 2 * time.Second}, Priority: 1}
	acd := startSkillsACD(t, skillsSpec{
		Queues:    []skillQueue{q},
		Agents:    []skillAgent{skilled("1001", nil, "support")},
		Customers: "number,name,account,vip\n+33 6 12 34 56 78,Dupont,C-42,yes\n0033 6 99 99 99 99,Durand,C-43,\n",
		// Durand is known but no VIP: the queue's priority stands.
		DefaultCountry: "33", PreferTime: 10 * time.Second, VIPPriority: 10,
	})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)

	// Each caller stays long enough to be served after those before it
	// (the agent answers in 200 ms and has no wrap-up).
	first := acd.callFrom("first", q.Number, "0699999999", callerRTP, 9*time.Second)
	acd.waitEvent("the first caller waiting", 10*time.Second, ofType("entered"))
	second := acd.callFrom("second", q.Number, "0611111111", callerRTP, 14*time.Second)
	acd.waitEvents("two callers waiting", 10*time.Second, func(evs []event) bool { return countType(evs, "entered") == 2 })
	vip := acd.callFrom("vip", q.Number, "0612345678", callerRTP, 5*time.Second)
	acd.waitEvents("three callers waiting", 10*time.Second, func(evs []event) bool { return countType(evs, "entered") == 3 })
	if n := countType(acd.readEvents(), "offered"); n != 0 {
		t.Fatalf("%d offers before any agent logged in", n)
	}

	phone := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", phone)
	for _, c := range []*sippProc{vip, first, second} {
		c.expectSuccess(1)
	}
	evs := acd.waitEvents("3 completed calls", 10*time.Second, func(evs []event) bool { return countType(evs, "completed") == 3 })
	phone.stopAndExpect(3)

	ids := enteredBy(evs)
	var order []string
	for _, e := range filterEvents(evs, ofType("connected")) {
		for number, id := range ids {
			if id == e.CallID {
				order = append(order, number)
			}
		}
	}
	if want := []string{"0612345678", "0699999999", "0611111111"}; !slices.Equal(order, want) {
		t.Errorf("served %v, want the VIP first, then the others in arrival order %v", order, want)
	}
	prio := acd.priorities()
	if p := prio[ids["0612345678"]]; p != 10 {
		t.Errorf("VIP entered with priority %d, want vip_priority 10", p)
	}
	if p := prio[ids["0699999999"]]; p != 1 {
		t.Errorf("a known customer who is no VIP entered with priority %d, want the queue's 1", p)
	}
	// The logs show numbers masked, never whole.
	if stderr := acd.stderrText(); strings.Contains(stderr, "612345678") || !strings.Contains(stderr, "caller=*******678") {
		t.Errorf("acd log shows the VIP's number unmasked, or not at all masked:\n%s", tail(stderr, 4000))
	}
}

// TestE2EReturningCustomerGoesToTheirLastAgent: Dupont was served by 1002
// last; with 1001 and 1002 both free (1001 idle longer) the call goes to
// 1002, whose phone sees the customer's name and account (its sipp
// scenario fails the call otherwise); afterwards the customer file
// records the call.
func TestE2EReturningCustomerGoesToTheirLastAgent(t *testing.T) {
	e2eTest(t)
	q := skillQueue{queueSpec: queueSpec{Name: "support", Number: "100", RingTimeout: 2 * time.Second}}
	acd := startSkillsACD(t, skillsSpec{
		Queues:         []skillQueue{q},
		Agents:         []skillAgent{skilled("1001", nil, "support"), skilled("1002", nil, "support")},
		Customers:      "number,name,account,last_agent,last_call\n06 12 34 56 78,Dupont,C-42,1002,2026-01-05T10:00:00Z\n",
		DefaultCountry: "33", PreferTime: 10 * time.Second, VIPPriority: 10,
	})
	callerRTP := newRTPPeer(t, "caller", callerFill)
	agentRTP := newRTPPeer(t, "agent", agentFill)
	other := acd.startAgentUAS("agent-1001", "agent_answer.xml", agentRTP.port())
	acd.register("1001", other) // first: the longest idle
	last := acd.startAgentUAS("agent-1002", "agent_answer_customer.xml", agentRTP.port())
	acd.register("1002", last)

	start := time.Now().UTC().Truncate(time.Second)
	caller := acd.callFrom("dupont", q.Number, "+33612345678", callerRTP, 2*time.Second)
	caller.expectSuccess(1)
	evs := acd.waitEvents("completed call", 10*time.Second, func(evs []event) bool { return countType(evs, "completed") == 1 })
	last.stopAndExpect(1)
	other.stopAndExpect(0)
	if off := filterEvents(evs, ofType("offered")); len(off) != 1 || !slices.Equal(off[0].Agents, []string{"1002"}) {
		t.Errorf("offers %v, want one to 1002", off)
	}
	conn := filterEvents(evs, ofType("connected"))
	if len(conn) != 1 || conn[0].Agent != "1002" || conn[0].WaitMS > 2000 {
		t.Errorf("connected %v, want to 1002 at once (not after the 10 s prefer window)", conn)
	}
	if log := last.logText(); !strings.Contains(log, `customer-header=X-ACD-Customer: name="Dupont"; account="C-42"`) {
		t.Errorf("agent phone logged %q, want the X-ACD-Customer header", log)
	}

	// The connected call is recorded in the customer file, in the
	// background: last agent 1002, last call now.
	path := filepath.Join(acd.dir, "customers.csv")
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if i := bytes.Index(b, []byte("+33612345678,Dupont,C-42,0,false,,1002,")); i >= 0 {
			stamp := strings.TrimSpace(string(b[i+len("+33612345678,Dupont,C-42,0,false,,1002,"):]))
			if at, err := time.Parse(time.RFC3339, stamp); err == nil && !at.Before(start) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("customer file after the call:\n%s", b)
		}
		time.Sleep(25 * time.Millisecond)
	}
	if strings.Contains(acd.stderrText(), "612345678") {
		t.Errorf("acd log shows the caller's number unmasked:\n%s", tail(acd.stderrText(), 4000))
	}
}
