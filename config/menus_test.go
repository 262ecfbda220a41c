package config

import (
	"strings"
	"testing"
	"time"
)

const menuQueues = `
queues:
  - name: support
    number: "100"
  - name: sales
    number: "200"
agents:
  - id: a1
    password: p
    queues: [support, sales]
`

func TestMenusParse(t *testing.T) {
	src := menuQueues + `
menus:
  - name: main
    number: "500"
    prompt: ""
    timeout: 3s
    repeats: 1
    options:
      "1": {queue: support}
      "2": {menu: sales-menu}
    default: {queue: support}
  - name: sales-menu
    options: {"1": {queue: sales}, "*": {menu: main}}
    default: {queue: sales}
`
	c, err := Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Menus) != 2 {
		t.Fatalf("menus = %+v", c.Menus)
	}
	m := c.Menus[0]
	if m.Name != "main" || m.Number != "500" || m.Timeout != 3*time.Second || m.Repeats != 1 ||
		m.Options["1"] != (MenuTarget{Queue: "support"}) || m.Options["2"] != (MenuTarget{Menu: "sales-menu"}) ||
		m.Default != (MenuTarget{Queue: "support"}) {
		t.Errorf("main = %+v", m)
	}
	if s := c.Menus[1]; s.Timeout != 5*time.Second || s.Repeats != 2 || s.Number != "" {
		t.Errorf("defaults = %+v", s)
	}
}

func TestMenusInvalid(t *testing.T) {
	tests := []struct{ name, menus, want string }{
		{"unknown key", `
  - name: m
    number: "500"
    colour: red
    options: {"1": {queue: support}}
    default: {queue: support}`, `m.yaml:`},
		{"unknown queue", `
  - name: m
    number: "500"
    options: {"1": {queue: nope}}
    default: {queue: support}`, `menus[0].options.1.queue: unknown queue "nope"`},
		{"unknown menu", `
  - name: m
    number: "500"
    options: {"1": {menu: nope}}
    default: {queue: support}`, `menus[0].options.1.menu: unknown menu "nope"`},
		{"number clashes with queue", `
  - name: m
    number: "100"
    options: {"1": {queue: support}}
    default: {queue: support}`, `duplicate number "100"`},
		{"number clashes with menu", `
  - name: m
    number: "500"
    options: {"1": {queue: support}}
    default: {queue: support}
  - name: n
    number: "500"
    options: {"1": {queue: support}}
    default: {queue: support}`, `menus[1].number: duplicate number "500"`},
		{"bad digit", `
  - name: m
    number: "500"
    options: {"12": {queue: support}}
    default: {queue: support}`, `is not a DTMF digit`},
		{"both targets", `
  - name: m
    number: "500"
    options: {"1": {queue: support, menu: m}}
    default: {queue: support}`, `set queue or menu, not both`},
		{"no default", `
  - name: m
    number: "500"
    options: {"1": {queue: support}}`, `menus[0].default.queue: is required`},
		{"default menu", `
  - name: m
    number: "500"
    options: {"1": {queue: support}}
    default: {menu: m}`, `menus[0].default.menu: must be a queue`},
		{"bad timeout", `
  - name: m
    number: "500"
    timeout: 0s
    options: {"1": {queue: support}}
    default: {queue: support}`, `menus[0].timeout: must be positive`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("m.yaml", []byte(menuQueues+"\nmenus:"+tt.menus+"\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
