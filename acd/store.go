package acd

import (
	"context"
	"errors"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// Store keeps the state several nodes must agree on: waiting calls, agents
// and their phones' registrations. It owns atomicity: Claim and Apply are
// compare-and-set, so no agent is ever offered two calls even when several
// engines share one store.
type Store interface {
	// PutAgent adds an agent from the config or updates its identity,
	// queues and skills; the state of a known agent is kept.
	PutAgent(ctx context.Context, a agents.Agent) error
	// Agent returns one agent, or ErrUnknownAgent.
	Agent(ctx context.Context, id string) (agents.Agent, error)
	// Agents returns every agent ordered by id.
	Agents(ctx context.Context) ([]agents.Agent, error)
	// Apply moves the agent through its state machine atomically and
	// returns the new value (agents.ErrInvalidTransition if it does not apply).
	Apply(ctx context.Context, id string, ev agents.Event, now time.Time) (agents.Agent, error)

	// Enqueue adds a call to its queue, or fails with ErrQueueFull when
	// maxLen (> 0) calls already wait there.
	Enqueue(ctx context.Context, c queue.Call, maxLen int) error
	// Requeue puts back a call whose offer failed, keeping its arrival time
	// so it returns to the head of its queue.
	Requeue(ctx context.Context, c queue.Call) error
	// Remove takes a waiting call out (abandoned, timed out), or fails with
	// ErrCallNotWaiting.
	Remove(ctx context.Context, id queue.CallID) (queue.Call, error)
	// Waiting returns every waiting call in serving order (queue.Before).
	Waiting(ctx context.Context) ([]queue.Call, error)
	// Claim atomically takes the call out of its queue and moves each listed
	// agent that is still Available to Ringing. It returns the call and the
	// agents claimed; ErrCallNotWaiting if the call no longer waits, and
	// ErrNoAgentClaimed (call left waiting) if none of the agents was free.
	Claim(ctx context.Context, id queue.CallID, agentIDs []string, now time.Time) (queue.Call, []string, error)

	// Register adds or refreshes a contact for a SIP username.
	Register(ctx context.Context, username string, c Contact) error
	// Unregister removes one contact (by URI), or all when uri is "*".
	Unregister(ctx context.Context, username, uri string) error
	// Contacts returns the username's contacts still valid at now.
	Contacts(ctx context.Context, username string, now time.Time) ([]Contact, error)
}

// Contact is one registered phone of an agent (RFC 3261 §10).
type Contact struct {
	// URI is the Contact URI the phone registered, where INVITEs go.
	URI string `json:"uri"`
	// Source is the address the REGISTER came from; INVITEs are sent there
	// when the Contact is not reachable (phones behind NAT).
	Source string `json:"source"`
	// Transport is "udp" or "tcp".
	Transport string `json:"transport"`
	// Expires is when the binding lapses unless refreshed.
	Expires time.Time `json:"expires"`
	// CallID and CSeq order REGISTERs from one phone (RFC 3261 §10.3 step 7).
	CallID string `json:"call_id"`
	CSeq   uint32 `json:"cseq"`
}

// Errors the store and engine return; sip maps them to status codes.
var (
	ErrUnknownAgent   = errors.New("unknown agent")
	ErrUnknownQueue   = errors.New("unknown queue")
	ErrQueueFull      = errors.New("queue full")
	ErrCallNotWaiting = errors.New("call not waiting")
	ErrNoAgentClaimed = errors.New("no agent could be claimed")
	ErrShuttingDown   = errors.New("shutting down")
	ErrUnknownCall    = errors.New("unknown call")
)
