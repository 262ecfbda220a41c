package acd

import (
	"context"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// A store that several ACD nodes share may implement the two optional
// interfaces below; the engine finds them with a type assertion, so the
// in-memory store (one node) implements neither and behaves as before.

// Notifier lets nodes tell each other that there may be work for them.
// Each node routes only the calls whose SIP legs it holds, so what another
// node needs to hear about is an agent who may now take a call: one who
// became Available, or whose phone registered. Notifications are hints,
// delivered at most once and coalesced: a node that misses one routes again
// on its next event, when its subscription is (re)established, and at the
// latest on its next lease tick.
type Notifier interface {
	// Notify tells every node, this one included or not, that there may be
	// new work.
	Notify(ctx context.Context) error
	// Subscribe delivers a value whenever another node notified, and once
	// each time the subscription is (re)established (notifications may
	// have been lost meanwhile). The channel is closed when ctx ends.
	Subscribe(ctx context.Context) (<-chan struct{}, error)
}

// LeaseKeeper is a store whose reservations carry a lease, so that a node
// that dies cannot leave agents reserved or calls queued for ever. The
// engine refreshes its lease every Lease/3 and reaps every Lease/2.
type LeaseKeeper interface {
	// Lease is how long this node's reservations outlive its last refresh.
	Lease() time.Duration
	// RefreshLeases extends this node's lease.
	RefreshLeases(ctx context.Context) error
	// ReapExpired frees the agents and drops the waiting calls held by
	// nodes whose lease ran out; any node may run it. On error the result
	// holds what was reaped before the error.
	ReapExpired(ctx context.Context, now time.Time) (Reaped, error)
}

// ContactsLister is a store that can read the contacts of several users at
// once (one network round trip instead of one per agent); the engine uses
// it when routing if the store has it. The result maps each username with
// contacts still valid at now to them, as Contacts would return them.
type ContactsLister interface {
	ContactsOf(ctx context.Context, usernames []string, now time.Time) (map[string][]Contact, error)
}

// Reaped is what ReapExpired cleaned up after nodes whose lease ran out.
type Reaped struct {
	// Agents are the ids of agents freed, sorted: each is now Available, or
	// Paused or Offline if that was pending.
	Agents []string
	// Calls are the waiting calls dropped from their queues, in serving
	// order; nobody holds their SIP legs any more.
	Calls []queue.Call
	// Nodes names the dead nodes (incarnations), sorted.
	Nodes []string
}

// Empty reports whether nothing was reaped.
func (r Reaped) Empty() bool { return len(r.Agents) == 0 && len(r.Calls) == 0 }

// ReasonNodeLost is the reason of the events about a call or agent freed
// because the node that held it stopped renewing its lease.
const ReasonNodeLost = "node-lost"

// DefaultStoreTimeout bounds each store operation the engine makes when
// EngineConfig.StoreTimeout is zero.
const DefaultStoreTimeout = 2 * time.Second

// timeoutStore gives every store operation its own deadline, so the engine
// goroutine never waits for ever on a store that stopped answering.
type timeoutStore struct {
	s Store
	d time.Duration
}

func (t timeoutStore) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, t.d)
}

func (t timeoutStore) PutAgent(ctx context.Context, a agents.Agent) error {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.PutAgent(ctx, a)
}

func (t timeoutStore) Agent(ctx context.Context, id string) (agents.Agent, error) {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Agent(ctx, id)
}

func (t timeoutStore) Agents(ctx context.Context) ([]agents.Agent, error) {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Agents(ctx)
}

func (t timeoutStore) Apply(ctx context.Context, id string, ev agents.Event, now time.Time) (agents.Agent, error) {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Apply(ctx, id, ev, now)
}

func (t timeoutStore) Enqueue(ctx context.Context, c queue.Call, maxLen int) error {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Enqueue(ctx, c, maxLen)
}

func (t timeoutStore) Requeue(ctx context.Context, c queue.Call) error {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Requeue(ctx, c)
}

func (t timeoutStore) Remove(ctx context.Context, id queue.CallID) (queue.Call, error) {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Remove(ctx, id)
}

func (t timeoutStore) Waiting(ctx context.Context) ([]queue.Call, error) {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Waiting(ctx)
}

func (t timeoutStore) Claim(ctx context.Context, id queue.CallID, agentIDs []string, now time.Time) (queue.Call, []string, error) {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Claim(ctx, id, agentIDs, now)
}

func (t timeoutStore) Register(ctx context.Context, username string, c Contact) error {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Register(ctx, username, c)
}

func (t timeoutStore) Unregister(ctx context.Context, username, uri string) error {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Unregister(ctx, username, uri)
}

func (t timeoutStore) Contacts(ctx context.Context, username string, now time.Time) ([]Contact, error) {
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	return t.s.Contacts(ctx, username, now)
}
