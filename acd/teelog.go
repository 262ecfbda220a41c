package acd

import "errors"

// TeeLog appends every event to each of its logs in order, e.g. the node's
// own file and the cluster's Redis stream. Every log gets every event even
// when an earlier one fails; the errors are joined.
type TeeLog []EventLog

// Append implements EventLog.
func (t TeeLog) Append(ev Event) error {
	var errs []error
	for _, l := range t {
		if err := l.Append(ev); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// SyncEvents implements Syncer for every log that groups its syncs.
func (t TeeLog) SyncEvents() error {
	var errs []error
	for _, l := range t {
		if err := SyncEvents(l); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
