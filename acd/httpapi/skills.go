package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
)

// Skill levels and names as the config file has them.
const (
	minSkillLevel = 1
	maxSkillLevel = 5
	maxSkills     = 100
)

// putSkills serves PUT /api/agents/{id}/skills: the body is the agent's
// whole set of skills, {"billing": 4, "french": 2} ({} for none). The
// agent keeps its state; routing uses the new skills from its next pass,
// without a restart. The config file is read again at the next start.
func (s *server) putSkills(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	skills, err := decodeSkills(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), engineTimeout)
	defer cancel()
	a, err := s.eng.SetSkills(ctx, id, skills)
	if err != nil {
		s.fail(w, r, fmt.Errorf("agent %s skills: %w", id, err))
		return
	}
	s.log.Info("agent skills set", "agent", id, "skills", skills, "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, agentView(a))
}

// decodeSkills reads and checks a skill map: names of a-z, 0-9, _ and -,
// levels 1 to 5.
func decodeSkills(r *http.Request) (map[string]int, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("read skills body: %w", err)
	}
	var skills map[string]int
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&skills); err != nil {
		return nil, badRequest("decode skills: want an object of skill to level 1-5 such as {\"billing\": 4}: %v", err)
	}
	if dec.More() {
		return nil, badRequest("decode skills: data after the JSON object")
	}
	if skills == nil {
		return nil, badRequest("decode skills: want an object such as {\"billing\": 4}, or {} for none")
	}
	if len(skills) > maxSkills {
		return nil, badRequest("more than %d skills", maxSkills)
	}
	for _, name := range slices.Sorted(maps.Keys(skills)) {
		if !validSkill(name) {
			return nil, badRequest("skill name %q may contain only a-z, 0-9, _ and - (at most 64)", name)
		}
		if lvl := skills[name]; lvl < minSkillLevel || lvl > maxSkillLevel {
			return nil, badRequest("skill %s: level must be %d to %d, got %d", name, minSkillLevel, maxSkillLevel, lvl)
		}
	}
	return skills, nil
}

func validSkill(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' && r != '-' {
			return false
		}
	}
	return true
}
