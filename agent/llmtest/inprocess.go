package llmtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// pipeTransport runs the handler in process for each request: the
// response body is a pipe the handler writes into, so a stream arrives
// chunk by chunk, a stalled handler stalls the reader, and the client
// going away (context, Close) ends the handler's request context. No
// socket is opened, so it works inside a testing/synctest bubble.
type pipeTransport struct{ h http.Handler }

func (t *pipeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(req.Context())
	in := req.Clone(ctx)
	in.Body = io.NopCloser(bytes.NewReader(body))
	in.ContentLength = int64(len(body))
	in.RequestURI = req.URL.RequestURI()
	if in.RemoteAddr == "" {
		in.RemoteAddr = "127.0.0.1:1"
	}
	pr, pw := io.Pipe()
	w := &pipeWriter{header: http.Header{}, pw: pw, ready: make(chan struct{}), cancel: cancel}
	stop := context.AfterFunc(req.Context(), func() {
		_ = pr.CloseWithError(req.Context().Err())
	})
	go func() {
		defer func() {
			w.writeHeader(http.StatusOK) // a handler that wrote nothing
			_ = pw.Close()
			cancel()
		}()
		t.h.ServeHTTP(w, in)
	}()
	select {
	case <-w.ready:
	case <-req.Context().Done():
		cancel()
		stop()
		return nil, req.Context().Err()
	}
	return &http.Response{
		Status: http.StatusText(w.status), StatusCode: w.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.header.Clone(), Body: &pipeBody{pr: pr, cancel: cancel, stop: stop}, ContentLength: -1, Request: req,
	}, nil
}

// pipeBody is the client's end: closing it ends the handler's request.
type pipeBody struct {
	pr     *io.PipeReader
	cancel context.CancelFunc
	stop   func() bool
}

func (b *pipeBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

func (b *pipeBody) Close() error {
	b.stop()
	b.cancel()
	return b.pr.Close()
}

// pipeWriter is the handler's end: an http.ResponseWriter that flushes
// into the pipe and can be hijacked (to cut the connection).
type pipeWriter struct {
	header http.Header
	pw     *io.PipeWriter
	cancel context.CancelFunc

	mu     sync.Mutex
	status int
	ready  chan struct{}
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(code int) { w.writeHeader(code) }

func (w *pipeWriter) writeHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.status != 0 {
		return
	}
	w.status = code
	close(w.ready)
}

func (w *pipeWriter) Write(p []byte) (int, error) {
	w.writeHeader(http.StatusOK)
	if len(p) == 0 {
		return 0, nil
	}
	return w.pw.Write(p)
}

// Flush does nothing: every Write already waits for the reader.
func (w *pipeWriter) Flush() {}

// FlushError is what http.ResponseController calls.
func (w *pipeWriter) FlushError() error { return nil }

// Hijack hands out a connection whose Close cuts the response: the
// client reads io.ErrUnexpectedEOF.
func (w *pipeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.writeHeader(http.StatusOK)
	return &cutConn{w: w}, bufio.NewReadWriter(bufio.NewReader(eofReader{}), bufio.NewWriter(io.Discard)), nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// cutConn is a hijacked in-process connection.
type cutConn struct{ w *pipeWriter }

func (c *cutConn) Close() error {
	_ = c.w.pw.CloseWithError(io.ErrUnexpectedEOF)
	c.w.cancel()
	return nil
}

func (c *cutConn) Read([]byte) (int, error) { return 0, io.EOF }
func (c *cutConn) Write(p []byte) (int, error) {
	return 0, errors.New("llmtest: write on a cut connection")
}
func (c *cutConn) LocalAddr() net.Addr              { return pipeAddr{} }
func (c *cutConn) RemoteAddr() net.Addr             { return pipeAddr{} }
func (c *cutConn) SetDeadline(time.Time) error      { return nil }
func (c *cutConn) SetReadDeadline(time.Time) error  { return nil }
func (c *cutConn) SetWriteDeadline(time.Time) error { return nil }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "llmtest" }
