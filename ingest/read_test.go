package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/internal/fixtures"
	"github.com/tracehound/tracehound/sentryapi/local"
	bolt "go.etcd.io/bbolt"
)

// recommendedCases are error events of one issue ("Rec") that differ in
// what makes an event the recommended one: a replay, an unsampled trace,
// processing errors, a profile, time.
func recommendedCases() []string {
	ev := func(id string, ts int, ctx string, extra string) string {
		return fmt.Sprintf(`{"event_id":%q,"platform":"go","timestamp":%d.25,"level":"error"%s,
"contexts":{%s},
"exception":{"values":[{"type":"Rec","value":"v","stacktrace":{"frames":[{"function":"f","filename":"a.go","in_app":true}]}}]}}`, id, ts, extra, ctx)
	}
	tr := func(span string) string {
		return fmt.Sprintf(`"trace":{"trace_id":"%s","span_id":%q}`, traceA, span)
	}
	return []string{
		ev("f1000000000000000000000000000001", 1700000100, tr("1000000000000001"), ""),
		ev("f1000000000000000000000000000002", 1700000200, `"trace":{"trace_id":"`+traceA+`","span_id":"1000000000000002","sampled":false}`, ""),
		ev("f1000000000000000000000000000003", 1700000050, tr("1000000000000003")+`,"profile":{"profile_id":"p1"}`, ""),
		ev("f1000000000000000000000000000004", 1700000300, tr("1000000000000004"), `,"errors":[{"type":"x"}]`),
		ev("f1000000000000000000000000000005", 1700000100, tr("1000000000000005"), ""),
		ev("f1000000000000000000000000000006", 1700000010, `"replay":{"replay_id":"r1"}`, ""),
	}
}

