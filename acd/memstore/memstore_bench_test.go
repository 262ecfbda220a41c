package memstore_test

import (
	"testing"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/acd/storetest"
)

// The claim benchmarks are storetest's, shared with acd/redisstore, so the
// two stores' claims/s compare directly:
//
//	go test -run '^$' -bench Claim -benchtime 3s ./acd/memstore/ ./acd/redisstore/

func newBenchStore(*testing.B) acd.Store { return memstore.New() }

// BenchmarkClaim: see storetest.BenchClaim.
func BenchmarkClaim(b *testing.B) { storetest.BenchClaim(b, newBenchStore) }

// BenchmarkClaimParallel: see storetest.BenchClaimParallel.
func BenchmarkClaimParallel(b *testing.B) { storetest.BenchClaimParallel(b, newBenchStore) }
