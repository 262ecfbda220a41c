package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/httpapi"
	"github.com/sme/acd/acd/live"
	"github.com/sme/acd/acd/report"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/config"
	"github.com/sme/acd/queue"
	"github.com/sme/acd/sip"
	"github.com/sme/acd/sip/media"
)

// runCommand starts the ACD and serves until SIGTERM or SIGINT.
func runCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file (default: the embedded sample config)")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "acd: -log-level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	cfg := config.Default()
	if *path != "" {
		var err error
		if cfg, err = config.Load(*path); err != nil {
			fmt.Fprintf(stderr, "acd: %v\n", err)
			return 1
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, cfg, stdout, log); err != nil {
		fmt.Fprintf(stderr, "acd: %v\n", err)
		return 1
	}
	return 0
}

// run wires the store, event log, engine, SIP side and HTTP API, serves
// until ctx ends, then shuts down gracefully: new calls get 503, calls in
// progress get the configured grace period, the rest are ended cleanly.
func run(ctx context.Context, cfg *config.Config, stdout io.Writer, log *slog.Logger) error {
	be, err := newStore(cfg, log)
	if err != nil {
		return err
	}
	defer be.close()
	store := be.store
	if err := loadAgents(ctx, store, cfg); err != nil {
		return err
	}
	dir, err := openCustomers(cfg, log)
	if err != nil {
		return err
	}
	defer closeCustomers(dir, log) // after the engine stopped: the last last-agent updates are saved
	events, err := openEventLog(cfg, log)
	if err != nil {
		return err
	}
	defer events.Close()
	if torn := events.TornTail(); torn != nil {
		log.Warn("event log ended with an unfinished line (a crash?); set aside", "file", cfg.Events.Path+".torn", "bytes", len(torn))
	}

	records := acd.NewCallRecorder(withLastAgent(be.eventLog(events), dir), cfg.Events.MaskCallers)
	defer closeCallRecords(records, log) // before the file closes: records still waiting for a wrap-up

	// The live tracker tees every event on to the log(s), keeps today's
	// figures for the wallboard and the counts for /metrics; today's events
	// already in the file are read back so a restart does not zero them.
	ec := engineConfig(cfg)
	ec.Callbacks = callbackBook(cfg)
	formula, err := report.ParseFormula(cfg.Report.SLFormula)
	if err != nil {
		return err
	}
	tracker := live.NewTracker(records, ec.Queues, cfg.Report.Location(), nil,
		live.WithFormula(formula), live.WithShortAbandon(cfg.Report.ShortAbandon))
	if evs, _, err := report.ReadFiles(cfg.Events.Path); err != nil {
		log.Warn("live figures and wait estimates start from zero: cannot read the event log back", "err", err)
	} else {
		tracker.Replay(evs)
		ec.InitialEWT = acd.SeedEWT(evs) // announcements and callback offers go on after a restart
	}
	eng, err := acd.NewEngine(ec, store, nil, tracker, log)
	if err != nil {
		return err
	}
	hold, err := holdAudio(cfg)
	if err != nil {
		return err
	}
	scfg, err := sipConfig(cfg, hold)
	if err != nil {
		return err
	}
	scfg.OnFirstContact = func(string) { eng.Nudge() }
	scfg.OnResponse = tracker.CountSIPResponse
	if cfg.SIP.LoginOnRegister {
		scfg.OnFirstContact = loginOnRegister(eng, scfg.AgentID)
	}
	scfg.LookupCustomer = customerLookup(dir, store, log)
	srv, err := sip.NewServer(scfg, eng, store, log)
	if err != nil {
		return err
	}
	eng.SetTelephony(srv)

	engCtx, stopEngine := context.WithCancel(context.Background())
	defer stopEngine()
	engDone := make(chan error, 1)
	go func() { engDone <- eng.Run(engCtx) }()
	sipCtx, stopSIP := context.WithCancel(context.Background())
	defer stopSIP()
	sipDone := make(chan error, 1)
	go func() { sipDone <- srv.Serve(sipCtx) }()
	go srv.RecoverVoicemail(sipCtx) // messages a crash left unfinished

	var httpSrv *http.Server
	if cfg.HTTP.Listen != "" {
		ln, err := net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			return fmt.Errorf("listen http: %w", err)
		}
		api := httpapi.NewLive(eng, tracker, cfg.HTTP.Token, log,
			httpapi.LiveOptions{CheckDestination: closedDestinationCheck(cfg, scfg.Prompt)})
		handler := httpapi.WithCustomers(api, dir, cfg.HTTP.Token, log)
		httpSrv = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
		httpSrv.RegisterOnShutdown(api.Shutdown) // end event streams so Shutdown need not wait for them
		go func() {
			if err := httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("http server", "err", err)
			}
		}()
		fmt.Fprintf(stdout, "acd: HTTP API on http://%s\n", ln.Addr())
	}
	fmt.Fprintf(stdout, "acd: store %s\n", be.desc)
	printBanner(stdout, cfg, scfg)

	select {
	case <-ctx.Done():
	case err := <-sipDone:
		return err
	case err := <-engDone:
		return err
	}
	srv.Drain()
	log.Info("shutting down: new calls get 503", "grace", cfg.SIP.ShutdownGrace)
	_ = eng.Drain(context.Background())
	graceCtx, cancel := context.WithTimeout(context.Background(), cfg.SIP.ShutdownGrace)
	err = srv.Wait(graceCtx)
	cancel()
	if err != nil {
		log.Warn("grace period over: ending calls still in progress")
		_ = eng.DropAll(context.Background(), acd.ReasonShutdown)
		srv.DropAll(acd.ReasonShutdown) // legs the engine let go: voicemail, messages, forwards
		endCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = srv.Wait(endCtx)
		cancel()
	}
	if httpSrv != nil {
		shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = httpSrv.Shutdown(shutCtx)
		cancel()
	}
	stopSIP()
	stopEngine()
	<-engDone
	fmt.Fprintln(stdout, "acd: stopped")
	return nil
}

