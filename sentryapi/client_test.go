package sentryapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
)

const (
	traceID    = localtest.TraceID
	errEventID = localtest.ErrorEventID
	oldEventID = localtest.OldEventID
	txnID      = localtest.TransactionID
	profileID  = localtest.ProfileID
	profilerID = localtest.ProfilerID
	token      = "sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
)

func testDataset() fstest.MapFS { return localtest.Dataset() }

type harness struct {
	srv    *local.Server
	client *sentryapi.Client
	notes  []string
}

// newHarness serves testDataset in-process (httpServer false) or on a
// loopback port (true), and returns a client with fast retries.
func newHarness(t *testing.T, httpServer bool, srvOpts []local.Option, mod func(*sentryapi.Options)) *harness {
	t.Helper()
	srv, err := local.New(testDataset(), srvOpts...)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{srv: srv}
	opts := sentryapi.Options{Org: "acme", Token: token, RetryBackoff: time.Millisecond, MaxRateLimitWait: 5 * time.Second,
		Notify: func(s string) { h.notes = append(h.notes, s) }}
	if httpServer {
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		opts.BaseURL = hs.URL
	} else {
		opts.BaseURL = "http://sentry.test"
		opts.Transport = srv.Transport()
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := sentryapi.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	return h
}

func TestClientEndpoints(t *testing.T) {
	for _, httpServer := range []bool{false, true} {
		name := "in-process"
		if httpServer {
			name = "loopback"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, httpServer, []local.Option{local.WithPerPage(2)}, nil)
			c, ctx := h.client, context.Background()

			org, err := c.Organization(ctx)
			if err != nil || org.Slug != "acme" {
				t.Fatalf("Organization = %+v, %v", org, err)
			}
			projects, err := c.Projects(ctx)
			if err != nil || len(projects) != 3 || projects[2].Slug != "worker" {
				t.Fatalf("Projects (paginated by 2) = %+v, %v", projects, err)
			}
			for _, id := range []string{"100", "BACKEND-1AB", "backend-1ab"} {
				is, err := c.Issue(ctx, id)
				if err != nil || is.ShortID != "BACKEND-1AB" || is.Count != "7" || is.UserCount != 3 {
					t.Fatalf("Issue(%s) = %+v, %v", id, is, err)
				}
				if _, ok := is.Extra["unknownField"]; !ok {
					t.Errorf("Issue(%s): unknown field lost", id)
				}
			}
			lk, err := c.ResolveShortID(ctx, "BACKEND-1AB")
			if err != nil || lk.ProjectSlug != "backend" || lk.GroupID != "100" || lk.Group == nil {
				t.Fatalf("ResolveShortID = %+v, %v", lk, err)
			}
			for which, want := range map[string]string{"recommended": errEventID, "latest": errEventID, "oldest": oldEventID, oldEventID: oldEventID} {
				ev, err := c.IssueEvent(ctx, "100", which)
				if err != nil || ev.EventID != want {
					t.Fatalf("IssueEvent(%s) = %v, %v; want %s", which, ev, err, want)
				}
			}
			ev, err := c.RecommendedEvent(ctx, "100")
			if err != nil || ev.TraceID() != traceID {
				t.Fatalf("RecommendedEvent = %v, %v", ev, err)
			}
			ex := ev.Exception()
			if ex == nil || len(ex.Values) != 1 || ex.Values[0].Stacktrace.Frames[0].LineNo != 42 || len(ex.Values[0].Stacktrace.Frames[0].Context) != 2 {
				t.Fatalf("exception not decoded: %+v", ex)
			}
			if en := ev.Entry("made-up-entry"); en == nil || !strings.Contains(string(en.Data), "anything") {
				t.Errorf("unknown entry type lost: %+v", en)
			}
			evs, err := c.IssueEvents(ctx, "100", true, 0)
			if err != nil || len(evs) != 2 || evs[0].EventID != errEventID {
				t.Fatalf("IssueEvents = %d events, %v", len(evs), err)
			}
			tev, err := c.Event(ctx, "backend", txnID)
			if err != nil || len(tev.Spans()) != 1 || tev.Spans()[0].Timestamp == 0 || tev.Contexts.Profile.ProfileID != profileID {
				t.Fatalf("Event(txn) = %+v, %v", tev, err)
			}
			elk, err := c.ResolveEventID(ctx, errEventID)
			if err != nil || elk.ProjectSlug != "backend" || elk.GroupID != "100" {
				t.Fatalf("ResolveEventID = %+v, %v", elk, err)
			}
			batch, errs := c.Events(ctx, []sentryapi.EventRef{{"backend", errEventID}, {"backend", "ffffffffffffffffffffffffffffffff"}, {"backend", txnID}})
			if errs[0] != nil || errs[2] != nil || batch[2].Type != "transaction" || !errors.Is(errs[1], sentryapi.ErrNotFound) {
				t.Fatalf("Events batch: %v", errs)
			}
			tr, err := c.Trace(ctx, traceID, sentryapi.TraceOptions{})
			if err != nil || tr.Legacy || len(tr.Items) != 1 || len(tr.Items[0].Children[0].Errors) != 1 {
				t.Fatalf("Trace = %+v, %v", tr, err)
			}
			if tr.Items[0].ParentSpanID != "" || tr.Items[0].ProjectID != 11 {
				t.Errorf("trace root = %+v", tr.Items[0])
			}
			meta, err := c.TraceMeta(ctx, traceID, sentryapi.TraceOptions{})
			if err != nil || meta.Errors() != 1 || meta.Spans() != 2 {
				t.Fatalf("TraceMeta = %+v, %v", meta, err)
			}
			p, err := c.Profile(ctx, "backend", profileID)
			if err != nil || len(p.Profile.Samples) != 2 || p.Profile.Samples[1].ThreadID.String() != "1" || p.MainTransaction().ActiveThreadID.String() != "1" {
				t.Fatalf("Profile = %+v, %v", p, err)
			}
			start, end := wire.Timestamp(1763608327.0).Time(), wire.Timestamp(1763608327.5).Time()
			ch, err := c.ProfileChunk(ctx, "11", profilerID, start, end)
			if err != nil || len(ch.Profile.Samples) != 2 {
				t.Fatalf("ProfileChunk = %+v, %v (want the 2 samples inside the window)", ch, err)
			}
			if _, err := c.ProfileChunk(ctx, "backend", profilerID, start, end); err == nil {
				t.Errorf("ProfileChunk with a slug should be refused")
			}
			repos, err := c.Repos(ctx)
			if err != nil || len(repos) != 1 || repos[0].Name != "acme/backend" {
				t.Fatalf("Repos = %+v, %v", repos, err)
			}
			maps, err := c.CodeMappings(ctx, "11")
			if err != nil || len(maps) != 1 || maps[0].StackRoot != "app/" {
				t.Fatalf("CodeMappings = %+v, %v", maps, err)
			}
			for _, r := range h.srv.Requests() {
				if !r.Auth {
					t.Errorf("request %s without Authorization header", r.Path)
				}
			}
		})
	}
}

