package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/tracehound/tracehound/ingest/envelope"
	"github.com/tracehound/tracehound/sentryapi/local"
)

// Options tune the server.
type Options struct {
	Logger *slog.Logger
	// Limits bound one envelope (envelope.DefaultLimits when zero);
	// MaxBody bounds the compressed request body.
	Limits  envelope.Limits
	MaxBody int64
	// MaxConcurrent envelopes are read at once (bounded memory); more get
	// 429. RatePerSecond (with a burst of twice as many) bounds how many
	// are accepted per second; more get 429 with Retry-After.
	MaxConcurrent int
	RatePerSecond float64
	// OnIngest, when set, is called after each stored envelope.
	OnIngest func(Project, Outcome)
	// AllowRemoteReads serves the API to other machines too; by default
	// only loopback clients may read what was ingested.
	AllowRemoteReads bool
}

// Server receives envelopes on /api/{project_id}/envelope/ (and the older
// /store/), OTLP/HTTP traces on /v1/traces, and answers every other request with the Sentry-compatible API
// of sentryapi/local over what it stored.
type Server struct {
	store *Store
	opts  Options
	log   *slog.Logger
	sem   chan struct{}
	rate  *bucket

	mu      sync.Mutex
	snap    *local.Server
	snapVer uint64
}

// NewServer returns the server over store.
func NewServer(store *Store, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Limits == (envelope.Limits{}) {
		opts.Limits = envelope.DefaultLimits()
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = opts.Limits.MaxEnvelope
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 16
	}
	if opts.RatePerSecond <= 0 {
		opts.RatePerSecond = 2000
	}
	return &Server{
		store: store, opts: opts, log: opts.Logger,
		sem:  make(chan struct{}, opts.MaxConcurrent),
		rate: newBucket(opts.RatePerSecond, 2*opts.RatePerSecond, time.Now),
	}
}

