package config

import (
	"time"

	"gopkg.in/yaml.v3"
)

// This file maps YAML keys to Go fields, one function per section. Each
// decodes into a value already holding the defaults, so a key left out keeps
// its default and a bool can default to true.

// config decodes the document's root mapping into c.
func (d *decoder) config(root *yaml.Node, c *Config) {
	d.lines[""] = root.Line
	d.mapping(root, "", map[string]field{
		"node_id": d.str(&c.NodeID),
		"sip":     func(n *yaml.Node, p string) { d.sip(n, p, &c.SIP) },
		"rtp":     func(n *yaml.Node, p string) { d.rtp(n, p, &c.RTP) },
		"http":    func(n *yaml.Node, p string) { d.http(n, p, &c.HTTP) },
		"events":  func(n *yaml.Node, p string) { d.events(n, p, &c.Events) },
		"store":   func(n *yaml.Node, p string) { d.store(n, p, &c.Store) },
		"queues": func(n *yaml.Node, p string) {
			c.Queues = nil
			d.sequence(n, p, func(n *yaml.Node, p string) {
				q := defaultQueue()
				d.queue(n, p, &q)
				c.Queues = append(c.Queues, q)
			})
		},
		"agents": func(n *yaml.Node, p string) {
			c.Agents = nil
			d.sequence(n, p, func(n *yaml.Node, p string) {
				var a Agent
				d.agent(n, p, &a)
				c.Agents = append(c.Agents, a)
			})
		},
		"menus": func(n *yaml.Node, p string) {
			c.Menus = nil
			d.sequence(n, p, func(n *yaml.Node, p string) {
				m := Menu{Timeout: 5 * time.Second, Repeats: 2}
				d.menu(n, p, &m)
				c.Menus = append(c.Menus, m)
			})
		},
		"customers": func(n *yaml.Node, p string) { d.customers(n, p, &c.Customers) },
		"report":    func(n *yaml.Node, p string) { d.report(n, p, &c.Report) },
		"prompts":   func(n *yaml.Node, p string) { d.prompts(n, p, &c.Prompts) },
		"callbacks": func(n *yaml.Node, p string) { d.callbacks(n, p, &c.Callbacks) },
		"voicemail": func(n *yaml.Node, p string) { d.voicemail(n, p, &c.Voicemail) },
	})
}

func (d *decoder) sip(n *yaml.Node, path string, s *SIP) {
	d.mapping(n, path, map[string]field{
		"listen_udp":        d.str(&s.ListenUDP),
		"listen_tcp":        d.str(&s.ListenTCP),
		"advertise":         d.str(&s.Advertise),
		"realm":             d.str(&s.Realm),
		"digest_algorithms": d.strs(&s.DigestAlgorithms),
		"trusted_trunks":    d.strs(&s.TrustedTrunks),
		"max_misses":        d.integer(&s.MaxMisses),
		"login_on_register": d.boolean(&s.LoginOnRegister),
		"shutdown_grace":    d.duration(&s.ShutdownGrace),
	})
}

func (d *decoder) rtp(n *yaml.Node, path string, r *RTP) {
	d.mapping(n, path, map[string]field{
		"port_min":        d.integer(&r.PortMin),
		"port_max":        d.integer(&r.PortMax),
		"silence_timeout": d.duration(&r.SilenceTimeout),
		"hold_audio":      d.str(&r.HoldAudio),
	})
}

func (d *decoder) http(n *yaml.Node, path string, h *HTTP) {
	d.mapping(n, path, map[string]field{
		"listen": d.str(&h.Listen),
		"token":  d.str(&h.Token),
	})
}

func (d *decoder) events(n *yaml.Node, path string, e *Events) {
	d.mapping(n, path, map[string]field{
		"path":         d.str(&e.Path),
		"fsync":        d.str(&e.Fsync),
		"rotate_size":  d.size(&e.RotateSize),
		"rotate_daily": d.boolean(&e.RotateDaily),
		"keep":         d.integer(&e.Keep),
		"mask_callers": d.boolean(&e.MaskCallers),
	})
}

