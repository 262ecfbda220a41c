package httpapi_test

import (
	"context"
	"sync"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

// fakeEngine returns canned answers and records the commands it got.
type fakeEngine struct {
	mu      sync.Mutex
	snap    acd.Snapshot
	snapErr error
	agent   agents.Agent
	err     error
	calls   []fakeCall
}

// fakeCall is one Command the fake received.
type fakeCall struct {
	id     string
	ev     agents.Event
	skills map[string]int // SetSkills
}

func (f *fakeEngine) Snapshot(context.Context) (acd.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snap, f.snapErr
}

func (f *fakeEngine) Command(_ context.Context, id string, ev agents.Event) (agents.Agent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{id: id, ev: ev})
	return f.agent, f.err
}

func (f *fakeEngine) SetSkills(_ context.Context, id string, skills map[string]int) (agents.Agent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{id: id, skills: skills})
	a := f.agent
	a.Skills = skills
	return a, f.err
}

// received returns the commands seen so far.
func (f *fakeEngine) received() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}
