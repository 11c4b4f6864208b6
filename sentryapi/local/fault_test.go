package local_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/sentryapi/local"
)

const issuePath = "/api/0/organizations/acme/issues/100/"

// statuses returns the recorded statuses of requests whose path contains sub.
func statuses(s *local.Server, sub string) []int {
	var out []int
	for _, r := range s.Requests() {
		if strings.Contains(r.Path, sub) {
			out = append(out, r.Status)
		}
	}
	return out
}

func TestFaultLatencyAndCancellation(t *testing.T) {
	s := newServer(t, dataset(), local.WithFaults(local.Fault{Path: "/issues/", Latency: 10 * time.Second}))
	forEach(t, s, func(t *testing.T, c conn) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+issuePath, nil)
		start := time.Now()
		res, err := c.client.Do(req)
		if err == nil {
			res.Body.Close()
			t.Fatalf("got %d, want the context's error", res.StatusCode)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("cancellation took %s", d)
		}
		// Other paths are not delayed.
		c.get(t, "/api/0/organizations/acme/").want(t, 200)
	})

	// A short latency delays, then answers for real.
	s = newServer(t, dataset(), local.WithFaults(local.Fault{Path: "/issues/", Latency: 30 * time.Millisecond, Times: 1}))
	c := conns(t, s)[1]
	start := time.Now()
	c.get(t, issuePath).want(t, 200)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("answered after %s, want a delay of 30ms", d)
	}
	if recs := s.Requests(); len(recs) != 1 || !recs[0].Fault || recs[0].Status != 200 {
		t.Errorf("records = %+v", recs)
	}
}

func TestFaultCancelledRequestIsRecorded(t *testing.T) {
	// In a synctest bubble: synctest.Wait returns once the request is
	// blocked in its hour of latency, with no polling and no real wait.
	synctest.Test(t, func(t *testing.T) {
		s := newServer(t, dataset(), local.WithFaults(local.Fault{Latency: time.Hour}))
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://sentry.local"+issuePath, nil)
		errc := make(chan error, 1)
		go func() {
			_, err := s.Transport().RoundTrip(req)
			errc <- err
		}()
		synctest.Wait()
		if n := len(s.Requests()); n != 1 {
			t.Fatalf("%d requests recorded while the first waits", n)
		}
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("RoundTrip error = %v", err)
		}
		// The handler notices too and records no status.
		synctest.Wait()
		if recs := s.Requests(); len(recs) != 1 || !recs[0].Fault || recs[0].Status != 0 {
			t.Fatalf("records = %+v", recs)
		}
	})
}

func TestFaultStatus(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		s.Inject(local.Fault{Path: "/issues/100/$", Status: 503, Times: 2, Body: `{"detail":"Service down"}`})
		for i := range 2 {
			if d := c.get(t, issuePath).want(t, 503).detail(t); d != "Service down" {
				t.Errorf("attempt %d: detail %q", i, d)
			}
		}
		c.get(t, issuePath).want(t, 200)
		c.get(t, issuePath).want(t, 200)
	})
	if got, want := statuses(s, "/issues/100/"), []int{503, 503, 200, 200, 503, 503, 200, 200}; !equalInts(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}

	// Status alone answers an empty body; the path regexp is anchored here
	// so /issues/100/events/ is untouched.
	s = newServer(t, dataset(), local.WithFaults(local.Fault{Path: `/issues/100/$`, Status: 404}))
	forEach(t, s, func(t *testing.T, c conn) {
		r := c.get(t, issuePath)
		if r.status != 404 || len(r.body) != 0 || r.header.Get("Content-Type") != "" {
			t.Errorf("status-only fault: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
		}
		c.get(t, issuePath+"events/").want(t, 200)
	})
}