func TestClientTraceFallsBackToLegacy(t *testing.T) {
	h := newHarness(t, false, []local.Option{local.WithFaults(local.Fault{Path: "/trace/" + traceID, Status: 404})}, nil)
	tr, err := h.client.Trace(context.Background(), traceID, sentryapi.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Legacy || len(tr.Items) != 1 || !tr.Items[0].IsTransaction || tr.Items[0].TransactionID != txnID {
		t.Fatalf("legacy trace = %+v", tr)
	}
	if len(tr.Items[0].Errors) != 1 || tr.Items[0].Errors[0].EventID != errEventID {
		t.Fatalf("legacy trace errors = %+v", tr.Items[0].Errors)
	}
	// An empty array also falls back.
	h = newHarness(t, false, []local.Option{local.WithFaults(local.Fault{Path: "/trace/" + traceID, Body: "[]"})}, nil)
	tr, err = h.client.Trace(context.Background(), traceID, sentryapi.TraceOptions{})
	if err != nil || !tr.Legacy {
		t.Fatalf("empty /trace/ did not fall back: %+v, %v", tr, err)
	}
}

func TestClientErrorClasses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		srvOpts  []local.Option
		call     func(c *sentryapi.Client) error
		class    error
		contains []string
	}{
		{"unauthorized", []local.Option{local.WithToken("another-token")},
			func(c *sentryapi.Client) error { _, err := c.Issue(ctx, "100"); return err },
			sentryapi.ErrUnauthorized, []string{"401", "token was rejected"}},
		{"forbidden names the scope", []local.Option{local.WithScopes("org:read", "project:read")},
			func(c *sentryapi.Client) error { _, err := c.Issue(ctx, "100"); return err },
			sentryapi.ErrForbidden, []string{"403", "event:read"}},
		{"not found", nil,
			func(c *sentryapi.Client) error { _, err := c.Issue(ctx, "999"); return err },
			sentryapi.ErrNotFound, []string{"404", "organization"}},
		{"no such org", nil,
			func(c *sentryapi.Client) error { _, err := c.Event(ctx, "nope", errEventID); return err },
			sentryapi.ErrNotFound, []string{"404"}},
		{"html page", []local.Option{local.WithFaults(local.Fault{Path: "/issues/", HTML: true})},
			func(c *sentryapi.Client) error { _, err := c.Issue(ctx, "100"); return err },
			sentryapi.ErrBadResponse, []string{"HTML", "base of a Sentry server"}},
		{"html error page", []local.Option{local.WithFaults(local.Fault{Path: "/issues/", HTML: true, Status: 403})},
			func(c *sentryapi.Client) error { _, err := c.Issue(ctx, "100"); return err },
			sentryapi.ErrForbidden, []string{"HTML"}},
		{"bare JSON string", []local.Option{local.WithFaults(local.Fault{Path: "/issues/", Body: `"Internal maintenance"`})},
			func(c *sentryapi.Client) error { _, err := c.Issue(ctx, "100"); return err },
			sentryapi.ErrBadResponse, []string{"a message instead of data", "Internal maintenance"}},
		{"wrong shape", []local.Option{local.WithFaults(local.Fault{Path: "/issues/", Body: `[1,2,3]`})},
			func(c *sentryapi.Client) error { _, err := c.Issue(ctx, "100"); return err },
			sentryapi.ErrBadResponse, []string{"expected shape"}},
		{"empty body", []local.Option{local.WithFaults(local.Fault{Path: "/issues/", Status: 200, ContentType: "application/json"})},
			func(c *sentryapi.Client) error { _, err := c.Issue(ctx, "100"); return err },
			sentryapi.ErrBadResponse, []string{"empty body"}},
		{"server error after retries", []local.Option{local.WithFaults(local.Fault{Path: "/issues/", Status: 503, Body: `{"detail":"down"}`})},
			func(c *sentryapi.Client) error { _, err := c.Issue(ctx, "100"); return err },
			sentryapi.ErrServer, []string{"503", "down", "try again"}},
		{"validation error", []local.Option{local.WithFaults(local.Fault{Path: "/issues/", Status: 400, Body: `{"query":["bad query"]}`})},
			func(c *sentryapi.Client) error { _, err := c.Issue(ctx, "100"); return err },
			sentryapi.ErrBadRequest, []string{"query: [\"bad query\"]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, false, tt.srvOpts, nil)
			err := tt.call(h.client)
			if !errors.Is(err, tt.class) {
				t.Fatalf("error = %v, want class %v", err, tt.class)
			}
			var apiErr *sentryapi.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if strings.Contains(err.Error(), token) || strings.Contains(strings.Join(h.notes, "\n"), token) {
				t.Errorf("the token leaked into an error or a notice")
			}
		})
	}
}

