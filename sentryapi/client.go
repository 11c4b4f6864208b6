package sentryapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// Version is reported in the User-Agent; cmd sets it at build time.
var Version = "dev"

// DefaultURL is the Sentry SaaS control host.
const DefaultURL = "https://sentry.io/"

// Options configure a Client. Only BaseURL and Org matter for most callers;
// the rest have defaults suited to an interactive tool.
type Options struct {
	BaseURL string // Sentry base URL (scheme://host[:port]); default https://sentry.io/
	Token   string // auth token; sent as "Authorization: Bearer", never logged
	Org     string // organization slug

	Transport        http.RoundTripper // default http.DefaultTransport
	UserAgent        string            // default "tracehound/<Version>"
	Timeout          time.Duration     // per attempt: the wait for the headers, and any silence while reading the body (not the download itself); default 30s
	TotalTimeout     time.Duration     // no retry starts after this much time on one request; default 3×Timeout
	MaxRetries       int               // retries of a GET on network errors and 5xx; default 3, <0 none
	MaxRateLimitWait time.Duration     // longest single wait on a 429; default 60s
	Concurrency      int               // requests in flight at once; default 8
	MaxBodyBytes     int64             // largest body accepted; default 512 MiB (the --max-body flag)
	StreamAboveBytes int64             // bodies larger than this are decoded as they arrive, never held whole; default 8 MiB
	WarnBodyBytes    int64             // bodies larger than this are announced through Notify, with their size; default 32 MiB
	RetryBackoff     time.Duration     // first retry's backoff, doubling up to 10s; default 500ms

	// Notify receives what the user should know while waiting (rate-limit
	// waits, retries, large bodies). Debug receives one line per request
	// (method, URL without credentials, status, duration). Both may be nil.
	Notify func(string)
	Debug  func(string)

	// Progress, when set, hears about a request that has been waiting
	// longer than ProgressAfter (default 2s): then every ProgressEvery
	// (default 5s) while it waits, and once with Done when it ends. A
	// command prints it on stderr; the explorer shows it in its status bar.
	Progress      func(Progress)
	ProgressAfter time.Duration
	ProgressEvery time.Duration
}

// StallError is an attempt that received nothing for the per-attempt
// timeout: no headers, or no body bytes for that long.
type StallError struct {
	Headers bool          // true: no headers arrived; false: the body stopped
	After   time.Duration // the timeout
	Bytes   int64         // body bytes received before the silence
}

func (e *StallError) Error() string {
	after := e.After.Round(time.Second)
	if e.Headers {
		return fmt.Sprintf("no answer within %s", after)
	}
	return fmt.Sprintf("the answer stopped after %s: nothing more for %s", sizeText(e.Bytes), after)
}

// Timeout reports true: with Temporary, a StallError is a net.Error, so
// callers treat it as the network failure it is.
func (e *StallError) Timeout() bool { return true }

// Temporary reports true (see Timeout).
func (e *StallError) Temporary() bool { return true }

// Client talks to one Sentry organization. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	org     string
	token   string
	http    *http.Client
	ua      string
	timeout time.Duration
	total   time.Duration

	maxRetries  int
	maxRLWait   time.Duration
	maxBody     int64
	warnBody    int64
	streamAbove int64
	sem         chan struct{}
	notify      func(string)
	debug       func(string)
	backoffBase time.Duration
	sleep       func(context.Context, time.Duration) error
	progress    func(Progress)
	progAfter   time.Duration
	progEvery   time.Duration

	// regionLock (a channel, so that waiting for it ends with the
	// context) guards region, regionErr and org0 while the organization
	// is fetched.
	regionLock  chan struct{}
	region      *url.URL // resolved org-scoped host; nil until known
	regionErr   error
	regionErrAt time.Time
	org0        *wire.Organization
}

