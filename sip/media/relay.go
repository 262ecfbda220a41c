package media

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/pion/rtp"
)

// RelayOptions configure a Relay.
type RelayOptions struct {
	// Logger receives one line when the relay ends; nil discards it.
	Logger *slog.Logger
}

// Relay bridges a caller leg and an agent leg: each leg's packets go out
// through the other leg's Sender, which keeps the stream each phone hears
// continuous. Silence detection stays with the legs: the relay ends when
// either leg's Run ends, so a peer that vanished (no packet for its
// SilenceTimeout) ends the call even while the other one still talks.
type Relay struct {
	caller, agent *Leg
	log           *slog.Logger
	toAgent       relayPath
	toCaller      relayPath
}

// NewRelay links the legs at once: from its return, packets read on either
// leg are forwarded to the other. Stop the caller's hold Player first.
// Run waits for the end of the bridge and unlinks the legs.
func NewRelay(caller, agent *Leg, opts RelayOptions) *Relay {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Relay{caller: caller, agent: agent, log: log}
	r.toAgent.init(caller, agent)
	r.toCaller.init(agent, caller)
	caller.SetSink(r.toAgent.forward)
	agent.SetSink(r.toCaller.forward)
	return r
}

// Run returns nil when ctx ends or a leg's socket is closed, and the leg's
// error, wrapping ErrSilence for a vanished peer, when a leg's Run fails.
// Either way the legs are unlinked and their packets dropped again.
func (r *Relay) Run(ctx context.Context) error {
	defer func() {
		r.caller.SetSink(nil)
		r.agent.SetSink(nil)
		st := r.Stats()
		r.log.Info("rtp relay ended",
			"caller_to_agent_packets", st.CallerToAgent.Packets,
			"agent_to_caller_packets", st.AgentToCaller.Packets,
			"dropped", st.CallerToAgent.Dropped+st.AgentToCaller.Dropped)
	}()
	select {
	case <-ctx.Done():
		return nil
	case <-r.caller.Done():
		return legEnd("caller", r.caller.Err())
	case <-r.agent.Done():
		return legEnd("agent", r.agent.Err())
	}
}

func legEnd(side string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("relay: %s leg: %w", side, err)
}

// Flow counts one direction of a relay.
type Flow struct {
	Packets uint64 // packets forwarded
	Bytes   uint64 // their RTP size (12-byte header plus payload)
	Dropped uint64 // packets not forwarded: unnegotiated payload type or send error
}

// RelayStats are a relay's counters, both ways.
type RelayStats struct {
	CallerToAgent, AgentToCaller Flow
}

// Stats is safe to call at any time from any goroutine.
func (r *Relay) Stats() RelayStats {
	return RelayStats{CallerToAgent: r.toAgent.flow(), AgentToCaller: r.toCaller.flow()}
}

// relayPath forwards one direction. forward runs only on the source leg's
// read goroutine, which is what makes the scratch buffer safe.
type relayPath struct {
	to             *Sender
	fromPT, toPT   uint8
	fromTE, toTE   uint8
	fromRED        uint8 // RFC 2198 redundant telephone-events from the source leg
	red            [maxREDBlocks]REDBlock
	passthrough    bool       // a leg's codec is unknown: forward audio as is
	convertible    bool       // both legs are G.711
	table          *[256]byte // µ-law <-> A-law, nil when the laws match
	scratch        [maxPacket]byte
	packets, bytes atomic.Uint64
	dropped        atomic.Uint64
}

func (p *relayPath) init(from, to *Leg) {
	p.to = to.Sender()
	p.fromPT, p.toPT = from.opts.Codec.PT, to.opts.Codec.PT
	p.fromTE, p.toTE = from.opts.TelephoneEventPT, to.opts.TelephoneEventPT
	p.fromRED = from.opts.REDPT
	p.passthrough = from.opts.Codec.Name == "" || to.opts.Codec.Name == ""
	p.table, p.convertible = transcodeTable(from.opts.Codec, to.opts.Codec)
}

// forward maps payload types between the legs' negotiations (each leg may
// have numbered telephone-event differently, RFC 3264 §6.1), converts
// between µ-law and A-law when the legs differ, and drops what the other
// side did not negotiate, such as comfort noise.
func (p *relayPath) forward(pkt *rtp.Packet) {
	if p.fromRED != 0 && pkt.PayloadType == p.fromRED {
		// The other leg did not negotiate redundancy: pass on the primary
		// block, the newest event, as a plain telephone-event (RFC 2198
		// §3: the primary block is the last one).
		blocks, err := ParseRED(pkt.Payload, p.red[:0])
		if err != nil || blocks[len(blocks)-1].PT != p.fromTE {
			p.dropped.Add(1)
			return
		}
		pkt.Payload, pkt.PayloadType = blocks[len(blocks)-1].Payload, p.fromTE
	}
	switch pt := pkt.PayloadType; {
	case p.fromTE != 0 && pt == p.fromTE:
		if p.toTE == 0 {
			p.dropped.Add(1)
			return
		}
		pkt.PayloadType = p.toTE
	case p.passthrough:
	case pt == p.fromPT && p.convertible:
		if p.table != nil {
			n := copy(p.scratch[:], pkt.Payload)
			for i, b := range p.scratch[:n] {
				p.scratch[i] = p.table[b]
			}
			pkt.Payload = p.scratch[:n]
		}
		pkt.PayloadType = p.toPT
	default:
		p.dropped.Add(1)
		return
	}
	if err := p.to.Forward(pkt); err != nil {
		p.dropped.Add(1)
		return
	}
	p.packets.Add(1)
	p.bytes.Add(uint64(12 + len(pkt.Payload)))
}

func (p *relayPath) flow() Flow {
	return Flow{Packets: p.packets.Load(), Bytes: p.bytes.Load(), Dropped: p.dropped.Load()}
}