func (d *decoder) store(n *yaml.Node, path string, s *Store) {
	d.mapping(n, path, map[string]field{
		"kind":  d.str(&s.Kind),
		"lease": d.duration(&s.Lease),
		"redis": func(n *yaml.Node, p string) {
			r := &s.Redis
			d.mapping(n, p, map[string]field{
				"address":  d.str(&r.Address),
				"password": d.str(&r.Password),
				"db":       d.integer(&r.DB),
				"cluster":  d.strs(&r.Cluster),
				"prefix":   d.str(&r.Prefix),
				"sentinel": func(n *yaml.Node, p string) {
					d.mapping(n, p, map[string]field{
						"master":    d.str(&r.Sentinel.Master),
						"addresses": d.strs(&r.Sentinel.Addresses),
					})
				},
			})
		},
	})
}

func (d *decoder) queue(n *yaml.Node, path string, q *Queue) {
	d.mapping(n, path, map[string]field{
		"name":             d.str(&q.Name),
		"number":           d.str(&q.Number),
		"strategy":         d.str(&q.Strategy),
		"ring_timeout":     d.duration(&q.RingTimeout),
		"wrap_up":          d.duration(&q.WrapUp),
		"max_wait":         d.duration(&q.MaxWait),
		"max_length":       d.integer(&q.MaxLength),
		"service_level":    d.duration(&q.ServiceLevel),
		"full_response":    d.integer(&q.FullResponse),
		"retry_after":      d.duration(&q.RetryAfter),
		"priority":         d.integer(&q.Priority),
		"priority_numbers": d.intMap(&q.PriorityNumbers, "dialled number", "priority", `{"101": 5}`),
		"weight":           d.integer(&q.Weight),
		"priority_aging":   d.duration(&q.PriorityAging),
		"announce":         func(n *yaml.Node, p string) { d.announce(n, p, q) },
		"callback":         func(n *yaml.Node, p string) { d.callback(n, p, q) },
		"hours": func(n *yaml.Node, p string) {
			h := &Hours{TimeZone: "UTC", Closed: Destination{Action: ActionHangup, Status: 480}}
			d.mapping(n, p, map[string]field{
				"time_zone": d.str(&h.TimeZone),
				"weekly": func(n *yaml.Node, p string) {
					var days [7][]string
					fields := map[string]field{}
					for i, day := range weekDays {
						fields[day] = d.strs(&days[i])
					}
					d.mapping(n, p, fields)
					h.Weekly = map[string][]string{}
					for i, day := range weekDays {
						if days[i] != nil {
							h.Weekly[day] = days[i]
						}
					}
				},
				"holidays": d.strs(&h.Holidays),
				"closed":   func(n *yaml.Node, p string) { d.destination(n, p, &h.Closed, nil) },
			})
			q.Hours = h
		},
		"overflow": func(n *yaml.Node, p string) {
			q.Overflow = nil
			d.sequence(n, p, func(n *yaml.Node, p string) {
				r := OverflowRule{Destination: Destination{Action: ActionHangup, Status: 480}}
				d.destination(n, p, &r.Destination, map[string]field{
					"when": d.str(&r.When),
					"over": d.str(&r.Over),
				})
				q.Overflow = append(q.Overflow, r)
			})
		},
		"steps": listOf(d, &q.Steps, func(s *Step) map[string]field {
			return map[string]field{"requirements": d.levels(&s.Requirements), "duration": d.duration(&s.Duration)}
		}),
	})
}

func (d *decoder) agent(n *yaml.Node, path string, a *Agent) {
	d.mapping(n, path, map[string]field{
		"id":       d.str(&a.ID),
		"username": d.str(&a.Username),
		"password": d.str(&a.Password),
		"name":     d.str(&a.Name),
		"queues":   d.strs(&a.Queues),
		"skills":   d.levels(&a.Skills),
	})
}

// destination decodes action, queue, uri and status, plus any extra fields.
func (d *decoder) destination(n *yaml.Node, path string, dst *Destination, extra map[string]field) {
	fields := map[string]field{
		"action": d.str(&dst.Action),
		"queue":  d.str(&dst.Queue),
		"uri":    d.str(&dst.URI),
		"status": d.integer(&dst.Status),
		"prompt": d.str(&dst.Prompt),
		// max_length: voicemail only (validate_overflow.go).
		"max_length": d.duration(&dst.MaxLength),
	}
	for k, f := range extra {
		fields[k] = f
	}
	d.mapping(n, path, fields)
}

// weekDays are the keys of hours.weekly.
var weekDays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
