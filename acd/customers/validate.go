package customers

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on a customer's fields.
const (
	MaxNameLen    = 100
	MaxAccountLen = 64
	MaxAgentLen   = 64
	MaxPriority   = 1_000_000
)

// Error is a customer that cannot be read or accepted: where (file and
// line, when it came from a file or an import), which field, and what is
// wrong. It formats like the config's errors: "customers.csv:4: priority:
// expected an integer, got "high"".
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(cmp.Or(e.File, "customer"))
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// fieldError is an Error without a position yet.
func fieldError(field, format string, args ...any) *Error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// check normalises c's number and checks every field; the returned
// customer has its number normalised and its text trimmed.
func check(c Customer, cc string) (Customer, error) {
	n, err := Normalize(c.Number, cc)
	if err != nil {
		if strings.TrimSpace(c.Number) == "" {
			return c, fieldError("number", "is required")
		}
		return c, fieldError("number", "%v", err)
	}
	c.Number = n
	c.Name, c.Account = strings.TrimSpace(c.Name), strings.TrimSpace(c.Account)
	c.PreferredAgent, c.LastAgent = strings.TrimSpace(c.PreferredAgent), strings.TrimSpace(c.LastAgent)
	if err := checkText("name", c.Name, MaxNameLen); err != nil {
		return c, err
	}
	if err := checkText("account", c.Account, MaxAccountLen); err != nil {
		return c, err
	}
	if c.Priority < 0 || c.Priority > MaxPriority {
		return c, fieldError("priority", "must be 0 to %d, got %d", MaxPriority, c.Priority)
	}
	if err := checkAgent("preferred_agent", c.PreferredAgent); err != nil {
		return c, err
	}
	if err := checkAgent("last_agent", c.LastAgent); err != nil {
		return c, err
	}
	if !c.LastCall.IsZero() {
		c.LastCall = c.LastCall.UTC().Truncate(time.Second)
	}
	return c, nil
}

// checkText accepts UTF-8 without control characters (no line breaks: the
// name goes into a SIP header) up to max characters.
func checkText(field, s string, max int) error {
	switch {
	case !utf8.ValidString(s):
		return fieldError(field, "is not UTF-8")
	case utf8.RuneCountInString(s) > max:
		return fieldError(field, "is longer than %d characters", max)
	case strings.IndexFunc(s, isControl) >= 0:
		return fieldError(field, "has control characters or line breaks")
	}
	return nil
}

// isControl is a control character or a Unicode line or paragraph
// separator: nothing a name needs, and nothing a header may carry.
func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// checkAgent accepts an agent id as the config does: no spaces, nothing
// that delimits a SIP URI.
func checkAgent(field, id string) error {
	switch {
	case id == "":
		return nil
	case len(id) > MaxAgentLen:
		return fieldError(field, "is longer than %d characters", MaxAgentLen)
	case !utf8.ValidString(id) || strings.IndexFunc(id, isControl) >= 0 || strings.ContainsAny(id, " @:;<>\""):
		return fieldError(field, "%q is not a valid agent id", id)
	}
	return nil
}
