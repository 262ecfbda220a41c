package main

// A headless baresip process driven over ctrl_tcp, for the end-to-end tests.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// baresipProc is one running baresip, driven over one ctrl_tcp connection
// (baresip 1.0.0 keeps only the newest connection): commands go out on it,
// responses and events come back on it.
type baresipProc struct {
	t       *testing.T
	name    string
	dir     string
	sipPort int
	out     *lineWriter
	cmd     *exec.Cmd
	exited  chan struct{}
	exitErr error

	conn       net.Conn
	readerDone chan struct{}
	responses  chan baresipResponse
	mu         sync.Mutex
	events     []baresipEvent
	changed    chan struct{} // closed and replaced on every event
}

// baresipEvent is one event ctrl_tcp reports.
type baresipEvent struct {
	Type       string `json:"type"`
	Class      string `json:"class"`
	AccountAOR string `json:"accountaor"`
	PeerURI    string `json:"peeruri"`
	Param      string `json:"param"`
}

type baresipResponse struct {
	OK   bool   `json:"ok"`
	Data string `json:"data"`
}

// startBaresip runs baresip with its own config directory and no account,
// its microphone a tone at hz, and connects to its control port.
func startBaresip(t *testing.T, name string, hz float64) *baresipProc {
	t.Helper()
	b := &baresipProc{t: t, name: name, dir: filepath.Join(t.TempDir(), "baresip-"+name), sipPort: freePort(t),
		responses: make(chan baresipResponse, 1), changed: make(chan struct{}), readerDone: make(chan struct{})}
	ctrlPort := freePort(t)
	rtpLo, rtpHi := rtpRange(t)
	if err := os.MkdirAll(filepath.Join(b.dir, "snd"), 0o755); err != nil {
		t.Fatal(err)
	}
	tone := filepath.Join(b.dir, "tone.wav")
	bsWriteToneWAV(t, tone, hz, 60)
	config := strings.Join([]string{
		"poll_method epoll",
		"sip_listen 127.0.0.1:" + strconv.Itoa(b.sipPort),
		"net_interface 127.0.0.1",
		"call_local_timeout 120",
		"call_max_calls 4",
		"audio_player aubridge,nowhere", // a player with no matching source: plays nothing
		"audio_source aufile," + tone,
		"audio_alert aubridge,nowhere",
		"audio_path " + b.dir, // no ring tones here: menu's ringing is silent
		"audio_level no",
		"ausrc_format s16",
		"auplay_format s16",
		"auenc_format s16",
		"audec_format s16",
		"audio_buffer 20-160",
		fmt.Sprintf("rtp_ports %d-%d", rtpLo, rtpHi),
		"rtcp_mux no",
		"jitter_buffer_delay 1-10",
		"rtp_stats no",
		"module_path " + baresipModuleDir(t),
		"module g711.so",
		"module aufile.so",
		"module aubridge.so",
		"module sndfile.so",
		"module_tmp account.so",
		"module_app menu.so", // the commands: dial, hangup, uanew, …
		"module_app ctrl_tcp.so",
		"ctrl_tcp_listen 127.0.0.1:" + strconv.Itoa(ctrlPort),
		"snd_path " + filepath.Join(b.dir, "snd"),
		"",
	}, "\n")
	for file, content := range map[string]string{"config": config, "accounts": "", "contacts": ""} {
		if err := os.WriteFile(filepath.Join(b.dir, file), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b.out = &lineWriter{}
	b.cmd = exec.Command("baresip", "-f", b.dir, "-v")
	b.cmd.Dir = b.dir
	b.cmd.Stdout = b.out
	b.cmd.Stderr = b.out
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start baresip %s: %v", name, err)
	}
	b.exited = make(chan struct{})
	go func() { b.exitErr = b.cmd.Wait(); close(b.exited) }()
	t.Cleanup(b.cleanup)
	deadline := time.Now().Add(20 * time.Second)
	for b.conn == nil {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(ctrlPort)), time.Second)
		if err == nil {
			b.conn = c
			break
		}
		select {
		case <-b.exited:
			close(b.readerDone)
			t.Fatalf("baresip %s exited before its control port opened: %v\nconfig:\n%s\noutput:\n%s", name, b.exitErr, config, b.out.text())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			close(b.readerDone)
			t.Fatalf("baresip %s: control port not open after 20s\noutput:\n%s", name, b.out.text())
		}
	}
	go b.read()
	return b
}

// read parses the netstrings baresip sends until the connection closes.
func (b *baresipProc) read() {
	defer close(b.readerDone)
	var buf []byte
	chunk := make([]byte, 4096)
	for {
		n, err := b.conn.Read(chunk)
		if err != nil {
			return
		}
		buf = append(buf, chunk[:n]...)
		for {
			body, rest, ok := bsNetstring(buf)
			if !ok {
				break
			}
			buf = rest
			var m struct {
				Event    bool `json:"event"`
				Response bool `json:"response"`
				baresipEvent
				baresipResponse
			}
			if json.Unmarshal(body, &m) != nil {
				continue
			}
			switch {
			case m.Response:
				select {
				case b.responses <- m.baresipResponse:
				default: // nobody asked
				}
			case m.Event:
				b.mu.Lock()
				b.events = append(b.events, m.baresipEvent)
				close(b.changed)
				b.changed = make(chan struct{})
				b.mu.Unlock()
			}
		}
	}
}

