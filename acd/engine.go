package acd

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sme/acd/acd/hours"
	"github.com/sme/acd/queue"
)

// QueueConfig is one queue as the engine sees it.
type QueueConfig struct {
	Name        string
	Number      string
	Strategy    Strategy
	RingTimeout time.Duration
	WrapUp      time.Duration
	MaxWait     time.Duration
	MaxLength   int
	Priority    int
	// PriorityNumbers are more numbers leading to the queue, each with the
	// priority its calls get.
	PriorityNumbers map[string]int
	// ServiceLevel is the answer-time threshold T (METRICS.md).
	ServiceLevel time.Duration
	// FullStatus is the SIP status a caller gets when the queue is full
	// (486, or 503 with RetryAfter).
	FullStatus int
	RetryAfter time.Duration
	// Steps, Weight and PriorityAging are the queue's routing policy (see
	// QueuePolicy). The engine routes again whenever a waiting call's step
	// ends, so a call whose requirements relax reaches a now-matching agent
	// at once.
	Steps         []queue.Step
	Weight        int
	PriorityAging time.Duration
	// Hours are the queue's initial business hours (nil: always open);
	// SetHours replaces them while running. Closed is where a call arriving
	// while closed goes (a queue, a URI, voicemail, a message, or a hang-up
	// with Closed.Status); SetSchedule replaces it while running.
	Hours  *hours.Schedule
	Closed Destination
	// Overflow are the queue's ordered overflow rules (overflow.go).
	Overflow []OverflowRule
	// Callback is the queue's callback offer (callback.go); nil: none.
	Callback *CallbackPolicy
}

// EngineConfig holds what the engine needs besides its collaborators.
type EngineConfig struct {
	// Node names this ACD process in events.
	Node   string
	Queues []QueueConfig
	// MaxMisses pauses an agent with reason "no-answer" after this many
	// consecutive unanswered offers; 0 never pauses.
	MaxMisses int
	// Seed makes the random strategy repeatable in tests; 0 picks one.
	Seed uint64
	// StoreTimeout bounds each store operation, so a store that stopped
	// answering cannot stall the engine; 0 means DefaultStoreTimeout.
	StoreTimeout time.Duration
	// Callbacks keeps pending callbacks across restarts (callback.go);
	// nil keeps them in memory only.
	Callbacks CallbackBook
	// InitialEWT starts each queue's estimated wait where the previous
	// run left it (SeedEWT over the event log), so a restart does not
	// silence wait announcements and callback offers until a call is
	// answered. Queues left out start at 0.
	InitialEWT map[string]time.Duration
}

// Engine is the single goroutine that owns call progress on this node:
// events come in through its methods, routing runs after each batch of
// events, and offers go out through Telephony. Everything it changes in the
// store goes through the store's atomic operations.
type Engine struct {
	cfg      EngineConfig
	store    Store
	tel      Telephony
	events   EventLog
	log      *slog.Logger
	queues   map[string]QueueConfig
	policies map[string]QueuePolicy
	rng      *rand.Rand
	router   Router // owned by the engine goroutine

	ops     chan func()
	stopped chan struct{}
	// ctx is Run's context, used for every store call the engine makes: a
	// caller's context may end while its request waits in ops, and timers
	// outlive the request that started them.
	ctx context.Context

	// The store's optional cluster interfaces and their helpers (cluster.go,
	// engine_cluster.go); nil with a single-node store.
	notifier     Notifier
	leases       LeaseKeeper
	lister       ContactsLister
	storeTimeout time.Duration
	announceCh   chan struct{} // one pending notification to send
	nudging      atomic.Bool   // a nudge from another node waits in ops
	overloaded   atomic.Bool   // refusing new calls (Overloaded)
	helpers      sync.WaitGroup

	// Business hours per queue, replaced at run time by SetHours.
	hoursMu sync.RWMutex
	// scheduleMu makes SetSchedule's check and change one step, so two
	// concurrent changes cannot each pass the cycle check and together
	// make a cycle.
	scheduleMu sync.Mutex
	hours      map[string]*hours.Schedule
	closed     map[string]Destination

	// Owned by the engine goroutine.
	ewt   map[string]EWT // per queue, fed by connected calls
	calls map[queue.CallID]*callState
	// acks are the requests of the current batch, released by commit once
	// their events are durable.
	acks     []chan struct{}
	dirty    bool
	draining bool
	// bookDirty: the callback book is to be written at the next commit,
	// once the events of the change are durable (engine_callback.go).
	bookDirty bool
	// bookBlocked is why the callback book could not be loaded at start
	// and is still in place: it is never overwritten, and no callback is
	// offered, until a restart reads it.
	bookBlocked error

	// Repair after store failures (engine_cluster.go), also engine-owned.
	wrapping       map[string]time.Time  // agent → start of the wrap-up this node times
	suspects       map[string]bool       // agents whose last transition may be lost
	ghosts         map[queue.CallID]bool // calls maybe left queued in the store
	lostWaiting    bool                  // a waiting call may be missing from the store
	repairArmed    bool                  // the repair timer is set
	repairBackoff  time.Duration         // wait before the next repair
	storeDownSince time.Time             // first failed lease renewal of an outage
	reapAfter      time.Time             // no reaping before this (after an outage)
}

