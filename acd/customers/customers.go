// Package customers is the SME's own customer file, kept on its server: a
// directory of known callers keyed by their normalised number, with a
// name, an account id, a priority or VIP flag, a preferred agent and the
// agent who served them last. The ACD reads it on each INVITE (to raise a
// VIP's priority, to prefer the agent who knows the caller, and to show
// the agent who calls) and writes the last agent back after each connected
// call. The file is CSV or YAML; every change is saved by writing a
// temporary file and renaming it over the old one, so the file is never
// seen half written.
//
// Nothing here sends customer data anywhere: the SIP side puts the name
// and account in the agent leg's headers only, and logs use the masked
// number (acd.MaskNumber).
package customers

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Customer is one entry of the directory.
type Customer struct {
	// Number is the caller's number, normalised (see Normalize).
	Number string `json:"number"`
	// Name is shown on the agent's phone.
	Name string `json:"name"`
	// Account is the customer's id in the SME's own books.
	Account string `json:"account"`
	// Priority raises the priority of the customer's calls to at least
	// this; 0 leaves the queue's.
	Priority int `json:"priority"`
	// VIP raises the priority of the customer's calls to at least the
	// configured vip_priority.
	VIP bool `json:"vip"`
	// PreferredAgent is the agent id the customer's calls go to first; ""
	// for the last agent.
	PreferredAgent string `json:"preferred_agent"`
	// LastAgent is the agent who took the customer's last call, and
	// LastCall when; the ACD sets both after each connected call.
	LastAgent string    `json:"last_agent"`
	LastCall  time.Time `json:"last_call,omitzero"`
}

// Options are the customer settings of the config file.
type Options struct {
	// DefaultCountry is the country code given to national numbers
	// (starting with one 0), e.g. "33"; "" keeps them as they are.
	DefaultCountry string
	// PreferTime is how long a known customer's call waits for their
	// preferred or last agent before any eligible agent may take it; 0
	// turns the preference off.
	PreferTime time.Duration
	// VIPPriority is the priority a VIP's calls get at least.
	VIPPriority int
	// Log receives save failures; nil discards.
	Log *slog.Logger
}

// Errors of the directory's operations.
var (
	ErrNotFound = errors.New("no such customer")
	ErrExists   = errors.New("customer already exists")
)

// Directory is the customer file in memory. It is safe for concurrent
// use: lookups on INVITE, the HTTP API and last-agent updates run side by
// side. Changes from the API are saved before they return; last-agent
// updates are saved in the background, a burst of them in one write.
type Directory struct {
	path   string
	format format
	opt    Options
	log    *slog.Logger

	mu    sync.RWMutex
	byNum map[string]Customer
	gen   uint64 // counts changes

	saveMu sync.Mutex // one save at a time; held across an API change and its save
	saved  uint64     // gen of the last successful save, under saveMu

	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// saveRetry is how long the background saver waits after a failed write.
const saveRetry = 10 * time.Second

// Open reads the customer file at path (".csv", ".yaml" or ".yml"; the
// file must exist, an empty one holds no customers) and starts the
// background saver; Close stops it. Errors name the file, line and field.
func Open(path string, opt Options) (*Directory, error) {
	f, err := formatOf(path)
	if err != nil {
		return nil, err
	}
	if !ValidCountry(opt.DefaultCountry) {
		return nil, fmt.Errorf("open customer file: default country %q: want 1 to 3 digits", opt.DefaultCountry)
	}
	d := &Directory{path: path, opt: opt, log: opt.Log,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	var list []Customer
	d.format, list, err = f.load(path, opt.DefaultCountry)
	if err != nil {
		return nil, err
	}
	d.byNum = make(map[string]Customer, len(list))
	for _, c := range list {
		d.byNum[c.Number] = c
	}
	go d.saver()
	return d, nil
}

// Close stops the background saver and saves what it had not saved yet.
// Changes made after Close stay in memory only.
func (d *Directory) Close() error {
	d.once.Do(func() { close(d.stop) })
	<-d.done
	return d.save()
}

// Path is the file the directory is kept in.
func (d *Directory) Path() string { return d.path }

// Len is how many customers the directory holds.
func (d *Directory) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.byNum)
}

// Options returns the options the directory was opened with.
func (d *Directory) Options() Options { return d.opt }

// Normalize normalises a number with the directory's default country.
func (d *Directory) Normalize(raw string) (string, error) {
	return Normalize(raw, d.opt.DefaultCountry)
}