// loadAgents puts the config's agents, with their queues and skills, in
// the store; an agent the store knows keeps its state.
func loadAgents(ctx context.Context, store acd.Store, cfg *config.Config) error {
	for _, a := range cfg.Agents {
		ag := agents.Agent{ID: a.ID, Username: a.Username, Name: a.Name, Queues: a.Queues, Skills: maps.Clone(a.Skills)}
		if err := store.PutAgent(ctx, ag); err != nil {
			return fmt.Errorf("load agent %s: %w", a.ID, err)
		}
	}
	return nil
}

// engineConfig maps the config's queues to the engine's, routing steps,
// weights and priority ageing included.
func engineConfig(cfg *config.Config) acd.EngineConfig {
	ec := acd.EngineConfig{Node: cfg.NodeID, MaxMisses: cfg.SIP.MaxMisses}
	for _, q := range cfg.Queues {
		strategy, _ := acd.StrategyByName(q.Strategy) // validated by config; nil is refused by NewEngine
		var steps []queue.Step
		for _, s := range q.Steps {
			steps = append(steps, queue.Step{Requirements: maps.Clone(s.Requirements), Duration: s.Duration})
		}
		ec.Queues = append(ec.Queues, acd.QueueConfig{Name: q.Name, Number: q.Number, Strategy: strategy,
			RingTimeout: q.RingTimeout, WrapUp: q.WrapUp, MaxWait: q.MaxWait, MaxLength: q.MaxLength,
			Priority: q.Priority, PriorityNumbers: q.PriorityNumbers, ServiceLevel: q.ServiceLevel, FullStatus: q.FullResponse, RetryAfter: q.RetryAfter,
			Steps: steps, Weight: q.Weight, PriorityAging: q.PriorityAging})
		overflowConfig(&ec.Queues[len(ec.Queues)-1], q)
		callbackConfig(&ec.Queues[len(ec.Queues)-1], q)
	}
	return ec
}

func holdAudio(cfg *config.Config) (func() media.Source, error) {
	if cfg.RTP.HoldAudio == "" {
		return func() media.Source { return media.NewToneSource() }, nil
	}
	loop, err := media.LoadWAV(cfg.RTP.HoldAudio)
	if err != nil {
		return nil, fmt.Errorf("hold audio: %w", err)
	}
	return func() media.Source { return loop.Clone() }, nil
}

func printBanner(w io.Writer, cfg *config.Config, scfg sip.Config) {
	if scfg.UDP != nil {
		fmt.Fprintf(w, "acd: SIP on udp %s\n", scfg.UDP.LocalAddr())
	}
	if scfg.TCP != nil {
		fmt.Fprintf(w, "acd: SIP on tcp %s\n", scfg.TCP.Addr())
	}
	fmt.Fprintf(w, "acd: RTP ports %d-%d, events to %s\n", cfg.RTP.PortMin, cfg.RTP.PortMax, cfg.Events.Path)
	for _, q := range cfg.Queues {
		fmt.Fprintf(w, "acd: queue %s: dial %s (%s)\n", q.Name, q.Number, q.Strategy)
	}
	for _, m := range cfg.Menus {
		if m.Number != "" {
			fmt.Fprintf(w, "acd: menu %s: dial %s\n", m.Name, m.Number)
		}
	}
	if cfg.Path == "" {
		for _, a := range cfg.Agents {
			fmt.Fprintf(w, "acd: sample agent %s (%s): SIP user %s, password %s\n", a.ID, a.Name, a.Username, a.Password)
		}
	}
	fmt.Fprintln(w, "acd: ready")
}
