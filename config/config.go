// Package config loads and validates the ACD's YAML configuration file. It is
// strict on purpose: an unknown key, a mistyped value or a dangling reference is
// an error that names the file, line and field, because a call centre that
// silently runs with a default it was not told about loses calls quietly.
// It imports no other package of this project.
package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Config is the whole, validated configuration of one ACD node.
type Config struct {
	// Path is the file the config came from ("" for the embedded sample); it
	// lets operators see which file a running node read.
	Path string
	// NodeID names this node in events and shared stores so several nodes can
	// share one Redis without confusing each other's records.
	NodeID string
	SIP    SIP
	RTP    RTP
	HTTP   HTTP
	Events Events
	// Store says where queues, agents and registrations live: in this
	// process, or in Redis shared by several nodes.
	Store Store
	// Queues are the queues callers can dial; there is at least one.
	Queues []Queue
	// Menus are IVR menus: a dialled number that leads to a prompt and a
	// digit choice of queue or sub-menu instead of a queue.
	Menus []Menu
	// Agents are the people who answer calls, with their SIP credentials.
	Agents []Agent
	// Customers is the customer file (see Customers); none without a file.
	Customers Customers
	// Report sets the time zone, SL formula and short-abandon threshold of
	// reports and the wallboard.
	Report Report
	// Prompts points at the SME's own recorded prompts (announce.go).
	Prompts Prompts
	// Callbacks says where pending callbacks are kept (callback.go).
	Callbacks Callbacks
	// Voicemail says where voicemail messages go (voicemail.go).
	Voicemail Voicemail

	// source names the input in error messages (the file name given to Parse).
	source string
	// lines maps a field path such as "queues[1].strategy" to its line in the
	// source, so Validate can point at the offending line.
	lines map[string]int
}

// SIP configures the signalling side: where the B2BUA listens, what it
// advertises and whom it trusts.
type SIP struct {
	// ListenUDP is the UDP address to listen on; "" disables UDP.
	ListenUDP string
	// ListenTCP is the TCP address to listen on; "" disables TCP.
	ListenTCP string
	// Advertise is the host or IP put in Contact, Via and SDP, which must be
	// reachable by callers and agents even when listening on a wildcard.
	Advertise string
	// Realm is the digest-authentication realm agents' phones authenticate in.
	Realm string
	// DigestAlgorithms are offered in this order, one WWW-Authenticate each
	// (RFC 8760 §2.4: most preferred first). Some phones and sipp take the
	// first challenge even when they cannot do it: list "MD5" first or
	// alone for them.
	DigestAlgorithms []string
	// TrustedTrunks are IPs or CIDRs whose INVITEs need no authentication.
	TrustedTrunks []string
	// MaxMisses is how many consecutive ring-no-answers pause an agent with
	// reason "no-answer", so calls stop ringing an absent desk; 0 = never.
	MaxMisses int
	// LoginOnRegister makes an Offline agent Available when its phone
	// registers, so agents need no separate log-in step.
	LoginOnRegister bool
	// ShutdownGrace is how long a stopping node lets calls in progress finish.
	ShutdownGrace time.Duration
}

// RTP configures the media relay and hold audio.
type RTP struct {
	// PortMin and PortMax bound the UDP ports used for media; PortMin is even
	// because RTP takes the even port of each pair and RTCP the odd one.
	PortMin, PortMax int
	// SilenceTimeout ends a call whose media stopped flowing, catching legs
	// whose BYE was lost; 0 disables the check.
	SilenceTimeout time.Duration
	// HoldAudio is a WAV file (8 kHz mono 16-bit PCM) played to waiting
	// callers; "" plays the built-in music. A relative path is resolved
	// against the config file's directory when loaded.
	HoldAudio string
}

// HTTP configures the management and reporting API.
type HTTP struct {
	// Listen is the address of the API; "" disables it.
	Listen string
	// Token is the bearer token the API demands; "" means no authentication.
	Token string
}

// Events configures the append-only event log that measurements derive from.
type Events struct {
	// Path is the event log file; a relative path is relative to the
	// working directory.
	Path string
	// Fsync says when the log is flushed to disk: FsyncEveryEvent, FsyncNever
	// or a Go duration such as "100ms" for a periodic flush.
	Fsync string
	// RotateSize starts a new file before the current one would grow past
	// this many bytes; 0 (the default) sets no limit.
	RotateSize int64
	// RotateDaily starts a new file with the first event of each UTC day.
	RotateDaily bool
	// Keep is how many rotated files are kept, the oldest deleted first;
	// 0 (the default) keeps them all.
	Keep int
	// MaskCallers masks the caller's number in call records (MaskNumber:
	// all but the last three digits). Other events keep it as received.
	MaskCallers bool
}

