package local

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a fake Sentry serving one dataset. It is an http.Handler: mount
// it in httptest.NewServer or an http.Server, or call it in process through
// Transport. It is safe for concurrent use.
type Server struct {
	data *files

	token     string
	scopes    map[string]bool // nil: every scope
	regionURL *string
	perPage   int
	log       *slog.Logger

	faults faults

	mu       sync.Mutex
	requests []RequestRecord

	now func() time.Time
}

// Option configures a Server.
type Option func(*Server) error

// WithToken requires every request to carry "Authorization: Bearer token".
// A request without the header gets 401 {"detail":"Authentication
// credentials were not provided."}; a wrong token gets 401
// {"detail":"Invalid token"}. Without this option no auth is needed.
func WithToken(token string) Option {
	return func(s *Server) error {
		if token == "" {
			return errors.New("local: WithToken: empty token")
		}
		s.token = token
		return nil
	}
}

// WithScopes simulates a token that holds only these scopes (e.g.
// "org:read", "project:read", "event:read"). An endpoint whose scope is
// missing answers 403 {"detail":"You do not have permission to perform this
// action."}. Endpoints need org:read (organizations, repositories, code
// mappings), project:read (projects) or event:read (issues, events, traces,
// profiles); as in Sentry, the :write and :admin scopes of the same resource
// also grant read access, and code mappings also accept org:integrations and
// org:ci. Without this option the token holds every scope.
func WithScopes(scopes ...string) Option {
	return func(s *Server) error {
		s.scopes = map[string]bool{}
		for _, sc := range scopes {
			s.scopes[sc] = true
		}
		return nil
	}
}

// WithRegionURL sets links.regionUrl in the organization response: point it
// at another fake (or another host name served by the same Transport) to
// test region routing. By default the value of organization.json is kept,
// except that a real sentry.io host is replaced by "" so that a client never
// leaves the fake.
func WithRegionURL(u string) Option {
	return func(s *Server) error {
		s.regionURL = &u
		return nil
	}
}

// WithPerPage sets the default page size of paginated endpoints (Sentry's:
// 100). It must be within 1..100. A per_page query parameter overrides it;
// as in Sentry, per_page above 100 is a 400.
func WithPerPage(n int) Option {
	return func(s *Server) error {
		if n < 1 || n > maxPerPage {
			return fmt.Errorf("local: WithPerPage(%d): want 1..%d", n, maxPerPage)
		}
		s.perPage = n
		return nil
	}
}

// WithFaults adds faults (see Fault), in order.
func WithFaults(faults ...Fault) Option {
	return func(s *Server) error {
		for _, f := range faults {
			st, err := compileFault(f)
			if err != nil {
				return err
			}
			s.faults.add(st)
		}
		return nil
	}
}

// WithLogger logs every request (at debug level) and every dataset problem
// (at error level). By default nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) error {
		if l != nil {
			s.log = l
		}
		return nil
	}
}

// New returns a server for the dataset in fsys (see dataset/README.md for
// the layout). The dataset must have organization.json at its root. New lists
// the file names; contents are read when a request needs them, so a broken
// file makes the endpoints that read it answer 500 naming the file, and
// nothing else.
func New(fsys fs.FS, opts ...Option) (*Server, error) {
	d, err := openDataset(fsys)
	if err != nil {
		return nil, err
	}
	s := &Server{
		data:    d,
		perPage: maxPerPage,
		log:     slog.New(slog.DiscardHandler),
		now:     time.Now,
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Inject adds a fault at run time, after those already present. It panics
// if f.Path is not a valid regular expression, like regexp.MustCompile:
// that is a mistake in the test, not a condition to handle.
func (s *Server) Inject(f Fault) {
	st, err := compileFault(f)
	if err != nil {
		panic(err)
	}
	s.faults.add(st)
}

// RequestRecord is one request the server received.
type RequestRecord struct {
	Method   string
	Host     string // the Host the request was sent to
	Path     string
	RawQuery string
	// Auth reports whether an Authorization header was present. The token
	// itself is never kept.
	Auth bool
	// Status is the status code answered; 0 while the request is in flight
	// or when the client went away before the answer.
	Status int
	// Fault reports whether a fault was applied to the request.
	Fault bool
}

// Requests returns a copy of the requests received so far, oldest first.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestRecord(nil), s.requests...)
}

func (s *Server) record(r *http.Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, RequestRecord{
		Method:   r.Method,
		Host:     r.Host,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Auth:     r.Header.Get("Authorization") != "",
	})
	return len(s.requests) - 1
}