var ingestPath = regexp.MustCompile(`^/api/([0-9]+)/(envelope|store)/?$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == OTLPTracesPath {
		s.otlpTraces(w, r)
		return
	}
	if m := ingestPath.FindStringSubmatch(r.URL.Path); m != nil {
		s.cors(w)
		switch r.Method {
		case http.MethodOptions:
			w.WriteHeader(http.StatusOK)
		case http.MethodPost:
			s.ingest(w, r, m[1], m[2])
		default:
			w.Header().Set("Allow", "POST, OPTIONS")
			s.fail(w, http.StatusMethodNotAllowed, "send envelopes with POST")
		}
		return
	}
	if !s.opts.AllowRemoteReads && !loopback(r.RemoteAddr) {
		s.fail(w, http.StatusForbidden, "this tracehound serve only shows what it received to clients on the same machine (--allow-remote-reads to change that)")
		return
	}
	if r.URL.Path == "/" {
		s.index(w)
		return
	}
	srv, err := s.reader(r)
	if err != nil {
		s.log.Error("reading the store", "err", err)
		s.fail(w, http.StatusInternalServerError, "reading the store: "+err.Error())
		return
	}
	srv.ServeHTTP(w, r)
}

// reader is the API server for one read request: over just the files
// the request reads (found through the store's indexes, so its cost does
// not grow with the store), or, for a path the store does not scope, over
// the whole store (current).
func (s *Server) reader(r *http.Request) (*local.Server, error) {
	fsys, ok, err := s.store.requestSnapshot(r.URL.Path, r.URL.Query())
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.current()
	}
	return local.New(fsys, local.WithLogger(s.log))
}

// current is the API server over the whole store as it is now, rebuilt
// after writes.
func (s *Server) current() (*local.Server, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.store.Version()
	if s.snap != nil && s.snapVer == v {
		return s.snap, nil
	}
	fsys, err := s.store.Snapshot()
	if err != nil {
		return nil, err
	}
	srv, err := local.New(fsys, local.WithLogger(s.log))
	if err != nil {
		return nil, err
	}
	s.snap, s.snapVer = srv, v
	return srv, nil
}

func (s *Server) cors(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "content-type, content-encoding, x-sentry-auth, authorization, sentry-trace, baggage")
	h.Set("Access-Control-Expose-Headers", "x-sentry-rate-limits, retry-after, x-sentry-error")
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request, projectID, kind string) {
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	default:
		s.limited(w, r, 1, "too many envelopes at once")
		return
	}
	if wait, ok := s.rate.take(); !ok {
		s.limited(w, r, wait, "over the rate limit")
		return
	}
	s.store.receiving.Add(1)
	defer s.store.receiving.Add(-1)
	body, err := envelope.ReadBody(r, s.opts.MaxBody, s.opts.Limits.MaxEnvelope)
	if err != nil {
		s.log.Warn("rejected a request body", "project", projectID, "remote", r.RemoteAddr, "err", err)
		s.drain(w, r)
		s.fail(w, envelope.HTTPStatus(err), err.Error())
		return
	}
	if kind != "store" && len(bytes.TrimSpace(body)) == 0 {
		s.emptyEnvelope(w, projectID, r)
		return
	}
	var env *envelope.Envelope
	if kind == "store" {
		env, err = envelope.FromStore(body)
	} else {
		env, err = envelope.Parse(body, s.opts.Limits)
	}
	if err != nil {
		s.log.Warn("rejected a malformed envelope", "project", projectID, "remote", r.RemoteAddr, "err", err)
		s.fail(w, envelope.HTTPStatus(err), err.Error())
		return
	}
	if len(env.Items) == 0 {
		s.emptyEnvelope(w, projectID, r)
		return
	}
	key := envelope.PublicKey(r, env.Header.DSN)
	if key == "" {
		s.log.Warn("rejected an envelope without a DSN key", "project", projectID, "remote", r.RemoteAddr)
		s.fail(w, http.StatusUnauthorized, "missing authorization information: send the DSN's public key (X-Sentry-Auth: Sentry sentry_key=…)")
		return
	}
	p, ok := s.store.ProjectByKey(key)
	if !ok {
		s.log.Warn("rejected an envelope: unknown DSN key; use a DSN that tracehound serve printed", "key", short(key), "project", projectID, "remote", r.RemoteAddr)
		s.fail(w, http.StatusUnauthorized, "unknown DSN public key: use a DSN that tracehound serve printed")
		return
	}
	if strconv.FormatInt(p.ID, 10) != projectID {
		s.log.Warn("rejected an envelope: the DSN key belongs to another project", "key", short(key), "path_project", projectID, "key_project", p.ID)
		s.fail(w, http.StatusUnauthorized, fmt.Sprintf("the DSN key is for project %d, not %s", p.ID, projectID))
		return
	}
	items := make([]Item, 0, len(env.Items))
	var problems []string
	for _, it := range env.Items {
		if it.Note != "" {
			s.log.Warn("tolerated a malformed item", "project", p.Slug, "item", it.Note)
		}
		if it.Err != nil {
			problems = append(problems, it.Err.Error())
			continue
		}
		items = append(items, Item{Type: it.Type, Payload: it.Payload})
	}
	out, err := s.store.Ingest(p, env.Header.EventID, items)
	if err != nil {
		s.log.Error("storing an envelope", "project", p.Slug, "err", err)
		s.fail(w, http.StatusInternalServerError, "storing the envelope: "+err.Error())
		return
	}
	out.Errors = append(problems, out.Errors...)
	for _, e := range out.Errors {
		s.log.Warn("dropped an item (the others were kept)", "project", p.Slug, "item", e)
	}
	s.log.Info("envelope", "project", p.Slug, "stored", out.Stored, "ignored", out.Ignored)
	if s.opts.OnIngest != nil {
		s.opts.OnIngest(p, out)
	}
	id := firstNonEmpty(out.EventID, normID(env.Header.EventID))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"id": id})
}

// drainLimit is how much of a rejected body is read and thrown away so
// that the client, still sending, gets the answer instead of a broken pipe
// (a connection closed with unread data is reset). Past it the answer is
// sent and the connection closed.
func (s *Server) drainLimit() int64 { return max(64<<20, 4*s.opts.MaxBody) }

// drain reads what is left of a rejected request body (up to drainLimit,
// for at most 10 seconds) before the answer is written.
func (s *Server) drain(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.CopyN(io.Discard, r.Body, s.drainLimit())
	_ = rc.SetReadDeadline(time.Time{})
	if err == nil && n == s.drainLimit() || err != nil && err != io.EOF {
		w.Header().Set("Connection", "close")
	}
}

func (s *Server) emptyEnvelope(w http.ResponseWriter, projectID string, r *http.Request) {
	s.log.Warn("rejected an empty envelope", "project", projectID, "remote", r.RemoteAddr)
	s.fail(w, http.StatusBadRequest, "empty envelope: it has no items (send a Sentry envelope: a JSON header line, then each item's header and payload)")
}

// limited answers 429 the way SDKs understand: Retry-After and
// X-Sentry-Rate-Limits (all categories, for that many seconds).
func (s *Server) limited(w http.ResponseWriter, r *http.Request, wait int, why string) {
	s.log.Warn("429: "+why, "remote", r.RemoteAddr, "retry_after_s", wait)
	w.Header().Set("Retry-After", strconv.Itoa(wait))
	w.Header().Set("X-Sentry-Rate-Limits", fmt.Sprintf("%d::organization", wait))
	s.fail(w, http.StatusTooManyRequests, why)
}

func (s *Server) fail(w http.ResponseWriter, code int, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Sentry-Error", detail)
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"detail": detail})
}

func (s *Server) index(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "tracehound serve: send Sentry SDK events here (DSNs below), or OpenTelemetry traces to /v1/traces (OTLP/HTTP). DSNs:")
	ps, _ := s.store.Projects()
	for _, p := range ps {
		fmt.Fprintf(w, "  %-20s %s\n", p.Slug, DSN(p, "HOST"))
	}
}

// DSN is the DSN of a project on a server reachable at host (host:port).
func DSN(p Project, host string) string {
	return fmt.Sprintf("http://%s@%s/%d", p.Key, host, p.ID)
}

func short(key string) string {
	if len(key) > 8 {
		return key[:8] + "…"
	}
	return key
}

func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// bucket is a token bucket: rate tokens a second, up to burst.
type bucket struct {
	mu          sync.Mutex
	rate, burst float64
	tokens      float64
	last        time.Time
	now         func() time.Time
}

func newBucket(rate, burst float64, now func() time.Time) *bucket {
	return &bucket{rate: rate, burst: burst, tokens: burst, last: now(), now: now}
}

// take takes a token, or says how many seconds until there is one.
func (b *bucket) take() (int, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.now()
	b.tokens = min(b.burst, b.tokens+t.Sub(b.last).Seconds()*b.rate)
	b.last = t
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return max(1, int((1-b.tokens)/b.rate+0.999)), false
}
