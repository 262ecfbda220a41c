package main

import (
	"fmt"
	"io"

	"github.com/sme/acd/config"
)

// checkConfigCommand validates a config file without running anything, so
// an operator can test a change before restarting the ACD.
func checkConfigCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprint(stderr, "usage: acd check-config FILE\n")
		return 2
	}
	cfg, err := config.Load(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (%d queues, %d agents)\n", args[0], len(cfg.Queues), len(cfg.Agents))
	return 0
}