func TestClientRetries(t *testing.T) {
	ctx := context.Background()
	count := func(h *harness, sub string) int {
		n := 0
		for _, r := range h.srv.Requests() {
			if strings.Contains(r.Path, sub) {
				n++
			}
		}
		return n
	}
	t.Run("5xx then success", func(t *testing.T) {
		h := newHarness(t, false, []local.Option{local.WithFaults(local.Fault{Path: "/issues/100/", Status: 502, Times: 2})}, nil)
		if _, err := h.client.Issue(ctx, "100"); err != nil {
			t.Fatal(err)
		}
		if n := count(h, "/issues/100/"); n != 3 {
			t.Errorf("%d requests, want 3 (two 502 then success)", n)
		}
	})
	t.Run("gives up after MaxRetries", func(t *testing.T) {
		h := newHarness(t, false, []local.Option{local.WithFaults(local.Fault{Path: "/issues/100/", Status: 500})}, func(o *sentryapi.Options) { o.MaxRetries = 2 })
		_, err := h.client.Issue(ctx, "100")
		if !errors.Is(err, sentryapi.ErrServer) {
			t.Fatal(err)
		}
		if n := count(h, "/issues/100/"); n != 3 {
			t.Errorf("%d requests, want 3 (1 + 2 retries)", n)
		}
	})
	t.Run("4xx is not retried", func(t *testing.T) {
		h := newHarness(t, false, nil, nil)
		if _, err := h.client.Issue(ctx, "404404"); !errors.Is(err, sentryapi.ErrNotFound) {
			t.Fatal(err)
		}
		if n := count(h, "/issues/404404/"); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("truncated body is retried", func(t *testing.T) {
		for _, httpServer := range []bool{false, true} {
			h := newHarness(t, httpServer, []local.Option{local.WithFaults(local.Fault{Path: "/trace/", TruncateAt: 20, Times: 1})}, nil)
			tr, err := h.client.Trace(ctx, traceID, sentryapi.TraceOptions{})
			if err != nil || len(tr.Items) != 1 {
				t.Fatalf("http=%v: %v", httpServer, err)
			}
			if n := count(h, "/trace/"); n != 2 {
				t.Errorf("http=%v: %d requests, want 2", httpServer, n)
			}
			if len(h.notes) == 0 || !strings.Contains(h.notes[0], "cut short") {
				t.Errorf("http=%v: no notice about the cut response: %q", httpServer, h.notes)
			}
		}
	})
	t.Run("always truncated fails clearly", func(t *testing.T) {
		h := newHarness(t, false, []local.Option{local.WithFaults(local.Fault{Path: "/trace/", TruncateAt: 20})}, func(o *sentryapi.Options) { o.MaxRetries = 1 })
		_, err := h.client.Trace(ctx, traceID, sentryapi.TraceOptions{})
		if err == nil || !strings.Contains(err.Error(), "unexpected EOF") || !strings.Contains(err.Error(), "2 attempts") {
			t.Fatalf("error = %v", err)
		}
	})
}

func TestClientRateLimit(t *testing.T) {
	ctx := context.Background()
	t.Run("waits until the reset header", func(t *testing.T) {
		h := newHarness(t, false, []local.Option{local.WithFaults(local.Fault{Path: "/issues/", RateLimitReset: time.Second, Times: 1})}, nil)
		start := time.Now()
		if _, err := h.client.Issue(ctx, "100"); err != nil {
			t.Fatal(err)
		}
		// The reset is in whole epoch seconds: the wait is between a few
		// milliseconds and two seconds. It must have waited, not hammered.
		if len(h.notes) != 1 || !strings.Contains(h.notes[0], "rate limited") || !strings.Contains(h.notes[0], "resets at") {
			t.Errorf("notes = %q, want one rate-limit notice naming the reset", h.notes)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("waited %s", time.Since(start))
		}
	})
	t.Run("Retry-After", func(t *testing.T) {
		h := newHarness(t, false, []local.Option{local.WithFaults(local.Fault{Path: "/issues/", RetryAfter: time.Second, Times: 1})}, nil)
		if _, err := h.client.Issue(ctx, "100"); err != nil {
			t.Fatal(err)
		}
		if len(h.notes) != 1 || !strings.Contains(h.notes[0], "Retry-After") {
			t.Errorf("notes = %q", h.notes)
		}
	})
	t.Run("too long a wait is an error at once", func(t *testing.T) {
		h := newHarness(t, false, []local.Option{local.WithFaults(local.Fault{Path: "/issues/", RateLimitReset: time.Hour})}, nil)
		start := time.Now()
		_, err := h.client.Issue(ctx, "100")
		var rl *sentryapi.RateLimitError
		if !errors.As(err, &rl) || !errors.Is(err, sentryapi.ErrRateLimited) {
			t.Fatalf("error = %v", err)
		}
		if rl.Wait < 50*time.Minute || !strings.Contains(err.Error(), "try again later") || !strings.Contains(err.Error(), "too frequently") {
			t.Errorf("error = %v (wait %s)", err, rl.Wait)
		}
		if time.Since(start) > time.Second {
			t.Errorf("it waited %s before giving up", time.Since(start))
		}
	})
}

func TestClientCancellation(t *testing.T) {
	for _, httpServer := range []bool{false, true} {
		h := newHarness(t, httpServer, []local.Option{local.WithFaults(local.Fault{Path: "/issues/", Latency: 10 * time.Second})}, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		start := time.Now()
		_, err := h.client.Issue(ctx, "100")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("http=%v: error = %v, want the context's", httpServer, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("http=%v: cancellation took %s", httpServer, d)
		}
	}
	// Cancelled during a backoff sleep.
	h := newHarness(t, false, []local.Option{local.WithFaults(local.Fault{Path: "/issues/", Status: 503})}, func(o *sentryapi.Options) { o.RetryBackoff = 10 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := h.client.Issue(ctx, "100"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v", err)
	}
}

func TestClientRegion(t *testing.T) {
	region, err := local.New(testDataset())
	if err != nil {
		t.Fatal(err)
	}
	regionSrv := httptest.NewServer(region)
	defer regionSrv.Close()
	// The region is on the same host name (127.0.0.1), another port.
	control, err := local.New(testDataset(), local.WithRegionURL(regionSrv.URL))
	if err != nil {
		t.Fatal(err)
	}
	controlSrv := httptest.NewServer(control)
	defer controlSrv.Close()
	c, err := sentryapi.New(sentryapi.Options{BaseURL: controlSrv.URL, Org: "acme", Token: token})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 {
		if _, err := c.Issue(ctx, "100"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Trace(ctx, traceID, sentryapi.TraceOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := len(control.Requests()); n != 1 || !strings.HasSuffix(control.Requests()[0].Path, "/organizations/acme/") {
		t.Errorf("control host got %d requests (%+v), want only the organization", n, control.Requests())
	}
	if n := len(region.Requests()); n != 3 {
		t.Errorf("region host got %d requests, want 3", n)
	}

	// A region on a foreign host is ignored: the token stays home.
	control2, _ := local.New(testDataset(), local.WithRegionURL("http://evil.example.com"))
	srv2 := httptest.NewServer(control2)
	defer srv2.Close()
	c2, _ := sentryapi.New(sentryapi.Options{BaseURL: srv2.URL, Org: "acme", Token: token})
	if _, err := c2.Issue(ctx, "100"); err != nil {
		t.Fatalf("foreign region: %v", err)
	}
	if n := len(control2.Requests()); n != 2 {
		t.Errorf("foreign region: control got %d requests, want 2", n)
	}
}

func TestClientPaginationStops(t *testing.T) {
	// A server that always claims a next page with results="false" must
	// not be followed; one that always says results="true" is capped.
	var hits int
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/0/organizations/acme/" {
			w.Write([]byte(`{"id":"1","slug":"acme","links":{"regionUrl":""}}`))
			return
		}
		hits++
		results := "false"
		if r.URL.Query().Get("forever") != "" || strings.Contains(r.URL.Path, "repos") {
			results = "true"
		}
		w.Header().Set("Link", `<http://x/?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <http://x/?cursor=0:100:0>; rel="next"; results="`+results+`"; cursor="0:100:0"`)
		w.Write([]byte(`[{"id":"1","slug":"p","name":"p"}]`))
	}))
	defer hs.Close()
	c, _ := sentryapi.New(sentryapi.Options{BaseURL: hs.URL, Org: "acme"})
	ps, err := c.Projects(context.Background())
	if err != nil || len(ps) != 1 || hits != 1 {
		t.Fatalf("projects = %d, hits = %d, err = %v", len(ps), hits, err)
	}
	hits = 0
	rs, err := c.Repos(context.Background())
	if err != nil || hits != 50 || len(rs) != 50 {
		t.Fatalf("endless pagination: %d repos in %d requests, %v (want the 50-page cap)", len(rs), hits, err)
	}
}

func TestClientRejectsBadBaseURL(t *testing.T) {
	for _, u := range []string{"sentry.io", "ftp://sentry.io", "http://", "::"} {
		if _, err := sentryapi.New(sentryapi.Options{BaseURL: u}); err == nil || !strings.Contains(err.Error(), "base URL") {
			t.Errorf("New(%q) error = %v", u, err)
		}
	}
}
