package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/ivr"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/config"
	"github.com/sme/acd/sip"
	"github.com/sme/acd/sip/media"
)

// sipConfig opens the SIP sockets and turns the config into sip.Config.
func sipConfig(cfg *config.Config, hold func() media.Source) (sip.Config, error) {
	sc := sip.Config{
		Advertise: cfg.SIP.Advertise, Realm: cfg.SIP.Realm, DigestAlgorithms: cfg.SIP.DigestAlgorithms, TrustedTrunks: cfg.TrustedPrefixes(),
		PortMin: cfg.RTP.PortMin, PortMax: cfg.RTP.PortMax, SilenceTimeout: cfg.RTP.SilenceTimeout,
		HoldAudio: hold,
		Voicemail: sip.VoicemailConfig{Dir: cfg.Voicemail.Dir, Silence: cfg.Voicemail.Silence},
	}
	// Absolute, so the voicemail events name files wherever they are read.
	if dir, err := filepath.Abs(cfg.Voicemail.Dir); err == nil {
		sc.Voicemail.Dir = dir
	}
	var err error
	if sc.Menus, sc.MenuPrompt, err = menus(cfg); err != nil {
		return sc, err
	}
	if sc.Prompt, err = loadPrompts(cfg); err != nil {
		return sc, err
	}
	if err := checkExitPrompts(cfg, sc.Prompt); err != nil {
		return sc, err
	}
	if err := checkVoicemailDir(cfg, sc.Voicemail.Dir); err != nil {
		return sc, err
	}
	sc.Announce, sc.Languages = announceConfig(cfg)
	passwords := map[string]string{}
	ids := map[string]string{}
	for _, a := range cfg.Agents {
		passwords[a.Username] = a.Password
		ids[a.Username] = a.ID
	}
	sc.Password = func(u string) (string, bool) { p, ok := passwords[u]; return p, ok }
	sc.AgentID = func(u string) (string, bool) { id, ok := ids[u]; return id, ok }
	if cfg.SIP.ListenUDP != "" {
		if sc.UDP, err = net.ListenPacket("udp", cfg.SIP.ListenUDP); err != nil {
			return sc, fmt.Errorf("listen sip udp: %w", err)
		}
	}
	if cfg.SIP.ListenTCP != "" {
		if sc.TCP, err = net.Listen("tcp", cfg.SIP.ListenTCP); err != nil {
			return sc, fmt.Errorf("listen sip tcp: %w", err)
		}
	}
	return sc, nil
}

// loginOnRegister logs an Offline agent in when their first phone
// registers, if the config asks for it.
func loginOnRegister(eng *acd.Engine, ids func(string) (string, bool)) func(username string) {
	return func(username string) {
		id, ok := ids(username)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = eng.Command(ctx, id, agents.Event{Kind: agents.Login})
		eng.Nudge()
	}
}

// menus turns the config's IVR menus into the state machine's, and loads
// their prompts (a WAV file each, or the hold tone when none is set).
func menus(cfg *config.Config) (map[string]ivr.Menu, func(string) media.Source, error) {
	if len(cfg.Menus) == 0 {
		return nil, nil, nil
	}
	out := make(map[string]ivr.Menu, len(cfg.Menus))
	prompts := map[string]*media.Loop{}
	for _, m := range cfg.Menus {
		im := ivr.Menu{Name: m.Name, Number: m.Number, Prompt: m.Prompt, Timeout: m.Timeout, Repeats: m.Repeats,
			Options: make(map[string]ivr.Target, len(m.Options)),
			Default: ivr.Target{Queue: m.Default.Queue, Menu: m.Default.Menu}}
		for d, t := range m.Options {
			im.Options[d] = ivr.Target{Queue: t.Queue, Menu: t.Menu}
		}
		out[m.Name] = im
		if m.Prompt != "" {
			loop, err := media.LoadWAV(m.Prompt)
			if err != nil {
				return nil, nil, fmt.Errorf("menu %s prompt: %w", m.Name, err)
			}
			prompts[m.Name] = loop
		}
	}
	return out, func(name string) media.Source {
		if l, ok := prompts[name]; ok {
			return l.Clone()
		}
		return media.NewToneSource()
	}, nil
}
