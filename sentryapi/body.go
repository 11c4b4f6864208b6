package sentryapi

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strconv"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// BodyLimitError is an answer larger than Options.MaxBodyBytes.
type BodyLimitError struct {
	Path  string
	Size  int64 // the announced size, 0 when the body grew past the limit
	Limit int64
}

func (e *BodyLimitError) Error() string {
	size := "larger than " + sizeText(e.Limit)
	if e.Size > 0 {
		size = sizeText(e.Size) + ", more than tracehound reads (" + sizeText(e.Limit) + ")"
	}
	return fmt.Sprintf("the answer of %s is %s; refusing to load it (raise the limit with --max-body, e.g. --max-body %s)", e.Path, size, suggestLimit(max(e.Size, e.Limit)))
}

// suggestLimit is a round size above n: 1GiB, 2GiB, …
func suggestLimit(n int64) string {
	g := int64(1)
	for g<<30 <= n {
		g *= 2
	}
	return strconv.FormatInt(g, 10) + "GiB"
}

// bodyReader reads an answer's body: it counts the bytes, reports them,
// stops at MaxBodyBytes with a *BodyLimitError, says once when a body of
// unknown length grows past WarnBodyBytes, and keeps the first read error
// (so that a failed decode can tell a cut connection from bad JSON).
type bodyReader struct {
	c        *Client
	r        io.Reader
	u        *url.URL
	length   int64 // Content-Length, or -1
	n        int64
	err      error // the first error other than io.EOF
	warned   bool
	progress func(int64)
}

func (c *Client) newBodyReader(r io.Reader, u *url.URL, length int64, progress func(int64)) *bodyReader {
	return &bodyReader{c: c, r: r, u: u, length: length, warned: length > c.warnBody, progress: progress}
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	// One byte past the limit is read, to know the body is over it.
	if room := b.c.maxBody + 1 - b.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if n > 0 {
		b.progress(b.n)
		if !b.warned && b.n > b.c.warnBody {
			b.warned = true
			b.c.notify(fmt.Sprintf("the answer of %s is larger than %s and still coming (tracehound stops at %s; --max-body raises that)", b.u.Path, sizeText(b.c.warnBody), sizeText(b.c.maxBody)))
		}
	}
	if b.n > b.c.maxBody {
		b.err = &BodyLimitError{Path: b.u.Path, Limit: b.c.maxBody}
		return n, b.err
	}
	if err == io.EOF && b.length > 0 && b.n < b.length {
		err = io.ErrUnexpectedEOF
	}
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// readAll reads the whole body (an error status's, or one nobody decodes).
func (b *bodyReader) readAll() ([]byte, error) {
	size := int64(512)
	if b.length > 0 {
		size = min(b.length+1, b.c.maxBody+1)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(b)
	return buf.Bytes(), err
}

// readUpTo reads until n bytes or the end of the body.
func (b *bodyReader) readUpTo(n int64) ([]byte, error) {
	size := n
	if b.length >= 0 && b.length < n {
		size = b.length + 1
	}
	buf := make([]byte, 0, max(size, 512))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := b.Read(buf[len(buf):min(int64(cap(buf)), n)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// readAnswer decodes a 2xx body into out. A body up to StreamAboveBytes
// is read whole and decoded (decodeBody); a larger one is decoded as it
// arrives, so that only the decoded value is kept, never the body too.
func (c *Client) readAnswer(resp *Response, u *url.URL, body *bodyReader, out any, required []string, w *watcher) error {
	head, err := body.readUpTo(c.streamAbove + 1)
	if err != nil {
		return err
	}
	if int64(len(head)) <= c.streamAbove {
		return c.decodeBody(resp, u, head, out, required)
	}
	if err := c.impostor(resp, u, bytes.TrimLeft(head, " \t\r\n")); err != nil {
		return err
	}
	// A retried attempt starts from a clean value.
	if rv := reflect.ValueOf(out); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv.Elem().SetZero()
	}
	dropped, err := wire.DecodeLenientFrom(io.MultiReader(bytes.NewReader(head), body), out, wire.StreamOptions{Required: required, Items: w.items})
	if err != nil {
		if body.err != nil {
			return body.err
		}
		return c.badBody(resp, u, "the JSON does not have the expected shape: "+clip(err.Error(), 300), "This may be an older or newer Sentry; run with --debug and report it.")
	}
	c.reportDropped(u, out, dropped)
	return nil
}

func (c *Client) badBody(resp *Response, u *url.URL, detail, hint string) error {
	return &APIError{Class: ErrBadResponse, StatusCode: resp.StatusCode, Method: "GET", Path: u.Path, Host: u.Host, Detail: detail, Hint: hint}
}

// impostor turns the usual impostors of a 2xx JSON body (HTML pages, bare
// JSON strings, empty bodies) into clear errors; b starts at the first
// byte that is not white space.
func (c *Client) impostor(resp *Response, u *url.URL, b []byte) error {
	switch {
	case len(b) == 0:
		return c.badBody(resp, u, "empty body", "Sentry sent no data; a feature may be disabled for this organization.")
	case isHTML(resp, b):
		return c.badBody(resp, u, "an HTML page instead of JSON", htmlHint(c.base))
	case b[0] == '"':
		var s string
		if end := bytes.IndexByte(b[1:], '"'); end >= 0 && end < 4096 {
			_ = wire.Decode(b[:end+2], &s)
		}
		return c.badBody(resp, u, "a message instead of data: "+strconv.Quote(clip(s, 200)), "")
	}
	return nil
}

// decodeBody decodes a 2xx body held whole.
func (c *Client) decodeBody(resp *Response, u *url.URL, body []byte, out any, required []string) error {
	b := bytes.TrimSpace(body)
	if err := c.impostor(resp, u, b); err != nil {
		return err
	}
	dropped, err := wire.DecodeLenient(b, out, required...)
	if err != nil {
		return c.badBody(resp, u, "the JSON does not have the expected shape: "+clip(err.Error(), 300), "This may be an older or newer Sentry; run with --debug and report it.")
	}
	c.reportDropped(u, out, dropped)
	return nil
}

// reportDropped says on the debug output which values were left out.
func (c *Client) reportDropped(u *url.URL, out any, dropped []wire.Dropped) {
	for _, d := range dropped {
		c.debug(fmt.Sprintf("GET %s: %s (a field tracehound can do without)", u.Path, d))
	}
	if ev, ok := out.(*wire.Event); ok {
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
}
