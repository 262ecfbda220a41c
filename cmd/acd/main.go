// Command acd is the in-house automatic call distributor: one binary that
// answers callers over SIP, queues them with hold audio, routes each call to
// the best available agent and bridges the audio.
//
//	acd run [-config FILE]       run the ACD (embedded sample config without -config)
//	acd check-config FILE        validate a config file and exit
//	acd report [flags]           measurements per queue and agent from the event log
//	acd staffing [flags]         agents needed by Erlang C, per interval or for a given load
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  acd run [-config FILE] [-log-level debug|info|warn|error]
  acd check-config FILE
  acd report [-config FILE] [-log FILE]... [-interval 15m|30m|60m|day] [-format table|csv|json]
             [-sl sl_b] [-threshold 20s] [-short 5s] [-tz Europe/Paris] [-mask]
  acd staffing [-config FILE] [-log FILE]... [-interval 30m] | -rate CALLS_PER_HOUR -aht 180s
             [-sl 0.8] [-t 20s] [-max-occupancy 0.85] [-shrinkage 0.3]
`

// dispatch runs one subcommand and returns the process exit code.
func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return runCommand(args[1:], stdout, stderr)
	case "check-config":
		return checkConfigCommand(args[1:], stdout, stderr)
	case "report":
		return reportCommand(args[1:], stdout, stderr)
	case "staffing":
		return staffingCommand(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "acd: unknown command %q\n%s", args[0], usage)
	return 2
}
