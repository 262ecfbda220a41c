package main

// The end-to-end harness: TestMain builds the real acd binary once (with
// -race, so the runs below catch data races in it), each test starts its
// own acd on free ports with a config written to its temp dir, and drives
// it with sipp child processes over 127.0.0.1. What the tests assert comes
// from the outside only: sipp's exit codes and statistics, the RTP the test
// itself exchanges (e2e_rtp_test.go), the event log file and the HTTP API.
//
// This file builds the binary; the rest of the harness is in
// e2e_harness_{ports,config,acd,events,api,sipp}_test.go.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var (
	// acdBinary is the acd built by TestMain.
	acdBinary string
	// sippMissing says why the e2e tests cannot run, "" when they can.
	sippMissing string
	// scenarioDir holds the sipp scenarios.
	scenarioDir string
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	if _, err := exec.LookPath("sipp"); err != nil {
		sippMissing = "sipp is not on PATH (install Debian's sip-tester; scripts/test.sh does)"
	}
	dir, err := os.MkdirTemp("", "acd-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if scenarioDir, err = filepath.Abs(filepath.Join("..", "..", "testdata", "sipp")); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	goTool, err := exec.LookPath("go")
	if err != nil && os.Getenv("GOROOT") != "" {
		goTool, err = filepath.Join(os.Getenv("GOROOT"), "bin", "go"), nil
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: cannot find the go command to build acd: %v\n", err)
		return 1
	}
	acdBinary = filepath.Join(dir, "acd")
	build := exec.Command(goTool, "build", "-race", "-o", acdBinary, "./")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: FAILED to build the acd binary (go build -race -o %s ./): %v\n%s\n", acdBinary, err, out)
		return 1
	}
	return m.Run()
}

// e2eTest marks an end-to-end test: parallel, skipped only without sipp.
func e2eTest(t *testing.T) {
	t.Helper()
	if sippMissing != "" {
		t.Skip("e2e: " + sippMissing)
	}
	t.Parallel()
}
