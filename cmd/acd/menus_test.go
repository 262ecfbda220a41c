package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sme/acd/acd/ivr"
	"github.com/sme/acd/config"
)

const menusConfig = `
queues:
  - name: support
    number: "100"
  - name: sales
    number: "200"
agents:
  - id: a1
    password: p
    queues: [support, sales]
menus:
  - name: main
    number: "500"
    timeout: 3s
    repeats: 1
    options: {"1": {queue: sales}, "2": {menu: more}}
    default: {queue: support}
  - name: more
    options: {"1": {queue: support}}
    default: {queue: support}
`

func TestMenusWiring(t *testing.T) {
	cfg, err := config.Parse("menus.yaml", []byte(menusConfig))
	if err != nil {
		t.Fatal(err)
	}
	ms, prompt, err := menus(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := ms["main"]
	if m.Number != "500" || m.Timeout != 3*time.Second || m.Repeats != 1 ||
		m.Options["1"] != (ivr.Target{Queue: "sales"}) || m.Options["2"] != (ivr.Target{Menu: "more"}) ||
		m.Default != (ivr.Target{Queue: "support"}) {
		t.Errorf("main = %+v", m)
	}
	if _, ok := ms["more"]; !ok {
		t.Error("sub-menu missing")
	}
	if prompt("main") == nil {
		t.Error("no prompt source for a menu without a WAV")
	}
	cfg.Menus[0].Prompt = filepath.Join(t.TempDir(), "missing.wav")
	if _, _, err := menus(cfg); err == nil || !strings.Contains(err.Error(), "menu main prompt") {
		t.Errorf("missing WAV: err = %v", err)
	}
}
