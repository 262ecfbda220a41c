package customers

import (
	"fmt"
	"maps"
)

// ImportResult says what an import changed.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
	Deleted int `json:"deleted"`
	// Total is how many customers the directory holds afterwards.
	Total int `json:"total"`
}

// Import adds or updates the customers of a CSV document in the customer
// file's format (a header naming the columns, then one customer a line);
// name names it in errors. It is all or nothing: one bad line and nothing
// changes, and the error lists every bad line. With replace, customers not
// in the document are deleted. A document without a last_agent (or
// last_call) column leaves the existing customers' one as it was. The file
// is saved before it returns.
func (d *Directory) Import(name string, data []byte, replace bool) (ImportResult, error) {
	var res ImportResult
	list, _, cols, err := readCSV(name, data, d.opt.DefaultCountry)
	if err != nil {
		return res, err
	}
	err = d.mutate(func(m map[string]Customer) (func(map[string]Customer), error) {
		prev := maps.Clone(m)
		seen := make(map[string]bool, len(list))
		for _, c := range list {
			seen[c.Number] = true
			old, existed := m[c.Number]
			if existed {
				if !cols["last_agent"] {
					c.LastAgent = old.LastAgent
				}
				if !cols["last_call"] {
					c.LastCall = old.LastCall
				}
				if c != old {
					res.Updated++
				}
			} else {
				res.Created++
			}
			m[c.Number] = c
		}
		if replace {
			for n := range m {
				if !seen[n] {
					delete(m, n)
					res.Deleted++
				}
			}
		}
		res.Total = len(m)
		return func(m map[string]Customer) {
			clear(m)
			maps.Copy(m, prev)
		}, nil
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import customers: %w", err)
	}
	return res, nil
}
