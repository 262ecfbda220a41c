package redisstore

import (
	"testing"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/storetest"
	"github.com/sme/acd/internal/redistest"
)

// TestStoreContract runs the shared store contract against a real
// redis-server; every subtest gets its own key prefix on it.
func TestStoreContract(t *testing.T) {
	srv := redistest.Start(t)
	client := srv.Client(t)
	storetest.Run(t, func(t *testing.T) acd.Store {
		return New(client, Options{Prefix: uniquePrefix(t), Node: "contract"})
	})
}
