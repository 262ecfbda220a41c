package httpapi_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sme/acd/acd/httpapi"
)

// client talks to one API server over real HTTP on 127.0.0.1.
type client struct {
	t     *testing.T
	base  string
	token string
}

// serve starts the API for eng on a loopback port for the test's lifetime.
func serve(t *testing.T, eng httpapi.Engine, token string) *client {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(httpapi.New(eng, token, log))
	t.Cleanup(srv.Close)
	return &client{t: t, base: srv.URL, token: token}
}

// response is what one request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request with the client's token (if any) and extra headers
// given as name, value pairs.
func (c *client) do(method, path, body string, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// want fails the test unless the status is code.
func (r response) want(t *testing.T, code int) response {
	t.Helper()
	if r.status != code {
		t.Fatalf("status %d, want %d; body %s", r.status, code, r.body)
	}
	return r
}

// decode reads the JSON body into v after checking the content type.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorText decodes an error body.
func (r response) errorText(t *testing.T) httpapi.ErrorBody {
	t.Helper()
	var e httpapi.ErrorBody
	r.decode(t, &e)
	if e.Error == "" {
		t.Fatalf("error body without message: %s", r.body)
	}
	return e
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// agent decodes an agent body into a fresh value (omitted fields stay zero).
func (r response) agent(t *testing.T) httpapi.Agent {
	t.Helper()
	var a httpapi.Agent
	r.decode(t, &a)
	return a
}