func (s *Server) finish(i, status int, fault bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[i].Status = status
	s.requests[i].Fault = fault
}

// reply is a complete answer, built before anything is written so that
// faults can replace or cut it.
type reply struct {
	status int
	header http.Header
	body   []byte
	// stream, when set, is the body instead, of size bytes: a file too
	// big to hold (see streamAbove). Whoever ends the reply closes it.
	stream io.ReadCloser
	size   int64
}

// streamAbove is the file size above which a trace is sent from the file
// as it is read, not read whole first.
const streamAbove = 8 << 20

// bodyLen is the length of the reply's body.
func (rep *reply) bodyLen() int64 {
	if rep.stream != nil {
		return rep.size
	}
	return int64(len(rep.body))
}

// close releases a streamed body that will not be sent.
func (rep *reply) close() {
	if rep.stream != nil {
		rep.stream.Close()
		rep.stream = nil
	}
}

// jsonReply answers JSON.
func jsonReply(status int, body []byte) *reply {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &reply{status: status, header: h, body: body}
}

// detailReply answers {"detail": msg}, Sentry's usual error shape.
func detailReply(status int, msg string) *reply {
	body := appendString([]byte(`{"detail":`), msg)
	return jsonReply(status, append(body, '}'))
}

const (
	msgNotFound      = "The requested resource does not exist"
	msgEventNotFound = "Event not found"
	msgNoEvent       = "No matching event found, try changing the environments, date range, or query."
	msgNoPermission  = "You do not have permission to perform this action."
)

func notFound() *reply { return detailReply(http.StatusNotFound, msgNotFound) }

// errorReply answers a dataset problem with 500, naming the file.
func (s *Server) errorReply(r *http.Request, err error) *reply {
	s.log.Error("dataset problem", "path", r.URL.Path, "err", err)
	return detailReply(http.StatusInternalServerError, err.Error())
}

// truncater is implemented by the in-process transport's ResponseWriter.
type truncater interface{ truncate() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	idx := s.record(r)
	status, faulted := 0, false
	defer func() {
		s.finish(idx, status, faulted)
		s.log.Debug("request", "method", r.Method, "host", r.Host, "path", r.URL.Path,
			"query", r.URL.RawQuery, "status", status, "fault", faulted, "duration", s.now().Sub(start))
	}()

	p := s.faults.take(r.URL.Path)
	faulted = p.applied
	if p.latency > 0 {
		t := time.NewTimer(p.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}

	var rep *reply
	if p.decider != nil && p.decider.replaces() {
		rep = faultReply(p.decider, s.now())
	} else {
		rep = s.safeHandle(r)
	}
	truncateAt := 0
	if f := p.decider; f != nil {
		if f.ContentType != "" {
			rep.header.Set("Content-Type", f.ContentType)
		}
		truncateAt = f.TruncateAt
	}
	if r.Context().Err() != nil {
		// The client is gone; there is nobody to answer.
		rep.close()
		return
	}
	status = rep.status
	if r.Method == http.MethodHead {
		// As Django does for GET views: the headers of the GET answer.
		h := w.Header()
		maps.Copy(h, rep.header)
		h.Set("Content-Length", strconv.FormatInt(rep.bodyLen(), 10))
		rep.close()
		w.WriteHeader(rep.status)
		return
	}
	writeReply(w, rep, truncateAt)
}

// safeHandle runs the endpoint, turning a panic into a 500: a broken
// dataset must never take the server (or the test binary) down.
func (s *Server) safeHandle(r *http.Request) (rep *reply) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic while serving", "path", r.URL.Path, "panic", v)
			rep = detailReply(http.StatusInternalServerError, fmt.Sprintf("internal error: %v", v))
		}
	}()
	return s.handle(r)
}

