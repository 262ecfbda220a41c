package main

import (
	"github.com/sme/acd/acd"
	"github.com/sme/acd/config"
)

// callbackConfig maps a queue's callback offer, which config has
// validated, to the engine's.
func callbackConfig(dst *acd.QueueConfig, q config.Queue) {
	cb := q.Callback
	if cb == nil {
		return
	}
	dst.Callback = &acd.CallbackPolicy{OfferAfter: cb.OfferAfter, OfferEvery: cb.OfferEvery, Digit: cb.Digit,
		AskNumber: cb.AskNumber, Trunk: cb.Trunk, Attempts: cb.Attempts, RetryAfter: cb.RetryAfter, RingTimeout: cb.RingTimeout}
}

// callbackBook is where the engine keeps pending callbacks: a file, so a
// restart calls back whoever was waiting for it (config.BookPath).
func callbackBook(cfg *config.Config) acd.CallbackBook {
	return acd.FileBook{Path: cfg.BookPath()}
}
