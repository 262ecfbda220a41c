package acd_test

import (
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/hours"
	"github.com/sme/acd/queue"
)

// TestEngineClosedToVoicemail: a call arriving while closed is accepted
// (the telephony side answers it), flows out with target "voicemail", and
// the telephony side is told to take a message with the defaults filled
// in; the message it reports becomes a "voicemail" event.
func TestEngineClosedToVoicemail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		support := queueCfg("support", acd.LongestIdle{})
		support.Hours = schedule(t, hours.Spec{Holidays: []string{"2000-01-01"}, Weekly: allWeek})
		support.Closed = acd.Destination{Exit: acd.ExitVoicemail}
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{support}})

		if err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c1", Queue: "support", Caller: "+33612345678"}); err != nil {
			t.Fatalf("Enqueue while closed to voicemail: %v", err)
		}
		x := h.tel.takeExits()
		want := acd.Destination{Exit: acd.ExitVoicemail, Prompt: acd.PromptVoicemailGreeting, MaxLength: acd.DefaultVoicemailMax}
		if len(x) != 1 || x[0].Call.ID != "c1" || x[0].Call.Queue != "support" || x[0].Dest != want || x[0].Reason != acd.ReasonClosed {
			t.Fatalf("exits %+v, want one to %+v", x, want)
		}
		ov := h.events.callEvent(t, "c1", acd.EvOverflowed)
		if ov.Queue != "support" || ov.Reason != acd.ReasonClosed || ov.Target != acd.ExitVoicemail {
			t.Errorf("overflowed %+v", ov)
		}
		if h.active() != 0 || len(h.waiting()) != 0 {
			t.Error("a call gone to voicemail is still held")
		}
		msg := acd.VoicemailMessage{CallID: "c1", Queue: "support", Caller: "+33612345678", File: "vm/support/x.wav", Duration: 1500 * time.Millisecond}
		if err := h.eng.Voicemail(h.ctx, msg); err != nil {
			t.Fatal(err)
		}
		h.end("c1", acd.ReasonCaller) // the leg's own report: nothing more
		if got, want := h.events.callTypes("c1"), []acd.EventType{acd.EvEntered, acd.EvOverflowed, acd.EvVoicemail}; !slices.Equal(got, want) {
			t.Errorf("events %v, want %v", got, want)
		}
		vm := h.events.callEvent(t, "c1", acd.EvVoicemail)
		if vm.Queue != "support" || vm.File != msg.File || vm.DurationMS != 1500 || vm.Caller != msg.Caller {
			t.Errorf("voicemail event %+v", vm)
		}
	})
}

// TestEngineExitRules: an arrival rule and the waited rule send calls to
// a message (default prompt all-busy; closed on closed hours) and to
// voicemail with the configured prompt and length.
func TestEngineExitRules(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		support := queueCfg("support", acd.LongestIdle{})
		support.Overflow = []acd.OverflowRule{
			{When: acd.WhenQueueLength, Over: 0, Dest: acd.Destination{Exit: acd.ExitMessage}},
			{When: acd.WhenWaited, OverWait: 30 * time.Second, Dest: acd.Destination{Exit: acd.ExitVoicemail, Prompt: "leave-a-message", MaxLength: time.Minute}},
		}
		night := queueCfg("night", acd.LongestIdle{})
		night.Hours = schedule(t, hours.Spec{}) // never open
		night.Closed = acd.Destination{Exit: acd.ExitMessage}
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{support, night}})
		h.addAgentNoPhone("a1", "support") // logged in, unreachable: calls wait

		h.enqueue("c1", "support") // nobody waits: no rule on arrival
		h.enqueue("c2", "support") // one waits: queue-length > 0
		if x := h.tel.takeExits(); len(x) != 1 || x[0].Call.ID != "c2" || x[0].Reason != acd.WhenQueueLength ||
			x[0].Dest != (acd.Destination{Exit: acd.ExitMessage, Prompt: acd.PromptAllBusy}) {
			t.Fatalf("arrival exits %+v", x)
		}
		if ov := h.events.callEvent(t, "c2", acd.EvOverflowed); ov.Reason != acd.WhenQueueLength || ov.Target != acd.ExitMessage {
			t.Errorf("c2 overflowed %+v", ov)
		}

		sleep(30*time.Second - time.Millisecond)
		if x := h.tel.takeExits(); len(x) != 0 {
			t.Fatalf("exited early: %+v", x)
		}
		sleep(time.Millisecond)
		want := acd.Destination{Exit: acd.ExitVoicemail, Prompt: "leave-a-message", MaxLength: time.Minute}
		if x := h.tel.takeExits(); len(x) != 1 || x[0].Call.ID != "c1" || x[0].Reason != acd.WhenWaited || x[0].Dest != want {
			t.Fatalf("waited exits %+v, want c1 to %+v", x, want)
		}
		ov := h.events.callEvent(t, "c1", acd.EvOverflowed)
		if ov.Reason != acd.WhenWaited || ov.Target != acd.ExitVoicemail || ov.WaitMS != 30_000 {
			t.Errorf("c1 overflowed %+v", ov)
		}
		if d := h.tel.takeDrops(); len(d) != 0 {
			t.Errorf("drops %v", d)
		}
		if h.active() != 0 || len(h.waiting()) != 0 {
			t.Error("calls that left still held")
		}

		if err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c3", Queue: "night"}); err != nil {
			t.Fatal(err)
		}
		if x := h.tel.takeExits(); len(x) != 1 || x[0].Dest.Prompt != acd.PromptClosed || x[0].Reason != acd.ReasonClosed {
			t.Errorf("closed message %+v", x)
		}
		synctest.Wait()
	})
}

