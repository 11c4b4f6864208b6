package sentryapi_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
)

// The waiting tests run in a synctest bubble: the clock is fake, so a 90 s
// stall takes no real time, and nothing here touches a socket.

// stallTransport answers in memory. With headers false it never answers
// (until the request's context ends); otherwise it sends the headers of a
// 200 and the body chunks, waiting gap before each, then (when stall) goes
// silent.
type stallTransport struct {
	headers bool
	chunks  []string
	gap     time.Duration
	stall   bool
	length  int64 // Content-Length; 0: unknown
	calls   atomic.Int32
}

func (s *stallTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.calls.Add(1)
	ctx := req.Context()
	if !s.headers {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	length := s.length
	if length == 0 {
		length = -1
	}
	return &http.Response{StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: length, Request: req,
		Body: &stallBody{ctx: ctx, chunks: append([]string(nil), s.chunks...), gap: s.gap, stall: s.stall}}, nil
}

type stallBody struct {
	ctx    context.Context
	chunks []string
	gap    time.Duration
	stall  bool
}

func (b *stallBody) Read(p []byte) (int, error) {
	if len(b.chunks) == 0 {
		if !b.stall {
			return 0, io.EOF
		}
		<-b.ctx.Done()
		return 0, b.ctx.Err()
	}
	if b.gap > 0 {
		select {
		case <-time.After(b.gap):
		case <-b.ctx.Done():
			return 0, b.ctx.Err()
		}
	}
	n := copy(p, b.chunks[0])
	b.chunks[0] = b.chunks[0][n:]
	if b.chunks[0] == "" {
		b.chunks = b.chunks[1:]
	}
	return n, nil
}

func (b *stallBody) Close() error { return nil }

type recorder struct {
	mu       sync.Mutex
	notes    []string
	progress []sentryapi.Progress
}

func (r *recorder) note(s string) { r.mu.Lock(); r.notes = append(r.notes, s); r.mu.Unlock() }
func (r *recorder) prog(p sentryapi.Progress) {
	r.mu.Lock()
	r.progress = append(r.progress, p)
	r.mu.Unlock()
}

func stallClient(t *testing.T, tr http.RoundTripper, rec *recorder, mod func(*sentryapi.Options)) *sentryapi.Client {
	t.Helper()
	opts := sentryapi.Options{BaseURL: "http://sentry.test", Org: "acme", Transport: tr,
		Notify: rec.note, Progress: rec.prog}
	if mod != nil {
		mod(&opts)
	}
	c, err := sentryapi.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A server that never answers: each attempt ends after --timeout (30 s),
// the request gives up after about 90 s in all, with a clear error, and the
// user heard about the wait after 2 s.
func TestStalledServerNoHeaders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := &stallTransport{}
		rec := &recorder{}
		c := stallClient(t, tr, rec, nil)
		start := time.Now()
		_, err := c.Projects(t.Context())
		took := time.Since(start)
		if err == nil {
			t.Fatal("a server that never answers did not fail the request")
		}
		var se *sentryapi.StallError
		if !errors.As(err, &se) || !se.Headers {
			t.Fatalf("err = %v, want a StallError on the headers", err)
		}
		for _, want := range []string{"no answer within 29s", "3 attempts over 1m30s", "--timeout"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if took < 85*time.Second || took > 92*time.Second {
			t.Errorf("gave up after %s, want about 90s", took)
		}
		// The organization lookup (region) is the request that stalled;
		// it is not retried again through the base URL.
		if n := tr.calls.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
		if len(rec.progress) == 0 || rec.progress[0].Waited != 2*time.Second || rec.progress[0].Done {
			t.Fatalf("progress = %+v, want a first report at 2s", rec.progress)
		}
		if got := rec.progress[0].String(); got != "waiting for sentry.test: GET /api/0/organizations/acme/ (2s)…" {
			t.Errorf("progress line %q", got)
		}
		last := rec.progress[len(rec.progress)-1]
		if !last.Done || last.Attempt != 3 {
			t.Errorf("last report %+v, want Done on attempt 3", last)
		}
		if !strings.Contains(strings.Join(rec.notes, "\n"), "(no answer within 30s); retry 1/3") {
			t.Errorf("notes = %q", rec.notes)
		}
	})
}

// Headers, then nothing: the silence is timed from the last byte.
func TestStalledServerAfterHeaders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := &stallTransport{headers: true, chunks: []string{`[{"slug":`}, stall: true}
		rec := &recorder{}
		c := stallClient(t, tr, rec, func(o *sentryapi.Options) { o.Timeout = 10 * time.Second; o.MaxRetries = -1 })
		start := time.Now()
		_, err := c.Projects(t.Context())
		if took := time.Since(start); took != 10*time.Second {
			t.Errorf("took %s, want the 10s timeout", took)
		}
		var se *sentryapi.StallError
		if !errors.As(err, &se) || se.Headers || se.Bytes != 9 {
			t.Fatalf("err = %v (%+v)", err, se)
		}
		if !strings.Contains(err.Error(), "the answer stopped after 9 bytes: nothing more for 10s") {
			t.Errorf("err = %v", err)
		}
	})
}

