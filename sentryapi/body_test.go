package sentryapi_test

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tracehound/tracehound/sentryapi"
)

// orgThen answers the organization lookup at once and everything else with
// next (so that region-scoped calls reach next).
type orgThen struct {
	next  http.RoundTripper
	calls atomic.Int32
}

func (o *orgThen) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/organizations/acme/") {
		return (&stallTransport{headers: true, chunks: []string{`{"slug":"acme"}`}}).RoundTrip(req)
	}
	o.calls.Add(1)
	return o.next.RoundTrip(req)
}

// traceChunks is a trace of n spans under one transaction, cut in pieces of
// about 100 bytes.
func traceChunks(n int) []string {
	var b strings.Builder
	b.WriteString(`[{"event_id":"0000000000000000","event_type":"span","is_transaction":true,"transaction_id":"t","op":"http.server","children":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"event_id":"` + strings.Repeat("1", 12) + string(rune('a'+i%26)) + `abc","event_type":"span","op":"db"}`)
	}
	b.WriteString(`]}]`)
	s := b.String()
	var out []string
	for len(s) > 100 {
		out = append(out, s[:100])
		s = s[100:]
	}
	return append(out, s)
}

// A body decoded as it arrives is reported with its bytes and the spans
// read so far, and decodes to the whole trace.
func TestStreamedTraceProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chunks := traceChunks(3000)
		tr := &orgThen{next: &stallTransport{headers: true, chunks: chunks, gap: 100 * time.Millisecond}}
		rec := &recorder{}
		c := stallClient(t, tr, rec, func(o *sentryapi.Options) {
			o.StreamAboveBytes = 1000
			o.ProgressAfter, o.ProgressEvery = time.Second, time.Second
		})
		res, err := c.Trace(t.Context(), "0123456789abcdef0123456789abcdef", sentryapi.TraceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(res.Items[0].Children); n != 3000 {
			t.Fatalf("%d children, want 3000", n)
		}
		var mid *sentryapi.Progress
		for i, p := range rec.progress {
			if !p.Done && p.Items > 0 && p.Bytes > 0 {
				mid = &rec.progress[i]
			}
		}
		if mid == nil {
			t.Fatalf("no report with bytes and spans: %+v", rec.progress)
		}
		if s := mid.String(); !strings.Contains(s, "spans read") || !strings.Contains(s, "so far") {
			t.Errorf("report %q", s)
		}
	})
}

// A body of unknown length that grows past MaxBodyBytes while it is
// decoded stops there, with a message naming the limit and the flag that
// raises it; it is not retried.
func TestStreamedBodyOverLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := &orgThen{next: &stallTransport{headers: true, chunks: traceChunks(200)}}
		rec := &recorder{}
		c := stallClient(t, tr, rec, func(o *sentryapi.Options) { o.StreamAboveBytes = 100; o.MaxBodyBytes = 2000 })
		_, err := c.Trace(t.Context(), "0123456789abcdef0123456789abcdef", sentryapi.TraceOptions{})
		var big *sentryapi.BodyLimitError
		if !errors.As(err, &big) || big.Limit != 2000 {
			t.Fatalf("err = %v", err)
		}
		if want := "is larger than 2.0 KiB; refusing to load it (raise the limit with --max-body, e.g. --max-body 1GiB)"; !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
		if n := tr.calls.Load(); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})
}

// A streamed body that stops is a stall, like a body read whole: the
// attempt ends after the timeout and is retried.
func TestStreamedBodyStalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chunks := traceChunks(200)
		tr := &orgThen{next: &stallTransport{headers: true, chunks: chunks[:len(chunks)/2], stall: true}}
		rec := &recorder{}
		c := stallClient(t, tr, rec, func(o *sentryapi.Options) {
			o.StreamAboveBytes = 100
			o.Timeout = 10 * time.Second
			o.MaxRetries = 1
		})
		_, err := c.Trace(t.Context(), "0123456789abcdef0123456789abcdef", sentryapi.TraceOptions{})
		var se *sentryapi.StallError
		if !errors.As(err, &se) || se.Headers || se.Bytes == 0 {
			t.Fatalf("err = %v", err)
		}
		if !strings.Contains(err.Error(), "give each attempt longer with --timeout") {
			t.Errorf("err = %v", err)
		}
		if n := tr.calls.Load(); n != 2 {
			t.Errorf("%d attempts, want 2", n)
		}
	})
}

// A streamed body that is cut short is a network error (retried), not
// bad JSON.
func TestStreamedBodyCutShort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chunks := traceChunks(200)
		tr := &orgThen{next: &stallTransport{headers: true, chunks: chunks[:len(chunks)/2], length: 100000}}
		rec := &recorder{}
		c := stallClient(t, tr, rec, func(o *sentryapi.Options) { o.StreamAboveBytes = 100; o.MaxRetries = 1 })
		_, err := c.Trace(t.Context(), "0123456789abcdef0123456789abcdef", sentryapi.TraceOptions{})
		if err == nil || !strings.Contains(err.Error(), "unexpected EOF") || errors.Is(err, sentryapi.ErrBadResponse) {
			t.Fatalf("err = %v", err)
		}
		if n := tr.calls.Load(); n != 2 {
			t.Errorf("%d attempts, want 2", n)
		}
	})
}
