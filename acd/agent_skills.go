package acd

import (
	"context"
	"fmt"
	"maps"

	"github.com/sme/acd/agents"
)

// SetSkills replaces an agent's skills (skill → proficiency 1 to 5, which
// the caller has checked) and returns the agent afterwards. The agent keeps
// its state, and the change applies from the next routing pass, here and
// on the other nodes, which read agents from the store at each pass: it
// asks for one at once. The config file stays the source of skills: they
// are loaded from it again when a node starts.
//
// The agent is read and written back (PutAgent keeps the state the store
// holds, so only its identity, queues and skills are written): a
// concurrent change of those, which only the config load makes, could be
// overwritten.
func (e *Engine) SetSkills(ctx context.Context, id string, skills map[string]int) (agents.Agent, error) {
	a, err := e.store.Agent(ctx, id)
	if err != nil {
		return a, fmt.Errorf("set skills of %s: %w", id, err)
	}
	a.Skills = maps.Clone(skills)
	if err := e.store.PutAgent(ctx, a); err != nil {
		return a, fmt.Errorf("set skills of %s: %w", id, err)
	}
	// Read back before asking for a routing pass, so the answer shows the
	// agent as the change left it, not as routing may make it next.
	if cur, err := e.store.Agent(ctx, id); err == nil {
		a = cur
	}
	e.Nudge()
	return a, nil
}