// A large body that keeps coming is not cut by the per-attempt timeout,
// however long the whole download takes.
func TestSlowSteadyBodyIsRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chunks := []string{`{"slug":"acme","name":"`}
		for range 20 {
			chunks = append(chunks, strings.Repeat("x", 100))
		}
		chunks = append(chunks, `"}`)
		tr := &stallTransport{headers: true, chunks: chunks, gap: 8 * time.Second}
		rec := &recorder{}
		c := stallClient(t, tr, rec, func(o *sentryapi.Options) { o.Timeout = 10 * time.Second })
		start := time.Now()
		org, err := c.Organization(t.Context())
		if err != nil || org.Slug != "acme" || len(org.Name) != 2000 {
			t.Fatalf("org = %+v, %v", org, err)
		}
		if took := time.Since(start); took < 22*8*time.Second {
			t.Errorf("took %s; the fake body should take 22×8s", took)
		}
		if tr.calls.Load() != 1 {
			t.Errorf("%d attempts", tr.calls.Load())
		}
		var withBytes bool
		for _, p := range rec.progress {
			withBytes = withBytes || p.Bytes > 0 && strings.Contains(p.String(), "so far")
		}
		if !withBytes {
			t.Errorf("no progress report counted the bytes: %+v", rec.progress)
		}
	})
}

// A quick answer is never reported; a slow one is reported once it has
// waited 2 s, then every 5 s, then once more when it ends.
func TestProgressReports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, err := local.New(localtest.Dataset())
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		c := stallClient(t, srv.Transport(), rec, nil)
		if _, err := c.Issue(t.Context(), "100"); err != nil {
			t.Fatal(err)
		}
		if len(rec.progress) != 0 {
			t.Errorf("a quick request was reported: %+v", rec.progress)
		}
		srv.Inject(local.Fault{Path: "/issues/100/$", Latency: 8 * time.Second, Times: 1})
		if _, err := c.Issue(t.Context(), "100"); err != nil {
			t.Fatal(err)
		}
		var waited []time.Duration
		for _, p := range rec.progress {
			waited = append(waited, p.Waited)
		}
		if len(rec.progress) != 3 || waited[0] != 2*time.Second || waited[1] != 7*time.Second || !rec.progress[2].Done || waited[2] != 8*time.Second {
			t.Errorf("reports at %v (%+v), want 2s, 7s, then done at 8s", waited, rec.progress)
		}
	})
}

// A body over the limit is refused with its size before it is read; one
// over the warning size is announced with its size.
func TestLargeBodies(t *testing.T) {
	srv, err := local.New(localtest.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	big := `{"id":"100","shortId":"BACKEND-1AB","title":"` + strings.Repeat("x", 3000) + `"}`
	srv.Inject(local.Fault{Path: "/issues/100/$", Body: big, Times: 1})
	rec := &recorder{}
	c := stallClient(t, srv.Transport(), rec, func(o *sentryapi.Options) { o.MaxBodyBytes = 1000; o.MaxRetries = -1 })
	_, err = c.Issue(context.Background(), "100")
	if err == nil || !strings.Contains(err.Error(), "is 3.0 KiB, more than tracehound reads (1000 bytes); refusing to load it (raise the limit with --max-body") {
		t.Errorf("over the limit: %v", err)
	}
	srv.Inject(local.Fault{Path: "/issues/100/$", Body: big, Times: 1})
	c = stallClient(t, srv.Transport(), rec, func(o *sentryapi.Options) { o.WarnBodyBytes = 1000 })
	if is, err := c.Issue(context.Background(), "100"); err != nil || len(is.Title) != 3000 {
		t.Fatalf("under the limit: %v", err)
	}
	if !strings.Contains(strings.Join(rec.notes, "\n"), "downloading 3.0 KiB from /api/0/organizations/acme/issues/100/") {
		t.Errorf("notes = %q", rec.notes)
	}
	// Without a Content-Length the warning comes when the body passes it.
	rec.notes = nil
	tr := &stallTransport{headers: true, chunks: []string{`{"slug":"acme","name":"`, strings.Repeat("y", 2000), `"}`}}
	c = stallClient(t, tr, rec, func(o *sentryapi.Options) { o.WarnBodyBytes = 1000 })
	if _, err := c.Organization(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rec.notes, "\n"), "larger than 1000 bytes and still coming (tracehound stops at 512.0 MiB; --max-body raises that)") {
		t.Errorf("notes = %q", rec.notes)
	}
}

type dnsFail struct{ calls atomic.Int32 }

func (d *dnsFail) RoundTrip(req *http.Request) (*http.Response, error) {
	d.calls.Add(1)
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: req.URL.Hostname(), IsNotFound: true}}
}

// A host that does not resolve is not retried (neither by the request
// nor by the region lookup falling back to the same host).
func TestDNSFailureIsNotRetried(t *testing.T) {
	tr := &dnsFail{}
	rec := &recorder{}
	c := stallClient(t, tr, rec, nil)
	_, err := c.Issue(context.Background(), "100")
	if err == nil || !strings.Contains(err.Error(), "no such host") || !strings.Contains(err.Error(), "not retried") {
		t.Fatalf("err = %v", err)
	}
	if n := tr.calls.Load(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
	if len(rec.notes) != 0 {
		t.Errorf("notes = %q", rec.notes)
	}
}

// The region warning is said once, not once per request.
func TestRegionWarningOnce(t *testing.T) {
	srv, err := local.New(localtest.Dataset(), local.WithFaults(local.Fault{Path: "^/api/0/organizations/acme/$", Status: 500}))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	c := stallClient(t, srv.Transport(), rec, func(o *sentryapi.Options) { o.MaxRetries = -1 })
	for range 3 {
		if _, err := c.Issue(context.Background(), "100"); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(strings.Join(rec.notes, "\n"), "could not discover the organization's region"); n != 1 {
		t.Errorf("said %d times: %q", n, rec.notes)
	}
}