// New returns a client for the organization in opts.
func New(opts Options) (*Client, error) {
	raw := opts.BaseURL
	if raw == "" {
		raw = DefaultURL
	}
	base, err := parseBaseURL(raw)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:        base,
		org:         opts.Org,
		token:       opts.Token,
		ua:          opts.UserAgent,
		timeout:     opts.Timeout,
		total:       opts.TotalTimeout,
		warnBody:    opts.WarnBodyBytes,
		progress:    opts.Progress,
		progAfter:   opts.ProgressAfter,
		progEvery:   opts.ProgressEvery,
		maxRetries:  opts.MaxRetries,
		maxRLWait:   opts.MaxRateLimitWait,
		maxBody:     opts.MaxBodyBytes,
		streamAbove: opts.StreamAboveBytes,
		notify:      opts.Notify,
		debug:       opts.Debug,
		backoffBase: opts.RetryBackoff,
		sleep:       sleepCtx,
		regionLock:  make(chan struct{}, 1),
	}
	if c.ua == "" {
		c.ua = "tracehound/" + Version + " (+https://github.com/tracehound/tracehound)"
	}
	if c.timeout <= 0 {
		c.timeout = 30 * time.Second
	}
	if c.total <= 0 {
		c.total = 3 * c.timeout
	}
	if c.warnBody <= 0 {
		c.warnBody = 32 << 20
	}
	if c.progAfter <= 0 {
		c.progAfter = 2 * time.Second
	}
	if c.progEvery <= 0 {
		c.progEvery = 5 * time.Second
	}
	if c.backoffBase <= 0 {
		c.backoffBase = 500 * time.Millisecond
	}
	if c.maxRetries == 0 {
		c.maxRetries = 3
	} else if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.maxRLWait <= 0 {
		c.maxRLWait = 60 * time.Second
	}
	if c.maxBody <= 0 {
		c.maxBody = 512 << 20
	}
	if c.streamAbove <= 0 {
		c.streamAbove = 8 << 20
	}
	n := opts.Concurrency
	if n <= 0 {
		n = 8
	}
	c.sem = make(chan struct{}, n)
	tr := opts.Transport
	if tr == nil {
		tr = http.DefaultTransport
	}
	// Redirects must not carry the token to another host.
	c.http = &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		if req.URL.Host != via[0].URL.Host {
			req.Header.Del("Authorization")
		}
		return nil
	}}
	if c.notify == nil {
		c.notify = func(string) {}
	}
	if c.debug == nil {
		c.debug = func(string) {}
	}
	return c, nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sentry URL %q is not an http(s) base URL like https://sentry.io or https://sentry.example.com", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u, nil
}

// Org is the organization slug the client is bound to.
func (c *Client) Org() string { return c.org }

// BaseURL is the control host the client was configured with.
func (c *Client) BaseURL() string { return c.base.String() }

// Response describes the HTTP answer behind a decoded value.
type Response struct {
	StatusCode int
	Header     http.Header
	Next       *Cursor // the next page, when the Link header says there is one
	Host       string  // the host that answered
}

// Cursor is one entry of a Link header.
type Cursor struct {
	Rel     string
	URL     string
	Cursor  string
	Results bool
}

// parseLink reads a Sentry Link header: entries separated by ",", each
// "<url>; rel=\"next\"; results=\"true\"; cursor=\"0:100:0\"".
func parseLink(h string) map[string]Cursor {
	out := map[string]Cursor{}
	for _, part := range splitLink(h) {
		part = strings.TrimSpace(part)
		if !strings.HasPrefix(part, "<") {
			continue
		}
		end := strings.Index(part, ">")
		if end < 0 {
			continue
		}
		cur := Cursor{URL: part[1:end]}
		for _, p := range strings.Split(part[end+1:], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok {
				continue
			}
			v = strings.Trim(strings.TrimSpace(v), `"`)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "rel":
				cur.Rel = v
			case "results":
				cur.Results = v == "true"
			case "cursor":
				cur.Cursor = v
			}
		}
		if cur.Rel != "" {
			out[cur.Rel] = cur
		}
	}
	return out
}

