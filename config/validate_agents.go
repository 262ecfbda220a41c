package config

func (v *validator) agents() {
	ids := map[string]string{}
	users := map[string]string{}
	for i, a := range v.c.Agents {
		p := element("agents", i)
		if a.ID == "" {
			v.fail(p+".id", "is required")
		} else {
			v.unique(ids, a.ID, p+".id", "id")
		}
		if !validToken(a.Username) {
			v.fail(p+".username", "%q is not a valid SIP user name", a.Username)
		} else {
			v.unique(users, a.Username, p+".username", "username")
		}
		if a.Password == "" {
			v.fail(p+".password", "is required")
		}
		if len(a.Queues) == 0 {
			v.fail(p+".queues", "at least one queue is required")
		}
		seen := map[string]bool{}
		for j, name := range a.Queues {
			qp := element(p+".queues", j)
			if _, ok := v.c.QueueByName(name); !ok {
				v.fail(qp, "unknown queue %q", name)
			} else if seen[name] {
				v.fail(qp, "queue %q is listed twice", name)
			}
			seen[name] = true
		}
		v.levels(p+".skills", a.Skills)
	}
}