// streamTaker is implemented by the in-process transport's
// ResponseWriter: it takes a streamed body over as the response's, unread.
type streamTaker interface{ takeStream(io.ReadCloser) }

func writeReply(w http.ResponseWriter, rep *reply, truncateAt int) {
	h := w.Header()
	maps.Copy(h, rep.header)
	if rep.stream != nil && truncateAt == 0 {
		h.Set("Content-Length", strconv.FormatInt(rep.size, 10))
		w.WriteHeader(rep.status)
		if t, ok := w.(streamTaker); ok {
			t.takeStream(rep.stream)
			rep.stream = nil
			return
		}
		_, _ = io.Copy(w, rep.stream)
		rep.close()
		return
	}
	if rep.stream != nil {
		// A truncation fault on a streamed body: read it to cut it.
		rep.body, _ = io.ReadAll(rep.stream)
		rep.close()
	}
	body := rep.body
	if truncateAt == 0 {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rep.status)
		_, _ = w.Write(body)
		return
	}
	sent := max(truncateAt, 0)
	sent = min(sent, len(body))
	declared := len(body)
	if sent >= declared {
		declared = sent + 1
	}
	h.Set("Content-Length", strconv.Itoa(declared))
	w.WriteHeader(rep.status)
	_, _ = w.Write(body[:sent])
	if t, ok := w.(truncater); ok {
		t.truncate()
		return
	}
	// Over a real connection, returning with fewer bytes written than
	// Content-Length announced makes net/http close the connection: the
	// client reads an unexpected EOF.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// handle authenticates, routes and runs the endpoint.
func (s *Server) handle(r *http.Request) *reply {
	if s.token != "" {
		authz := r.Header.Get("Authorization")
		if authz == "" {
			return detailReply(http.StatusUnauthorized, "Authentication credentials were not provided.")
		}
		tok, ok := strings.CutPrefix(authz, "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.token)) != 1 {
			return detailReply(http.StatusUnauthorized, "Invalid token")
		}
	}
	rt, params, ok := match(r.URL.Path)
	if !ok {
		return notFound()
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		rep := detailReply(http.StatusMethodNotAllowed, fmt.Sprintf("Method %q not allowed.", r.Method))
		rep.header.Set("Allow", "GET, HEAD")
		return rep
	}
	if org, ok := params["org"]; ok && !s.isOrg(org) {
		return notFound()
	}
	if !s.hasScope(rt.scope) {
		return detailReply(http.StatusForbidden, msgNoPermission)
	}
	return rt.handler(s, r, params)
}

func (s *Server) isOrg(key string) bool {
	return key == s.data.OrgSlug || (s.data.OrgID != "" && key == s.data.OrgID) ||
		strings.EqualFold(key, s.data.OrgSlug)
}

// hasScope reports whether the simulated token grants read access to the
// resource ("org", "project", "event", or "org-integrations" for code
// mappings).
func (s *Server) hasScope(resource string) bool {
	if s.scopes == nil {
		return true
	}
	res := resource
	if resource == "org-integrations" {
		res = "org"
		if s.scopes["org:integrations"] || s.scopes["org:ci"] {
			return true
		}
	}
	return s.scopes[res+":read"] || s.scopes[res+":write"] || s.scopes[res+":admin"]
}

// baseURL is the scheme and host the request was sent to, for the absolute
// URLs of Link headers.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// query returns the query parameters; a malformed query string keeps the
// parameters that parse, as Django does.
func query(r *http.Request) url.Values {
	v, _ := url.ParseQuery(r.URL.RawQuery)
	return v
}
