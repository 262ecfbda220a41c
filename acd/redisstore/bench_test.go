package redisstore

import (
	"testing"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/storetest"
	"github.com/sme/acd/internal/redistest"
)

// The claim benchmarks are storetest's, shared with acd/memstore, so the
// two stores' claims/s compare directly:
//
//	go test -run '^$' -bench Claim -benchtime 3s ./acd/memstore/ ./acd/redisstore/

func benchStore(b *testing.B) acd.Store {
	srv := redistest.Start(b)
	return New(srv.Client(b), Options{Prefix: uniquePrefix(b), Node: "bench"})
}

// BenchmarkClaim: see storetest.BenchClaim.
func BenchmarkClaim(b *testing.B) { storetest.BenchClaim(b, benchStore) }

// BenchmarkClaimParallel: see storetest.BenchClaimParallel.
func BenchmarkClaimParallel(b *testing.B) { storetest.BenchClaimParallel(b, benchStore) }
