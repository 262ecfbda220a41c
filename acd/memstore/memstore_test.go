package memstore_test

import (
	"testing"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/memstore"
	"github.com/sme/acd/acd/storetest"
)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) acd.Store { return memstore.New() })
}
