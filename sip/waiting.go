package sip

// startWaiting starts what runs while the caller waits in the queue, under
// l.waiting: position and wait announcements, periodic messages and the
// callback offer. It must not block.
func (l *callerLeg) startWaiting() {
	l.startAnnouncements()
	l.startCallbackOffer()
}

// queueDigit takes a DTMF digit the caller pressed while waiting in the
// queue (RFC 4733 or SIP INFO), e.g. to accept a callback offer.
func (l *callerLeg) queueDigit(d string) {
	l.log.Debug("digit while waiting", "digit", d)
	l.callbackDigit(d)
}
