package config

import (
	"maps"
	"slices"
	"time"

	"gopkg.in/yaml.v3"
)

// Menu is an IVR menu: callers dialling Number hear Prompt (a WAV file, or
// a tone when "") and choose a queue or a sub-menu with a DTMF digit. After
// Repeats repeats without a valid digit they go to Default.
type Menu struct {
	Name    string
	Number  string // "" for a menu reached only as a sub-menu
	Prompt  string
	Timeout time.Duration
	Repeats int
	Options map[string]MenuTarget
	Default MenuTarget
}

// MenuTarget is where a digit leads: a queue or a menu, exactly one.
type MenuTarget struct {
	Queue string
	Menu  string
}

func (d *decoder) menu(n *yaml.Node, path string, m *Menu) {
	d.mapping(n, path, map[string]field{
		"name":    d.str(&m.Name),
		"number":  d.str(&m.Number),
		"prompt":  d.str(&m.Prompt),
		"timeout": d.duration(&m.Timeout),
		"repeats": d.integer(&m.Repeats),
		"options": func(n *yaml.Node, p string) {
			m.Options = nil
			if isNull(n) {
				return
			}
			if n.Kind != yaml.MappingNode {
				d.fail(n, p, `expected a mapping of digit to target, such as {"1": {queue: support}}, got %s`, describe(n))
				return
			}
			m.Options = map[string]MenuTarget{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
					d.fail(k, p, "expected a digit, got %s", describe(k))
					continue
				}
				kp := child(p, k.Value)
				if _, dup := m.Options[k.Value]; dup {
					d.fail(k, kp, "duplicate digit %q", k.Value)
					continue
				}
				d.lines[kp] = k.Line
				var t MenuTarget
				d.menuTarget(v, kp, &t)
				m.Options[k.Value] = t
			}
		},
		"default": func(n *yaml.Node, p string) { d.menuTarget(n, p, &m.Default) },
	})
}

func (d *decoder) menuTarget(n *yaml.Node, path string, t *MenuTarget) {
	d.mapping(n, path, map[string]field{
		"queue": d.str(&t.Queue),
		"menu":  d.str(&t.Menu),
	})
}

// menus checks the IVR menus: names, numbers unique across queues and
// menus, digits, and that every target exists.
func (v *validator) menus() {
	queues := map[string]bool{}
	for _, q := range v.c.Queues {
		queues[q.Name] = true
	}
	menus := map[string]bool{}
	for _, m := range v.c.Menus {
		menus[m.Name] = true
	}
	numbers := v.numbers
	if numbers == nil {
		numbers = map[string]string{}
	}
	names := map[string]string{}
	for i, m := range v.c.Menus {
		p := element("menus", i)
		switch {
		case m.Name == "":
			v.fail(p+".name", "is required")
		case !validName(m.Name):
			v.fail(p+".name", "%q may contain only a-z, 0-9, _ and -", m.Name)
		default:
			v.unique(names, m.Name, p+".name", "menu name")
		}
		if m.Number != "" {
			if !validToken(m.Number) {
				v.fail(p+".number", "%q is not a valid SIP user part", m.Number)
			} else {
				v.unique(numbers, m.Number, p+".number", "number")
			}
		}
		if m.Timeout <= 0 {
			v.fail(p+".timeout", "must be positive, got %s", m.Timeout)
		}
		if m.Repeats < 0 {
			v.fail(p+".repeats", "must be 0 or more, got %d", m.Repeats)
		}
		if len(m.Options) == 0 {
			v.fail(p+".options", "at least one digit is required")
		}
		for _, digit := range slices.Sorted(maps.Keys(m.Options)) {
			dp := child(p+".options", digit)
			if len(digit) != 1 || !validDigit(digit[0]) {
				v.fail(dp, "%q is not a DTMF digit (0-9, *, #, A-D)", digit)
			}
			v.menuTarget(dp, m.Options[digit], queues, menus, true)
		}
		if m.Default.Queue == "" && m.Default.Menu == "" {
			v.fail(p+".default.queue", "is required (the queue callers go to after %d repeats)", m.Repeats)
		} else {
			v.menuTarget(p+".default", m.Default, queues, menus, false)
		}
	}
}

func (v *validator) menuTarget(p string, t MenuTarget, queues, menus map[string]bool, menuOK bool) {
	switch {
	case t.Queue != "" && t.Menu != "":
		v.fail(p, "set queue or menu, not both")
	case t.Queue != "":
		if !queues[t.Queue] {
			v.fail(p+".queue", "unknown queue %q", t.Queue)
		}
	case t.Menu != "" && !menuOK:
		v.fail(p+".menu", "must be a queue")
	case t.Menu != "":
		if !menus[t.Menu] {
			v.fail(p+".menu", "unknown menu %q", t.Menu)
		}
	default:
		v.fail(p, "queue or menu is required")
	}
}

func validDigit(c byte) bool {
	return (c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D')
}
