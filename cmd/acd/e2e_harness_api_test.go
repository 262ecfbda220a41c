package main

// The e2e harness's use of the acd's HTTP API: agent states.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

type apiAgent struct {
	ID          string `json:"id"`
	State       string `json:"state"`
	PauseReason string `json:"pause_reason"`
	Contacts    *int   `json:"contacts"`
}

func (a *acdProc) apiAgents() map[string]apiAgent {
	a.t.Helper()
	url := fmt.Sprintf("http://127.0.0.1:%d/api/agents", a.httpPort)
	res, err := http.Get(url)
	if err != nil {
		a.t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		a.t.Fatalf("GET %s: %s", url, res.Status)
	}
	var body struct {
		Agents []apiAgent `json:"agents"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		a.t.Fatalf("GET %s: %v", url, err)
	}
	out := map[string]apiAgent{}
	for _, ag := range body.Agents {
		out[ag.ID] = ag
	}
	return out
}

// waitAgent polls the API until agent id is in state (with pauseReason when
// not empty), for at most timeout.
func (a *acdProc) waitAgent(id, state, pauseReason string, timeout time.Duration) {
	a.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ag, ok := a.apiAgents()[id]
		if ok && ag.State == state && (pauseReason == "" || ag.PauseReason == pauseReason) {
			return
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("agent %s: want state %q (pause reason %q) within %v, API shows %+v", id, state, pauseReason, timeout, ag)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
