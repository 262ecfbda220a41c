package customers

import "github.com/sme/acd/acd"

// LastAgentLog is an acd.EventLog that hands every event to Next and,
// for each connected call from a known customer, records the agent who
// answered as the customer's last agent (Directory.Served), so the engine
// needs to know nothing of the customer file. Callers not in the file are
// not added: the file holds the customers the SME chose to keep.
type LastAgentLog struct {
	Next acd.EventLog
	Dir  *Directory
}

// Append implements acd.EventLog. The last agent is recorded even when
// Next fails: the call is connected either way.
func (l LastAgentLog) Append(ev acd.Event) error {
	err := l.Next.Append(ev)
	if ev.Type == acd.EvConnected && ev.Agent != "" && ev.Caller != "" {
		l.Dir.Served(ev.Caller, ev.Agent, ev.Time)
	}
	return err
}

// SyncEvents implements acd.Syncer by forwarding to Next.
func (l LastAgentLog) SyncEvents() error { return acd.SyncEvents(l.Next) }
