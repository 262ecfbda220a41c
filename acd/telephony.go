package acd

import (
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// Telephony is what the engine asks of the SIP side. Its methods are called
// from the engine goroutine and must not block; results come back through
// the Engine's Answered, NotAnswered and Ended methods.
type Telephony interface {
	// Offer rings the targets for the call; the first to answer is bridged.
	Offer(a Assignment)
	// Drop ends a call the engine gave up on (max wait, shutdown), telling
	// the caller why.
	Drop(id queue.CallID, reason string)
	// Forward transfers a call the engine let go (an overflow or closed
	// rule, reason) to an external SIP URI, bridged like an agent leg;
	// the caller is hung up if the URI does not answer. The engine has
	// forgotten the call: nothing is reported back.
	Forward(id queue.CallID, uri string, reason string)
	// Exit carries out a voicemail or message destination (d.Exit, with
	// its defaults filled in) for a call the engine let go for reason:
	// answer it if not yet answered, play d.Prompt, record a message
	// (voicemail, reported with Engine.Voicemail) and hang up. c.Queue is
	// the queue whose destination it is. Nothing else is reported back.
	Exit(c queue.Call, d Destination, reason string)
}

// Assignment is one offer handed to the telephony side.
type Assignment struct {
	Call        queue.Call
	Targets     []Target
	RingTimeout time.Duration
	// Callback is set for a call whose caller is to be called back: ring
	// the agent first, then dial the caller (engine_callback.go).
	Callback *Callback
}

// Target is one agent to ring and the phones they registered.
type Target struct {
	Agent    agents.Agent
	Contacts []Contact
}

// RingResult says why one rung agent did not take the call.
type RingResult struct {
	Agent string
	// Reason is "no-answer", "busy", "declined", "unreachable" or
	// "cancelled" (another agent answered first; not held against the agent).
	Reason string
}

// Reasons a call or offer ends, used in events.
const (
	ReasonCaller      = "caller"
	ReasonAgent       = "agent"
	ReasonRTPTimeout  = "rtp-timeout"
	ReasonMaxWait     = "max-wait"
	ReasonShutdown    = "shutdown"
	ReasonNoAnswer    = "no-answer"
	ReasonCancelled   = "cancelled"
	ReasonQueueFull   = "queue-full"
	ReasonUnreachable = "unreachable"
)
