package local

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// Transport returns an http.RoundTripper that calls the server in process,
// with no socket: give it to an http.Client with any base URL (e.g.
// http://sentry.local; the host is recorded and used in Link headers).
//
// RoundTrip reads and closes the request body and hands the handler a copy.
// It honours the request's context: when the context ends before the answer
// (an injected Latency, say), RoundTrip returns the context's error at once.
// The response is a complete *http.Response (status, headers, body,
// ContentLength); reading its body fails with the context's error once the
// context has ended. A TruncateAt fault yields a body that ends with
// io.ErrUnexpectedEOF, as a cut connection does.
func (s *Server) Transport() http.RoundTripper { return transport{s} }

type transport struct{ s *Server }

// RoundTrip implements http.RoundTripper.
func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("local: request has no URL")
	}
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("local: reading the request body: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	sreq := req.Clone(ctx)
	sreq.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	sreq.RequestURI = req.URL.RequestURI()
	sreq.Host = req.Host
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	sreq.RemoteAddr = "127.0.0.1:0"
	sreq.Body = http.NoBody
	sreq.ContentLength = int64(len(body))
	sreq.GetBody = nil
	if len(body) > 0 {
		sreq.Body = io.NopCloser(bytes.NewReader(body))
	}
	if req.URL.Scheme == "https" {
		sreq.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: req.URL.Hostname()}
	}

	w := &memWriter{header: http.Header{}}
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		t.s.ServeHTTP(w, sreq)
	}()
	select {
	case p := <-done:
		if p != nil {
			return nil, fmt.Errorf("local: handler panicked: %v", p)
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return w.response(req), nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// memWriter is the in-process ResponseWriter. It is only ever given to
// Server.ServeHTTP, which writes each body once, from a slice it does not
// reuse; so the first Write is kept without a copy (traces run to tens of
// megabytes) and only further writes are appended.
type memWriter struct {
	mu        sync.Mutex
	header    http.Header
	status    int
	body      []byte
	owned     bool // body is our own buffer, not the handler's slice
	truncated bool
	stream    io.ReadCloser // a body to read as the client reads (takeStream)
}

// takeStream makes r the response's body: the client reads the file as
// the handler would have sent it, and the response's Close closes it.
func (w *memWriter) takeStream(r io.ReadCloser) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.stream = r
}

func (w *memWriter) Header() http.Header { return w.header }

func (w *memWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.status == 0 {
		w.status = code
	}
}

func (w *memWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.status == 0 {
		w.status = http.StatusOK
	}
	switch {
	case w.body == nil:
		w.body = p
	case !w.owned:
		w.body = append(bytes.Clone(w.body), p...)
		w.owned = true
	default:
		w.body = append(w.body, p...)
	}
	return len(p), nil
}

func (w *memWriter) truncate() {
	w.mu.Lock()
	w.truncated = true
	w.mu.Unlock()
}

func (w *memWriter) response(req *http.Request) *http.Response {
	w.mu.Lock()
	defer w.mu.Unlock()
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	data := w.body
	length := int64(len(data))
	if w.truncated || w.stream != nil {
		if n, err := strconv.ParseInt(w.header.Get("Content-Length"), 10, 64); err == nil {
			length = n
		}
	}
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.header.Clone(),
		Body:          w.bodyFor(req, data),
		ContentLength: length,
		Request:       req,
	}
}

func (w *memWriter) bodyFor(req *http.Request, data []byte) io.ReadCloser {
	if w.stream != nil {
		return &memBody{ctx: req.Context(), r: w.stream, closer: w.stream}
	}
	return &memBody{ctx: req.Context(), r: bytes.NewReader(data), truncated: w.truncated}
}

// memBody is a response body in memory (or a file, for a streamed reply) that fails like a network body: with
// the context's error once it ends, and with io.ErrUnexpectedEOF at the end
// of a truncated response.
type memBody struct {
	ctx       context.Context
	r         io.Reader
	closer    io.Closer
	truncated bool
}

func (b *memBody) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := b.r.Read(p)
	if err == io.EOF && b.truncated {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (b *memBody) Close() error {
	if b.closer != nil {
		return b.closer.Close()
	}
	return nil
}
