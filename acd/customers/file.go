package customers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Columns are the fields of a customer, as CSV columns and YAML keys, in
// the order the ACD writes them. Only number is required; a CSV file may
// list its columns in any order and leave some out.
var Columns = []string{"number", "name", "account", "priority", "vip", "preferred_agent", "last_agent", "last_call"}

// format is how the file is written: YAML, or CSV with its separator
// (a comma, or the semicolon spreadsheets use where the comma is the
// decimal point; the one the file was read with is kept).
type format struct {
	yaml  bool
	comma rune
}

// formatOf picks the format from the file's extension.
func formatOf(path string) (format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return format{comma: ','}, nil
	case ".yaml", ".yml":
		return format{yaml: true}, nil
	}
	return format{}, fmt.Errorf("open customer file %s: want a .csv, .yaml or .yml file", path)
}

// load reads the file; the format comes back with the CSV separator found.
func (f format) load(path, cc string) (format, []Customer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return f, nil, fmt.Errorf("open customer file: %w", err)
	}
	var list []Customer
	if f.yaml {
		list, err = parseYAML(path, data, cc)
	} else {
		list, f.comma, err = parseCSV(path, data, cc)
	}
	return f, list, err
}

// save writes list to path atomically: to a temporary file in the same
// directory, flushed to disk, then renamed over path. An existing file's
// permissions are kept; a new file is readable by its owner only, since it
// holds personal data.
func (f format) save(path string, list []Customer) error {
	var (
		data []byte
		err  error
	)
	if f.yaml {
		data, err = formatYAML(list)
	} else {
		data, err = formatCSV(list, f.comma)
	}
	if err != nil {
		return err
	}
	return writeAtomic(path, data)
}

func writeAtomic(path string, data []byte) (err error) {
	mode := os.FileMode(0o600)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable; not every system can sync a directory.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// row is one customer as read, with the line of each field for errors.
type row struct {
	c     Customer
	line  int
	lines map[string]int
}

// finish checks the rows read from file and refuses duplicate numbers
// (after normalisation), naming both lines. errs are the problems found
// while reading; every problem is returned, first line first.
func finish(file string, rows []row, cc string, errs []error) ([]Customer, error) {
	seen := map[string]int{}
	out := make([]Customer, 0, len(rows))
	for _, r := range rows {
		c, err := check(r.c, cc)
		if err != nil {
			var fe *Error
			if errors.As(err, &fe) {
				fe.File, fe.Line = file, r.line
				if l, ok := r.lines[fe.Field]; ok {
					fe.Line = l
				}
			}
			errs = append(errs, err)
			continue
		}
		if first, dup := seen[c.Number]; dup {
			errs = append(errs, &Error{File: file, Line: r.lines["number"], Field: "number",
				Msg: fmt.Sprintf("%s is already on line %d", c.Number, first)})
			continue
		}
		seen[c.Number] = r.lines["number"]
		out = append(out, c)
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b error) int { return errorLine(a) - errorLine(b) })
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func errorLine(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Line
	}
	return 0
}

// parseCSV reads a CSV file whose first line names the columns.
func parseCSV(file string, data []byte, cc string) ([]Customer, rune, error) {
	list, comma, _, err := readCSV(file, data, cc)
	return list, comma, err
}

// readCSV also returns which columns the file has, so an import can tell
// "no last_agent column" from "an empty last agent".
func readCSV(file string, data []byte, cc string) ([]Customer, rune, map[string]bool, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // spreadsheets write a BOM
	comma := ','
	header, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.ContainsRune(header, ';') && !bytes.ContainsRune(header, ',') {
		comma = ';'
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, comma, nil, nil
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.ReuseRecord = false
	head, err := r.Read()
	if err != nil {
		return nil, comma, nil, csvError(file, err)
	}
	cols := map[string]bool{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		head[i] = h
		switch {
		case !slices.Contains(Columns, h):
			return nil, comma, nil, &Error{File: file, Line: 1, Field: h,
				Msg: fmt.Sprintf("unknown column (the columns are %s)", strings.Join(Columns, ", "))}
		case cols[h]:
			return nil, comma, nil, &Error{File: file, Line: 1, Field: h, Msg: "column listed twice"}
		}
		cols[h] = true
	}
	if !cols["number"] {
		return nil, comma, nil, &Error{File: file, Line: 1, Field: "number", Msg: "the first line must name the columns, number among them"}
	}
	var (
		rows []row
		errs []error
	)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvError(file, err))
			if errors.Is(err, csv.ErrFieldCount) {
				continue // the next lines can still be read
			}
			break
		}
		line, _ := r.FieldPos(0)
		rw := row{line: line, lines: map[string]int{}}
		for i, v := range rec {
			l, _ := r.FieldPos(i)
			rw.lines[head[i]] = l
			if err := setField(&rw.c, head[i], strings.TrimSpace(v)); err != nil {
				err.File, err.Line = file, l
				errs = append(errs, err)
			}
		}
		rows = append(rows, rw)
	}
	list, err := finish(file, rows, cc, errs)
	return list, comma, cols, err
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{File: file, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return &Error{File: file, Msg: err.Error()}
}