func TestFaultBodyAndContentType(t *testing.T) {
	s := newServer(t, dataset(),
		local.WithFaults(
			local.Fault{Path: "/issues/", Body: `{"id": "100", "title": broken`, Times: 1},
			local.Fault{Path: "/issues/", Body: `"maintenance"`, Times: 1},
			local.Fault{Path: "/issues/", ContentType: "text/plain", Times: 1},
		))
	c := conns(t, s)[1]
	r := c.get(t, issuePath)
	if r.status != 200 || r.header.Get("Content-Type") != "text/plain; charset=utf-8" || string(r.body) != `{"id": "100", "title": broken` {
		t.Errorf("malformed body fault: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = c.get(t, issuePath)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" || string(r.body) != `"maintenance"` {
		t.Errorf("JSON body fault: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	// ContentType alone relabels the real answer.
	r = c.get(t, issuePath)
	var is wire.Issue
	r.decode(t, &is)
	if r.status != 200 || r.header.Get("Content-Type") != "text/plain" || is.ShortID != "BACKEND-1A" {
		t.Errorf("content-type fault: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	c.get(t, issuePath).want(t, 200)
}

func TestFaultRateLimitReset(t *testing.T) {
	s := newServer(t, dataset(), local.WithFaults(local.Fault{Path: "/events/", RateLimitReset: 3 * time.Second, Times: 1}))
	forEach(t, s, func(t *testing.T, c conn) {
		if c.name == "inproc" {
			s.Inject(local.Fault{Path: "/events/", RateLimitReset: 3 * time.Second, Times: 1})
		}
		before := time.Now()
		r := c.get(t, issuePath+"events/latest/")
		if r.status != 429 {
			t.Fatalf("status %d", r.status)
		}
		reset, err := strconv.ParseInt(r.header.Get("X-Sentry-Rate-Limit-Reset"), 10, 64)
		if err != nil {
			t.Fatalf("X-Sentry-Rate-Limit-Reset %q: %v", r.header.Get("X-Sentry-Rate-Limit-Reset"), err)
		}
		if lo, hi := before.Add(3*time.Second).Unix(), time.Now().Add(3*time.Second).Unix()+1; reset < lo || reset > hi {
			t.Errorf("reset %d, want within [%d, %d]", reset, lo, hi)
		}
		if r.header.Get("X-Sentry-Rate-Limit-Limit") != "15" || r.header.Get("X-Sentry-Rate-Limit-Remaining") != "0" || r.header.Get("Retry-After") != "" {
			t.Errorf("headers = %v", r.header)
		}
		// The body is a bare JSON string, not {"detail": …}.
		var msg string
		r.want(t, 429).decode(t, &msg)
		if msg != "You are attempting to use this endpoint too frequently. Limit is 15 requests in 1 seconds" {
			t.Errorf("body = %s", r.body)
		}
		c.get(t, issuePath+"events/latest/").want(t, 200)
	})
}

func TestFaultRetryAfter(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		s.Inject(local.Fault{Path: "/trace/", RetryAfter: 1500 * time.Millisecond, Times: 1})
		r := c.get(t, "/api/0/organizations/acme/trace/"+traceID+"/").want(t, 429)
		if r.header.Get("Retry-After") != "2" || r.header.Get("X-Sentry-Rate-Limit-Reset") != "" {
			t.Errorf("headers = %v", r.header)
		}
		c.get(t, "/api/0/organizations/acme/trace/"+traceID+"/").want(t, 200)
	})
	// With Status, the status is that one.
	s = newServer(t, dataset(), local.WithFaults(local.Fault{RetryAfter: time.Second, Status: 503}))
	if r := conns(t, s)[1].get(t, issuePath); r.status != 503 || r.header.Get("Retry-After") != "1" {
		t.Errorf("503 with Retry-After: %d %v", r.status, r.header)
	}
}

// readErr requests path and returns the response, what its body held and
// the error that ended reading it.
func readErr(t *testing.T, c conn, path string) (*http.Response, []byte, error) {
	t.Helper()
	res, err := c.client.Get(c.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, body, err
}

func TestFaultTruncate(t *testing.T) {
	for _, tc := range []struct {
		name       string
		fault      local.Fault
		sent       int
		fullLength int // -1: the trace file's length
	}{
		{"cut at 20", local.Fault{Path: "/trace/", TruncateAt: 20}, 20, -1},
		{"cut before the first byte", local.Fault{Path: "/trace/", TruncateAt: -1}, 0, -1},
		{"cut after the end", local.Fault{Path: "/trace/", TruncateAt: 1 << 20}, len(traceJSON), len(traceJSON) + 1},
		{"a replaced body", local.Fault{Path: "/trace/", Status: 502, Body: "Bad Gateway from the proxy", TruncateAt: 3}, 3, 26},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, dataset(), local.WithFaults(tc.fault))
			forEach(t, s, func(t *testing.T, c conn) {
				res, body, err := readErr(t, c, "/api/0/organizations/acme/trace/"+traceID+"/")
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("read error = %v, want io.ErrUnexpectedEOF", err)
				}
				if len(body) != tc.sent {
					t.Errorf("read %d bytes, want %d", len(body), tc.sent)
				}
				want := tc.fullLength
				if want < 0 {
					want = len(traceJSON)
				}
				if res.ContentLength != int64(want) || res.Header.Get("Content-Length") != strconv.Itoa(want) {
					t.Errorf("Content-Length %d / %q, want %d", res.ContentLength, res.Header.Get("Content-Length"), want)
				}
				if tc.fault.Status == 0 && !strings.HasPrefix(traceJSON, string(body)) {
					t.Errorf("the bytes sent are not the start of the real answer: %q", body)
				}
				if tc.fault.Status != 0 && (res.StatusCode != tc.fault.Status || string(body) != tc.fault.Body[:tc.sent]) {
					t.Errorf("replaced answer: %d %q", res.StatusCode, body)
				}
			})
		})
	}
}

func TestFaultHTML(t *testing.T) {
	s := newServer(t, dataset(), local.WithFaults(
		local.Fault{Path: "/issues/", HTML: true, Times: 1},
		local.Fault{Path: "/issues/", HTML: true, Status: 502, Body: "<html><body>Bad Gateway</body></html>", Times: 1},
	))
	c := conns(t, s)[0]
	r := c.get(t, issuePath)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.HasPrefix(string(r.body), "<!DOCTYPE html>") {
		t.Errorf("HTML fault: %d %q %.40s", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = c.get(t, issuePath)
	if r.status != 502 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || string(r.body) != "<html><body>Bad Gateway</body></html>" {
		t.Errorf("HTML 502 fault: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	c.get(t, issuePath).want(t, 200)
}

func TestFaultQueue(t *testing.T) {
	// Latency-only faults apply alongside; response faults take turns in
	// the order they were added.
	s := newServer(t, dataset(), local.WithFaults(
		local.Fault{Latency: time.Millisecond},
		local.Fault{Path: "/issues/", Status: 503, Times: 2},
		local.Fault{Path: "/issues/", RateLimitReset: time.Second, Times: 1},
		local.Fault{Path: "/projects/", Status: 500},
	))
	c := conns(t, s)[1]
	var got []int
	for range 5 {
		got = append(got, c.get(t, issuePath).status)
	}
	if want := []int{503, 503, 429, 200, 200}; !equalInts(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	if r := c.get(t, "/api/0/organizations/acme/projects/"); r.status != 500 {
		t.Errorf("projects: status %d, want 500", r.status)
	}
	for _, r := range s.Requests() {
		if !r.Fault {
			t.Errorf("%s: the latency fault was not recorded", r.Path)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInjectPanicsOnBadRegexp(t *testing.T) {
	s := newServer(t, dataset())
	defer func() {
		if recover() == nil {
			t.Error("Inject with an invalid regexp did not panic")
		}
	}()
	s.Inject(local.Fault{Path: "issues/(", Status: 500})
}

func TestTransport(t *testing.T) {
	s := newServer(t, dataset())
	rt := s.Transport()

	// A request body is read and closed, and the handler gets a copy.
	body := &trackingBody{r: strings.NewReader(`{"status":"resolved"}`)}
	req, _ := http.NewRequest(http.MethodPut, "https://sentry.local:8443"+issuePath+"?x=1", body)
	res, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !body.closed || !body.eof {
		t.Errorf("request body: read to the end %v, closed %v", body.eof, body.closed)
	}
	if res.StatusCode != 405 || res.Status != "405 Method Not Allowed" || res.Proto != "HTTP/1.1" || res.Request != req ||
		res.ContentLength != int64(len(data)) || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("response = %+v", res)
	}
	last := s.Requests()[len(s.Requests())-1]
	if last.Method != http.MethodPut || last.Host != "sentry.local:8443" || last.Path != issuePath || last.RawQuery != "x=1" || last.Status != 405 {
		t.Errorf("record = %+v", last)
	}

	// An already cancelled context fails at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://sentry.local"+issuePath, nil)
	if _, err := rt.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}

	// Reading the body after the context ends fails like a network body.
	ctx, cancel = context.WithCancel(context.Background())
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://sentry.local"+issuePath, nil)
	res, err = rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := io.ReadAll(res.Body); !errors.Is(err, context.Canceled) {
		t.Errorf("body read after cancel: %v", err)
	}
}

type trackingBody struct {
	r      io.Reader
	eof    bool
	closed bool
}

func (b *trackingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *trackingBody) Close() error { b.closed = true; return nil }

func TestRegionRoutingIsVisible(t *testing.T) {
	// One server answers two host names in process; the records tell the
	// control host from the region host.
	s := newServer(t, dataset(), local.WithRegionURL("http://us.sentry.local"))
	client := &http.Client{Transport: s.Transport()}
	var org wire.Organization
	res, err := client.Get("http://sentry.local/api/0/organizations/acme/")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if err := wire.Decode(data, &org); err != nil {
		t.Fatal(err)
	}
	res, err = client.Get(org.Links.RegionURL + issuePath)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	recs := s.Requests()
	if len(recs) != 2 || recs[0].Host != "sentry.local" || recs[1].Host != "us.sentry.local" || recs[1].Status != 200 {
		t.Errorf("records = %+v", recs)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newServer(t, dataset(), local.WithPerPage(1))
	cs := conns(t, s)
	paths := []string{
		issuePath, issuePath + "events/", issuePath + "events/recommended/",
		"/api/0/organizations/acme/issues/BACKEND-1A/", "/api/0/organizations/acme/eventids/" + evOld + "/",
		"/api/0/organizations/acme/events-trace/" + traceID + "/", chunkPath("11", profiler, "100", "101"),
	}
	var wg sync.WaitGroup
	errs := make(chan string, 1000)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := cs[g%2]
			for i := range 20 {
				if i%7 == 0 {
					s.Inject(local.Fault{Path: "/nothing-matches/", Status: 500, Times: 1})
				}
				p := paths[(g+i)%len(paths)]
				res, err := c.client.Get(c.base + p)
				if err != nil {
					errs <- err.Error()
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					errs <- p + ": " + res.Status
				}
				_ = s.Requests()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(s.Requests()); n != 160 {
		t.Errorf("%d requests recorded, want 160", n)
	}
}
