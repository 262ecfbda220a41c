package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
)

// StreamLog is an acd.EventLog on a Redis stream that every node sharing a
// prefix writes to, so one read sees the calls of the whole cluster:
//
//	{acd:}events   stream   entries {"event": acd.Event as JSON, "w": writer, "n": sequence}
//
// Each node writes its own calls' events (a call's events all come from
// the node holding its legs) once, so reading the stream counts every call
// once. While Redis is unreachable, events are kept in memory, in order,
// and written when it is back; Append only fails when too many wait. A
// write whose answer was lost may be repeated, so every entry carries its
// writer (an incarnation: node and random suffix) and sequence number,
// and ReadEvents drops repeats.
//
// The stream is never trimmed here; trim old entries with XTRIM MINID.
type StreamLog struct {
	rdb        redis.UniversalClient
	key        string
	writer     string
	log        *slog.Logger
	timeout    time.Duration
	maxPending int

	mu      sync.Mutex
	seq     uint64
	pending []streamEntry // not written yet, oldest first
	closed  bool

	kick    chan struct{}
	done    chan struct{}
	flushed chan struct{} // closed when the flusher has stopped
}

// StreamOptions configure a StreamLog.
type StreamOptions struct {
	// Prefix is the store's prefix (default "acd:").
	Prefix string
	// Node names the writer (default "node").
	Node string
	// Log reports an unreachable stream and its recovery (default: discard).
	Log *slog.Logger
	// Timeout bounds each write (default 1s).
	Timeout time.Duration
	// MaxPending is how many events are kept while the stream is
	// unreachable (default 100000); beyond, Append fails.
	MaxPending int
}

// ErrStreamBacklog is returned by Append when MaxPending events already
// wait for the stream to come back.
var ErrStreamBacklog = errors.New("too many events waiting for the stream")

type streamEntry struct {
	n     uint64
	event []byte
}

// StreamKey is the stream's key for prefix.
func StreamKey(prefix string) string { return keyBase(prefix) + "events" }

// NewStreamLog returns a log appending to the stream of opts.Prefix; Close
// it to stop its background writer.
func NewStreamLog(client redis.UniversalClient, opts StreamOptions) *StreamLog {
	if opts.Node == "" {
		opts.Node = "node"
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 100_000
	}
	l := &StreamLog{
		rdb: client, key: StreamKey(opts.Prefix), writer: incarnation(opts.Node), log: opts.Log,
		timeout: opts.Timeout, maxPending: opts.MaxPending,
		kick: make(chan struct{}, 1), done: make(chan struct{}), flushed: make(chan struct{}),
	}
	go l.flusher()
	return l
}

// Append implements acd.EventLog: it writes the event to the stream, or
// keeps it for the background writer while the stream is unreachable or
// older events still wait.
func (l *StreamLog) Append(ev acd.Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("append event to stream: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("append event to stream: %w", errors.New("stream log closed"))
	}
	l.seq++
	e := streamEntry{n: l.seq, event: b}
	if len(l.pending) == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
		err := l.write(ctx, []streamEntry{e})
		cancel()
		if err == nil {
			return nil
		}
		l.log.Warn("event stream unreachable: keeping events in memory until it is back", "stream", l.key, "err", err)
	}
	if len(l.pending) >= l.maxPending {
		return fmt.Errorf("append event to stream: %d events: %w", len(l.pending), ErrStreamBacklog)
	}
	l.pending = append(l.pending, e)
	select {
	case l.kick <- struct{}{}:
	default:
	}
	return nil
}

// write XADDs entries in one pipeline.
func (l *StreamLog) write(ctx context.Context, entries []streamEntry) error {
	_, err := l.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range entries {
			p.XAdd(ctx, &redis.XAddArgs{Stream: l.key, Values: []any{"event", e.event, "w", l.writer, "n", e.n}})
		}
		return nil
	})
	return err
}

// flusher writes pending events, oldest first, retrying with backoff.
func (l *StreamLog) flusher() {
	defer close(l.flushed)
	for {
		select {
		case <-l.kick:
		case <-l.done:
			return
		}
		backoff := 100 * time.Millisecond
		for {
			l.mu.Lock()
			batch := append([]streamEntry(nil), l.pending[:min(len(l.pending), 512)]...)
			l.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
			err := l.write(ctx, batch)
			cancel()
			if err == nil {
				l.mu.Lock()
				l.pending = l.pending[len(batch):]
				left := len(l.pending)
				l.mu.Unlock()
				if left == 0 {
					l.log.Info("event stream reachable again: kept events written", "stream", l.key)
				}
				backoff = 100 * time.Millisecond
				continue
			}
			select {
			case <-time.After(backoff):
			case <-l.done:
				return
			}
			backoff = min(2*backoff, 5*time.Second)
		}
	}
}

// Pending is how many events wait for the stream.
func (l *StreamLog) Pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pending)
}

// Close stops the background writer and makes one last attempt to write
// what is pending; it fails if events are left unwritten (the node's own
// event file still has them).
func (l *StreamLog) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	close(l.done)
	<-l.flushed
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	defer cancel()
	if err := l.write(ctx, l.pending); err != nil {
		return fmt.Errorf("close event stream: %d events not written: %w", len(l.pending), err)
	}
	l.pending = nil
	return nil
}

// ReadEvents reads every event in the stream of prefix, in stream order,
// each once: repeated writes of one event are dropped.
func ReadEvents(ctx context.Context, client redis.UniversalClient, prefix string) ([]acd.Event, error) {
	key := StreamKey(prefix)
	type origin struct {
		w string
		n string
	}
	seen := map[origin]bool{}
	var out []acd.Event
	start := "-"
	for {
		msgs, err := client.XRangeN(ctx, key, start, "+", 1000).Result()
		if err != nil {
			return out, fmt.Errorf("read event stream %s: %w", key, err)
		}
		for _, m := range msgs {
			raw, _ := m.Values["event"].(string)
			w, _ := m.Values["w"].(string)
			n, _ := m.Values["n"].(string)
			if w != "" && n != "" {
				if seen[origin{w, n}] {
					continue
				}
				seen[origin{w, n}] = true
			}
			var ev acd.Event
			if err := json.Unmarshal([]byte(raw), &ev); err != nil {
				return out, fmt.Errorf("read event stream %s: entry %s: %w", key, m.ID, err)
			}
			if ev.Type == "" || ev.Time.IsZero() {
				return out, fmt.Errorf("read event stream %s: entry %s: not an event", key, m.ID)
			}
			out = append(out, ev)
		}
		if len(msgs) < 1000 {
			return out, nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}
