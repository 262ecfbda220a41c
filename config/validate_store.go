package config

import (
	"net"
	"strconv"
	"strings"
	"time"
)

// MinLease is the shortest store.lease: nodes renew their lease every
// third of it, so a shorter one would take a node for dead on a hiccup.
const MinLease = time.Second

func (v *validator) store() {
	s := v.c.Store
	switch s.Kind {
	case StoreMemory:
		// The Redis settings and the lease mean nothing here; a file that
		// sets them probably meant kind: redis.
		for _, f := range []string{"store.redis", "store.lease"} {
			if _, ok := v.c.lines[f]; ok {
				v.fail(f, "is only used with kind: %s (kind is %s)", StoreRedis, StoreMemory)
			}
		}
		return
	case StoreRedis:
	default:
		v.fail("store.kind", "unknown store kind %q (use %s or %s)", s.Kind, StoreMemory, StoreRedis)
		return
	}
	if s.Lease < MinLease {
		v.fail("store.lease", "must be at least %s, got %s", MinLease, s.Lease)
	}
	r := s.Redis
	set := 0
	if r.Address != "" {
		set++
		v.redisAddress("store.redis.address", r.Address, true)
	}
	if r.Sentinel.Master != "" || len(r.Sentinel.Addresses) > 0 {
		set++
		if r.Sentinel.Master == "" {
			v.fail("store.redis.sentinel.master", "is required with sentinel addresses")
		}
		if len(r.Sentinel.Addresses) == 0 {
			v.fail("store.redis.sentinel.addresses", "needs at least one sentinel host:port")
		}
		for i, a := range r.Sentinel.Addresses {
			v.redisAddress(element("store.redis.sentinel.addresses", i), a, false)
		}
	}
	if len(r.Cluster) > 0 {
		set++
		for i, a := range r.Cluster {
			v.redisAddress(element("store.redis.cluster", i), a, false)
		}
		if r.DB != 0 {
			v.fail("store.redis.db", "must be 0 with cluster (Redis Cluster has only database 0), got %d", r.DB)
		}
	}
	switch {
	case set == 0:
		v.fail("store.redis", "set one of address, sentinel or cluster")
	case set > 1:
		v.fail("store.redis", "set only one of address, sentinel and cluster")
	}
	if r.DB < 0 {
		v.fail("store.redis.db", "must not be negative, got %d", r.DB)
	}
	switch {
	case r.Prefix == "":
		v.fail("store.redis.prefix", "must not be empty")
	case strings.ContainsAny(r.Prefix, "{} \t\r\n"):
		v.fail("store.redis.prefix", "%q: braces and spaces are not allowed (the prefix is the Redis Cluster hash tag)", r.Prefix)
	}
}

// redisAddress checks "host:port", or with unix allowed "unix:/path".
func (v *validator) redisAddress(path, a string, unix bool) {
	if p, ok := strings.CutPrefix(a, "unix:"); ok {
		if !unix {
			v.fail(path, "%q: a unix socket is only possible for a single server's address", a)
		} else if !strings.HasPrefix(p, "/") {
			v.fail(path, "%q: want unix:/absolute/path/to/socket", a)
		}
		return
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" {
		hint := ""
		if unix {
			hint = " (or unix:/path/to/socket)"
		}
		v.fail(path, "%q is not a host:port address%s", a, hint)
		return
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		v.fail(path, "%q has an invalid port", a)
	}
}
