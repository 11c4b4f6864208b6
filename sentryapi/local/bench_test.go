package local_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/sentryapi/local"
)

// bigTrace generates a trace of n spans: a root transaction with n/1000
// service transactions below it, each with about 1000 spans in a shallow
// tree (50 function spans of 19 db spans), and an error on the db spans
// whose number is a multiple of 500.
func bigTrace(n int) wire.Trace {
	spanID := func(i int) string { return fmt.Sprintf("%016x", i+1) }
	txnID := func(i int) string { return fmt.Sprintf("%032x", i+1) }
	root := wire.TraceItem{EventID: spanID(0), EventType: "span", TransactionID: txnID(0), IsTransaction: true,
		ProjectID: 1, ProjectSlug: "gateway", Op: "http.server", Transaction: "GET /", StartTimestamp: 1000, EndTimestamp: 1010, Duration: 10000}
	next := 1
	for t := 0; next < n; t++ {
		txn := wire.TraceItem{EventID: spanID(next), EventType: "span", TransactionID: txnID(t + 1), ParentSpanID: root.EventID,
			IsTransaction: true, ProjectID: wire.FlexInt(2 + t%5), ProjectSlug: fmt.Sprintf("svc%d", t%5), Op: "http.server",
			Transaction: fmt.Sprintf("POST /svc/%d", t), StartTimestamp: 1001, EndTimestamp: 1009}
		next++
		for g := 0; g < 50 && next < n; g++ {
			grp := wire.TraceItem{EventID: spanID(next), EventType: "span", TransactionID: txn.TransactionID, ParentSpanID: txn.EventID,
				Op: "function", Description: "handler", StartTimestamp: 1002, EndTimestamp: 1003}
			next++
			for k := 0; k < 19 && next < n; k++ {
				sp := wire.TraceItem{EventID: spanID(next), EventType: "span", TransactionID: txn.TransactionID, ParentSpanID: grp.EventID,
					Op: "db", Description: "SELECT * FROM t WHERE id = %s", StartTimestamp: 1002.1, EndTimestamp: 1002.2, Duration: 100}
				if next%500 == 0 {
					sp.Errors = []wire.TraceItem{{EventID: fmt.Sprintf("e%031x", next), EventType: "error", IssueID: 7,
						ProjectID: txn.ProjectID, ProjectSlug: txn.ProjectSlug, Description: "boom", Level: "error", StartTimestamp: 1002.15}}
				}
				next++
				grp.Children = append(grp.Children, sp)
			}
			txn.Children = append(txn.Children, grp)
		}
		root.Children = append(root.Children, txn)
	}
	return wire.Trace{root}
}

func BenchmarkTrace100k(b *testing.B) {
	data, err := wire.Encode(bigTrace(100_000))
	if err != nil {
		b.Fatal(err)
	}
	const id = "abcdefabcdefabcdefabcdefabcdef12"
	fsys := fstest.MapFS{
		"organization.json":      {Data: []byte(`{"id":"1","slug":"acme"}`)},
		"traces/" + id + ".json": {Data: data},
	}
	s, err := local.New(fsys)
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: s.Transport()}
	for _, ep := range []string{"trace", "trace-meta", "events-trace"} {
		b.Run(ep, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				res, err := client.Get("http://sentry.local/api/0/organizations/acme/" + ep + "/" + id + "/")
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || n == 0 {
					b.Fatalf("%s: %d, %d bytes", ep, res.StatusCode, n)
				}
			}
		})
	}
}

// TestBigTrace checks the derived endpoints on a large trace (the
// benchmark's data) for the counts a generator makes easy to know.
func TestBigTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("large trace")
	}
	tr := bigTrace(20_000)
	wantErrs := 0
	var walk func([]wire.TraceItem)
	walk = func(items []wire.TraceItem) {
		for _, it := range items {
			wantErrs += len(it.Errors)
			walk(it.Children)
		}
	}
	walk(tr)
	if wantErrs < 30 {
		t.Fatalf("the generator made only %d errors", wantErrs)
	}
	data, err := wire.Encode(tr)
	if err != nil {
		t.Fatal(err)
	}
	const id = "abcdefabcdefabcdefabcdefabcdef12"
	s := newServer(t, fstest.MapFS{
		"organization.json":      {Data: []byte(`{"id":"1","slug":"acme"}`)},
		"traces/" + id + ".json": {Data: data},
	})
	c := conns(t, s)[1]
	var m wire.TraceMeta
	c.get(t, "/api/0/organizations/acme/trace-meta/"+id+"/").want(t, 200).decode(t, &m)
	if m.Spans() != 20_000 || m.Transactions() != 21 || m.Errors() != wantErrs {
		t.Errorf("meta: spans %d, transactions %d, errors %d; want 20000, 21, %d", m.Spans(), m.Transactions(), m.Errors(), wantErrs)
	}
	var lt wire.LegacyTrace
	c.get(t, "/api/0/organizations/acme/events-trace/"+id+"/").want(t, 200).decode(t, &lt)
	errs := 0
	for _, ch := range lt.Transactions[0].Children {
		errs += len(ch.Errors)
	}
	if len(lt.Transactions) != 1 || len(lt.Transactions[0].Children) != 20 || errs != wantErrs || len(lt.OrphanErrors) != 0 {
		t.Errorf("legacy: %d roots, %d children, %d errors", len(lt.Transactions), len(lt.Transactions[0].Children), errs)
	}
}
