package sip

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/sip/media"
)

// statusTable is what every sentinel error of acd and media (and the few of
// our own) turns into when it stops a call before it is answered.
var statusTable = []struct {
	name       string
	err        error
	code       int
	retryAfter time.Duration
}{
	{"acd.ErrUnknownQueue", acd.ErrUnknownQueue, gosip.StatusNotFound, 0},
	{"acd.ErrQueueFull", acd.ErrQueueFull, gosip.StatusBusyHere, 0},
	{"acd.ErrShuttingDown", acd.ErrShuttingDown, gosip.StatusServiceUnavailable, 30 * time.Second},
	{"acd.ErrBookKeptAside", acd.ErrBookKeptAside, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"acd.ErrOverloaded", acd.ErrOverloaded, gosip.StatusServiceUnavailable, 2 * time.Second},
	{"media.ErrNoCommonCodec", media.ErrNoCommonCodec, gosip.StatusNotAcceptableHere, 0},
	{"media.ErrBadSDP", media.ErrBadSDP, gosip.StatusBadRequest, 0},
	// A queue closed or overflowing to a hang-up: the status it configured.
	{"closed-480", &acd.RejectError{Status: 480, Reason: acd.ReasonClosed}, gosip.StatusTemporarilyUnavailable, 0},
	{"overflow-603", &acd.RejectError{Status: 603, Reason: acd.WhenNoAgents}, 603, 0},
	{"overflow-499", &acd.RejectError{Status: 499, Reason: acd.WhenQueueLength}, 499, 0},
	// A bare ErrRejected carries no status: our trouble.
	{"acd.ErrRejected", acd.ErrRejected, gosip.StatusServiceUnavailable, 5 * time.Second},
	// Everything else is our trouble, not the caller's: 503, try again soon.
	{"acd.ErrUnknownAgent", acd.ErrUnknownAgent, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"acd.ErrCallNotWaiting", acd.ErrCallNotWaiting, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"acd.ErrNoAgentClaimed", acd.ErrNoAgentClaimed, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"acd.ErrUnknownCall", acd.ErrUnknownCall, gosip.StatusServiceUnavailable, 5 * time.Second},
	// Refusals of a callback asked for by DTMF during a call: never an
	// INVITE's answer, so the catch-all.
	{"acd.ErrNoCallback", acd.ErrNoCallback, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"acd.ErrNoCallbackNumber", acd.ErrNoCallbackNumber, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"acd.ErrUnknownStrategy", acd.ErrUnknownStrategy, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"acd.ErrBadDestination", acd.ErrBadDestination, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"media.ErrNoFreePort", media.ErrNoFreePort, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"media.ErrSilence", media.ErrSilence, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"media.ErrShortEvent", media.ErrShortEvent, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"media.ErrBadWAV", media.ErrBadWAV, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"media.ErrBadRED", media.ErrBadRED, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"agents.ErrInvalidTransition", agents.ErrInvalidTransition, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"agents.ErrUnknownState", agents.ErrUnknownState, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"sip.errNotAnAgent", errNotAnAgent, gosip.StatusServiceUnavailable, 5 * time.Second},
	{"context.DeadlineExceeded", context.DeadlineExceeded, gosip.StatusServiceUnavailable, 5 * time.Second},
}

func TestStatusFor(t *testing.T) {
	t.Parallel()
	req := gosip.NewRequest(gosip.INVITE, gosip.Uri{Scheme: "sip", User: "100", Host: "127.0.0.1"})
	req.AppendHeader(&gosip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP", Host: "127.0.0.1", Port: 5060, Params: gosip.NewParams()})
	for _, tt := range statusTable {
		t.Run(tt.name, func(t *testing.T) {
			// The engine and media wrap their sentinels; the mapping must
			// see through any depth of wrapping.
			for _, err := range []error{tt.err, fmt.Errorf("enqueue c1: %w", tt.err), fmt.Errorf("engine: %w", fmt.Errorf("x: %w", tt.err))} {
				f := statusFor(err)
				if f.code != tt.code || f.retryAfter != tt.retryAfter || f.reason == "" {
					t.Fatalf("statusFor(%v) = %+v, want %d with Retry-After %v", err, f, tt.code, tt.retryAfter)
				}
				res := f.response(req)
				if res.StatusCode != tt.code || res.Reason != f.reason {
					t.Fatalf("response %q, want %d %s", res.StartLine(), tt.code, f.reason)
				}
				ra := res.GetHeader("Retry-After")
				switch {
				case tt.retryAfter == 0 && ra != nil:
					t.Fatalf("Retry-After %q on %d", ra.Value(), tt.code)
				case tt.retryAfter > 0 && (ra == nil || ra.Value() != fmt.Sprint(int(tt.retryAfter/time.Second))):
					t.Fatalf("Retry-After %v, want %v", ra, tt.retryAfter)
				}
			}
		})
	}
}

// TestStatusTableComplete reads the sentinel errors declared in acd, media
// and agents, so a new sentinel cannot be forgotten in the table above.
func TestStatusTableComplete(t *testing.T) {
	t.Parallel()
	inTable := map[string]bool{}
	for _, tt := range statusTable {
		inTable[tt.name] = true
	}
	for pkg, dir := range map[string]string{"acd": "../acd", "media": "media", "agents": "../agents", "sip": "."} {
		for _, name := range sentinels(t, dir) {
			if !inTable[pkg+"."+name] {
				t.Errorf("sentinel %s.%s is not in the status table", pkg, name)
			}
		}
	}
}

// sentinels lists the package-level `var ErrX = errors.New(...)` of the
// non-test Go files in dir.
func sentinels(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, file, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) && isErrorsNew(vs.Values[i]) {
						out = append(out, name.Name)
					}
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no sentinel errors found in %s", dir)
	}
	return out
}

func isErrorsNew(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "errors" && sel.Sel.Name == "New"
}

func TestStatusForIsNotFooledByText(t *testing.T) {
	t.Parallel()
	// Only the wrapped sentinel counts, never an error that merely reads like one.
	if f := statusFor(errors.New(acd.ErrQueueFull.Error())); f.code != gosip.StatusServiceUnavailable {
		t.Fatalf("a look-alike error mapped to %d", f.code)
	}
}
