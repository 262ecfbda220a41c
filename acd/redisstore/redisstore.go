// Package redisstore is the acd.Store that several ACD nodes share through
// Redis (go-redis v9). It honours the same contract as the in-memory store
// (acd/storetest); on top of it, every reservation an agent or a waiting
// call holds carries a lease, so a node that dies cannot leave an agent
// Ringing, Busy or in wrap-up, nor a call in a queue it no longer serves.
//
// # Keys
//
// Every key starts with "{" + Prefix + "}", so in Redis Cluster all of them
// hash to one slot and each Lua script may touch any of them. With the
// default prefix "acd:":
//
//	{acd:}agents            hash   agent id -> agents.Agent as JSON
//	{acd:}owner             hash   agent id -> incarnation holding it (only while Ringing, Busy or WrapUp)
//	{acd:}waiting           zset   every waiting call in serving order (score 0, member = order key, see orderKey)
//	{acd:}calls             hash   call id -> {"k": order key, "o": owner incarnation, "c": queue.Call}
//	{acd:}qlen              hash   queue name -> number of waiting calls (for Enqueue's maxLen)
//	{acd:}contacts:<user>   hash   Contact URI -> acd.Contact as JSON
//	{acd:}lease:<incarn>    string the incarnation's lease (value: the incarnation), PX Lease
//	{acd:}work              pub/sub channel: "there may be work" (message: the sender's incarnation)
//	{acd:}events            stream every node's event log is copied to (StreamLog)
//
// # Ownership and leases
//
// A Store value is one incarnation of a node: Node plus a random suffix
// made by New, so a node restarted under the same name does not inherit the
// leases of the process that died. Claim, an Apply that reserves an agent,
// Enqueue and Requeue record this incarnation as the owner of the agent or
// call and (re)set its lease key with a TTL of Lease; RefreshLeases extends
// it. Once the key has expired, ReapExpired, run by any node, frees the
// agents and drops the waiting calls the dead incarnation owned. The TTL is
// kept by Redis, so nodes' clocks never have to agree.
//
// Call events on a reserved agent (answer, miss, cancel, hangup, wrap-up
// done) are refused with agents.ErrInvalidTransition unless they come from
// the incarnation holding it: a node that stalled past its lease and comes
// back cannot answer for an agent another node has claimed since.
//
// # Several nodes
//
// Store also implements acd.Notifier (PUBLISH and SUBSCRIBE on the work
// channel), acd.LeaseKeeper (RefreshLeases, ReapExpired) and
// acd.ContactsLister (every available agent's contacts in one round trip),
// which the engine uses when it finds them.
//
// # Atomicity
//
// The agent state machine stays in Go (agents.Agent.Apply). A write reads
// the current values, computes the next ones in Go and hands both to a Lua
// script that writes only if what it finds is still exactly what was read
// (compare-and-set on the stored JSON, and on the owner); on a conflict the
// operation reads again and retries. Reads that span keys use MULTI/EXEC,
// so each is one consistent snapshot.
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
)

// Options configure a Store.
type Options struct {
	// Prefix namespaces every key; nodes that share queues and agents use
	// the same prefix. Braces are not allowed in it (they would change the
	// Cluster hash tag) and are replaced by "_". Default "acd:".
	Prefix string
	// Node names this ACD process; it appears in the lease keys and in
	// Reaped so events can say which node was lost. Default "node".
	Node string
	// Lease is how long an agent or call reserved by this node stays
	// reserved without RefreshLeases. Default DefaultLease.
	Lease time.Duration
}

// DefaultLease is the lease TTL when Options.Lease is zero.
const DefaultLease = 10 * time.Second

// maxAttempts bounds how often one operation rereads and retries after a
// compare-and-set conflict; every conflict means another writer succeeded.
const maxAttempts = 100

// ErrContention is returned when an operation lost maxAttempts
// compare-and-set races in a row.
var ErrContention = errors.New("too much contention")

// ErrNotUTF8 refuses an id, queue name or contact URI that is not valid
// UTF-8: values travel as JSON, which would silently replace the bad bytes,
// and the stored value would no longer match its key. A SIP Call-ID comes
// from the network, so this can happen.
var ErrNotUTF8 = errors.New("not valid UTF-8")

// checkUTF8 returns ErrNotUTF8 naming the first of values that is not
// valid UTF-8.
func checkUTF8(values ...string) error {
	for _, v := range values {
		if !utf8.ValidString(v) {
			return fmt.Errorf("%q: %w", v, ErrNotUTF8)
		}
	}
	return nil
}

// Store is the Redis store. Use New; a Store is safe for concurrent use.
type Store struct {
	rdb   redis.UniversalClient
	node  string
	token string // this incarnation: node + "/" + random
	lease time.Duration

	kAgents, kOwner, kWaiting, kCalls, kQlen, kLease string
	base                                             string
}

var _ acd.Store = (*Store)(nil)

// New returns a store using client, which the caller keeps and closes.
func New(client redis.UniversalClient, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = "acd:"
	}
	if opts.Node == "" {
		opts.Node = "node"
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	base := keyBase(opts.Prefix)
	s := &Store{
		rdb: client, node: opts.Node, token: incarnation(opts.Node), lease: opts.Lease,
		base:     base,
		kAgents:  base + "agents",
		kOwner:   base + "owner",
		kWaiting: base + "waiting",
		kCalls:   base + "calls",
		kQlen:    base + "qlen",
	}
	s.kLease = s.leaseKey(s.token)
	return s
}

// keyBase is what every key of prefix starts with: the prefix in braces,
// the Redis Cluster hash tag ("acd:" when empty).
func keyBase(prefix string) string {
	if prefix == "" {
		prefix = "acd:"
	}
	return "{" + strings.NewReplacer("{", "_", "}", "_").Replace(prefix) + "}"
}

// incarnation is node plus a random suffix, unique to one process.
func incarnation(node string) string {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:]) // crypto/rand.Read never fails
	return node + "/" + hex.EncodeToString(rnd[:])
}

// Incarnation is the owner id this Store writes: Node, a slash and a
// random suffix unique to this Store value.
func (s *Store) Incarnation() string { return s.token }

func (s *Store) leaseKey(token string) string   { return s.base + "lease:" + token }
func (s *Store) contactsKey(user string) string { return s.base + "contacts:" + user }
func (s *Store) leaseMS() int64                 { return max(1, s.lease.Milliseconds()) }

// snapshot runs fn's commands in one MULTI/EXEC, so they read one state. A
// missing key or field (redis.Nil) is not an error here: each command
// reports it.
func (s *Store) snapshot(ctx context.Context, fn func(redis.Pipeliner)) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error { fn(p); return nil })
	if err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	return nil
}

// optString is a string reply where redis.Nil means "".
func optString(cmd *redis.StringCmd) (string, error) {
	v, err := cmd.Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return v, err
}

// reply reads the array reply of the named script; its first element is
// the status word.
func reply(script string, v any) ([]string, error) {
	r, err := replyStrings(v)
	if err == nil && len(r) == 0 {
		err = errors.New("empty reply")
	}
	if err != nil {
		return nil, fmt.Errorf("%s script: %w", script, err)
	}
	return r, nil
}

// replyStrings converts a script's array reply.
func replyStrings(v any) ([]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("unexpected script reply %T", v)
	}
	out := make([]string, len(arr))
	for i, x := range arr {
		switch x := x.(type) {
		case string:
			out[i] = x
		case nil:
		default:
			return nil, fmt.Errorf("unexpected script reply element %T", x)
		}
	}
	return out, nil
}
