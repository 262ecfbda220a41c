package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
)

// Register implements acd.Store.
func (s *Store) Register(ctx context.Context, username string, c acd.Contact) error {
	if err := checkUTF8(c.URI); err != nil {
		return fmt.Errorf("register for %s: %w", username, err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("register %s for %s: encode: %w", c.URI, username, err)
	}
	if err := s.rdb.HSet(ctx, s.contactsKey(username), c.URI, b).Err(); err != nil {
		return fmt.Errorf("register %s for %s: %w", c.URI, username, err)
	}
	return nil
}

// Unregister implements acd.Store.
func (s *Store) Unregister(ctx context.Context, username, uri string) error {
	var err error
	if uri == "*" {
		err = s.rdb.Del(ctx, s.contactsKey(username)).Err()
	} else {
		err = s.rdb.HDel(ctx, s.contactsKey(username), uri).Err()
	}
	if err != nil {
		return fmt.Errorf("unregister %s for %s: %w", uri, username, err)
	}
	return nil
}

// Contacts implements acd.Store. Bindings lapsed at now are left out and
// deleted, unless another node refreshed them since they were read. Expiry
// is judged by now, not by Redis's clock, as the contract asks.
func (s *Store) Contacts(ctx context.Context, username string, now time.Time) ([]acd.Contact, error) {
	all, err := s.rdb.HGetAll(ctx, s.contactsKey(username)).Result()
	if err != nil {
		return nil, fmt.Errorf("contacts of %s: %w", username, err)
	}
	return s.liveContacts(ctx, username, all, now)
}

// ContactsOf implements acd.ContactsLister: Contacts for several users in
// one round trip (plus one per user with lapsed bindings to prune).
func (s *Store) ContactsOf(ctx context.Context, usernames []string, now time.Time) (map[string][]acd.Contact, error) {
	cmds := make([]*redis.MapStringStringCmd, len(usernames))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, u := range usernames {
			cmds[i] = p.HGetAll(ctx, s.contactsKey(u))
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("contacts of %d users: %w", len(usernames), err)
	}
	out := make(map[string][]acd.Contact, len(usernames))
	for i, u := range usernames {
		live, err := s.liveContacts(ctx, u, cmds[i].Val(), now)
		if err != nil {
			return nil, err
		}
		if len(live) > 0 {
			out[u] = live
		}
	}
	return out, nil
}

// liveContacts decodes a contacts hash, prunes the bindings lapsed at now
// and returns the others sorted by URI.
func (s *Store) liveContacts(ctx context.Context, username string, all map[string]string, now time.Time) ([]acd.Contact, error) {
	var (
		live  []acd.Contact
		prune []any
	)
	for uri, raw := range all {
		var c acd.Contact
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return nil, fmt.Errorf("contacts of %s: decode %s: %w", username, uri, err)
		}
		if c.Expires.After(now) {
			live = append(live, c)
		} else {
			prune = append(prune, uri, raw)
		}
	}
	if len(prune) > 0 {
		if err := pruneScript.Run(ctx, s.rdb, []string{s.contactsKey(username)}, prune...).Err(); err != nil {
			return nil, fmt.Errorf("contacts of %s: prune lapsed: %w", username, err)
		}
	}
	slices.SortFunc(live, func(a, b acd.Contact) int { return strings.Compare(a.URI, b.URI) })
	return live, nil
}
