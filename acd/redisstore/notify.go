package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
)

var (
	_ acd.Notifier       = (*Store)(nil)
	_ acd.LeaseKeeper    = (*Store)(nil)
	_ acd.ContactsLister = (*Store)(nil)
)

// workChannel is the pub/sub channel nodes sharing a prefix notify each
// other on. The message is the sender's incarnation, so a node can skip
// its own notifications.
func (s *Store) workChannel() string { return s.base + "work" }

// Notify implements acd.Notifier with PUBLISH.
func (s *Store) Notify(ctx context.Context) error {
	if err := s.rdb.Publish(ctx, s.workChannel(), s.token).Err(); err != nil {
		return fmt.Errorf("notify other nodes: %w", err)
	}
	return nil
}

// Subscribe implements acd.Notifier with SUBSCRIBE. The channel gets a
// value for every other node's notification (coalesced: it holds one at
// most) and for every (re)subscription, since notifications sent while
// the connection was down are lost. go-redis reconnects by itself (it pings
// an idle subscription every few seconds). The channel is closed when ctx
// ends.
func (s *Store) Subscribe(ctx context.Context) (<-chan struct{}, error) {
	ps := s.rdb.Subscribe(ctx, s.workChannel())
	msgs := ps.ChannelWithSubscriptions(redis.WithChannelSize(64))
	out := make(chan struct{}, 1)
	signal := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	go func() {
		defer close(out)
		defer ps.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-msgs:
				if !ok {
					return
				}
				switch m := m.(type) {
				case *redis.Message:
					if m.Payload != s.token {
						signal()
					}
				case *redis.Subscription:
					if m.Kind == "subscribe" {
						signal()
					}
				}
			}
		}
	}()
	return out, nil
}