// TestScopedReadsAnswerAsTheWholeStore: every read the server answers from
// a dataset of just the files the request needs (found through the
// indexes) is byte for byte what sentryapi/local answers from the whole
// store as a dataset — status, body and Link header.
func TestScopedReadsAnswerAsTheWholeStore(t *testing.T) {
	h := newHarness(t, Options{RatePerSecond: 1e6}, "storefront", "payments", "app")
	sf, pay := h.proj["storefront"], h.proj["payments"]
	if code, body := h.post(sf, envelopeOf(`{}`,
		[2]string{"transaction", transaction("a0000000000000000000000000000001", "1000000000000001", "", "GET /checkout", "")},
		[2]string{"event", errorEvent("e0000000000000000000000000000001", "1000000000000001", "TypeError", "render")}), nil); code != 200 {
		t.Fatal(code, body)
	}
	for i, ev := range recommendedCases() {
		p := pay
		if i == 5 {
			p = sf
		}
		if code, body := h.post(p, envelopeOf(`{}`, [2]string{"event", ev}), nil); code != 200 {
			t.Fatal(code, body)
		}
	}
	for i := range 7 {
		if code, body := h.post(pay, envelopeOf(`{}`, [2]string{"event", errorEvent(fmt.Sprintf("e00000000000000000000000000001%02d", i), "1000000000000001", "ValueError", "charge")}), nil); code != 200 {
			t.Fatal(code, body)
		}
	}
	for _, f := range fixtureEnvelopes() {
		if data, err := os.ReadFile(f); err == nil {
			h.post(h.proj["app"], data, nil)
		}
	}
	for i, tx := range discoverCases() {
		p := sf
		if i%3 == 1 {
			p = pay
		}
		if code, body := h.post(p, envelopeOf(`{}`, [2]string{"transaction", tx}), nil); code != 200 {
			t.Fatal(code, body)
		}
	}

	snap, err := h.store.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	whole, err := local.New(snap)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"/api/0/organizations/", "/api/0/organizations/local/", "/api/0/organizations/local/projects/",
		"/api/0/organizations/local/repos/", "/api/0/projects/local/payments/", "/api/0/projects/local/2/",
		"/api/0/organizations/local/issues/", "/api/0/organizations/local/issues/?limit=1", "/api/0/organizations/local/issues/?limit=2&per_page=1",
		"/api/0/organizations/local/issues/?limit=2&per_page=1&cursor=0:1:0", "/api/0/organizations/local/issues/?limit=abc",
		"/api/0/organizations/local/issues/999/", "/api/0/organizations/local/shortids/NOPE-1/", "/api/0/organizations/other/issues/",
		"/api/0/organizations/local/trace/" + traceA + "/", "/api/0/organizations/local/trace-meta/" + traceA + "/",
		"/api/0/organizations/local/events-trace/" + traceA + "/", "/api/0/organizations/local/trace/ffffffffffffffffffffffffffffffff/",
		"/api/0/organizations/local/trace/nothex/", "/api/0/organizations/local/eventids/e0000000000000000000000000000001/",
		"/api/0/organizations/local/events/storefront:e0000000000000000000000000000001/",
		"/api/0/organizations/local/events/payments:e0000000000000000000000000000001/",
		"/api/0/projects/local/storefront/events/A0000000-0000-0000-0000-000000000001/",
		"/api/0/projects/local/app/profiling/profiles/e1445bbbdc2145f8b53aa8a11ed71406/",
		"/api/0/organizations/local/no-such-thing/",
	}
	paths = append(paths, discoverReads(sf.ID, pay.ID)...)
	issues, err := h.store.Issues()
	if err != nil || len(issues) < 3 {
		t.Fatalf("issues: %v %v", len(issues), err)
	}
	for _, is := range issues {
		base := "/api/0/organizations/local/issues/" + string(is.ID)
		paths = append(paths, base+"/", "/api/0/organizations/local/shortids/"+is.ShortID+"/",
			"/api/0/organizations/local/shortids/"+strings.ToLower(is.ShortID)+"/", "/api/0/organizations/local/issues/"+is.ShortID+"/",
			base+"/events/", base+"/events/?full=1", base+"/events/?per_page=2", base+"/events/?per_page=2&cursor=0:2:0",
			base+"/events/?per_page=2&cursor=0:4:0", base+"/events/?per_page=2&cursor=0:100:0", base+"/events/?cursor=bad",
			base+"/events/latest/", base+"/events/oldest/", base+"/events/recommended/",
			base+"/events/e0000000000000000000000000000001/", base+"/events/f1000000000000000000000000000003/")
	}
	err = h.store.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bItems).ForEach(func(k, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			switch r.Kind {
			case KindError, KindTransaction:
				paths = append(paths, "/api/0/organizations/local/eventids/"+r.ID+"/")
			case KindChunk:
				paths = append(paths, fmt.Sprintf("/api/0/organizations/local/profiling/chunks/?project=%d&profiler_id=%s&start=0&end=9999999999", r.ProjectID, r.ParentID))
			}
			if r.TraceID != "" {
				paths = append(paths, "/api/0/organizations/local/trace/"+r.TraceID+"/")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(h.store, Options{})
	for _, p := range paths {
		u, _ := url.Parse(p)
		if _, scoped, err := h.store.requestSnapshot(u.Path, u.Query()); err != nil || !scoped && !strings.Contains(p, "no-such-thing") && !strings.Contains(p, "unscoped") {
			t.Errorf("GET %s is not read through the indexes (%v)", p, err)
		}
		want := serve(whole, p)
		got := serve(srv, p)
		if got.Code != want.Code || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) || got.Header().Get("Link") != want.Header().Get("Link") {
			t.Errorf("GET %s\n got %d %.300s\nLink %s\nwant %d %.300s\nLink %s", p, got.Code, got.Body, got.Header().Get("Link"),
				want.Code, want.Body, want.Header().Get("Link"))
		}
	}
	t.Logf("%d reads compared", len(paths))
	// compare's search: the healthy GET /checkout of other traces, newest
	// first (d…09 is named GET /checkout by its tag).
	found := serve(srv, discoverReads(sf.ID, pay.ID)[1]).Body.String()
	var ids []string
	for _, id := range []string{"d0000000000000000000000000000009", "d0000000000000000000000000000005", "d0000000000000000000000000000003"} {
		if i := strings.Index(found, id); i >= 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) != 3 || strings.Index(found, ids[0]) > strings.Index(found, ids[1]) || strings.Index(found, ids[1]) > strings.Index(found, ids[2]) ||
		strings.Contains(found, "d0000000000000000000000000000001") || strings.Contains(found, "d0000000000000000000000000000002") {
		t.Errorf("compare's search: %.600s", found)
	}
	// The recommended event is the one with the replay, in another project.
	rec := serve(srv, "/api/0/organizations/local/issues/"+issueOf(t, h, "Rec")+"/events/recommended/")
	if !strings.Contains(rec.Body.String(), "f1000000000000000000000000000006") {
		t.Errorf("recommended: %.300s", rec.Body)
	}
}

// discoverCases are transactions for Discover's events endpoint: one
// name ("GET /checkout") with statuses, ops, traces and timestamps that
// tie, one named by its tag, and names that contain quotes and spaces or
// start with another.
func discoverCases() []string {
	tx := func(id, trace, name, op, status string, end float64, extra string) string {
		return fmt.Sprintf(`{"event_id":%q,"type":"transaction","platform":"go","transaction":%q,
"start_timestamp":%v,"timestamp":%v%s,
"contexts":{"trace":{"trace_id":%q,"span_id":"3000000000000001","op":%q,"status":%q}}}`, id, name, end-0.25, end, extra, trace, op, status)
	}
	const traceB = "fedcba9876543210fedcba9876543210"
	return []string{
		tx("d0000000000000000000000000000001", traceA, "GET /checkout", "http.server", "ok", 1700000010, ""),
		tx("d0000000000000000000000000000002", traceB, "GET /checkout", "http.server", "internal_error", 1700000020, ""),
		tx("d0000000000000000000000000000003", traceB, "GET /checkout", "http.server", "ok", 1700000020, ""),
		tx("d0000000000000000000000000000004", traceA, "GET /checkout", "http.client", "ok", 1700000005, ""),
		tx("d0000000000000000000000000000005", traceB, "GET /checkout", "http.server", "ok", 1700000030.5, ""),
		tx("d0000000000000000000000000000006", traceA, "GET /checkout", "http.server", "ok", 1699999999, ""),
		tx("d0000000000000000000000000000007", traceB, "GET /checkout", "http.server", "", 1700000040, ""),
		tx("d0000000000000000000000000000008", traceB, "GET /checkoutx", "http.server", "ok", 1700000050, ""),
		tx("d0000000000000000000000000000009", traceB, "GET /cart", "http.server", "ok", 1700000060, `,"tags":{"transaction":"GET /checkout"}`),
		tx("d000000000000000000000000000000a", traceB, `POST /a "b"`, "http.server", "ok", 1700000070, ""),
	}
}

// discoverReads are Discover events queries (as compare sends them, and
// others) over discoverCases; "unscoped" marks those that need the whole
// store.
func discoverReads(sf, pay int64) []string {
	base := url.Values{"dataset": {"transactions"}, "field": {"id", "trace", "transaction", "transaction.op", "project", "timestamp", "transaction.status", "transaction.duration"}}
	read := func(kv ...string) string {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			q[kv[i]] = append(q[kv[i]], kv[i+1])
		}
		return "/api/0/organizations/local/events/?" + q.Encode()
	}
	checkout := `event.type:transaction transaction:"GET /checkout"`
	return []string{
		read("query", checkout),
		read("query", checkout+` transaction.op:http.server transaction.status:ok !trace:`+traceA, "sort", "-timestamp", "per_page", "10", "statsPeriod", "14d", "project", "-1"),
		read("query", checkout+" transaction.status:ok", "per_page", "2"),
		read("query", checkout+" transaction.status:ok", "per_page", "2", "cursor", "0:2:0"),
		read("query", checkout+" transaction.status:ok", "per_page", "2", "cursor", "0:4:0"),
		read("query", checkout, "per_page", "3", "cursor", "0:100:0"),
		read("query", checkout, "sort", "timestamp", "per_page", "2"),
		read("query", checkout, "sort", "timestamp", "per_page", "2", "cursor", "0:2:0"),
		read("query", checkout, "project", fmt.Sprint(pay)),
		read("query", checkout, "project", fmt.Sprint(sf), "project", fmt.Sprint(pay), "per_page", "1"),
		read("query", checkout, "project", "999"),
		read("query", checkout, "project", "abc"),
		read("query", checkout+" !transaction.status:ok"),
		read("query", checkout+" id:D0000000-0000-0000-0000-000000000003"),
		read("query", `transaction:"GET /checkoutx"`),
		read("query", `transaction:"GET /cart"`),
		read("query", `transaction:"POST /a \"b\""`),
		read("query", `transaction:"GET /nothing"`),
		read("query", `transaction:"GET /checkout" transaction:"GET /cart"`),
		read("query", `transaction:"GET /checkout" !transaction:"GET /checkout"`),
		read("query", checkout, "sort", "duration"),
		read("query", checkout, "per_page", "0"),
		read("query", checkout, "per_page", "101"),
		read("query", checkout, "cursor", "bad"),
		read("query", checkout, "dataset", "errors"),
		read("query", checkout, "field", "nope"),
		read("query", checkout+" free"),
		read("query", checkout+" user.email:x"),
		read("query", "event.type:transaction", "unscoped", "1"),
		read("unscoped", "1"),
		read("query", "!transaction:x", "unscoped", "1"),
	}
}

