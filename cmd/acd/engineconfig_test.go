package main

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/config"
	"github.com/sme/acd/queue"
)

const skillsConfig = `
queues:
  - name: billing
    number: "300"
    strategy: best-skill
    weight: 10
    priority_aging: 30s
    priority: 2
    steps:
      - requirements: {billing: 4}
        duration: 20s
      - requirements: {billing: 2, french: 1}
  - name: sales
    number: "200"
agents:
  - id: a1
    password: p
    queues: [billing, sales]
    skills: {billing: 4, french: 2}
  - id: a2
    password: p
    queues: [sales]
`

func TestEngineConfigMapsRoutingPolicy(t *testing.T) {
	cfg, err := config.Parse("skills.yaml", []byte(skillsConfig))
	if err != nil {
		t.Fatal(err)
	}
	ec := engineConfig(cfg)
	if len(ec.Queues) != 2 {
		t.Fatalf("queues %+v", ec.Queues)
	}
	billing, sales := ec.Queues[0], ec.Queues[1]
	if _, ok := billing.Strategy.(acd.BestSkill); !ok || billing.Weight != 10 || billing.PriorityAging != 30*time.Second || billing.Priority != 2 {
		t.Errorf("billing = %+v", billing)
	}
	want := []queue.Step{
		{Requirements: queue.Requirements{"billing": 4}, Duration: 20 * time.Second},
		{Requirements: queue.Requirements{"billing": 2, "french": 1}},
	}
	if !reflect.DeepEqual(billing.Steps, want) {
		t.Errorf("steps = %+v, want %+v", billing.Steps, want)
	}
	if sales.Steps != nil || sales.Weight != 0 || sales.PriorityAging != 0 {
		t.Errorf("sales = %+v", sales)
	}
	cfg.Queues[0].Steps[0].Requirements["billing"] = 1
	if billing.Steps[0].Requirements["billing"] != 4 {
		t.Error("the engine's steps share memory with the config")
	}
	if _, err := acd.NewEngine(ec, memstore.New(), nil, nil, nil); err != nil {
		t.Errorf("NewEngine: %v", err)
	}
}

func TestLoadAgentsWithSkills(t *testing.T) {
	cfg, err := config.Parse("skills.yaml", []byte(skillsConfig))
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	if err := loadAgents(t.Context(), store, cfg); err != nil {
		t.Fatal(err)
	}
	a1, err := store.Agent(t.Context(), "a1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a1.Skills, map[string]int{"billing": 4, "french": 2}) || !slices.Equal(a1.Queues, []string{"billing", "sales"}) {
		t.Errorf("a1 = %+v", a1)
	}
	if a2, _ := store.Agent(t.Context(), "a2"); a2.Skills != nil {
		t.Errorf("a2 skills = %v", a2.Skills)
	}
}

// TestConfigAndEngineKnowTheSameStrategies: every name the config accepts
// is a strategy the engine has, and the other way round.
func TestConfigAndEngineKnowTheSameStrategies(t *testing.T) {
	var engine []string
	for _, s := range acd.Strategies() {
		engine = append(engine, s.Name())
	}
	if !slices.Equal(slices.Sorted(slices.Values(engine)), slices.Sorted(slices.Values(config.Strategies))) {
		t.Errorf("engine strategies %v, config strategies %v", engine, config.Strategies)
	}
}
