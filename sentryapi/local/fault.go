package local

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// Fault makes the server misbehave for the requests whose URL path matches,
// the way a real Sentry, a proxy or the network does. The zero value of each
// field means "no change"; fields combine (a Latency with a Status delays,
// then fails).
//
// Matching and counting: Path is a regular expression (RE2 syntax) searched
// anywhere in the URL path, so a plain substring such as "/events/" works as
// is, and "^/api/0/organizations/acme/issues/42/$" matches one endpoint
// exactly. An empty Path matches every request. Times limits the fault to
// the first Times matching requests (0: every one).
//
// When several faults match one request, in the order they were added
// (WithFaults, then Inject): every matching fault that only adds Latency is
// applied and used up one time; the first matching fault that changes the
// response decides the response (and its Latency is added too); later
// response-changing faults are left for the next requests. A queue of faults
// such as {Status: 503, Times: 2} then {RateLimitReset: time.Second, Times: 1}
// therefore plays out as 503, 503, 429, then the real answers.
//
// Faults act first, like a proxy in front of Sentry: before authentication
// and routing, so a fault can answer a path the server does not know.
//
// Latency is waited before anything else, and the wait ends early when the
// request's context is cancelled: the request then gets no answer at all
// (over Server.Transport, RoundTrip returns the context's error at once).
type Fault struct {
	// Path selects the requests: a regular expression searched in the URL
	// path. Empty matches all.
	Path string
	// Times is how many matching requests the fault applies to; 0 is all.
	Times int

	// Latency delays the answer.
	Latency time.Duration

	// Status replaces the real answer with this status code and Body.
	// Without Body the answer is empty, like Sentry's 404 for a disabled
	// feature or a load balancer's bare 502.
	Status int
	// Body is the body of the replaced answer. Alone (no Status), it
	// replaces the body of a 200 answer, e.g. to serve malformed JSON.
	Body string
	// ContentType sets the Content-Type of whatever answer is sent. Without
	// it a replaced Body is sent as application/json when it is valid JSON,
	// else as text/plain.
	ContentType string

	// RateLimitReset answers 429 (or Status) the way Sentry's rate limiter
	// does: X-Sentry-Rate-Limit-Reset is now+RateLimitReset in epoch seconds
	// (rounded up), X-Sentry-Rate-Limit-Limit 15 and -Remaining 0 (plus the
	// concurrent-limit pair), and the body is a bare JSON string: "You are
	// attempting to use this endpoint too frequently. Limit is 15 requests
	// in 1 seconds" (unless Body is set). There is no Retry-After.
	RateLimitReset time.Duration
	// RetryAfter answers 429 (or Status) with a Retry-After header of that
	// many seconds (rounded up), the way an edge proxy does, and the same
	// bare-string body. With RateLimitReset both header sets are sent.
	RetryAfter time.Duration

	// HTML answers with an HTML page and Content-Type text/html, like a
	// proxy's error page or a web UI reached through a wrong base URL;
	// status 200 unless Status is set; Body replaces the default page.
	HTML bool

	// TruncateAt cuts the body of whatever answer is sent (the real one or
	// the replaced one) after TruncateAt bytes, while Content-Length still
	// announces the full length, then ends the response: the client reads
	// an unexpected EOF (io.ErrUnexpectedEOF). A negative value sends no
	// body byte at all. If the body is not longer than TruncateAt, all of
	// it is sent and Content-Length claims one byte more, so the response
	// always ends early.
	TruncateAt int
}

// rateLimitBody is Sentry's 429 body: a bare JSON string, not an object.
const rateLimitBody = `"You are attempting to use this endpoint too frequently. Limit is 15 requests in 1 seconds"`

const defaultHTML = `<!DOCTYPE html>
<html>
<head><title>Sentry</title></head>
<body>
<h1>Welcome to Sentry</h1>
<p>This is an HTML page, not the API: check the base URL or the proxy in front of it.</p>
</body>
</html>
`

