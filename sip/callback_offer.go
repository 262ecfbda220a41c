package sip

// startCallbackOffer offers a callback (virtual hold) to a caller whose
// estimated wait passes the queue's threshold.
func (l *callerLeg) startCallbackOffer() {}

// callbackDigit takes a digit pressed while waiting, for the callback offer.
func (l *callerLeg) callbackDigit(string) {}
