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
	var rej *acd.RejectError
	switch {
	case errors.As(err, &rej):
		return failure{code: rej.Status, reason: reasonPhrase(rej.Status)}
	case errors.Is(err, acd.ErrUnknownQueue):
		return failure{code: gosip.StatusNotFound, reason: "Not Found"}
	case errors.Is(err, acd.ErrQueueFull):
		return failure{code: gosip.StatusBusyHere, reason: "Busy Here"}
	case errors.Is(err, acd.ErrOverloaded):
		return failure{code: gosip.StatusServiceUnavailable, reason: "Service Unavailable", retryAfter: 2 * time.Second}
	case errors.Is(err, acd.ErrShuttingDown):
		return failure{code: gosip.StatusServiceUnavailable, reason: "Service Unavailable", retryAfter: 30 * time.Second}
	case errors.Is(err, media.ErrNoCommonCodec):
		return failure{code: gosip.StatusNotAcceptableHere, reason: "Not Acceptable Here"}
	case errors.Is(err, media.ErrBadSDP):
		return failure{code: gosip.StatusBadRequest, reason: "Bad SDP"}
	}
	return failure{code: gosip.StatusServiceUnavailable, reason: "Service Unavailable", retryAfter: 5 * time.Second}
}

// reasonPhrase is the RFC 3261 §21 phrase of a failure status a queue's
// config may send (closed hours, overflow hang-up).
func reasonPhrase(code int) string {
	switch code {
	case 404:
		return "Not Found"
	case 480:
		return "Temporarily Unavailable"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 500:
		return "Server Internal Error"
	case 503:
		return "Service Unavailable"
	case 600:
		return "Busy Everywhere"
	case 603:
		return "Decline"
	case 604:
		return "Does Not Exist Anywhere"
	}
	return "Call Rejected"
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