// Fsync policies other than a periodic duration.
const (
	// FsyncEveryEvent flushes after every event: no event is ever lost.
	FsyncEveryEvent = "every-event"
	// FsyncNever leaves flushing to the operating system.
	FsyncNever = "never"
)

// FsyncInterval interprets Fsync so the event log need not parse it: every is
// true to flush after each event; otherwise a positive interval asks for a
// periodic flush and a zero one for none. An invalid value (which Validate
// rejects) is read as every event, the safe choice.
func (e Events) FsyncInterval() (every bool, interval time.Duration) {
	switch e.Fsync {
	case FsyncEveryEvent:
		return true, 0
	case FsyncNever:
		return false, 0
	}
	d, err := time.ParseDuration(e.Fsync)
	if err != nil || d <= 0 {
		return true, 0
	}
	return false, d
}

// Store kinds.
const (
	// StoreMemory keeps everything in this process: one node, nothing
	// survives a restart but the event log.
	StoreMemory = "memory"
	// StoreRedis shares queues, agents, registrations and events with every
	// node using the same Redis and prefix.
	StoreRedis = "redis"
)

// Store configures the state store.
type Store struct {
	// Kind is StoreMemory or StoreRedis.
	Kind  string
	Redis Redis
	// Lease is how long a node's reservations (agents ringing or on a call,
	// waiting calls) outlive it: a node that dies or loses Redis for longer
	// has them freed by the other nodes. Redis only.
	Lease time.Duration
}

// Redis says how to reach Redis: one of Address, Sentinel or Cluster.
type Redis struct {
	// Address is "host:port" or "unix:/path/to/socket" of a single server.
	Address string
	// Password authenticates to Redis (and to Sentinel, if used).
	Password string
	// DB is the database number (not with Cluster).
	DB int
	// Sentinel finds the master of a Redis replicated with Sentinel.
	Sentinel Sentinel
	// Cluster lists seed "host:port" addresses of a Redis Cluster.
	Cluster []string
	// Prefix starts every key; nodes that share calls and agents use the
	// same prefix. Default "acd:".
	Prefix string
}

// Sentinel names the master and the Sentinels that watch it.
type Sentinel struct {
	Master    string
	Addresses []string
}

// Queue is one queue callers reach by dialling its number.
type Queue struct {
	// Name identifies the queue in events, reports and agents' lists.
	Name string
	// Number is the dialled number (the user part of the Request-URI).
	Number string
	// Strategy picks which available agent gets the next call; one of
	// Strategies.
	Strategy string
	// RingTimeout is how long an agent's phone rings before the call goes
	// back to the queue.
	RingTimeout time.Duration
	// WrapUp is the after-call time before the agent is offered another call.
	WrapUp time.Duration
	// MaxWait bounds a caller's wait before the call overflows; 0 = unlimited.
	MaxWait time.Duration
	// MaxLength bounds the number of waiting calls; 0 = unlimited.
	MaxLength int
	// ServiceLevel is the answer-time threshold for the service-level metric.
	ServiceLevel time.Duration
	// FullResponse is the SIP status (486 or 503) sent when the queue is full.
	FullResponse int
	// RetryAfter is the Retry-After sent with a 503 full response.
	RetryAfter time.Duration
	// Priority is the base priority of the queue's calls; higher goes first.
	Priority int
	// PriorityNumbers are more dialled numbers leading to this queue, each
	// with the priority its calls get (e.g. a number printed only on
	// premium contracts), so the dialled number can raise a call's priority.
	PriorityNumbers map[string]int
	// Steps are the queue's routing steps, in order: while a call's wait is
	// within a step's time it needs an agent meeting that step's
	// requirements. Once every step is over (or with no steps) any agent of
	// the queue will do. Only the last step may leave Duration at 0, which
	// makes it last for ever.
	Steps []Step
	// Weight decides between callers of equal priority in different queues
	// that share an agent: the heavier queue's caller is served first,
	// before arrival time. Default 0; may be negative.
	Weight int
	// PriorityAging adds one to a waiting call's priority for every full
	// PriorityAging waited, so nobody starves behind higher priorities;
	// 0 (the default) turns it off, otherwise at least 1s.
	PriorityAging time.Duration
	// Hours are the queue's business hours; nil means always open.
	Hours *Hours
	// Overflow are the queue's overflow rules, tried in order.
	Overflow []OverflowRule
	// Announce is what the queue tells waiting callers and in which
	// language (announce.go); nil: nothing, prompts in English.
	Announce *Announce
	// Callback is the queue's callback offer (callback.go); nil: none.
	Callback *Callback
}