// fixtureEnvelopes lists the SDK envelopes of the shared fixtures (none
// without them).
func fixtureEnvelopes() []string {
	dir := fixtures.Dir()
	if dir == "" {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "envelopes", "*", "*"))
	top, _ := filepath.Glob(filepath.Join(dir, "envelopes", "*.*"))
	var out []string
	for _, f := range append(files, top...) {
		if !strings.HasSuffix(f, ".md") {
			out = append(out, f)
		}
	}
	return out
}

func issueOf(t *testing.T, h *harness, typ string) string {
	t.Helper()
	issues, _ := h.store.Issues()
	for _, is := range issues {
		if is.Metadata.Type == typ {
			return string(is.ID)
		}
	}
	t.Fatalf("no issue of type %s", typ)
	return ""
}

func serve(h http.Handler, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "127.0.0.1:1"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// A store written before the read indexes (index version 1: events of an
// issue under by_group, no issues_by_seen, …; version 2: no txn_by_name)
// opens with them built, and reads through them.
func TestOpenBuildsTheIndexesOfAnOlderStore(t *testing.T) {
	for _, from := range []int{1, 2} {
		t.Run(fmt.Sprintf("version %d", from), func(t *testing.T) { testOpenBuildsTheIndexes(t, from) })
	}
}

func testOpenBuildsTheIndexes(t *testing.T, from int) {
	path := filepath.Join(t.TempDir(), "db")
	st, err := Open(path, Retention{})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := st.EnsureProject("p", "go")
	var items []Item
	for i, ev := range recommendedCases() {
		items = append(items, Item{Type: "event", Payload: []byte(ev)},
			Item{Type: "event", Payload: []byte(errorEvent(fmt.Sprintf("e00000000000000000000000000000%02d", i), "1000000000000001", "Other", "f"))})
	}
	for _, tx := range discoverCases() {
		items = append(items, Item{Type: "transaction", Payload: []byte(tx)})
	}
	if _, err := st.Ingest(p, "", items); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(st, Options{})
	reads := []string{"/api/0/organizations/local/issues/", "/api/0/organizations/local/issues/1/events/recommended/",
		"/api/0/organizations/local/issues/1/events/", "/api/0/organizations/local/shortids/P-2/", "/api/0/organizations/local/issues/2/events/oldest/",
		discoverReads(p.ID, p.ID)[1], discoverReads(p.ID, p.ID)[6]}
	var before []string
	for _, r := range reads {
		before = append(before, serve(srv, r).Body.String())
	}
	if !strings.Contains(before[5], "d0000000000000000000000000000005") {
		t.Fatalf("discover: %.300s", before[5])
	}
	st.Close()

	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return downgrade(tx, from) })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	var notices []string
	st, err = Open(path, Retention{}, WithNotice(func(m string) { notices = append(notices, m) }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv = NewServer(st, Options{})
	for i, r := range reads {
		if got := serve(srv, r).Body.String(); got != before[i] {
			t.Errorf("GET %s after migrating:\n got %.300s\nwant %.300s", r, got, before[i])
		}
	}
	if len(notices) != 0 {
		t.Errorf("a small store was announced: %q", notices)
	}
	_ = st.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bGroupV1) != nil {
			t.Error("by_group is still there")
		}
		if k, _ := tx.Bucket(bTxnName).Cursor().First(); k == nil {
			t.Error("txn_by_name is empty")
		}
		return nil
	})
}

// downgrade takes a store back to the layout of index version from.
func downgrade(tx *bolt.Tx, from int) error {
	gone := [][]byte{bTxnName}
	if from == 1 {
		gone = append(gone, bGroupTime, bGroupRank, bSeen, bShort)
	}
	for _, b := range gone {
		if err := tx.DeleteBucket(b); err != nil {
			return err
		}
	}
	var old *bolt.Bucket
	if from == 1 {
		var err error
		if old, err = tx.CreateBucket(bGroupV1); err != nil {
			return err
		}
	}
	var recs []record
	err := tx.Bucket(bItems).ForEach(func(k, v []byte) error {
		var r record
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		recs = append(recs, r)
		if old != nil && r.GroupID != 0 {
			return old.Put(append(be64(uint64(r.GroupID)), r.ID...), nil)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range recs {
		if from == 1 {
			r.Time, r.Rank = 0, nil
		}
		r.Txn = nil
		v, _ := json.Marshal(r)
		if err := tx.Bucket(bItems).Put(r.key(), v); err != nil {
			return err
		}
	}
	if from == 1 {
		return tx.Bucket(bMeta).Delete(keyIndexVersion)
	}
	return tx.Bucket(bMeta).Put(keyIndexVersion, be64(2))
}
