package acd

import "time"

// SeedEWT replays the connected calls of an event log (oldest first) into
// each queue's estimated wait, exactly as the engine fed it while running
// (EWT.Add of each connected call's queue wait), for
// EngineConfig.InitialEWT. The estimate weighs recent calls most, so the
// tail of the current log file is enough.
func SeedEWT(events []Event) map[string]time.Duration {
	ewt := map[string]EWT{}
	for _, ev := range events {
		if ev.Type != EvConnected || ev.Queue == "" {
			continue
		}
		e := ewt[ev.Queue]
		e.Add(time.Duration(ev.WaitMS) * time.Millisecond)
		ewt[ev.Queue] = e
	}
	out := make(map[string]time.Duration, len(ewt))
	for q, e := range ewt {
		out[q] = e.Value()
	}
	return out
}
