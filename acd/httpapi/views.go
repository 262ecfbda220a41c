package httpapi

import (
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

// QueueList is the body of GET /api/queues.
type QueueList struct {
	Time   time.Time           `json:"time"`
	Queues []acd.QueueSnapshot `json:"queues"`
}

// AgentList is the body of GET /api/agents.
type AgentList struct {
	Time   time.Time `json:"time"`
	Agents []Agent   `json:"agents"`
}

// Agent is one agent as the API shows it: identity, state and phones, not
// the routing counters the store keeps.
type Agent struct {
	ID          string       `json:"id"`
	Username    string       `json:"username"`
	Name        string       `json:"name,omitempty"`
	Queues      []string     `json:"queues"`
	State       agents.State `json:"state"`
	PauseReason string       `json:"pause_reason,omitempty"`
	StateSince  time.Time    `json:"state_since"`
	// Pending is a logout or pause asked for during a call; it takes effect
	// when the call and its wrap-up end.
	Pending *Pending `json:"pending,omitempty"`
	// Contacts counts the agent's registered phones; command replies leave
	// it out.
	Contacts *int `json:"contacts,omitempty"`
	// Skills maps each of the agent's skills to its level, 1 to 5.
	Skills map[string]int `json:"skills,omitempty"`
}

// Pending is a deferred agent command.
type Pending struct {
	Command string `json:"command"`
	Reason  string `json:"reason,omitempty"`
}

// PauseRequest is the optional JSON body of POST /api/agents/{id}/pause.
type PauseRequest struct {
	Reason string `json:"reason"`
}

// agentView turns a stored agent into its API form.
func agentView(a agents.Agent) Agent {
	v := Agent{
		ID: a.ID, Username: a.Username, Name: a.Name, Queues: a.Queues, Skills: a.Skills,
		State: a.State, PauseReason: a.PauseReason, StateSince: a.StateSince,
	}
	if v.Queues == nil {
		v.Queues = []string{}
	}
	if a.Pending != nil {
		v.Pending = &Pending{Command: a.Pending.Kind.String(), Reason: a.Pending.Reason}
	}
	return v
}

// snapshotAgentView adds the phone count the snapshot carries.
func snapshotAgentView(a acd.AgentSnapshot) Agent {
	v := agentView(a.Agent)
	n := a.Contacts
	v.Contacts = &n
	return v
}

// queueView makes sure empty lists encode as [] and {}, not null.
func queueView(q acd.QueueSnapshot) acd.QueueSnapshot {
	if q.Calls == nil {
		q.Calls = []acd.WaitingCall{}
	}
	if q.AgentsByState == nil {
		q.AgentsByState = map[string]int{}
	}
	return q
}
