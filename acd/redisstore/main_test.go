package redisstore

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestMain silences go-redis's global logger: the restart test makes it
// print every refused dial, and the tests check the errors themselves.
func TestMain(m *testing.M) {
	redis.SetLogger(discard{})
	os.Exit(m.Run())
}

type discard struct{}

func (discard) Printf(context.Context, string, ...any) {}
