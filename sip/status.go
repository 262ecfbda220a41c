package sip

import (
	"errors"
	"strconv"
	"time"

	gosip "github.com/emiago/sipgo/sip"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/sip/media"
)

// failure is a final response to an INVITE we will not answer.
type failure struct {
	code       int
	reason     string
	retryAfter time.Duration
}

// statusFor maps an error from the engine or media to the final response a
// caller gets (RFC 3261 §21). Queue-full is mapped per queue by the caller.
func statusFor(err error) failure {
	switch {
	case errors.Is(err, acd.ErrUnknownQueue):
		return failure{code: gosip.StatusNotFound, reason: "Not Found"}
	case errors.Is(err, acd.ErrQueueFull):
		return failure{code: gosip.StatusBusyHere, reason: "Busy Here"}
	case errors.Is(err, acd.ErrShuttingDown):
		return failure{code: gosip.StatusServiceUnavailable, reason: "Service Unavailable", retryAfter: 30 * time.Second}
	case errors.Is(err, media.ErrNoCommonCodec):
		return failure{code: gosip.StatusNotAcceptableHere, reason: "Not Acceptable Here"}
	case errors.Is(err, media.ErrBadSDP):
		return failure{code: gosip.StatusBadRequest, reason: "Bad SDP"}
	}
	return failure{code: gosip.StatusServiceUnavailable, reason: "Service Unavailable", retryAfter: 5 * time.Second}
}

func (f failure) response(req *gosip.Request) *gosip.Response {
	res := gosip.NewResponseFromRequest(req, f.code, f.reason, nil)
	if f.retryAfter > 0 {
		res.AppendHeader(gosip.NewHeader("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second))))
	}
	return res
}

// errNotAnAgent: a feature code dialled by a user who is not an agent.
var errNotAnAgent = errors.New("caller is not an agent")
