package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/customers"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/config"
	"github.com/sme/acd/sip"
)

// openCustomers opens the customer file the config names; nil without one.
func openCustomers(cfg *config.Config, log *slog.Logger) (*customers.Directory, error) {
	c := cfg.Customers
	if c.File == "" {
		return nil, nil
	}
	dir, err := customers.Open(c.File, customers.Options{DefaultCountry: c.DefaultCountry, PreferTime: c.PreferTime,
		VIPPriority: c.VIPPriority, Log: log.With("component", "customers")})
	if err != nil {
		return nil, err
	}
	log.Info("customer file loaded", "file", c.File, "customers", dir.Len(), "default_country", c.DefaultCountry,
		"prefer_time", c.PreferTime, "vip_priority", c.VIPPriority)
	return dir, nil
}

// closeCustomers saves what the customer file has not saved yet.
func closeCustomers(dir *customers.Directory, log *slog.Logger) {
	if dir == nil {
		return
	}
	if err := dir.Close(); err != nil {
		log.Error("customer file: last save failed", "file", dir.Path(), "err", err)
	}
}

// withLastAgent makes the event log record each known customer's last
// agent in the customer file; events pass on unchanged.
func withLastAgent(events acd.EventLog, dir *customers.Directory) acd.EventLog {
	if dir == nil {
		return events
	}
	return customers.LastAgentLog{Next: events, Dir: dir}
}

// customerLookup answers the SIP side's question on each INVITE: what the
// customer file says of this caller, for a call to this queue. The
// priority is the customer's (VIP included). The preferred agent is the
// customer's preferred agent, else the last one, whichever first serves
// the queue and is logged in now: waiting prefer_time for an agent who
// left, or who does not answer this queue, would only keep the caller
// waiting. Nil without a customer file.
func customerLookup(dir *customers.Directory, store acd.Store, log *slog.Logger) func(ctx context.Context, number, queue string) (sip.Customer, bool) {
	if dir == nil {
		return nil
	}
	window := dir.Options().PreferTime
	return func(ctx context.Context, number, queue string) (sip.Customer, bool) {
		c, ok := dir.Lookup(number)
		if !ok {
			return sip.Customer{}, false
		}
		out := sip.Customer{Name: c.Name, Account: c.Account, Priority: dir.Priority(c)}
		if window <= 0 {
			return out, true
		}
		for _, id := range c.Preferences() {
			a, err := store.Agent(ctx, id)
			if err != nil {
				if !errors.Is(err, acd.ErrUnknownAgent) {
					log.Warn("customer lookup: read preferred agent", "agent", id, "err", err)
				}
				continue
			}
			if a.InQueue(queue) && a.State != agents.Offline {
				out.Preferred, out.PreferFor = id, window
				break
			}
		}
		return out, true
	}
}
