package main

import (
	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/hours"
	"github.com/sme/acd/config"
)

// overflowConfig maps a queue's business hours and overflow rules, which
// config has validated, to the engine's.
func overflowConfig(dst *acd.QueueConfig, q config.Queue) {
	if h := q.Hours; h != nil {
		// Validated by config, so Parse cannot fail; a nil schedule would
		// leave the queue always open.
		dst.Hours, _ = hours.Parse(hours.Spec{TimeZone: h.TimeZone, Weekly: h.Weekly, Holidays: h.Holidays})
		dst.Closed = destination(h.Closed)
	}
	for _, r := range q.Overflow {
		rule := acd.OverflowRule{When: r.When, Dest: destination(r.Destination)}
		switch r.When {
		case config.WhenQueueLength:
			rule.Over, _ = r.Length()
		case config.WhenEstimatedWait, config.WhenWaited:
			rule.OverWait, _ = r.Wait()
		}
		dst.Overflow = append(dst.Overflow, rule)
	}
}

func destination(d config.Destination) acd.Destination {
	switch d.Action {
	case config.ActionQueue:
		return acd.Destination{Queue: d.Queue}
	case config.ActionURI:
		return acd.Destination{URI: d.URI}
	case config.ActionVoicemail:
		return acd.Destination{Exit: acd.ExitVoicemail, Prompt: d.Prompt, MaxLength: d.MaxLength}
	case config.ActionMessage:
		return acd.Destination{Exit: acd.ExitMessage, Prompt: d.Prompt}
	}
	return acd.Destination{Status: d.Status}
}