// Hours are a queue's weekly opening hours in a time zone, its holidays,
// and where calls go while it is closed.
type Hours struct {
	// TimeZone is an IANA zone such as "Europe/Paris". Default "UTC".
	TimeZone string
	// Weekly maps mon … sun to "HH:MM-HH:MM" ranges; a day left out is closed.
	Weekly map[string][]string
	// Holidays are closed dates "YYYY-MM-DD" in TimeZone.
	Holidays []string
	// Closed is where calls arriving while closed go.
	Closed Destination
}

// Destination is where a closed queue or an overflow rule sends a call.
type Destination struct {
	// Action is ActionQueue, ActionURI or ActionHangup (the default).
	Action string
	// Queue is the target queue of ActionQueue.
	Queue string
	// URI is the external sip: or sips: URI of ActionURI (e.g. a partner
	// contact centre through the trunk), bridged like an agent leg.
	URI string
	// Status is the SIP final response (4xx-6xx) of ActionHangup for a call
	// not yet answered; default 480. A waiting call gets a BYE.
	Status int
	// Prompt is the library prompt ActionVoicemail and ActionMessage play
	// first; "" plays voicemail-greeting (voicemail), closed (a message on
	// closed hours) or all-busy (a message from an overflow rule).
	Prompt string
	// MaxLength bounds an ActionVoicemail message; 0 is
	// DefaultVoicemailMaxLength.
	MaxLength time.Duration
}

// Destination actions.
const (
	ActionQueue  = "queue"
	ActionHangup = "hangup"
	ActionURI    = "uri"
	// ActionVoicemail answers the call (if not yet), plays Prompt and a
	// beep, records the caller's message to a WAV file and hangs up.
	ActionVoicemail = "voicemail"
	// ActionMessage answers the call (if not yet), plays Prompt and hangs
	// up.
	ActionMessage = "message"
)

// Overflow rule conditions.
const (
	WhenNoAgents      = "no-agents"
	WhenQueueLength   = "queue-length"
	WhenEstimatedWait = "estimated-wait"
	WhenWaited        = "waited"
)

// OverflowRule is one overflow rule: when its condition holds, the call
// goes to its Destination.
type OverflowRule struct {
	// When is WhenNoAgents, WhenQueueLength, WhenEstimatedWait or WhenWaited.
	When string
	// Over is the limit as written: a count for queue-length, a duration
	// for estimated-wait and waited (see Length and Wait).
	Over string
	Destination
}

// Length is Over as a queue length.
func (r OverflowRule) Length() (int, error) { return strconv.Atoi(r.Over) }

// Wait is Over as a duration.
func (r OverflowRule) Wait() (time.Duration, error) { return time.ParseDuration(r.Over) }

// Step is one routing step of a queue.
type Step struct {
	// Requirements maps a skill to the lowest level (1-5) an agent needs;
	// all of them must be met. Empty: any agent of the queue.
	Requirements map[string]int
	// Duration is how long the step lasts; 0 (only on the last step) means
	// for ever.
	Duration time.Duration
}

// Agent is one person who answers calls, and the SIP account of their phone.
type Agent struct {
	// ID identifies the agent in events and reports.
	ID string
	// Username is the SIP user the phone registers as; it defaults to ID.
	Username string
	// Password is the digest-authentication secret of the phone.
	Password string
	// Name is shown in reports and to supervisors; optional.
	Name string
	// Queues are the names of the queues the agent answers.
	Queues []string
	// Skills maps a skill name (a-z, 0-9, _ and -) to the agent's
	// proficiency from 1 to 5.
	Skills map[string]int
}

// Skill levels run from MinLevel to MaxLevel.
const (
	MinLevel = 1
	MaxLevel = 5
)

// QueueByNumber finds the queue a caller dialled, so the SIP layer can map a
// Request-URI user to a queue (and answer 404 when there is none).
func (c *Config) QueueByNumber(n string) (Queue, bool) {
	for _, q := range c.Queues {
		if q.Number == n {
			return q, true
		}
	}
	return Queue{}, false
}

// QueueByName finds a queue by the name agents and events use.
func (c *Config) QueueByName(name string) (Queue, bool) {
	for _, q := range c.Queues {
		if q.Name == name {
			return q, true
		}
	}
	return Queue{}, false
}

// TrustedPrefixes returns TrustedTrunks as prefixes, so the SIP layer can test
// a source address with Contains; a bare IP becomes a /32 or /128. Entries
// that do not parse (Validate rejects them) are skipped.
func (c *Config) TrustedPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range c.SIP.TrustedTrunks {
		if p, err := parsePrefix(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// parsePrefix reads an IP or a CIDR; a bare IP becomes a single-host prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("parse address %q: zones are not allowed", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
