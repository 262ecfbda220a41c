package config

// Strategy names, as written in the config file. The acd package implements
// exactly these; a name not listed here is a config error, never a default.
const (
	StrategyRingAll       = "ring-all"
	StrategyLongestIdle   = "longest-idle"
	StrategyRoundRobin    = "round-robin"
	StrategyFewestCalls   = "fewest-calls"
	StrategyLeastTalkTime = "least-talk-time"
	StrategyRandom        = "random"
	StrategyBestSkill     = "best-skill"
)

// Strategies lists every valid strategy name, so the routing code can test
// that it implements exactly this set. Validation does not read this slice,
// so a caller modifying it cannot change what is accepted.
var Strategies = []string{
	StrategyRingAll,
	StrategyLongestIdle,
	StrategyRoundRobin,
	StrategyFewestCalls,
	StrategyLeastTalkTime,
	StrategyRandom,
	StrategyBestSkill,
}

// knownStrategy reports whether name is one of the strategies above.
func knownStrategy(name string) bool {
	switch name {
	case StrategyRingAll, StrategyLongestIdle, StrategyRoundRobin,
		StrategyFewestCalls, StrategyLeastTalkTime, StrategyRandom, StrategyBestSkill:
		return true
	}
	return false
}