// Lookup finds the customer calling from raw (a number as received); a
// number that does not normalise is simply unknown.
func (d *Directory) Lookup(raw string) (Customer, bool) {
	n, err := d.Normalize(raw)
	if err != nil {
		return Customer{}, false
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	c, ok := d.byNum[n]
	return c, ok
}

// Priority is the priority c's calls get at least: their own, and for a
// VIP at least the configured VIP priority. A call's priority is the
// higher of this and its queue's: the customer file only ever raises it.
func (d *Directory) Priority(c Customer) int {
	if c.VIP {
		return max(c.Priority, d.opt.VIPPriority)
	}
	return c.Priority
}

// Preferences lists the agents c's calls should go to first, best first:
// the preferred agent, then the last one (each at most once).
func (c Customer) Preferences() []string {
	var out []string
	for _, id := range []string{c.PreferredAgent, c.LastAgent} {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// List returns every customer, by number.
func (d *Directory) List() []Customer {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.sortedLocked()
}

func (d *Directory) sortedLocked() []Customer {
	out := make([]Customer, 0, len(d.byNum))
	for _, c := range d.byNum {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Customer) int { return strings.Compare(a.Number, b.Number) })
	return out
}

// Get returns the customer with number raw (normalised first).
func (d *Directory) Get(raw string) (Customer, error) {
	n, err := d.number(raw)
	if err != nil {
		return Customer{}, err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	c, ok := d.byNum[n]
	if !ok {
		return Customer{}, fmt.Errorf("customer %s: %w", n, ErrNotFound)
	}
	return c, nil
}

// number normalises a number given by a client, as a field error.
func (d *Directory) number(raw string) (string, error) {
	n, err := d.Normalize(raw)
	if err != nil {
		return "", fieldError("number", "%v", err)
	}
	return n, nil
}

// Create adds a customer, or fails with ErrExists; the file is saved
// before it returns.
func (d *Directory) Create(c Customer) (Customer, error) {
	c, err := check(c, d.opt.DefaultCountry)
	if err != nil {
		return c, err
	}
	err = d.mutate(func(m map[string]Customer) (func(map[string]Customer), error) {
		if _, ok := m[c.Number]; ok {
			return nil, fmt.Errorf("customer %s: %w", c.Number, ErrExists)
		}
		m[c.Number] = c
		return func(m map[string]Customer) { delete(m, c.Number) }, nil
	})
	return c, err
}

// Put sets the customer with number raw to c, adding it if new (created
// says which). c.Number may be empty; otherwise it must be the same
// number. With keepLast, an existing customer keeps its last agent and
// last call whatever c says, since the ACD, not the client, keeps them.
// The file is saved before it returns.
func (d *Directory) Put(raw string, c Customer, keepLast bool) (_ Customer, created bool, err error) {
	n, err := d.number(raw)
	if err != nil {
		return c, false, err
	}
	if strings.TrimSpace(c.Number) == "" {
		c.Number = n
	}
	c, err = check(c, d.opt.DefaultCountry)
	if err != nil {
		return c, false, err
	}
	if c.Number != n {
		return c, false, fieldError("number", "%s differs from the number in the path, %s", c.Number, n)
	}
	err = d.mutate(func(m map[string]Customer) (func(map[string]Customer), error) {
		old, existed := m[n]
		if existed && keepLast {
			c.LastAgent, c.LastCall = old.LastAgent, old.LastCall
		}
		created = !existed
		m[n] = c
		return restore(n, old, existed), nil
	})
	return c, created, err
}

// Delete removes the customer with number raw; the file is saved before
// it returns.
func (d *Directory) Delete(raw string) error {
	n, err := d.number(raw)
	if err != nil {
		return err
	}
	return d.mutate(func(m map[string]Customer) (func(map[string]Customer), error) {
		old, ok := m[n]
		if !ok {
			return nil, fmt.Errorf("customer %s: %w", n, ErrNotFound)
		}
		delete(m, n)
		return restore(n, old, true), nil
	})
}

// restore undoes a change of one entry.
func restore(n string, old Customer, existed bool) func(map[string]Customer) {
	return func(m map[string]Customer) {
		if existed {
			m[n] = old
		} else {
			delete(m, n)
		}
	}
}

// Served records that agent took a call from raw at when, if raw is a
// known customer's number, and reports whether it was. It never waits for
// the disk: the background saver writes the change.
func (d *Directory) Served(raw, agent string, when time.Time) bool {
	n, err := d.Normalize(raw)
	if err != nil || checkAgent("agent", agent) != nil || agent == "" {
		return false
	}
	d.mu.Lock()
	c, ok := d.byNum[n]
	if ok {
		c.LastAgent, c.LastCall = agent, when.UTC().Truncate(time.Second)
		d.byNum[n] = c
		d.gen++
	}
	d.mu.Unlock()
	if ok {
		select {
		case d.kick <- struct{}{}:
		default:
		}
	}
	return ok
}

// mutate applies change to the directory and saves the file; if the save
// fails the change is undone and the error returned, so what a client was
// told matches the file.
func (d *Directory) mutate(change func(map[string]Customer) (undo func(map[string]Customer), err error)) error {
	d.saveMu.Lock()
	defer d.saveMu.Unlock()
	d.mu.Lock()
	undo, err := change(d.byNum)
	if err != nil {
		d.mu.Unlock()
		return err
	}
	d.gen++
	list, gen := d.sortedLocked(), d.gen
	d.mu.Unlock()
	if err := d.format.save(d.path, list); err != nil {
		d.mu.Lock()
		undo(d.byNum)
		d.gen++
		d.mu.Unlock()
		d.log.Error("customer file: save failed; change undone", "file", d.path, "err", err)
		return fmt.Errorf("save customer file: %w", err)
	}
	d.saved = gen
	return nil
}

// save writes the directory if it changed since the last save.
func (d *Directory) save() error {
	d.saveMu.Lock()
	defer d.saveMu.Unlock()
	d.mu.RLock()
	if d.gen == d.saved {
		d.mu.RUnlock()
		return nil
	}
	list, gen := d.sortedLocked(), d.gen
	d.mu.RUnlock()
	if err := d.format.save(d.path, list); err != nil {
		d.log.Error("customer file: save failed; will retry", "file", d.path, "err", err)
		return fmt.Errorf("save customer file: %w", err)
	}
	d.saved = gen
	return nil
}

// saver writes last-agent updates in the background until Close.
func (d *Directory) saver() {
	defer close(d.done)
	for {
		select {
		case <-d.stop:
			return
		case <-d.kick:
		}
		for d.save() != nil {
			select {
			case <-d.stop:
				return
			case <-time.After(saveRetry):
			}
		}
	}
}