// changesResponse reports whether the fault does more than delay.
func (f *Fault) changesResponse() bool {
	return f.Status != 0 || f.Body != "" || f.ContentType != "" || f.RateLimitReset > 0 ||
		f.RetryAfter > 0 || f.HTML || f.TruncateAt != 0
}

// replaces reports whether the fault replaces the real answer (rather than
// altering it, as ContentType and TruncateAt alone do).
func (f *Fault) replaces() bool {
	return f.Status != 0 || f.Body != "" || f.RateLimitReset > 0 || f.RetryAfter > 0 || f.HTML
}

// compileFault validates a fault's Path.
func compileFault(f Fault) (*faultState, error) {
	re, err := regexp.Compile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("local: fault path %q is not a regular expression: %w", f.Path, err)
	}
	return &faultState{f: f, re: re}, nil
}

// faultState is a fault and how many times it has been applied.
type faultState struct {
	f    Fault
	re   *regexp.Regexp
	used int
}

// faults is the server's ordered, thread-safe list of faults.
type faults struct {
	mu   sync.Mutex
	list []*faultState
}

func (fs *faults) add(st *faultState) {
	fs.mu.Lock()
	fs.list = append(fs.list, st)
	fs.mu.Unlock()
}

// plan is what the faults do to one request.
type plan struct {
	latency time.Duration
	decider *Fault // the fault that changes the response, or nil
	applied bool
}

// take chooses the faults for a request to urlPath and uses them up.
func (fs *faults) take(urlPath string) plan {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var p plan
	for _, st := range fs.list {
		if st.f.Times > 0 && st.used >= st.f.Times {
			continue
		}
		if !st.re.MatchString(urlPath) {
			continue
		}
		if st.f.changesResponse() {
			if p.decider != nil {
				continue
			}
			f := st.f
			p.decider = &f
		}
		st.used++
		p.latency += st.f.Latency
		p.applied = true
	}
	return p
}

// faultReply builds the answer of a fault that replaces the real answer.
func faultReply(f *Fault, now time.Time) *reply {
	rep := &reply{status: f.Status, header: http.Header{}, body: []byte(f.Body)}
	switch {
	case f.RateLimitReset > 0 || f.RetryAfter > 0:
		if rep.status == 0 {
			rep.status = http.StatusTooManyRequests
		}
		if f.Body == "" {
			rep.body = []byte(rateLimitBody)
		}
		if f.RateLimitReset > 0 {
			reset := now.Add(f.RateLimitReset)
			secs := reset.Unix()
			if reset.Nanosecond() > 0 {
				secs++
			}
			rep.header.Set("X-Sentry-Rate-Limit-Limit", "15")
			rep.header.Set("X-Sentry-Rate-Limit-Remaining", "0")
			rep.header.Set("X-Sentry-Rate-Limit-Reset", strconv.FormatInt(secs, 10))
			rep.header.Set("X-Sentry-Rate-Limit-ConcurrentLimit", "25")
			rep.header.Set("X-Sentry-Rate-Limit-ConcurrentRemaining", "24")
		}
		if f.RetryAfter > 0 {
			secs := int64((f.RetryAfter + time.Second - 1) / time.Second)
			rep.header.Set("Retry-After", strconv.FormatInt(secs, 10))
		}
	case f.HTML:
		if rep.status == 0 {
			rep.status = http.StatusOK
		}
		if f.Body == "" {
			rep.body = []byte(defaultHTML)
		}
		rep.header.Set("Content-Type", "text/html; charset=utf-8")
	default:
		if rep.status == 0 {
			rep.status = http.StatusOK
		}
	}
	if rep.header.Get("Content-Type") == "" && len(rep.body) > 0 {
		if jsontext.Value(rep.body).IsValid() {
			rep.header.Set("Content-Type", "application/json")
		} else {
			rep.header.Set("Content-Type", "text/plain; charset=utf-8")
		}
	}
	return rep
}
