package main

import (
	"fmt"
	"io"
	"log/slog"

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
	get, err := loadPrompts(cfg)
	if err == nil {
		err = checkExitPrompts(cfg, get)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	customers := ""
	if cfg.Customers.File != "" {
		dir, err := openCustomers(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
			return 1
		}
		customers = fmt.Sprintf(", %d customers", dir.Len())
		_ = dir.Close() // nothing changed: nothing written
	}
	fmt.Fprintf(stdout, "%s: ok (%d queues, %d agents%s)\n", args[0], len(cfg.Queues), len(cfg.Agents), customers)
	return 0
}
