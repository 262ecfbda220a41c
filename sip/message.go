package sip

import (
	"log/slog"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/queue"
)

// Reasons a caller leg ends after an exit, in logs (the engine has let the
// call go, so they are in no event).
const (
	// ReasonMessagePlayed: the message was played and the ACD hung up.
	ReasonMessagePlayed = "message-played"
	// ReasonVoicemailDone: the voicemail ended (#, silence, max length)
	// and the ACD hung up.
	ReasonVoicemailDone = "voicemail-done"
	// ReasonExitFailed: the exit could not be carried out; the ACD hung up.
	ReasonExitFailed = "exit-failed"
)

// promptTail is silence said after an exit's prompt, so the prompt's last
// frames reach the caller's ear (through its jitter buffer) before the BYE
// or the beep is cut off by the recording.
const promptTail = 8000 / 5 // 200 ms

// Exit implements acd.Telephony: the caller leg plays a message or takes a
// voicemail on its own goroutine, then hangs up. On arrival the leg runs it
// right after answering (200 OK with SDP), before any announcement; while
// waiting, instead of going on waiting.
func (s *Server) Exit(c queue.Call, d acd.Destination, reason string) {
	v, ok := s.legs.Load(c.ID)
	if !ok {
		s.log.Warn("exit: no caller leg", "call_id", c.ID, "exit", d.Exit, "reason", reason)
		return
	}
	l := v.(*callerLeg)
	if !l.do(func() (string, bool) { return l.exit(c, d, reason), true }) {
		l.log.Error("exit: leg busy; hanging up instead", "exit", d.Exit, "reason", reason)
		l.drop(ReasonExitFailed)
	}
}

// exit carries out a voicemail or message destination for call c (c.Queue
// is the queue whose destination it is) and returns why the leg ended.
func (l *callerLeg) exit(c queue.Call, d acd.Destination, reason string) string {
	l.endWaiting()
	log := l.log.With("exit", d.Exit, "exit_queue", c.Queue, "reason", reason)
	if d.Exit == acd.ExitVoicemail {
		return l.voicemail(c, d, reason, log)
	}
	return l.message(c, d, log)
}

// message plays the destination's prompt, then hangs up with a BYE (the
// callee may end a confirmed dialog, RFC 3261 §15; sipgo waits for the
// caller's ACK of our 200 first, §15 again).
func (l *callerLeg) message(c queue.Call, d acd.Destination, log *slog.Logger) string {
	log.Info("playing message before hanging up", "prompt", d.Prompt)
	pcm := l.s.prompt(l.s.language(c.Queue), d.Prompt)
	if reason, gone := l.sayToEnd(withTail(pcm)); gone {
		return reason
	}
	l.bye(l.dlg)
	log.Info("message played; hung up")
	return ReasonMessagePlayed
}

// sayToEnd speaks pcm to the caller over hold and waits until it is played. If
// the call ends first, gone is true with the reason (hung up towards the
// caller unless the caller left).
func (l *callerLeg) sayToEnd(pcm []int16) (reason string, gone bool) {
	done := l.overlay.Say(pcm)
	select {
	case <-done:
		return "", false
	case <-l.dlg.Context().Done():
		return acd.ReasonCaller, true
	case <-l.rtp.Done():
		reason = acd.ReasonRTPTimeout
	case reason = <-l.drops:
	}
	l.overlay.Clear()
	l.bye(l.dlg)
	return reason, true
}

// withTail is pcm followed by promptTail of silence; nothing stays nothing.
func withTail(pcm []int16) []int16 {
	if len(pcm) == 0 {
		return nil
	}
	return append(pcm[:len(pcm):len(pcm)], make([]int16, promptTail)...)
}

// DropAll ends every caller leg with a BYE, also those the engine no longer
// holds (a voicemail being recorded, a message, a forwarded call), so a
// stopping node saves the messages it records instead of leaving them
// unfinished. For the end of a shutdown's grace period.
func (s *Server) DropAll(reason string) {
	s.legs.Range(func(_, v any) bool {
		v.(*callerLeg).drop(reason)
		return true
	})
}
