package acd_test

// Engine tests of agent commands (pause, unpause, logout …) and how they
// interact with a call in progress and with wrap-up timers.

import (
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

func TestEngineCommands(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.addAgent("a1", "sales")
		synctest.Wait()
		cmd := func(ev agents.Event, want agents.State) agents.Agent {
			t.Helper()
			a, err := h.eng.Command(h.ctx, "a1", ev)
			if err != nil {
				t.Fatalf("Command %s: %v", ev.Kind, err)
			}
			if a.State != want {
				t.Fatalf("after %s: %s, want %s", ev.Kind, a.State, want)
			}
			return a
		}
		if a := cmd(agents.Event{Kind: agents.Pause, Reason: "lunch"}, agents.Paused); a.PauseReason != "lunch" {
			t.Errorf("pause reason %q", a.PauseReason)
		}
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantNoOffer() // paused agents take no calls
		cmd(agents.Event{Kind: agents.Unpause}, agents.Available)
		synctest.Wait()
		h.wantOffer("c1", "a1")
		h.answer("c1", "a1")
		h.end("c1", acd.ReasonCaller)
		cmd(agents.Event{Kind: agents.Logout}, agents.Offline)
		h.enqueue("c2", "sales")
		synctest.Wait()
		h.wantNoOffer()
		cmd(agents.Event{Kind: agents.Login}, agents.Available)
		synctest.Wait()
		h.wantOffer("c2", "a1")

		want := []string{"paused/lunch", "available/unpause", "ringing/offer", "busy/answer", "wrap-up/hangup",
			"available/wrap-up-done", "offline/logout", "available/login", "ringing/offer"}
		if got := h.events.agentStates("a1"); !slices.Equal(got, want) {
			t.Errorf("agent states\n got %v\nwant %v", got, want)
		}

		// Kinds that are the engine's own business are refused.
		for _, k := range []agents.EventKind{agents.Offer, agents.Answer, agents.Miss, agents.Cancel, agents.Hangup, agents.WrapUpDone} {
			if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: k}); !errors.Is(err, agents.ErrInvalidTransition) {
				t.Errorf("Command %s: %v, want ErrInvalidTransition", k, err)
			}
		}
		h.wantState("a1", agents.Ringing)
		if _, err := h.eng.Command(h.ctx, "nobody", agents.Event{Kind: agents.Login}); !errors.Is(err, acd.ErrUnknownAgent) {
			t.Errorf("Command for an unknown agent: %v, want ErrUnknownAgent", err)
		}
		if logs := h.logs.take(); len(logs) != 1 {
			t.Errorf("logs %v, want the unknown agent's failed transition", logs)
		}
		if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Unpause}); !errors.Is(err, agents.ErrInvalidTransition) {
			t.Errorf("unpause while ringing: %v, want ErrInvalidTransition", err)
		}
	})
}

func TestEnginePauseWhileBusyWaitsForWrapUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.LongestIdle{})
		sales.WrapUp = 20 * time.Second
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
		h.addAgent("a1", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		h.answer("c1", "a1")
		n := len(h.events.agentStates("a1"))

		a, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Pause, Reason: "break"})
		if err != nil {
			t.Fatal(err)
		}
		if a.State != agents.Busy || a.Pending == nil || a.Pending.Reason != "break" {
			t.Fatalf("after pause while busy: %+v, want busy with the pause pending", a)
		}
		if got := h.events.agentStates("a1"); len(got) != n {
			t.Errorf("state events %v for a deferred pause", got[n:])
		}
		h.enqueue("c2", "sales")
		sleep(time.Minute)
		h.end("c1", acd.ReasonCaller)
		h.wantState("a1", agents.WrapUp)
		sleep(20 * time.Second)
		a = h.wantState("a1", agents.Paused)
		if a.PauseReason != "break" || a.Pending != nil {
			t.Errorf("after wrap-up: reason %q pending %v", a.PauseReason, a.Pending)
		}
		if got, want := h.events.agentStates("a1")[n:], []string{"wrap-up/hangup", "paused/break"}; !slices.Equal(got, want) {
			t.Errorf("state events %v, want %v", got, want)
		}
		h.wantNoOffer() // c2 waits: the agent never passed through Available
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c2"}) {
			t.Errorf("waiting %v", got)
		}
	})
}

func TestEngineLogoutWhileRingingAppliesAfterRing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.addAgent("a1", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Logout}); err != nil {
			t.Fatal(err)
		}
		h.wantState("a1", agents.Ringing)
		h.missed("c1", acd.RingResult{Agent: "a1", Reason: acd.ReasonNoAnswer})
		synctest.Wait()
		h.wantState("a1", agents.Offline)
		h.wantNoOffer()
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c1"}) {
			t.Errorf("waiting %v", got)
		}
	})
}

// A pause and unpause during wrap-up end that wrap-up; the timer it started
// must not cut short the wrap-up of the agent's next call.
func TestEngineStaleWrapUpTimerDoesNotEndNextWrapUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.LongestIdle{})
		sales.WrapUp = 30 * time.Second
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
		h.addAgent("a1", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		h.answer("c1", "a1")
		h.end("c1", acd.ReasonCaller) // wrap-up until +30 s
		sleep(5 * time.Second)
		if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Pause, Reason: "coffee"}); err != nil {
			t.Fatal(err)
		}
		sleep(time.Second)
		if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Unpause}); err != nil {
			t.Fatal(err)
		}
		h.enqueue("c2", "sales")
		synctest.Wait()
		h.wantOffer("c2", "a1")
		h.answer("c2", "a1")
		sleep(14 * time.Second)
		h.end("c2", acd.ReasonCaller) // at +20 s: wrap-up until +50 s
		secondWrap := time.Now()
		sleep(15 * time.Second) // past +30 s, when the first timer fires
		h.wantState("a1", agents.WrapUp)
		sleep(15 * time.Second)
		a := h.wantState("a1", agents.Available)
		if !a.StateSince.Equal(secondWrap.Add(30 * time.Second)) {
			t.Errorf("available since %v, want %v", a.StateSince, secondWrap.Add(30*time.Second))
		}
	})
}