// setField sets one field from its text (CSV, or a YAML scalar).
func setField(c *Customer, field, v string) *Error {
	switch field {
	case "number":
		c.Number = v
	case "name":
		c.Name = v
	case "account":
		c.Account = v
	case "priority":
		if v == "" {
			c.Priority = 0
			break
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return fieldError(field, "expected an integer, got %q", v)
		}
		c.Priority = n
	case "vip":
		b, ok := parseBool(v)
		if !ok {
			return fieldError(field, "expected true or false (or yes/no, 1/0), got %q", v)
		}
		c.VIP = b
	case "preferred_agent":
		c.PreferredAgent = v
	case "last_agent":
		c.LastAgent = v
	case "last_call":
		if v == "" {
			c.LastCall = time.Time{}
			break
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return fieldError(field, "expected a time such as 2026-03-02T09:30:00Z, got %q", v)
		}
		c.LastCall = t
	default:
		return fieldError(field, "unknown field (the fields are %s)", strings.Join(Columns, ", "))
	}
	return nil
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "", "false", "no", "n", "0":
		return false, true
	case "true", "yes", "y", "1", "x":
		return true, true
	}
	return false, false
}

// formatCSV writes the customers with every column, header first.
func formatCSV(list []Customer, comma rune) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = comma
	_ = w.Write(Columns)
	for _, c := range list {
		last := ""
		if !c.LastCall.IsZero() {
			last = c.LastCall.UTC().Format(time.RFC3339)
		}
		_ = w.Write([]string{c.Number, c.Name, c.Account, strconv.Itoa(c.Priority), strconv.FormatBool(c.VIP),
			c.PreferredAgent, c.LastAgent, last})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// parseYAML reads a YAML file holding a list of customers:
//
//   - number: "+33 6 12 34 56 78"
//     name: Dupont
//     account: C-42
//     vip: true
//
// Keys are the Columns; unknown or repeated keys are errors.
func parseYAML(file string, data []byte, cc string) ([]Customer, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{File: file, Msg: "syntax error: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.SequenceNode {
		return nil, &Error{File: file, Line: root.Line, Msg: "expected a list of customers (- number: ...)"}
	}
	var (
		rows []row
		errs []error
	)
	for _, item := range root.Content {
		if item.Kind != yaml.MappingNode {
			errs = append(errs, &Error{File: file, Line: item.Line, Msg: "expected a customer (a mapping with number, name, ...)"})
			continue
		}
		rw := row{line: item.Line, lines: map[string]int{}}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if _, dup := rw.lines[k.Value]; dup {
				errs = append(errs, &Error{File: file, Line: k.Line, Field: k.Value, Msg: "repeated key"})
				continue
			}
			rw.lines[k.Value] = k.Line
			if v.Kind != yaml.ScalarNode {
				errs = append(errs, &Error{File: file, Line: v.Line, Field: k.Value, Msg: "expected a single value"})
				continue
			}
			val := v.Value
			if v.ShortTag() == "!!null" {
				val = ""
			}
			if err := setField(&rw.c, k.Value, strings.TrimSpace(val)); err != nil {
				err.File, err.Line = file, v.Line
				errs = append(errs, err)
			}
		}
		rows = append(rows, rw)
	}
	return finish(file, rows, cc, errs)
}

// yamlCustomer is a customer as written to a YAML file.
type yamlCustomer struct {
	Number         string `yaml:"number"`
	Name           string `yaml:"name,omitempty"`
	Account        string `yaml:"account,omitempty"`
	Priority       int    `yaml:"priority,omitempty"`
	VIP            bool   `yaml:"vip,omitempty"`
	PreferredAgent string `yaml:"preferred_agent,omitempty"`
	LastAgent      string `yaml:"last_agent,omitempty"`
	LastCall       string `yaml:"last_call,omitempty"`
}

func formatYAML(list []Customer) ([]byte, error) {
	out := make([]yamlCustomer, 0, len(list))
	for _, c := range list {
		y := yamlCustomer{Number: c.Number, Name: c.Name, Account: c.Account, Priority: c.Priority, VIP: c.VIP,
			PreferredAgent: c.PreferredAgent, LastAgent: c.LastAgent}
		if !c.LastCall.IsZero() {
			y.LastCall = c.LastCall.UTC().Format(time.RFC3339)
		}
		out = append(out, y)
	}
	if len(out) == 0 {
		return []byte("[]\n"), nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
