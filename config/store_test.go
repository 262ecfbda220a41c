package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStoreDefaultIsMemory(t *testing.T) {
	c, err := Parse("s.yaml", []byte("queues: [{name: q, number: \"1\"}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Store{Kind: StoreMemory, Lease: 10 * time.Second, Redis: Redis{Prefix: "acd:"}}
	if !reflect.DeepEqual(c.Store, want) {
		t.Errorf("Store = %+v, want %+v", c.Store, want)
	}
}

func TestStoreRedis(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      Store
	}{
		{"address", "store:\n  kind: redis\n  redis: {address: \"10.0.0.5:6379\", password: s3cret, db: 2, prefix: \"cc1:\"}\n  lease: 6s\n",
			Store{Kind: StoreRedis, Lease: 6 * time.Second, Redis: Redis{Address: "10.0.0.5:6379", Password: "s3cret", DB: 2, Prefix: "cc1:"}}},
		{"unix socket", "store: {kind: redis, redis: {address: \"unix:/run/redis/redis.sock\"}}\n",
			Store{Kind: StoreRedis, Lease: 10 * time.Second, Redis: Redis{Address: "unix:/run/redis/redis.sock", Prefix: "acd:"}}},
		{"sentinel", "store:\n  kind: redis\n  redis:\n    sentinel: {master: mymaster, addresses: [\"s1:26379\", \"s2:26379\"]}\n",
			Store{Kind: StoreRedis, Lease: 10 * time.Second, Redis: Redis{Prefix: "acd:",
				Sentinel: Sentinel{Master: "mymaster", Addresses: []string{"s1:26379", "s2:26379"}}}}},
		{"cluster", "store:\n  kind: redis\n  redis:\n    cluster: [\"r1:7000\", \"r2:7000\"]\n",
			Store{Kind: StoreRedis, Lease: 10 * time.Second, Redis: Redis{Prefix: "acd:", Cluster: []string{"r1:7000", "r2:7000"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("s.yaml", []byte("queues: [{name: q, number: \"1\"}]\n"+tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Store, tc.want) {
				t.Errorf("Store = %+v\nwant    %+v", c.Store, tc.want)
			}
		})
	}
}

func TestStoreErrors(t *testing.T) {
	const q = "queues: [{name: q, number: \"1\"}]\n"
	for _, tc := range []struct {
		name, src string
		line      int
		field     string
		msg       string
	}{
		{"unknown kind", q + "store:\n  kind: etcd\n", 3, "store.kind", `unknown store kind "etcd" (use memory or redis)`},
		{"unknown key", q + "store:\n  kind: redis\n  redis: {adress: \"h:1\"}\n", 4, "store.redis.adress", `unknown key "adress" (did you mean "address"?)`},
		{"no address", q + "store:\n  kind: redis\n", 2, "store.redis", "set one of address, sentinel or cluster"},
		{"redis with memory", q + "store:\n  kind: memory\n  redis: {address: \"h:6379\"}\n", 4, "store.redis", "only used with kind: redis"},
		{"lease with memory", q + "store:\n  lease: 5s\n", 3, "store.lease", "only used with kind: redis"},
		{"short lease", q + "store:\n  kind: redis\n  lease: 500ms\n  redis: {address: \"h:6379\"}\n", 4, "store.lease", "at least 1s"},
		{"bad address", q + "store:\n  kind: redis\n  redis:\n    address: localhost\n", 5, "store.redis.address", `"localhost" is not a host:port address (or unix:/path/to/socket)`},
		{"bad port", q + "store:\n  kind: redis\n  redis:\n    address: \"h:0\"\n", 5, "store.redis.address", "invalid port"},
		{"relative socket", q + "store:\n  kind: redis\n  redis:\n    address: \"unix:redis.sock\"\n", 5, "store.redis.address", "absolute"},
		{"two targets", q + "store:\n  kind: redis\n  redis:\n    address: \"h:1\"\n    cluster: [\"h:2\"]\n", 4, "store.redis", "only one of"},
		{"sentinel no master", q + "store:\n  kind: redis\n  redis:\n    sentinel:\n      addresses: [\"s:26379\"]\n", 5, "store.redis.sentinel.master", "is required"},
		{"sentinel no addresses", q + "store:\n  kind: redis\n  redis:\n    sentinel:\n      master: m\n", 5, "store.redis.sentinel.addresses", "at least one"},
		{"sentinel unix", q + "store:\n  kind: redis\n  redis:\n    sentinel: {master: m, addresses: [\"unix:/s\"]}\n", 5, "store.redis.sentinel.addresses[0]", "single server"},
		{"cluster db", q + "store:\n  kind: redis\n  redis:\n    cluster: [\"h:7000\"]\n    db: 1\n", 6, "store.redis.db", "must be 0 with cluster"},
		{"negative db", q + "store:\n  kind: redis\n  redis:\n    address: \"h:1\"\n    db: -1\n", 6, "store.redis.db", "must not be negative"},
		{"prefix braces", q + "store:\n  kind: redis\n  redis:\n    address: \"h:1\"\n    prefix: \"{x}\"\n", 6, "store.redis.prefix", "braces"},
		{"empty prefix", q + "store:\n  kind: redis\n  redis:\n    address: \"h:1\"\n    prefix: \"\"\n", 6, "store.redis.prefix", "must not be empty"},
		{"db type", q + "store:\n  kind: redis\n  redis:\n    address: \"h:1\"\n    db: one\n", 6, "store.redis.db", "expected an integer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.src))
			e := firstError(t, err)
			if e.File != "t.yaml" || e.Line != tc.line || e.Field != tc.field || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %s:%d: %s: %s\nwant t.yaml:%d: %s: …%s…", e.File, e.Line, e.Field, e.Msg, tc.line, tc.field, tc.msg)
			}
		})
	}
}