// TestEngineSetScheduleClosed: the closed destination changes at run time
// with the hours, is checked first, and the next arrival uses it.
func TestEngineSetScheduleClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		support := queueCfg("support", acd.LongestIdle{})
		support.Hours = schedule(t, hours.Spec{})
		support.Closed = acd.Destination{Status: 480}
		partner := queueCfg("partner", acd.LongestIdle{})
		partner.Overflow = []acd.OverflowRule{{When: acd.WhenNoAgents, Dest: acd.Destination{Queue: "support"}}}
		other := queueCfg("other", acd.LongestIdle{})
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{support, partner, other}})

		var rej *acd.RejectError
		if err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c1", Queue: "support"}); !errors.As(err, &rej) || rej.Status != 480 {
			t.Fatalf("closed hang-up: %v", err)
		}
		msg := acd.Destination{Exit: acd.ExitMessage, Prompt: "holiday"}
		if err := h.eng.SetSchedule("support", schedule(t, hours.Spec{}), &msg); err != nil {
			t.Fatal(err)
		}
		if d, ok := h.eng.Closed("support"); !ok || d != msg {
			t.Errorf("Closed = %+v %v", d, ok)
		}
		if err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c2", Queue: "support"}); err != nil {
			t.Fatalf("closed to a message: %v", err)
		}
		if x := h.tel.takeExits(); len(x) != 1 || x[0].Dest.Prompt != "holiday" {
			t.Errorf("exits %+v", x)
		}
		// nil keeps the destination; SetHours too.
		if err := h.eng.SetHours("support", schedule(t, hours.Spec{})); err != nil {
			t.Fatal(err)
		}
		if d, _ := h.eng.Closed("support"); d != msg {
			t.Errorf("SetHours changed the closed destination to %+v", d)
		}

		for _, bad := range []acd.Destination{
			{Queue: "support"},               // itself
			{Queue: "partner"},               // partner's rule leads back
			{Queue: "nope"},                  // unknown
			{Queue: "other", URI: "sip:x@y"}, // two kinds
			{URI: "http://x"},                // not SIP
			{Exit: "fax"},                    // unknown exit
			{Exit: acd.ExitMessage, MaxLength: time.Minute},     // length with a message
			{Exit: acd.ExitVoicemail, MaxLength: 2 * time.Hour}, // too long
			{Exit: acd.ExitVoicemail, Prompt: "../etc/passwd"},
			{Status: 200},
			{Queue: "other", Prompt: "closed"},
		} {
			err := h.eng.SetSchedule("support", nil, &bad)
			if !errors.Is(err, acd.ErrBadDestination) {
				t.Errorf("SetSchedule closed %+v: %v, want ErrBadDestination", bad, err)
			}
		}
		if sc, _ := h.eng.Hours("support"); sc == nil {
			t.Error("a refused SetSchedule changed the hours")
		}
		if err := h.eng.SetSchedule("support", nil, &acd.Destination{Queue: "other"}); err != nil {
			t.Errorf("closed to another queue: %v", err)
		}
		if err := h.eng.SetSchedule("nope", nil, nil); !errors.Is(err, acd.ErrUnknownQueue) {
			t.Errorf("unknown queue: %v", err)
		}
	})
}

// TestEngineSetScheduleConcurrentCycle: two changes at once, a closed to
// b and b closed to a, would each pass the cycle check alone; at most one
// may be accepted, so no cycle is ever made. (Without scheduleMu both are
// accepted within a few thousand rounds.)
func TestEngineSetScheduleConcurrentCycle(t *testing.T) {
	a, b := queueCfg("a", acd.LongestIdle{}), queueCfg("b", acd.LongestIdle{})
	h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{a, b}})
	hangup := acd.Destination{Status: 480}
	for i := range 5000 {
		for _, q := range []string{"a", "b"} {
			if err := h.eng.SetSchedule(q, nil, &hangup); err != nil {
				t.Fatal(err)
			}
		}
		errs := make(chan error, 2)
		for _, p := range [][2]string{{"a", "b"}, {"b", "a"}} {
			go func() { errs <- h.eng.SetSchedule(p[0], nil, &acd.Destination{Queue: p[1]}) }()
		}
		if e1, e2 := <-errs, <-errs; e1 == nil && e2 == nil {
			t.Fatalf("round %d: a and b now send closed calls to each other", i)
		}
	}
}
