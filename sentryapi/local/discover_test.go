package local_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/sentryapi"
)

// txnEvent is a transaction event file of trace tr, ending at end.
func txnEvent(id, project, name, op, status, tr string, end float64) *fstest.MapFile {
	return &fstest.MapFile{Data: fmt.Appendf(nil, `{"id":%q,"eventID":%q,"type":"transaction","title":%q,"projectSlug":%q,
 "startTimestamp":%v,"endTimestamp":%v,"dateCreated":"2024-05-01T10:00:00Z","tags":[{"key":"transaction","value":%q}],
 "contexts":{"trace":{"trace_id":%q,"span_id":"b000000000000001","op":%q,"status":%q}}}`, id, id, name, project, end-0.25, end, name, tr, op, status)}
}

func TestSearchTransactions(t *testing.T) {
	fsys := dataset()
	tr := func(i int) string { return fmt.Sprintf("%032x", 0xa0+i) }
	ev := func(i int) string { return fmt.Sprintf("%032x", 0xe0+i) }
	fsys["events/backend/"+ev(1)+".json"] = txnEvent(ev(1), "backend", `POST /api/"pay" now`, "http.server", "ok", tr(1), 2000)
	fsys["events/backend/"+ev(2)+".json"] = txnEvent(ev(2), "backend", `POST /api/"pay" now`, "http.server", "internal_error", tr(2), 3000)
	fsys["events/backend/"+ev(3)+".json"] = txnEvent(ev(3), "backend", `POST /api/"pay" now`, "http.server", "ok", tr(3), 2500)
	fsys["events/backend/"+ev(4)+".json"] = txnEvent(ev(4), "backend", `GET /other`, "http.server", "ok", tr(4), 2600)
	fsys["events/frontend/"+ev(5)+".json"] = txnEvent(ev(5), "frontend", `POST /api/"pay" now`, "pageload", "ok", tr(5), 2700)
	s := newServer(t, fsys)
	c, err := sentryapi.New(sentryapi.Options{BaseURL: "http://fake.invalid", Org: "acme", Transport: s.Transport(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hits, err := c.SearchTransactions(ctx, sentryapi.TransactionSearch{Transaction: `POST /api/"pay" now`, Status: "ok", ProjectID: "11"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits {
		got = append(got, fmt.Sprintf("%s %s %s %s %.0f", h.TraceID[29:], h.Project, h.Status, h.Op, h.DurationMS))
	}
	// The newest first; the failed one, the other name and the other
	// project left out.
	if want := "0a3 backend ok http.server 250|0a1 backend ok http.server 250"; strings.Join(got, "|") != want {
		t.Errorf("hits %q, want %q", strings.Join(got, "|"), want)
	}
	hits, err = c.SearchTransactions(ctx, sentryapi.TransactionSearch{Transaction: `POST /api/"pay" now`, Status: "ok", ExcludeTrace: tr(3), Op: "http.server"})
	if err != nil || len(hits) != 1 || hits[0].TraceID != tr(1) || hits[0].Timestamp != 2000 {
		t.Errorf("excluding a trace: %+v, %v", hits, err)
	}
	// The request is the one Sentry documents.
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	for _, part := range []string{"dataset=transactions", "sort=-timestamp", "field=trace", "field=transaction.status", "statsPeriod=14d",
		"query=event.type%3Atransaction+transaction%3A%22POST+%2Fapi%2F%5C%22pay%5C%22+now%22+transaction.op%3Ahttp.server+transaction.status%3Aok+%21trace%3A"} {
		if !strings.Contains(last.RawQuery, part) {
			t.Errorf("query %s lacks %s", last.RawQuery, part)
		}
	}
}

func TestEventsTableRefusesWhatItDoesNotOffer(t *testing.T) {
	s := newServer(t, dataset())
	c := conns(t, s)[1]
	base := "/api/0/organizations/acme/events/?field=id&query="
	for q, want := range map[string]string{
		"message:boom":                  `the search key "message" is not supported`,
		"free+text":                     `free text "free" is not supported`,
		"transaction:%22unterminated":   "unterminated quoted value",
		"event.type:error":              "transactions only",
		"transaction:x&sort=-count()":   `sort "-count()" is not supported`,
		"transaction:x&dataset=spans":   "dataset=transactions only",
		"transaction:x&field=count()":   `Invalid field "count()"`,
		"transaction:x&project=backend": "Values must be numbers",
	} {
		if got := c.get(t, base+q).want(t, 400).detail(t); !strings.Contains(got, want) {
			t.Errorf("%s: detail %q, want %q", q, got, want)
		}
	}
	var body struct {
		Data []map[string]any `json:"data"`
	}
	c.get(t, base+"transaction:%22POST+/api/pay%22&field=timestamp").want(t, 200).decode(t, &body)
	if len(body.Data) != 1 || body.Data[0]["timestamp"] != "1970-01-01T00:16:42+00:00" {
		t.Errorf("rows %v", body.Data)
	}
}
