package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/customers"
)

// Body limits of the customer routes: one customer, or a whole file.
const (
	maxCustomerBody = 16 << 10
	maxImportBody   = 8 << 20
)

// CustomerList is the body of GET /api/customers.
type CustomerList struct {
	Customers []customers.Customer `json:"customers"`
	Total     int                  `json:"total"`
}

// CustomerRequest is the body of POST /api/customers and PUT
// /api/customers/{number}. On PUT the number may be left out (it is the
// path's), and leaving out both last_agent and last_call keeps the ones
// the ACD recorded.
type CustomerRequest struct {
	Number         string     `json:"number"`
	Name           string     `json:"name"`
	Account        string     `json:"account"`
	Priority       int        `json:"priority"`
	VIP            bool       `json:"vip"`
	PreferredAgent string     `json:"preferred_agent"`
	LastAgent      *string    `json:"last_agent"`
	LastCall       *time.Time `json:"last_call"`
}

func (r CustomerRequest) customer() (c customers.Customer, keepLast bool) {
	c = customers.Customer{Number: r.Number, Name: r.Name, Account: r.Account, Priority: r.Priority, VIP: r.VIP,
		PreferredAgent: r.PreferredAgent}
	if r.LastAgent != nil {
		c.LastAgent = *r.LastAgent
	}
	if r.LastCall != nil {
		c.LastCall = *r.LastCall
	}
	return c, r.LastAgent == nil && r.LastCall == nil
}

// customerServer serves the customer routes.
type customerServer struct {
	dir *customers.Directory
	log *slog.Logger
}

// WithCustomers adds the customer file's routes to an API handler (New's
// or NewLive's), under the same token and cross-origin rules as the rest
// of /api/:
//
//	GET    /api/customers            every customer, by number
//	POST   /api/customers            add one (409 if the number exists)
//	GET    /api/customers/{number}   one customer (404 if unknown)
//	PUT    /api/customers/{number}   add or replace one
//	DELETE /api/customers/{number}   remove one
//	POST   /api/customers/import     add or update many from a CSV body in
//	                                 the customer file's format, all or
//	                                 nothing; ?replace=true also removes
//	                                 those not listed
//
// {number} is normalised like every number (so /api/customers/0612345678
// and /api/customers/+33612345678 are one customer with default country
// 33; write "+" as is or as %2B). Each change is saved to the file before
// the reply. A nil dir returns next unchanged.
func WithCustomers(next http.Handler, dir *customers.Directory, token string, log *slog.Logger) http.Handler {
	if dir == nil {
		return next
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &customerServer{dir: dir, log: log}
	api := http.NewServeMux()
	api.HandleFunc("GET /api/customers", c.list)
	api.HandleFunc("POST /api/customers", c.create)
	api.HandleFunc("GET /api/customers/{number}", c.get)
	api.HandleFunc("PUT /api/customers/{number}", c.put)
	api.HandleFunc("DELETE /api/customers/{number}", c.delete)
	api.HandleFunc("POST /api/customers/import", c.importCSV)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request refused")
	}))
	guard := func(limit int64) http.Handler {
		h := cop.Handler(requireToken(token, api))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			h.ServeHTTP(w, r)
		})
	}
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.Handle("/api/customers", guard(maxCustomerBody))
	mux.Handle("/api/customers/", guard(maxCustomerBody))
	mux.Handle("/api/customers/import", guard(maxImportBody))
	return mux
}

func (c *customerServer) list(w http.ResponseWriter, _ *http.Request) {
	list := c.dir.List()
	writeJSON(w, http.StatusOK, CustomerList{Customers: list, Total: len(list)})
}

func (c *customerServer) get(w http.ResponseWriter, r *http.Request) {
	cu, err := c.dir.Get(r.PathValue("number"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cu)
}

func (c *customerServer) create(w http.ResponseWriter, r *http.Request) {
	req, err := decodeCustomer(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	in, _ := req.customer()
	cu, err := c.dir.Create(in)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.changed(r, cu.Number)
	w.Header().Set("Location", "/api/customers/"+url.PathEscape(cu.Number))
	writeJSON(w, http.StatusCreated, cu)
}

func (c *customerServer) put(w http.ResponseWriter, r *http.Request) {
	req, err := decodeCustomer(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	in, keepLast := req.customer()
	cu, created, err := c.dir.Put(r.PathValue("number"), in, keepLast)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.changed(r, cu.Number)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, cu)
}

func (c *customerServer) delete(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	if err := c.dir.Delete(number); err != nil {
		c.fail(w, r, err)
		return
	}
	c.changed(r, number)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

func (c *customerServer) importCSV(w http.ResponseWriter, r *http.Request) {
	replace := false
	if v := r.URL.Query().Get("replace"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			c.fail(w, r, badRequest("replace: want true or false, got %q", v))
			return
		}
		replace = b
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		c.fail(w, r, fmt.Errorf("read import body: %w", err))
		return
	}
	res, err := c.dir.Import("import", body, replace)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.log.Info("customers imported", "created", res.Created, "updated", res.Updated, "deleted", res.Deleted,
		"total", res.Total, "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, res)
}

// decodeCustomer reads a CustomerRequest; unknown fields are refused.
func decodeCustomer(r *http.Request) (CustomerRequest, error) {
	var req CustomerRequest
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return req, fmt.Errorf("read customer body: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, badRequest("decode customer: %v", err)
	}
	if dec.More() {
		return req, badRequest("decode customer: data after the JSON object")
	}
	return req, nil
}

// changed logs a change, with the number masked: the log is not the place
// for the customer file.
func (c *customerServer) changed(r *http.Request, number string) {
	c.log.Info("customer file changed", "method", r.Method, "customer", acd.MaskNumber(number), "remote", r.RemoteAddr)
}

// fail maps the directory's errors to statuses: a bad field or line is
// 400 with every problem named, an unknown number 404, a duplicate 409; a
// file that cannot be written is 500 (and the change was undone).
func (c *customerServer) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		bad    *customers.Error
		req    *requestError
		tooBig *http.MaxBytesError
	)
	status, msg := http.StatusInternalServerError, "internal error"
	switch {
	case errors.As(err, &tooBig):
		status, msg = http.StatusRequestEntityTooLarge, "request body too large"
	case errors.As(err, &req):
		status, msg = http.StatusBadRequest, req.msg
	case errors.As(err, &bad):
		status, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, customers.ErrNotFound):
		status, msg = http.StatusNotFound, "unknown customer"
	case errors.Is(err, customers.ErrExists):
		status, msg = http.StatusConflict, "customer already exists (use PUT to change it)"
	}
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
	}
	// The error may quote the number or a name: log it only for failures
	// of the ACD itself, whose errors name files, not customers.
	attrs := []any{"method", r.Method, "path", "/api/customers", "status", status}
	if status >= 500 {
		attrs = append(attrs, "err", err)
	}
	c.log.Log(r.Context(), level, "customer api request failed", attrs...)
	writeError(w, status, msg)
}