// NewEngine builds an engine; call Run to start it. A nil tel must be set
// with SetTelephony before Run.
//
// Every store operation gets a deadline of cfg.StoreTimeout. A store that
// also implements Notifier or LeaseKeeper (one shared by several nodes) is
// used for those too: see Run.
func NewEngine(cfg EngineConfig, store Store, tel Telephony, events EventLog, log *slog.Logger) (*Engine, error) {
	timeout := cfg.StoreTimeout
	if timeout <= 0 {
		timeout = DefaultStoreTimeout
	}
	e := &Engine{
		cfg: cfg, store: timeoutStore{store, timeout}, tel: tel, events: events, log: log,
		queues:       map[string]QueueConfig{},
		policies:     map[string]QueuePolicy{},
		ops:          make(chan func(), 1024),
		stopped:      make(chan struct{}),
		calls:        map[queue.CallID]*callState{},
		ctx:          context.Background(),
		storeTimeout: timeout,
		announceCh:   make(chan struct{}, 1),
		wrapping:     map[string]time.Time{},
		suspects:     map[string]bool{},
		ghosts:       map[queue.CallID]bool{},
		hours:        map[string]*hours.Schedule{},
		closed:       map[string]Destination{},
		ewt:          map[string]EWT{},
	}
	e.notifier, _ = store.(Notifier)
	e.leases, _ = store.(LeaseKeeper)
	e.lister, _ = store.(ContactsLister)
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	e.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for _, q := range cfg.Queues {
		if q.Strategy == nil {
			return nil, fmt.Errorf("new engine: queue %s: %w", q.Name, ErrUnknownStrategy)
		}
		e.queues[q.Name] = q
		e.hours[q.Name] = q.Hours
		e.closed[q.Name] = q.Closed
		e.policies[q.Name] = QueuePolicy{Name: q.Name, Strategy: q.Strategy, Steps: q.Steps, Weight: q.Weight, PriorityAging: q.PriorityAging}
	}
	for name, d := range cfg.InitialEWT {
		if _, ok := e.queues[name]; ok && d > 0 {
			e.ewt[name] = EWT{d: d}
		}
	}
	return e, nil
}

// SetTelephony wires the SIP side, which itself needs the engine.
func (e *Engine) SetTelephony(t Telephony) { e.tel = t }

// Run processes events until ctx ends. Routing runs once the pending events
// are processed, so a burst of events costs one routing pass.
//
// With a Notifier store, Run subscribes to other nodes' notifications (each
// one is a routing pass here) and notifies them when an agent may take a
// call. With a LeaseKeeper store, it renews this node's lease every Lease/3
// and every Lease/2 reaps what dead nodes held, recording a "dropped" event
// (reason "node-lost") per call and an agent-state event per agent freed.
func (e *Engine) Run(ctx context.Context) error {
	defer e.helpers.Wait() // after stopped is closed: a helper may wait in submit
	defer close(e.stopped)
	e.ctx = ctx
	e.startCluster(ctx)
	e.restoreCallbacks(ctx)
	for {
		select {
		case op := <-e.ops:
			op()
		case <-ctx.Done():
			e.commit()
			return nil
		}
		if len(e.ops) == 0 || len(e.acks) >= maxBatch {
			if e.dirty && len(e.ops) == 0 {
				e.dirty = false
				e.route(ctx)
			}
			e.commit()
		}
	}
}

// maxBatch bounds how many waiting requests one group commit holds back.
const maxBatch = 64

// commit makes the batch's events durable with one sync (group commit,
// when the event log supports it), then writes the callback book if a
// callback was settled or changed, and only then releases the requests
// that wait for their step to be recorded.
func (e *Engine) commit() {
	if err := SyncEvents(e.events); err != nil {
		e.log.Error("event log sync failed", "err", err)
	}
	if e.bookDirty {
		e.saveCallbacks() // after the events that settle a callback are durable
	}
	for _, done := range e.acks {
		close(done)
	}
	e.acks = e.acks[:0]
}

// submit hands op to the engine goroutine without waiting for it.
func (e *Engine) submit(op func()) {
	select {
	case e.ops <- op:
	case <-e.stopped:
	}
}

// do runs op on the engine goroutine and waits until it has run and the
// events it wrote are durable (see commit).
func (e *Engine) do(ctx context.Context, op func()) error {
	done := make(chan struct{})
	select {
	case e.ops <- func() { op(); e.acks = append(e.acks, done) }:
	case <-ctx.Done():
		return fmt.Errorf("engine: %w", ctx.Err())
	case <-e.stopped:
		return fmt.Errorf("engine: %w", ErrShuttingDown)
	}
	select {
	case <-done:
		return nil
	case <-e.stopped:
		return fmt.Errorf("engine: %w", ErrShuttingDown)
	}
}

// doErr is do for an op that may fail: do's error, else the op's.
func (e *Engine) doErr(ctx context.Context, op func() error) error {
	var err error
	if derr := e.do(ctx, func() { err = op() }); derr != nil {
		return derr
	}
	return err
}

// Queue returns the named queue's config.
func (e *Engine) Queue(name string) (QueueConfig, bool) {
	q, ok := e.queues[name]
	return q, ok
}

// QueueByNumber finds the queue a dialled number leads to.
func (e *Engine) QueueByNumber(number string) (QueueConfig, bool) {
	q, _, ok := e.QueueByDialled(number)
	return q, ok
}

// QueueByDialled finds the queue a dialled number leads to and the
// priority that number gives its calls: the queue's base priority for its
// main number, the configured one for its PriorityNumbers.
func (e *Engine) QueueByDialled(number string) (QueueConfig, int, bool) {
	for _, q := range e.cfg.Queues {
		if q.Number == number {
			return q, q.Priority, true
		}
		if p, ok := q.PriorityNumbers[number]; ok {
			return q, p, true
		}
	}
	return QueueConfig{}, 0, false
}

// emit writes an event to the log; a failure is logged loudly because the
// record is what managers are paid from.
func (e *Engine) emit(ev Event) {
	ev.Node = e.cfg.Node
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	if err := e.events.Append(ev); err != nil {
		e.log.Error("event log write failed", "err", err, "type", ev.Type, "call_id", ev.CallID)
	}
}
