package config

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.Node tree into Go values by hand rather than through
// reflection, so every error can name the line and field path of the node at
// fault. It records the line of every field it meets for Validate, and
// collects errors rather than stopping at the first.
type decoder struct {
	file  string
	lines map[string]int
	errs  []*Error
}

// field decodes the value node n found at path into some Go value.
type field func(n *yaml.Node, path string)

// fail records a problem with node n (which may be nil) at path.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Field: path, Msg: fmt.Sprintf(format, args...)})
}

// child is the path of key inside the mapping at path.
func child(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// element is the path of item i of the sequence at path.
func element(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// usable rejects aliases (anchors and merge keys are not supported, which
// keeps every value at one line) and reports whether n can be decoded.
func (d *decoder) usable(n *yaml.Node, path string) bool {
	if n.Kind == yaml.AliasNode {
		d.fail(n, path, "aliases (*%s) are not supported", n.Value)
		return false
	}
	return true
}

// mapping decodes a mapping node, giving each value to the field registered
// for its key. Unknown and repeated keys are errors. A null node (a key with
// no value) leaves every field at its default.
func (d *decoder) mapping(n *yaml.Node, path string, fields map[string]field) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "expected a key, got %s", describe(k))
			continue
		}
		p := child(path, k.Value)
		if k.ShortTag() == "!!merge" {
			d.fail(k, p, "merge keys (<<) are not supported")
			continue
		}
		if seen[k.Value] {
			d.fail(k, p, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		f, ok := fields[k.Value]
		if !ok {
			known := make([]string, 0, len(fields))
			for name := range fields {
				known = append(known, name)
			}
			slices.Sort(known)
			d.fail(k, p, "unknown key %q%s", k.Value, suggest(k.Value, known))
			continue
		}
		d.lines[p] = k.Line
		if d.usable(v, p) {
			f(v, p)
		}
	}
}

// sequence decodes each item of a sequence node with each. A null node is an
// empty sequence.
// listOf is the field of a sequence of mappings: it replaces *dst with
// one T per element, each decoded from a zero T with the fields fields
// gives for it.
func listOf[T any](d *decoder, dst *[]T, fields func(*T) map[string]field) field {
	return func(n *yaml.Node, path string) {
		*dst = nil
		d.sequence(n, path, func(n *yaml.Node, p string) {
			var v T
			d.mapping(n, p, fields(&v))
			*dst = append(*dst, v)
		})
	}
}

func (d *decoder) sequence(n *yaml.Node, path string, each field) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got %s", describe(n))
		return
	}
	for i, item := range n.Content {
		p := element(path, i)
		d.lines[p] = item.Line
		if d.usable(item, p) {
			each(item, p)
		}
	}
}

// str decodes a string. Numbers are taken as written (so number: 100 and
// number: "100" agree, and 0100 keeps its zero); null is "".
func (d *decoder) str(dst *string) field {
	return func(n *yaml.Node, path string) {
		switch {
		case isNull(n):
			*dst = ""
		case n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!str" || n.ShortTag() == "!!int"):
			*dst = n.Value
		default:
			d.fail(n, path, "expected a string, got %s", describe(n))
		}
	}
}

// strs decodes a list of strings; null is an empty list.
func (d *decoder) strs(dst *[]string) field {
	return func(n *yaml.Node, path string) {
		*dst = nil
		d.sequence(n, path, func(n *yaml.Node, path string) {
			var s string
			d.str(&s)(n, path)
			*dst = append(*dst, s)
		})
	}
}

// integer decodes an integer in any YAML notation.
func (d *decoder) integer(dst *int) field {
	return func(n *yaml.Node, path string) {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			d.fail(n, path, "expected an integer, got %s", describe(n))
			return
		}
		var v int
		if err := n.Decode(&v); err != nil {
			d.fail(n, path, "integer %s is out of range", n.Value)
			return
		}
		*dst = v
	}
}

// levels decodes a mapping of skill names to integer levels, such as
// {billing: 4, french: 2}; null is an empty map. Names and levels are
// checked by Validate, which finds each one's line under path.name.
func (d *decoder) levels(dst *map[string]int) field {
	return d.intMap(dst, "skill", "level", "{billing: 4}")
}

// intMap decodes a mapping of names to integers; key and value name them
// in errors, example shows the expected form.
func (d *decoder) intMap(dst *map[string]int, key, value, example string) field {
	return func(n *yaml.Node, path string) {
		*dst = nil
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.fail(n, path, "expected a mapping of %s to %s, such as %s, got %s", key, value, example, describe(n))
			return
		}
		m := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
				d.fail(k, path, "expected a %s, got %s", key, describe(k))
				continue
			}
			p := child(path, k.Value)
			if _, dup := m[k.Value]; dup {
				d.fail(k, p, "duplicate %s %q", key, k.Value)
				continue
			}
			d.lines[p] = k.Line
			var lvl int
			if d.usable(v, p) {
				ok := len(d.errs)
				d.integer(&lvl)(v, p)
				if len(d.errs) > ok {
					continue
				}
			}
			m[k.Value] = lvl
		}
		*dst = m
	}
}

// boolean decodes true or false.
func (d *decoder) boolean(dst *bool) field {
	return func(n *yaml.Node, path string) {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			d.fail(n, path, "expected true or false, got %s", describe(n))
			return
		}
		var v bool
		if err := n.Decode(&v); err != nil {
			d.fail(n, path, "expected true or false, got %s", describe(n))
			return
		}
		*dst = v
	}
}

// duration decodes a Go duration string such as "15s" or "5m"; a bare 0 is
// accepted too.
func (d *decoder) duration(dst *time.Duration) field {
	return func(n *yaml.Node, path string) {
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!str" && tag != "!!int") {
			d.fail(n, path, `expected a duration such as "15s", got %s`, describe(n))
			return
		}
		v, err := time.ParseDuration(n.Value)
		if err != nil {
			d.fail(n, path, `invalid duration %s (want a number with a unit, such as "15s" or "5m")`, quote(n.Value))
			return
		}
		*dst = v
	}
}

// isNull reports whether n is an empty value or an explicit null.
func isNull(n *yaml.Node) bool {
	return n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what n holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	}
	switch n.ShortTag() {
	case "!!str":
		return "the string " + quote(n.Value)
	case "!!int":
		return "the integer " + quote(n.Value)
	case "!!float":
		return "the number " + quote(n.Value)
	case "!!bool":
		return "the boolean " + n.Value
	}
	return fmt.Sprintf("a %s value", n.ShortTag())
}

// quote quotes s for a message, cutting it short if it is long.
func quote(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		return strconv.Quote(string(r[:limit])) + "…"
	}
	return strconv.Quote(s)
}
