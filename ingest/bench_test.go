package ingest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkIngestTransaction is one envelope with a 50-span transaction
// and an error, through the HTTP handler into the store (bbolt fsyncs
// each write transaction).
func BenchmarkIngestTransaction(b *testing.B) {
	st, err := Open(filepath.Join(b.TempDir(), "db"), Retention{MaxItems: 1_000_000})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	p, _ := st.EnsureProject("p", "go")
	h := NewServer(st, Options{RatePerSecond: 1e9})
	var spans []string
	for i := range 50 {
		spans = append(spans, fmt.Sprintf(`{"span_id":"%016x","parent_span_id":"1000000000000001","op":"db","description":"SELECT %d","start_timestamp":1700000000.1,"timestamp":1700000000.2,"trace_id":"%s"}`, i+2, i, traceA))
	}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		env := envelopeOf(`{}`,
			[2]string{"transaction", transaction(fmt.Sprintf("%032x", 2*i), "1000000000000001", "", "GET /x", strings.Join(spans, ","))},
			[2]string{"event", errorEvent(fmt.Sprintf("%032x", 2*i+1), "1000000000000001", "E", "f")})
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/%d/envelope/", p.ID), bytes.NewReader(env))
		req.Header.Set("X-Sentry-Auth", "Sentry sentry_key="+p.Key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

// BenchmarkReadTraceAfterIngest is the first API read after a write over
// 2,000 stored items: the trace's items found through by_trace (since
// issue 14; before, the whole snapshot was re-listed), then the
// 1,000-transaction trace built and encoded.
func BenchmarkReadTraceAfterIngest(b *testing.B) {
	st, err := Open(filepath.Join(b.TempDir(), "db"), Retention{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	p, _ := st.EnsureProject("p", "go")
	var items []Item
	for i := range 1000 {
		items = append(items, Item{Type: "transaction", Payload: []byte(transaction(fmt.Sprintf("%032x", 2*i+1), fmt.Sprintf("%016x", i+1), "", "GET /x", ""))},
			Item{Type: "event", Payload: []byte(errorEvent(fmt.Sprintf("%032x", 2*i+2), fmt.Sprintf("%016x", i+1), "E", "f"))})
	}
	if _, err := st.Ingest(p, "", items); err != nil {
		b.Fatal(err)
	}
	h := NewServer(st, Options{})
	b.ReportAllocs()
	for b.Loop() {
		st.changed() // as after a write
		req := httptest.NewRequest(http.MethodGet, "/api/0/organizations/local/trace/"+traceA+"/", nil)
		req.RemoteAddr = "127.0.0.1:1"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
