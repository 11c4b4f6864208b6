package sentryapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A Sentry that refuses the transactions dataset (it keeps transactions
// as spans) is asked the spans dataset, with the span keys; its rows (the
// shape of the recorded events-spans fixture) become the same hits.
func TestSearchTransactionsFallsBackToSpans(t *testing.T) {
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/0/organizations/acme/":
			w.Write([]byte(`{"id": "1", "slug": "acme", "name": "Acme", "links": {"regionUrl": "http://` + r.Host + `", "organizationUrl": ""}}`))
			return
		case "/api/0/organizations/acme/events/":
		default:
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		queries = append(queries, q.Get("dataset")+" "+q.Get("query"))
		if q.Get("dataset") == "transactions" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"detail": "Invalid dataset: transactions"}`))
			return
		}
		w.Write([]byte(`{"data": [{"id": "07752c6aeb027c8f", "span.op": "http.server", "span.duration": 12.0, "transaction": "GET /trpc/bottleList",
			"timestamp": "2025-04-13T14:19:18+00:00", "is_transaction": true, "project": "peated", "trace": "6a477f5b0f31ef7b6b9b5e1dea66c91d",
			"transaction.event_id": "9b1f6d2a3c4e4f5a8b7c6d5e4f3a2b1c", "span.status": "ok"}],
			"meta": {"fields": {"id": "string", "span.duration": "duration"}, "units": {"span.duration": "millisecond"}, "dataset": "spans"}}`))
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, Org: "acme", Token: "t", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := c.SearchTransactions(context.Background(), TransactionSearch{Transaction: "GET /trpc/bottleList", Op: "http.server", Status: "ok", ExcludeTrace: "ffff"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].TraceID != "6a477f5b0f31ef7b6b9b5e1dea66c91d" || hits[0].EventID != "9b1f6d2a3c4e4f5a8b7c6d5e4f3a2b1c" ||
		hits[0].Op != "http.server" || hits[0].Status != "ok" || hits[0].DurationMS != 12 || hits[0].Timestamp == 0 {
		t.Errorf("hits %+v", hits)
	}
	want := []string{
		`transactions event.type:transaction transaction:"GET /trpc/bottleList" transaction.op:http.server transaction.status:ok !trace:ffff`,
		`spans is_transaction:true transaction:"GET /trpc/bottleList" span.op:http.server span.status:ok !trace:ffff`,
	}
	if strings.Join(queries, "\n") != strings.Join(want, "\n") {
		t.Errorf("queries:\n%s\nwant:\n%s", strings.Join(queries, "\n"), strings.Join(want, "\n"))
	}
}
