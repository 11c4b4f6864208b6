package sentryapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
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
	Timeout          time.Duration     // per attempt, headers and body; default 60s
	MaxRetries       int               // retries of a GET on network errors and 5xx; default 3, <0 none
	MaxRateLimitWait time.Duration     // longest single wait on a 429; default 60s
	Concurrency      int               // requests in flight at once; default 8
	MaxBodyBytes     int64             // largest body accepted; default 512 MiB
	RetryBackoff     time.Duration     // first retry's backoff, doubling up to 10s; default 500ms

	// Notify receives what the user should know while waiting (rate-limit
	// waits, retries). Debug receives one line per request (method, URL
	// without credentials, status, duration). Both may be nil.
	Notify func(string)
	Debug  func(string)
}

// Client talks to one Sentry organization. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	org     string
	token   string
	http    *http.Client
	ua      string
	timeout time.Duration

	maxRetries  int
	maxRLWait   time.Duration
	maxBody     int64
	sem         chan struct{}
	notify      func(string)
	debug       func(string)
	backoffBase time.Duration
	sleep       func(context.Context, time.Duration) error

	regionMu  sync.Mutex
	region    *url.URL // resolved org-scoped host; nil until known
	regionErr error
	org0      *wire.Organization
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
		maxRetries:  opts.MaxRetries,
		maxRLWait:   opts.MaxRateLimitWait,
		maxBody:     opts.MaxBodyBytes,
		notify:      opts.Notify,
		debug:       opts.Debug,
		backoffBase: opts.RetryBackoff,
		sleep:       sleepCtx,
	}
	if c.ua == "" {
		c.ua = "tracehound/" + Version + " (+https://github.com/tracehound/tracehound)"
	}
	if c.timeout <= 0 {
		c.timeout = 60 * time.Second
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
	resp, body, err := c.do(ctx, &u, r)
	if err != nil {
		return resp, err
	}
	if out != nil {
		if err := c.decodeBody(resp, &u, body, out, r.required); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// do runs the request loop: network errors and 5xx retry with backoff and
// jitter; 429 waits until the limit resets (capped); other statuses become
// typed errors.
func (c *Client) do(ctx context.Context, u *url.URL, r request) (*Response, []byte, error) {
	retries, rateLimited := 0, 0
	for {
		resp, body, err := c.once(ctx, u)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if retries < c.maxRetries {
				retries++
				d := c.backoff(retries)
				c.notify(fmt.Sprintf("network error on %s (%v); retry %d/%d in %s", u.Path, shortErr(err), retries, c.maxRetries, d.Round(time.Millisecond)))
				if err := c.sleep(ctx, d); err != nil {
					return nil, nil, err
				}
				continue
			}
			return nil, nil, fmt.Errorf("sentry: GET %s: %w (after %d attempts; check the network and the Sentry URL %s)", u.Path, err, retries+1, c.base)
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
		case retryableStatus(st) && retries < c.maxRetries:
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

func retryableStatus(st int) bool {
	switch st {
	case 408, 500, 502, 503, 504, 507, 520, 522, 524:
		return true
	}
	return false
}

func shortErr(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "response cut short"
	}
	return err.Error()
}

// once performs one attempt and reads the whole body.
func (c *Client) once(ctx context.Context, u *url.URL) (*Response, []byte, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	defer func() { <-c.sem }()

	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
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
		c.debug(fmt.Sprintf("GET %s: %v", redactURL(u), err))
		return nil, nil, unwrapURLError(err)
	}
	defer hr.Body.Close()
	body, err := io.ReadAll(io.LimitReader(hr.Body, c.maxBody+1))
	c.debug(fmt.Sprintf("GET %s → %d (%d bytes, %s)", redactURL(u), hr.StatusCode, len(body), time.Since(start).Round(time.Millisecond)))
	if err != nil {
		if errors.Is(err, io.EOF) || strings.Contains(err.Error(), "unexpected EOF") {
			err = io.ErrUnexpectedEOF
		}
		return nil, nil, unwrapURLError(err)
	}
	if int64(len(body)) > c.maxBody {
		return nil, nil, fmt.Errorf("response of %s is larger than %d MiB; refusing to load it", u.Path, c.maxBody>>20)
	}
	if hr.ContentLength > 0 && int64(len(body)) < hr.ContentLength {
		return nil, nil, io.ErrUnexpectedEOF
	}
	return &Response{StatusCode: hr.StatusCode, Header: hr.Header, Host: u.Host}, body, nil
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

func (c *Client) backoff(attempt int) time.Duration {
	d := c.backoffBase << min(attempt-1, 5)
	if d > 10*time.Second {
		d = 10 * time.Second
	}
	// Full jitter in [d/2, d].
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// rateLimitWait reads how long to wait on a 429: X-Sentry-Rate-Limit-Reset
// (epoch seconds), else Retry-After (seconds or HTTP date), else fallback.
func rateLimitWait(h http.Header, now time.Time, fallback time.Duration) (time.Duration, string) {
	if v := h.Get("X-Sentry-Rate-Limit-Reset"); v != "" {
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			reset := time.Unix(0, int64(f*1e9))
			d := reset.Sub(now)
			if d < 0 {
				d = 0
			}
			return d + 100*time.Millisecond, "until the limit resets at " + reset.UTC().Format("15:04:05 UTC")
		}
	}
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, "Retry-After " + v + "s"
		}
		if t, err := http.ParseTime(v); err == nil {
			d := t.Sub(now)
			if d < 0 {
				d = 0
			}
			return d, "Retry-After " + v
		}
	}
	return fallback, "no reset header; backing off"
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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

// decodeBody decodes a 2xx body, turning the usual impostors (HTML pages,
// bare JSON strings, empty bodies) into clear errors.
func (c *Client) decodeBody(resp *Response, u *url.URL, body []byte, out any, required []string) error {
	bad := func(detail, hint string) error {
		return &APIError{Class: ErrBadResponse, StatusCode: resp.StatusCode, Method: http.MethodGet, Path: u.Path, Host: u.Host, Detail: detail, Hint: hint}
	}
	b := bytes.TrimSpace(body)
	switch {
	case len(b) == 0:
		return bad("empty body", "Sentry sent no data; a feature may be disabled for this organization.")
	case isHTML(resp, b):
		return bad("an HTML page instead of JSON", htmlHint(c.base))
	case b[0] == '"':
		var s string
		_ = wire.Decode(b, &s)
		return bad("a message instead of data: "+strconv.Quote(clip(s, 200)), "")
	}
	dropped, err := wire.DecodeLenient(b, out, required...)
	for _, d := range dropped {
		c.debug(fmt.Sprintf("GET %s: %s (a field tracehound can do without)", u.Path, d))
	}
	if ev, ok := out.(*wire.Event); ok && err == nil {
		for i, en := range ev.Entries {
			for _, d := range en.Dropped {
				d.Pointer = fmt.Sprintf("/entries/%d/data%s", i, d.Pointer)
				c.debug(fmt.Sprintf("GET %s: %s (a field tracehound can do without)", u.Path, d))
			}
			if en.DecodeError != "" {
				c.debug(fmt.Sprintf("GET %s: entry %d: %s", u.Path, i, en.DecodeError))
			}
		}
	}
	if err != nil {
		return bad("the JSON does not have the expected shape: "+clip(err.Error(), 300), "This may be an older or newer Sentry; run with --debug and report it.")
	}
	return nil
}

// regionBase returns the host for org-scoped calls: links.regionUrl of the
// organization, fetched once from the control host. Self-hosted servers send
// no region and keep the base URL. A region on a foreign host is ignored so
// the token never leaves the configured Sentry.
func (c *Client) regionBase(ctx context.Context) (*url.URL, error) {
	c.regionMu.Lock()
	defer c.regionMu.Unlock()
	if c.region != nil {
		return c.region, nil
	}
	if c.org == "" {
		return nil, errors.New("no organization configured: pass --org, set SENTRY_ORG, add [defaults] org to .sentryclirc, or paste an issue URL")
	}
	org, err := c.fetchOrg(ctx)
	if err != nil {
		// Auth problems must surface; anything else falls back to the
		// base URL, as other Sentry clients do.
		if errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotFound) || ctx.Err() != nil {
			return nil, err
		}
		c.notify(fmt.Sprintf("could not discover the organization's region (%v); using %s", shortErr(err), c.base))
		return c.base, nil
	}
	c.region = c.base
	if r := org.Links.RegionURL; r != "" {
		if u, err := parseBaseURL(r); err == nil && sameSentry(c.base, u) {
			c.region = u
		} else {
			c.debug(fmt.Sprintf("ignoring region URL %q: not the configured Sentry", r))
		}
	}
	return c.region, nil
}

// sameSentry reports whether region may receive the token meant for base:
// the same host name, or a *.sentry.io host over https for SaaS.
func sameSentry(base, region *url.URL) bool {
	if strings.EqualFold(base.Hostname(), region.Hostname()) {
		return true
	}
	return isSaaSHost(base.Hostname()) && isSaaSHost(region.Hostname()) && region.Scheme == "https"
}

func isSaaSHost(h string) bool {
	h = strings.ToLower(h)
	return h == "sentry.io" || strings.HasSuffix(h, ".sentry.io")
}

func (c *Client) fetchOrg(ctx context.Context) (*wire.Organization, error) {
	if c.org0 != nil {
		return c.org0, nil
	}
	var org wire.Organization
	if _, err := c.get(ctx, request{host: controlHost, path: "organizations/" + url.PathEscape(c.org) + "/", scope: "org:read"}, &org); err != nil {
		return nil, err
	}
	c.org0 = &org
	return &org, nil
}
