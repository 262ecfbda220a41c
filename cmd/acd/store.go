package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/acd/redisstore"
	"github.com/sme/acd/config"
)

// Redis client timeouts: short, so that while Redis is unreachable a new
// caller gets a 503 within a couple of seconds instead of hanging, and the
// engine (which bounds each store call by acd.DefaultStoreTimeout) never
// waits long. go-redis reconnects by itself when Redis is back.
const (
	redisDialTimeout = time.Second
	redisIOTimeout   = time.Second
	redisPoolTimeout = 2 * time.Second
	redisMaxRetries  = 1
)

// backend is the store a node runs on and what comes with it.
type backend struct {
	store acd.Store
	// stream is the cluster's event stream, nil with the memory store.
	stream *redisstore.StreamLog
	// desc says which store it is, for the banner.
	desc  string
	close func()
}

// newStore builds the store the config names. With Redis it checks that
// Redis answers, so a node that cannot reach it stops at start with a
// clear error rather than refusing every call.
func newStore(cfg *config.Config, log *slog.Logger) (*backend, error) {
	if cfg.Store.Kind != config.StoreRedis {
		return &backend{store: memstore.New(), desc: "memory", close: func() {}}, nil
	}
	redis.SetLogger(newRedisLogger(log.With("component", "redis")))
	r := cfg.Store.Redis
	client := newRedisClient(r)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("connect to redis %s: %w", redisTarget(r), err)
	}
	store := redisstore.New(client, redisstore.Options{Prefix: r.Prefix, Node: cfg.NodeID, Lease: cfg.Store.Lease})
	stream := redisstore.NewStreamLog(client, redisstore.StreamOptions{Prefix: r.Prefix, Node: cfg.NodeID, Log: log})
	log.Info("store: redis", "target", redisTarget(r), "prefix", r.Prefix, "node", store.Incarnation(), "lease", cfg.Store.Lease)
	return &backend{
		store: store, stream: stream,
		desc: fmt.Sprintf("redis %s (prefix %s, lease %s, node %s)", redisTarget(r), r.Prefix, cfg.Store.Lease, store.Incarnation()),
		close: func() {
			if err := stream.Close(); err != nil {
				log.Error("event stream", "err", err)
			}
			_ = client.Close()
		},
	}, nil
}

// eventLog is the node's event log: its own file, and with Redis the
// cluster's stream too.
func (b *backend) eventLog(file acd.EventLog) acd.EventLog {
	if b.stream == nil {
		return file
	}
	return acd.TeeLog{file, b.stream}
}

// newRedisClient builds the go-redis client for one server, a Sentinel
// master or a Cluster (the config allows exactly one of them).
func newRedisClient(r config.Redis) redis.UniversalClient {
	switch {
	case len(r.Cluster) > 0:
		return redis.NewClusterClient(&redis.ClusterOptions{
			Addrs: r.Cluster, Password: r.Password,
			DialTimeout: redisDialTimeout, ReadTimeout: redisIOTimeout, WriteTimeout: redisIOTimeout,
			PoolTimeout: redisPoolTimeout, MaxRetries: redisMaxRetries, DialerRetries: 1,
		})
	case r.Sentinel.Master != "":
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: r.Sentinel.Master, SentinelAddrs: r.Sentinel.Addresses, Password: r.Password, DB: r.DB,
			DialTimeout: redisDialTimeout, ReadTimeout: redisIOTimeout, WriteTimeout: redisIOTimeout,
			PoolTimeout: redisPoolTimeout, MaxRetries: redisMaxRetries, DialerRetries: 1,
		})
	}
	network, addr := "tcp", r.Address
	if p, ok := strings.CutPrefix(addr, "unix:"); ok {
		network, addr = "unix", p
	}
	return redis.NewClient(&redis.Options{
		Network: network, Addr: addr, Password: r.Password, DB: r.DB,
		DialTimeout: redisDialTimeout, ReadTimeout: redisIOTimeout, WriteTimeout: redisIOTimeout,
		PoolTimeout: redisPoolTimeout, MaxRetries: redisMaxRetries, DialerRetries: 1,
		// Maintenance notifications are a Redis Cloud feature; asking a
		// plain redis-server for them only costs a refused command.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
}

// redisTarget names what the client connects to, for logs and errors.
func redisTarget(r config.Redis) string {
	switch {
	case len(r.Cluster) > 0:
		return "cluster " + strings.Join(r.Cluster, ",")
	case r.Sentinel.Master != "":
		return "sentinel master " + r.Sentinel.Master + " via " + strings.Join(r.Sentinel.Addresses, ",")
	}
	return r.Address
}

// readStream reads the cluster's events from the Redis stream the config
// names, for acd report and acd staffing.
func readStream(cfg *config.Config) ([]acd.Event, error) {
	client := newRedisClient(cfg.Store.Redis)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	evs, err := redisstore.ReadEvents(ctx, client, cfg.Store.Redis.Prefix)
	if err != nil {
		return nil, fmt.Errorf("redis %s: %w", redisTarget(cfg.Store.Redis), err)
	}
	return evs, nil
}

// redisLogger routes go-redis's own messages (failed dials, reconnects,
// dropped pub/sub messages) to the node's log. While Redis is down every
// pooled connection's dial fails: a message of the same kind is logged at
// most once per redisLogEvery, with the count of those left out.
type redisLogger struct {
	log *slog.Logger

	mu     sync.Mutex
	last   map[string]time.Time // format → when last logged
	quiet  map[string]int       // format → messages left out since
	nowFor func() time.Time
}

const redisLogEvery = 5 * time.Second

func newRedisLogger(log *slog.Logger) *redisLogger {
	return &redisLogger{log: log, last: map[string]time.Time{}, quiet: map[string]int{}, nowFor: time.Now}
}

func (l *redisLogger) Printf(_ context.Context, format string, v ...any) {
	now := l.nowFor()
	l.mu.Lock()
	if t, ok := l.last[format]; ok && now.Sub(t) < redisLogEvery {
		l.quiet[format]++
		l.mu.Unlock()
		return
	}
	left := l.quiet[format]
	l.last[format], l.quiet[format] = now, 0
	l.mu.Unlock()
	var attrs []any
	if left > 0 {
		attrs = append(attrs, "similar_left_out", left)
	}
	l.log.Warn(strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "), attrs...)
}
