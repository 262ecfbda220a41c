package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSkillsStepsWeightsAndAgeing(t *testing.T) {
	src := `
queues:
  - name: billing
    number: "300"
    strategy: best-skill
    weight: 5
    priority_aging: 30s
    steps:
      - requirements: {billing: 4}
        duration: 20s
      - requirements:
          billing: 2
          french: 1
        duration: 40s
      - {}
  - name: sales
    number: "200"
agents:
  - id: a1
    password: p
    queues: [billing, sales]
    skills: {billing: 4, french: 2, tier_2-support: 5}
  - id: a2
    password: p
    queues: [sales]
    skills:
`
	c, err := Parse("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	billing, sales := c.Queues[0], c.Queues[1]
	if billing.Strategy != StrategyBestSkill || billing.Weight != 5 || billing.PriorityAging != 30*time.Second {
		t.Errorf("billing = %+v", billing)
	}
	wantSteps := []Step{
		{Requirements: map[string]int{"billing": 4}, Duration: 20 * time.Second},
		{Requirements: map[string]int{"billing": 2, "french": 1}, Duration: 40 * time.Second},
		{},
	}
	if !reflect.DeepEqual(billing.Steps, wantSteps) {
		t.Errorf("steps = %+v, want %+v", billing.Steps, wantSteps)
	}
	if sales.Steps != nil || sales.Weight != 0 || sales.PriorityAging != 0 {
		t.Errorf("sales defaults = %+v", sales)
	}
	if want := map[string]int{"billing": 4, "french": 2, "tier_2-support": 5}; !reflect.DeepEqual(c.Agents[0].Skills, want) {
		t.Errorf("a1 skills = %v, want %v", c.Agents[0].Skills, want)
	}
	if c.Agents[1].Skills != nil {
		t.Errorf("a2 skills = %v, want none", c.Agents[1].Skills)
	}
	if l := c.lines["agents[0].skills.french"]; l != 22 {
		t.Errorf("line of agents[0].skills.french = %d, want 22", l)
	}
}

func TestBadSkillsAndSteps(t *testing.T) {
	const q = "queues: [{name: q, number: \"1\"}]\n"
	agent := func(skills string) string {
		return q + "agents:\n- id: a\n  password: p\n  queues: [q]\n  skills:\n" + skills
	}
	queue := func(body string) string { return "queues:\n- name: q\n  number: '1'\n" + body }
	for _, tc := range []struct {
		name, src string
		line      int
		field     string
		msg       string
	}{
		{"level too high", agent("    billing: 6\n"), 7, "agents[0].skills.billing", "level must be 1 to 5, got 6"},
		{"level zero", agent("    french: 2\n    billing: 0\n"), 8, "agents[0].skills.billing", "level must be 1 to 5, got 0"},
		{"negative level", agent("    billing: -1\n"), 7, "agents[0].skills.billing", "got -1"},
		{"skill name", agent("    Billing: 3\n"), 7, "agents[0].skills.Billing", `skill name "Billing" may contain only`},
		{"skill name with a space", agent("    \"two words\": 3\n"), 7, "agents[0].skills.two words", "may contain only"},
		{"level not an integer", agent("    billing: high\n"), 7, "agents[0].skills.billing", `expected an integer, got the string "high"`},
		{"level a float", agent("    billing: 4.5\n"), 7, "agents[0].skills.billing", `expected an integer, got the number "4.5"`},
		{"skills a list", q + "agents:\n- id: a\n  password: p\n  queues: [q]\n  skills: [billing]\n", 6, "agents[0].skills", "expected a mapping of skill to level"},
		{"duplicate skill", agent("    billing: 3\n    billing: 4\n"), 8, "agents[0].skills.billing", `duplicate skill "billing"`},
		{"skill alias", "x: &l 3\n" + agent("    billing: *l\n"), 0, "", ""},
		{"step level", queue("  steps:\n  - requirements: {billing: 9}\n"), 5, "queues[0].steps[0].requirements.billing", "level must be 1 to 5, got 9"},
		{"step skill name", queue("  steps:\n  - requirements:\n      bill ing: 2\n"), 6, "queues[0].steps[0].requirements.bill ing", "may contain only"},
		{"step without duration before the last", queue("  steps:\n  - requirements: {billing: 4}\n  - requirements: {billing: 2}\n"), 5, "queues[0].steps[0].duration", "is required on every step but the last"},
		{"step duration 0 before the last", queue("  steps:\n  - duration: 10s\n  - duration: 0s\n  - {}\n"), 6, "queues[0].steps[1].duration", "steps[2] would never start"},
		{"negative step duration", queue("  steps:\n  - duration: -5s\n"), 5, "queues[0].steps[0].duration", "must not be negative"},
		{"step duration type", queue("  steps:\n  - duration: 20\n"), 5, "queues[0].steps[0].duration", "invalid duration"},
		{"unknown step key", queue("  steps:\n  - requirement: {billing: 4}\n"), 5, "queues[0].steps[0].requirement", `unknown key "requirement" (did you mean "requirements"?)`},
		{"steps not a list", queue("  steps: {billing: 4}\n"), 4, "queues[0].steps", "expected a list"},
		{"step not a mapping", queue("  steps: [billing]\n"), 4, "queues[0].steps[0]", "expected a mapping"},
		{"requirements a list", queue("  steps:\n  - requirements: [billing]\n"), 5, "queues[0].steps[0].requirements", "expected a mapping of skill to level"},
		{"negative ageing", queue("  priority_aging: -30s\n"), 4, "queues[0].priority_aging", "must be 0 (off) or at least 1s, got -30s"},
		{"ageing too fast", queue("  priority_aging: 10ms\n"), 4, "queues[0].priority_aging", "at least 1s, got 10ms"},
		{"weight type", queue("  weight: heavy\n"), 4, "queues[0].weight", "expected an integer"},
		{"misspelt weight", queue("  wieght: 3\n"), 4, "queues[0].wieght", `(did you mean "weight"?)`},
		{"misspelt strategy", queue("  strategy: best_skill\n"), 4, "queues[0].strategy", `unknown strategy "best_skill"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.src))
			if tc.msg == "" { // aliases are refused where they are used
				if err == nil || !strings.Contains(err.Error(), "aliases") {
					t.Fatalf("err = %v, want aliases refused", err)
				}
				return
			}
			e := firstError(t, err)
			if e.File != "t.yaml" || e.Line != tc.line || e.Field != tc.field || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %s:%d: %s: %s\nwant t.yaml:%d: %s: …%s…", e.File, e.Line, e.Field, e.Msg, tc.line, tc.field, tc.msg)
			}
		})
	}
}

// TestSkillErrorsAreAllReported: every bad level is named, in file order.
func TestSkillErrorsAreAllReported(t *testing.T) {
	src := "queues:\n- name: q\n  number: '1'\n  steps:\n  - requirements: {z: 7, a: 0}\nagents:\n- id: a\n  password: p\n  queues: [q]\n  skills: {billing: 9}\n"
	_, err := Parse("t.yaml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		"t.yaml:5: queues[0].steps[0].requirements.a: level must be 1 to 5, got 0",
		"t.yaml:5: queues[0].steps[0].requirements.z: level must be 1 to 5, got 7",
		"t.yaml:10: agents[0].skills.billing: level must be 1 to 5, got 9",
	}
	if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
