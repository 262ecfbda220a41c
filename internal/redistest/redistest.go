// Package redistest runs a throwaway redis-server for tests: no
// persistence, no TCP port, a unix socket in a fresh temporary directory, so
// any number of tests can each have their own server in parallel.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// StartTimeout bounds how long Start and Restart wait for the server to
// answer PING.
const StartTimeout = 10 * time.Second

// Server is one redis-server process (or, between Stop and Restart, none).
type Server struct {
	tb     testing.TB
	bin    string
	dir    string
	socket string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start runs redis-server for the rest of the test, which is skipped when
// no redis-server is on PATH; under CI (CI set in the environment) that is
// a failure instead, so a missing install step cannot pass as green.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not on PATH (scripts/test.sh installs it: apt-get install redis-server)"
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	// Not tb.TempDir(): a unix socket path must stay under ~100 bytes and
	// test names can be long.
	dir, err := os.MkdirTemp("", "redistest")
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	s := &Server{tb: tb, bin: bin, dir: dir, socket: filepath.Join(dir, "redis.sock")}
	tb.Cleanup(func() {
		s.Stop()
		os.RemoveAll(dir)
	})
	s.start()
	return s
}

// Socket is the unix socket the server listens on.
func (s *Server) Socket() string { return s.socket }

// Options are client options for the server; callers may change them.
// Maintenance notifications (a Redis Cloud feature) are off.
func (s *Server) Options() *redis.Options {
	return &redis.Options{
		Network:                  "unix",
		Addr:                     s.socket,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
}

// Client returns a new client for the server, closed when the test ends.
func (s *Server) Client(tb testing.TB) *redis.Client {
	c := redis.NewClient(s.Options())
	tb.Cleanup(func() { c.Close() })
	return c
}

// Stop kills the server (SIGKILL, like a crash) and waits for it to exit.
// Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart stops the server if it runs and starts a new, empty one on the
// same socket.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	s.start()
}

func (s *Server) start() {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	logPath := filepath.Join(s.dir, "redis.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.tb.Fatalf("redistest: %v", err)
	}
	defer logf.Close()
	cmd := exec.Command(s.bin,
		"--port", "0",
		"--unixsocket", s.socket, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no",
		"--dir", s.dir, "--daemonize", "no", "--loglevel", "warning")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("redistest: start %s: %v", s.bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited

	if err := waitReady(s.Options(), exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		s.cmd = nil
		out, _ := os.ReadFile(logPath)
		s.tb.Fatalf("redistest: %v\nredis-server log:\n%s", err, out)
	}
}

// waitReady pings until the server answers, it exits, or StartTimeout
// passes; the pause between tries doubles from 1ms up to 50ms.
func waitReady(opts *redis.Options, exited <-chan struct{}) error {
	opts.MaxRetries = -1 // one try per ping: this loop does the retrying
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	pause := time.Millisecond
	for {
		err := c.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("redis-server exited during start")
		case <-ctx.Done():
			return fmt.Errorf("redis-server not answering PING after %v: %w", StartTimeout, err)
		case <-time.After(pause):
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}