// splitLink splits on commas outside <…> (URLs may contain commas).
func splitLink(h string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range h {
		switch r {
		case '<':
			depth++
		case '>':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				parts = append(parts, h[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, h[start:])
}

// hostKind says which host serves an endpoint (§2.3 of the reference).
type hostKind int

const (
	controlHost hostKind = iota // the configured base (sentry.io or self-hosted)
	regionHost                  // the org's region (us.sentry.io, de.sentry.io) when known
)

type request struct {
	host  hostKind
	path  string // after /api/0/, with trailing slash
	query url.Values
	scope string // scope the endpoint needs, for 403 messages
	// required are the JSON Pointer patterns (see wire.DecodeLenient) of
	// the values a view cannot work without; any other value of an
	// unexpected type is dropped with a debug note.
	required []string
}

// get performs a GET with retries and decodes the JSON answer into out.
func (c *Client) get(ctx context.Context, r request, out any) (*Response, error) {
	base := c.base
	if r.host == regionHost {
		var err error
		if base, err = c.regionBase(ctx); err != nil {
			return nil, err
		}
	}
	u := *base
	u.Path = base.Path + "/api/0/" + strings.TrimPrefix(r.path, "/")
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	resp, _, err := c.do(ctx, &u, r, out)
	return resp, err
}

// do runs the request loop: network errors and 5xx retry with backoff and
// jitter (GET only: every call of this client is an idempotent read), as
// long as the request's time budget (TotalTimeout) lasts; 429 waits until
// the limit resets (capped); other statuses become typed errors. A slow
// request is reported through Progress. A 2xx answer is decoded into out
// (when not nil) as it arrives.
func (c *Client) do(ctx context.Context, u *url.URL, r request, out any) (*Response, []byte, error) {
	retries, rateLimited := 0, 0
	w := c.watch(u)
	defer w.done()
	var started time.Time // when the first attempt got its turn
	for {
		w.attempt(retries + rateLimited + 1)
		resp, body, err := c.once(ctx, u, &started, w, r, out)
		var bad *APIError
		var big *BodyLimitError
		if errors.As(err, &bad) || errors.As(err, &big) {
			return resp, nil, err // a body of the wrong shape or size: another attempt gets the same
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			spent := time.Since(started)
			if permanent(err) {
				return nil, nil, fmt.Errorf("sentry: GET %s: %w (check the Sentry URL %s and the network; not retried)", u.Path, err, c.base)
			}
			d := c.backoff(retries + 1)
			if retries < c.maxRetries && spent+d < c.total {
				retries++
				c.notify(fmt.Sprintf("network error on %s (%v); retry %d/%d in %s", u.Path, shortErr(err), retries, c.maxRetries, d.Round(time.Millisecond)))
				if err := c.sleep(ctx, d); err != nil {
					return nil, nil, err
				}
				continue
			}
			var se *StallError
			if errors.As(err, &se) {
				return nil, nil, fmt.Errorf("sentry: GET %s: %w (%s over %s; Sentry or the network is stalled: try again later, or give each attempt longer with --timeout)",
					u.Path, err, plural(retries+1, "attempt"), spent.Round(time.Second))
			}
			return nil, nil, fmt.Errorf("sentry: GET %s: %w (after %s; check the network and the Sentry URL %s)", u.Path, err, plural(retries+1, "attempt"), c.base)
		}
		switch st := resp.StatusCode; {
		case st == http.StatusTooManyRequests:
			wait, why := rateLimitWait(resp.Header, time.Now(), c.backoff(rateLimited+1))
			if wait > c.maxRLWait || rateLimited >= 5 {
				e := c.apiError(resp, u, body, r)
				e.Hint = fmt.Sprintf("Sentry asks to wait %s (%s), longer than tracehound waits (%s); try again later.", wait.Round(time.Second), why, c.maxRLWait)
				if rateLimited >= 5 {
					e.Hint = fmt.Sprintf("Still rate limited after %d waits; try again later.", rateLimited)
				}
				return resp, nil, &RateLimitError{APIError: *e, Wait: wait}
			}
			rateLimited++
			c.notify(fmt.Sprintf("rate limited by Sentry on %s; waiting %s (%s)", u.Path, wait.Round(100*time.Millisecond), why))
			if err := c.sleep(ctx, wait); err != nil {
				return nil, nil, err
			}
			continue
		case retryableStatus(st) && retries < c.maxRetries && time.Since(started)+c.backoff(retries+1) < c.total:
			retries++
			d := c.backoff(retries)
			c.notify(fmt.Sprintf("Sentry answered %d on %s; retry %d/%d in %s", st, u.Path, retries, c.maxRetries, d.Round(time.Millisecond)))
			if err := c.sleep(ctx, d); err != nil {
				return nil, nil, err
			}
			continue
		case st >= 400:
			return resp, nil, c.apiError(resp, u, body, r)
		case st >= 300:
			e := c.apiError(resp, u, body, r)
			e.Class, e.Hint = ErrBadResponse, "Unexpected redirect; check the Sentry URL."
			return resp, nil, e
		}
		return resp, body, nil
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func shortErr(err error) string {
	var se *StallError
	if errors.As(err, &se) {
		return se.Error()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "response cut short"
	}
	return err.Error()
}

// once performs one attempt: it reads the body of an error status whole,
// and decodes a 2xx body into out as it arrives (see readAnswer). The
// attempt ends with a *StallError when no headers arrive within the
// timeout, or when the body stops for that long; a body that keeps coming
// is read to the end (up to MaxBodyBytes), however long that takes.
func (c *Client) once(ctx context.Context, u *url.URL, started *time.Time, w *watcher, r request, out any) (*Response, []byte, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	if started.IsZero() {
		*started = time.Now()
	}
	timeout := c.timeout
	if left := c.total - time.Since(*started); left < timeout {
		timeout = max(left, time.Second)
	}

	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var got atomic.Int64 // body bytes so far
	headers := atomic.Bool{}
	headers.Store(true)
	stall := time.AfterFunc(timeout, func() {
		cancel(&StallError{Headers: headers.Load(), After: timeout, Bytes: got.Load()})
	})
	defer stall.Stop()
	stalled := func(err error) error {
		var se *StallError
		if cause := context.Cause(actx); errors.As(cause, &se) && ctx.Err() == nil {
			return se
		}
		return err
	}

	req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	start := time.Now()
	hr, err := c.http.Do(req)
	if err != nil {
		err = stalled(unwrapURLError(err))
		c.debug(fmt.Sprintf("GET %s: %v", redactURL(u), err))
		return nil, nil, err
	}
	defer hr.Body.Close()
	headers.Store(false)
	stall.Reset(timeout)
	if hr.ContentLength > c.maxBody {
		return nil, nil, &BodyLimitError{Path: u.Path, Size: hr.ContentLength, Limit: c.maxBody}
	}
	if hr.ContentLength > c.warnBody {
		c.notify(fmt.Sprintf("downloading %s from %s; this may take a while", sizeText(hr.ContentLength), u.Path))
	}
	w.total(hr.ContentLength)
	resp := &Response{StatusCode: hr.StatusCode, Header: hr.Header, Host: u.Host}
	body := c.newBodyReader(hr.Body, u, hr.ContentLength, func(n int64) {
		got.Store(n)
		w.bytes(n)
		stall.Reset(timeout)
	})
	var data []byte
	if out != nil && hr.StatusCode/100 == 2 {
		err = c.readAnswer(resp, u, body, out, r.required, w)
	} else {
		data, err = body.readAll()
	}
	c.debug(fmt.Sprintf("GET %s → %d (%s, %s)", redactURL(u), hr.StatusCode, sizeText(body.n), time.Since(start).Round(time.Millisecond)))
	if err != nil && body.err != nil {
		// The reading failed, not the decoding: a network error.
		err = body.err
		if errors.Is(err, io.EOF) || strings.Contains(err.Error(), "unexpected EOF") {
			err = io.ErrUnexpectedEOF
		}
		var big *BodyLimitError
		if errors.As(err, &big) {
			return nil, nil, err
		}
		return nil, nil, stalled(unwrapURLError(err))
	}
	if err != nil {
		return resp, nil, err
	}
	return resp, data, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func redactURL(u *url.URL) string {
	v := *u
	v.User = nil
	return v.String()
}

// apiError builds the typed error for a non-2xx answer.
func (c *Client) apiError(resp *Response, u *url.URL, body []byte, r request) *APIError {
	class := classify(resp.StatusCode)
	e := &APIError{Class: class, StatusCode: resp.StatusCode, Method: http.MethodGet, Path: u.Path, Host: u.Host}
	e.Detail = errorDetail(resp, body)
	if class == ErrForbidden {
		e.Scope = r.scope
	}
	if class == ErrRateLimited {
		if v := resp.Header.Get("X-Sentry-Rate-Limit-Reset"); v != "" {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				e.Reset = time.Unix(int64(f), 0)
			}
		}
	}
	if isHTML(resp, body) {
		e.Detail = "an HTML page instead of JSON"
		e.Hint = htmlHint(c.base)
	} else {
		e.Hint = c.hint(class, e.Scope)
	}
	return e
}

// errorDetail extracts Sentry's message: {"detail": "…"}, a bare JSON
// string (429), or {"field": ["msg"]} validation errors.
func errorDetail(resp *Response, body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		if resp.StatusCode == 404 {
			return "empty answer (the resource does not exist or a feature is not enabled)"
		}
		return ""
	}
	if isHTML(resp, body) {
		return ""
	}
	var s string
	if body[0] == '"' && wire.Decode(body, &s) == nil {
		return clip(s, 300)
	}
	var obj map[string]wire.Raw
	if body[0] == '{' && wire.Decode(body, &obj) == nil {
		if d, ok := obj["detail"]; ok {
			return clip(wire.RawText(d), 300)
		}
		var parts []string
		for k, v := range obj {
			parts = append(parts, k+": "+wire.RawText(v))
		}
		if len(parts) > 0 {
			return clip(strings.Join(parts, "; "), 300)
		}
	}
	return clip(string(body), 200)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func isHTML(resp *Response, body []byte) bool {
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	if strings.Contains(ct, "text/html") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

func htmlHint(base *url.URL) string {
	return "Sentry should answer with JSON. Is the URL (" + base.String() + ") the base of a Sentry server (https://sentry.io or https://sentry.example.com), not a web page or a proxy's login page?"
}
