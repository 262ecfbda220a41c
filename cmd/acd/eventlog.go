package main

import (
	"log/slog"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/config"
)

// openEventLog opens the node's event log file with the config's fsync
// policy and rotation. Failures Append cannot return (a rotation that
// failed, a timed fsync) are logged; the events go on being written.
func openEventLog(cfg *config.Config, log *slog.Logger) (*acd.FileLog, error) {
	every, interval := cfg.Events.FsyncInterval()
	e := cfg.Events
	return acd.NewFileLog(e.Path, acd.FileLogOptions{
		SyncEvery: every, GroupSync: every, SyncInterval: interval,
		RotateSize: e.RotateSize, RotateDaily: e.RotateDaily, Keep: e.Keep,
		OnError: func(err error) { log.Error("event log", "file", e.Path, "err", err) },
	})
}

// closeCallRecords writes the call records still waiting for the end of
// an agent's wrap-up when the node stops (marked wrap_up_cut).
func closeCallRecords(r *acd.CallRecorder, log *slog.Logger) {
	if err := r.Close(); err != nil {
		log.Error("event log: call records at shutdown", "err", err)
	}
}
