package sip

// prompt returns the samples of the named prompts in lang, one after the
// other, ready for Overlay.Say. A prompt the library does not have is
// skipped with a warning: a missing recording must not end a call.
func (s *Server) prompt(lang string, names ...string) []int16 {
	var out []int16
	for _, n := range names {
		if s.cfg.Prompt == nil {
			s.log.Warn("no prompt library configured", "prompt", n, "lang", lang)
			continue
		}
		pcm, ok := s.cfg.Prompt(lang, n)
		if !ok {
			s.log.Warn("prompt missing", "prompt", n, "lang", lang)
			continue
		}
		out = append(out, pcm...)
	}
	return out
}

// language is the prompt language of a queue (Config.Languages), "en" when
// the queue sets none.
func (s *Server) language(queue string) string {
	if l := s.cfg.Languages[queue]; l != "" {
		return l
	}
	return "en"
}