// bsNetstring splits "len:body," off the front of b.
func bsNetstring(b []byte) (body, rest []byte, ok bool) {
	i := bytes.IndexByte(b, ':')
	if i <= 0 {
		return nil, b, false
	}
	n, err := strconv.Atoi(string(b[:i]))
	if err != nil || len(b) < i+1+n+1 {
		return nil, b, false
	}
	return b[i+1 : i+1+n], b[i+2+n:], true
}

// cleanup stops baresip: SIGTERM (it unregisters and exits), SIGKILL if it
// has not exited 5 s later. Its output and events go to the test log on
// failure.
func (b *baresipProc) cleanup() {
	if b.conn != nil {
		b.conn.Close()
	}
	<-b.readerDone
	select {
	case <-b.exited:
	default:
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.exited:
		case <-time.After(5 * time.Second):
			_ = b.cmd.Process.Kill()
			<-b.exited
		}
	}
	if b.t.Failed() || os.Getenv("ACD_E2E_VERBOSE") != "" {
		b.mu.Lock()
		evs := fmt.Sprint(b.events)
		b.mu.Unlock()
		b.t.Logf("baresip %s events: %s\nbaresip %s output:\n%s", b.name, evs, b.name, tail(b.out.text(), 20000))
	}
}

// command runs one ctrl_tcp command and returns its response text.
func (b *baresipProc) command(cmd, params string) string {
	b.t.Helper()
	msg, _ := json.Marshal(map[string]string{"command": cmd, "params": params, "token": cmd})
	_ = b.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprintf(b.conn, "%d:%s,", len(msg), msg); err != nil {
		b.t.Fatalf("baresip %s: command %s: %v", b.name, cmd, err)
	}
	select {
	case r := <-b.responses:
		if !r.OK {
			b.t.Fatalf("baresip %s: command %s %s failed: %s", b.name, cmd, params, r.Data)
		}
		return r.Data
	case <-b.readerDone:
		b.t.Fatalf("baresip %s: control connection closed during command %s", b.name, cmd)
	case <-time.After(10 * time.Second):
		b.t.Fatalf("baresip %s: no response to command %s within 10s", b.name, cmd)
	}
	return ""
}

// addAccount adds baresip's account: user at the acd's address acdAddr,
// auto-answer, G.711 only; with register, it registers with password.
func (b *baresipProc) addAccount(user, password, acdAddr string, register bool) {
	b.t.Helper()
	regint := "0"
	if register {
		regint = "600"
	}
	b.command("uanew", fmt.Sprintf("<sip:%s@%s;transport=udp>;auth_pass=%s;answermode=auto;audio_codecs=pcmu,pcma;ptime=20;regint=%s",
		user, acdAddr, password, regint))
}

// waitEvent waits for an event of one of types and returns it; it fails
// the test after timeout.
func (b *baresipProc) waitEvent(timeout time.Duration, types ...string) baresipEvent {
	b.t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for seen := 0; ; {
		b.mu.Lock()
		evs, changed := b.events, b.changed
		b.mu.Unlock()
		for ; seen < len(evs); seen++ {
			if slices.Contains(types, evs[seen].Type) {
				return evs[seen]
			}
		}
		select {
		case <-changed:
		case <-b.exited:
			b.t.Fatalf("baresip %s exited (%v) before an event %v", b.name, b.exitErr, types)
		case <-timer.C:
			b.t.Fatalf("baresip %s: no event %v within %v; events %v", b.name, types, timeout, evs)
		}
	}
}

// recording returns the samples of the WAV sndfile wrote for what baresip
// sent ("enc") or heard ("dec") on its only call.
func (b *baresipProc) recording(kind string) ([]int16, error) {
	files, _ := filepath.Glob(filepath.Join(b.dir, "snd", "dump-*-"+kind+".wav"))
	if len(files) != 1 {
		return nil, fmt.Errorf("baresip %s: %d %s recordings (%v), want 1", b.name, len(files), kind, files)
	}
	return bsReadWAV(files[0])
}

// bsDigests sets the acd's digest_algorithms to algs, a YAML list; ""
// leaves the setting out, for the default (SHA-256, then MD5).
func bsDigests(algs string) acdOption {
	return withConfig(func(yaml string) string {
		var out []string
		for _, line := range strings.Split(yaml, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "digest_algorithms:") {
				if algs == "" {
					continue
				}
				line = "  digest_algorithms: " + algs
			}
			out = append(out, line)
		}
		return strings.Join(out, "\n")
	})
}
