package local_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree/tracegen"
)

// A trace file bigger than the server holds whole is sent from the file:
// the same bytes, its length announced, over the in-process transport and
// over HTTP (HEAD too); its trace-meta is counted from the file.
func TestBigTraceIsStreamed(t *testing.T) {
	res := tracegen.Generate(tracegen.Config{Spans: 20_000, Seed: 2})
	data := res.JSON()
	if len(data) <= 8<<20 {
		t.Fatalf("the trace is only %d bytes: not over the streaming size", len(data))
	}
	fsys := fstest.MapFS{
		"organization.json":               {Data: []byte(`{"id":"1","slug":"acme"}`)},
		"traces/" + res.TraceID + ".json": {Data: append(append([]byte("\n "), data...), '\n')},
	}
	srv, err := local.New(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: srv.Transport()}
	base := "http://sentry.test/api/0/organizations/acme/"
	resp, err := c.Get(base + "trace/" + res.TraceID + "/")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !bytes.Equal(bytes.TrimSpace(got), data) {
		t.Fatalf("status %d, %d bytes (want %d), err %v", resp.StatusCode, len(got), len(data), err)
	}
	if resp.ContentLength != int64(len(got)) {
		t.Errorf("Content-Length %d for %d bytes", resp.ContentLength, len(got))
	}
	head, err := c.Head(base + "trace/" + res.TraceID + "/")
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.Header.Get("Content-Length") != strconv.Itoa(len(got)) {
		t.Errorf("HEAD Content-Length %q", head.Header.Get("Content-Length"))
	}
	resp, err = c.Get(base + "trace-meta/" + res.TraceID + "/")
	if err != nil {
		t.Fatal(err)
	}
	var meta wire.TraceMeta
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := wire.Decode(b, &meta); err != nil || meta.Spans() != res.Spans || meta.Errors() != res.Errors || meta.Transactions() != res.Transactions {
		t.Errorf("meta %s (err %v), want %d spans, %d errors, %d transactions", b, err, res.Spans, res.Errors, res.Transactions)
	}
}
