package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/internal/fixtures"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/tracetree"
	bolt "go.etcd.io/bbolt"
)

type harness struct {
	t     *testing.T
	store *Store
	srv   *httptest.Server
	api   *sentryapi.Client
	proj  map[string]Project
}

func newHarness(t *testing.T, opts Options, projects ...string) *harness {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "ingest.db"), DefaultRetention())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{t: t, store: st, proj: map[string]Project{}}
	for _, p := range projects {
		pr, err := st.EnsureProject(p, "")
		if err != nil {
			t.Fatal(err)
		}
		h.proj[p] = pr
	}
	h.srv = httptest.NewServer(NewServer(st, opts))
	t.Cleanup(h.srv.Close)
	h.api, err = sentryapi.New(sentryapi.Options{BaseURL: h.srv.URL, Org: OrgSlug, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// post sends body as an envelope for project p with its key.
func (h *harness) post(p Project, body []byte, hdr map[string]string) (int, string) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/%d/envelope/", h.srv.URL, p.ID), bytes.NewReader(body))
	req.Header.Set("X-Sentry-Auth", "Sentry sentry_key="+p.Key+", sentry_version=7")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func envelopeOf(header string, items ...[2]string) []byte {
	var b bytes.Buffer
	b.WriteString(header + "\n")
	for _, it := range items {
		fmt.Fprintf(&b, `{"type":%q,"length":%d}`+"\n%s\n", it[0], len(it[1]), it[1])
	}
	return b.Bytes()
}

const traceA = "0123456789abcdef0123456789abcdef"

func errorEvent(id, span, typ, fn string) string {
	return fmt.Sprintf(`{"event_id":%q,"platform":"go","timestamp":1700000000.5,"level":"error",
"contexts":{"trace":{"trace_id":%q,"span_id":%q}},
"exception":{"values":[{"type":%q,"value":"boom","stacktrace":{"frames":[
 {"function":"main","module":"main","filename":"main.go","lineno":10,"in_app":true},
 {"function":%q,"module":"shop/payments","filename":"payments/charge.go","abs_path":"/src/payments/charge.go","lineno":42,"in_app":true},
 {"function":"ParseInt","module":"strconv","filename":"strconv/atoi.go","lineno":100,"in_app":false}]}}]},
"tags":{"transaction":"POST /charges"}}`, id, traceA, span, typ, fn)
}

func transaction(id, span, parent, name string, spans string) string {
	par := ""
	if parent != "" {
		par = fmt.Sprintf(`,"parent_span_id":%q`, parent)
	}
	return fmt.Sprintf(`{"event_id":%q,"type":"transaction","platform":"go","transaction":%q,
"start_timestamp":1700000000.0,"timestamp":1700000001.0,
"contexts":{"trace":{"trace_id":%q,"span_id":%q,"op":"http.server","status":"internal_error"%s}},
"spans":[%s]}`, id, name, traceA, span, par, spans)
}

func TestIngestBuildsTheTraceAcrossProjects(t *testing.T) {
	h := newHarness(t, Options{}, "storefront", "payments")
	sf, pay := h.proj["storefront"], h.proj["payments"]
	// storefront: root transaction with an http.client span calling payments.
	code, body := h.post(sf, envelopeOf(`{"event_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}`,
		[2]string{"transaction", transaction("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1000000000000001", "", "GET /checkout",
			`{"span_id":"1000000000000002","parent_span_id":"1000000000000001","op":"http.client","description":"POST /charges","start_timestamp":1700000000.1,"timestamp":1700000000.9,"trace_id":"`+traceA+`"}`)},
		[2]string{"event", errorEvent("cccccccccccccccccccccccccccccccc", "1000000000000001", "UpstreamError", "checkout")}), nil)
	if code != 200 || !strings.Contains(body, "aaaaaaaa") {
		t.Fatalf("storefront envelope: %d %s", code, body)
	}
	// payments: its transaction is a child of storefront's http.client span.
	code, body = h.post(pay, envelopeOf(`{}`,
		[2]string{"transaction", transaction("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "2000000000000001", "1000000000000002", "POST /charges", "")},
		[2]string{"event", errorEvent("dddddddddddddddddddddddddddddddd", "2000000000000001", "*strconv.NumError", "parseAmountCents")},
		[2]string{"event", errorEvent("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "2000000000000001", "*strconv.NumError", "parseAmountCents")}), nil)
	if code != 200 {
		t.Fatalf("payments envelope: %d %s", code, body)
	}

	ctx := context.Background()
	tr, err := h.api.Trace(ctx, traceA, sentryapi.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tree := tracetree.Build(tr.Items, tracetree.BuildOptions{TraceID: traceA})
	if tree.Transactions != 2 || tree.Errors != 3 || len(tree.Roots) != 1 {
		t.Fatalf("tree: %d transactions, %d errors, %d roots:\n%s", tree.Transactions, tree.Errors, len(tree.Roots), tracetree.Render(tree, tracetree.RenderOptions{}))
	}
	root := tr.Items[0]
	if root.ProjectSlug != "storefront" || !root.IsTransaction || len(root.Errors) != 1 {
		t.Errorf("root: %+v", root)
	}
	// storefront root → http.client span → payments transaction with 2 errors.
	if len(root.Children) != 1 || len(root.Children[0].Children) != 1 {
		t.Fatalf("links: %+v", root.Children)
	}
	child := root.Children[0].Children[0]
	if child.ProjectSlug != "payments" || child.TransactionID != "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" || len(child.Errors) != 2 {
		t.Errorf("payments transaction: %+v", child)
	}

	// The two payments errors are one issue; storefront's another.
	issues, err := h.api.LatestIssues(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 2 {
		t.Fatalf("%d issues, want 2: %+v", len(issues), issues)
	}
	var payIssue *wire.Issue
	for i := range issues {
		if issues[i].Project.Slug == "payments" {
			payIssue = &issues[i]
		}
	}
	if payIssue == nil || payIssue.Count != "2" || payIssue.Metadata.Function != "parseAmountCents" ||
		payIssue.Culprit != "shop/payments in parseAmountCents" || !strings.HasPrefix(payIssue.ShortID, "PAYMENTS-") {
		t.Fatalf("payments issue: %+v", payIssue)
	}
	// Its events carry the group; the event endpoint serves them.
	ev, err := h.api.RecommendedEvent(ctx, string(payIssue.ID))
	if err != nil {
		t.Fatal(err)
	}
	if string(ev.GroupID) != string(payIssue.ID) || ev.TraceID() != traceA || ev.ProjectSlug != "payments" {
		t.Errorf("event: group %q trace %q project %q", ev.GroupID, ev.TraceID(), ev.ProjectSlug)
	}
	// The whole incident loads like one from Sentry.
	if got, err := h.api.ResolveShortID(ctx, payIssue.ShortID); err != nil || string(got.GroupID) != string(payIssue.ID) {
		t.Errorf("short id: %+v %v", got, err)
	}
}

func TestAuth(t *testing.T) {
	h := newHarness(t, Options{}, "a", "b")
	a, b := h.proj["a"], h.proj["b"]
	env := envelopeOf(`{}`, [2]string{"event", errorEvent("11111111111111111111111111111111", "1", "E", "f")})
	cases := []struct {
		name string
		p    Project
		hdr  map[string]string
		code int
		want string
	}{
		{"no key", a, map[string]string{"X-Sentry-Auth": ""}, 401, "missing authorization"},
		{"unknown key", a, map[string]string{"X-Sentry-Auth": "Sentry sentry_key=deadbeef, sentry_version=7"}, 401, "unknown DSN public key"},
		{"another project's key", Project{ID: a.ID, Key: b.Key}, nil, 401, "is for project"},
		{"the right key", a, nil, 200, "1111"},
	}
	for _, c := range cases {
		code, body := h.post(c.p, env, c.hdr)
		if code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, code, body, c.code, c.want)
		}
	}
	// The key in the query string (browser SDKs) works too.
	env = envelopeOf(`{}`, [2]string{"event", errorEvent("12121212121212121212121212121212", "1", "E", "f")})
	resp, err := http.Post(fmt.Sprintf("%s/api/%d/envelope/?sentry_key=%s&sentry_version=7", h.srv.URL, b.ID, b.Key), "text/plain", bytes.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("query-string key: %d, CORS %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	if n, _ := h.store.Counts(); n[KindError] != 2 {
		t.Errorf("stored %v, want the two accepted errors only", n)
	}
}

func TestBadInput(t *testing.T) {
	h := newHarness(t, Options{MaxBody: 64 << 10}, "p")
	p := h.proj["p"]
	good := errorEvent("22222222222222222222222222222222", "1", "E", "f")
	code, body := h.post(p, []byte("not json\n"), nil)
	if code != 400 || !strings.Contains(body, "malformed") {
		t.Errorf("malformed header: %d %s", code, body)
	}
	code, body = h.post(p, []byte("{}\n{\"type\":\"attachment\",\"length\":999}\nxyz\n"), nil)
	if code != 400 || !strings.Contains(body, "length") {
		t.Errorf("length past the end: %d %s", code, body)
	}
	// One bad item: the others are kept.
	code, body = h.post(p, envelopeOf(`{}`, [2]string{"event", `{"event_id": nope}`}, [2]string{"event", good}, [2]string{"mystery", "whatever"}), nil)
	if code != 200 || !strings.Contains(body, "2222") {
		t.Errorf("one bad item: %d %s", code, body)
	}
	// A transaction that is JSON but not an event is an error on that item only.
	code, _ = h.post(p, envelopeOf(`{}`, [2]string{"transaction", `{"spans": 5}`}), nil)
	if code != 200 {
		t.Errorf("a transaction of the wrong shape: %d", code)
	}
	// Oversized body.
	big := envelopeOf(`{}`, [2]string{"event", `{"message":"` + strings.Repeat("x", 100<<10) + `"}`})
	code, _ = h.post(p, big, nil)
	if code != 413 {
		t.Errorf("oversized: %d", code)
	}
	// gzip is understood.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(envelopeOf(`{}`, [2]string{"event", errorEvent("33333333333333333333333333333333", "1", "E", "f")}))
	zw.Close()
	code, body = h.post(p, gz.Bytes(), map[string]string{"Content-Encoding": "gzip"})
	if code != 200 || !strings.Contains(body, "3333") {
		t.Errorf("gzip: %d %s", code, body)
	}
	// A corrupt gzip stream is a 400, not a hang or a 500.
	code, _ = h.post(p, gz.Bytes()[:len(gz.Bytes())/2], map[string]string{"Content-Encoding": "gzip"})
	if code != 400 {
		t.Errorf("truncated gzip: %d", code)
	}
	if n, _ := h.store.Counts(); n[KindError] != 2 || n[KindTransaction] != 0 {
		t.Errorf("stored %v, want 2 errors", n)
	}
	// Only POST.
	resp, _ := http.Get(fmt.Sprintf("%s/api/%d/envelope/", h.srv.URL, p.ID))
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("GET on the envelope endpoint: %d", resp.StatusCode)
	}
}

func TestFloodIsBounded(t *testing.T) {
	h := newHarness(t, Options{RatePerSecond: 5}, "p")
	p := h.proj["p"]
	env := envelopeOf(`{}`, [2]string{"event", errorEvent("44444444444444444444444444444444", "1", "E", "f")})
	limited := 0
	for range 40 {
		if code, _ := h.post(p, env, nil); code == 429 {
			limited++
		}
	}
	// A burst of 10 passes, then 429s (with Retry-After).
	if limited < 25 {
		t.Errorf("%d of 40 rate-limited, want most past the burst", limited)
	}
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/%d/envelope/", h.srv.URL, p.ID), bytes.NewReader(env))
	req.Header.Set("X-Sentry-Auth", "Sentry sentry_key="+p.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || resp.Header.Get("X-Sentry-Rate-Limits") == "" {
		t.Errorf("429 headers: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestConcurrentWritesAndReads(t *testing.T) {
	h := newHarness(t, Options{RatePerSecond: 1e6, MaxConcurrent: 16}, "p")
	p := h.proj["p"]
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				id := fmt.Sprintf("%032x", i*100+j+1)
				env := envelopeOf(`{}`, [2]string{"event", errorEvent(id, "1", fmt.Sprintf("E%d", j), "f")})
				req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/%d/envelope/", h.srv.URL, p.ID), bytes.NewReader(env))
				req.Header.Set("X-Sentry-Auth", "Sentry sentry_key="+p.Key)
				// 16 writers never exceed MaxConcurrent (16) nor the rate:
				// every envelope is accepted at once, no retry, no wait.
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("status %d", resp.StatusCode)
				}
				if _, err := h.api.LatestIssues(context.Background(), 5); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	n, _ := h.store.Counts()
	issues, _ := h.store.Issues()
	if n[KindError] != 80 || len(issues) != 5 {
		t.Errorf("%d errors in %d issues, want 80 in 5", n[KindError], len(issues))
	}
}

func TestRetentionCountsFromReceipt(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(filepath.Join(dir, "db"), Retention{MaxAge: time.Hour, MaxItems: 3})
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st.now = func() time.Time { return clock }
	p, _ := st.EnsureProject("p", "go")
	put := func(id, typ string) {
		t.Helper()
		// The event's own timestamp is years old: it does not matter.
		if _, err := st.Ingest(p, "", []Item{{Type: "event", Payload: []byte(errorEvent(id, "1", typ, "f"))}}); err != nil {
			t.Fatal(err)
		}
	}
	put("a0000000000000000000000000000000", "Old")
	clock = clock.Add(30 * time.Minute)
	put("b0000000000000000000000000000000", "Kept")
	if n, _ := st.Counts(); n[KindError] != 2 {
		t.Fatalf("an event with an old timestamp was dropped on receipt: %v", n)
	}
	clock = clock.Add(45 * time.Minute) // the first is now 75 minutes old
	put("c0000000000000000000000000000000", "Kept")
	issues, _ := st.Issues()
	if n, _ := st.Counts(); n[KindError] != 2 || len(issues) != 1 || issues[0].Metadata.Type != "Kept" {
		t.Fatalf("after an hour: %v, issues %+v", n, issues)
	}
	for _, id := range []string{"d", "e", "f"} {
		put(id+"0000000000000000000000000000000", "Kept")
	}
	if n, _ := st.Counts(); n[KindError] != 3 {
		t.Errorf("MaxItems 3: %v", n)
	}
	if r, _ := st.get(KindError, "b0000000000000000000000000000000"); r != nil {
		t.Errorf("the oldest was kept over the newest")
	}
	// It all survives a restart.
	st.Close()
	st2, err := Open(filepath.Join(dir, "db"), Retention{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if n, _ := st2.Counts(); n[KindError] != 3 {
		t.Errorf("after reopening: %v", n)
	}
	if q, ok := st2.ProjectByKey(p.Key); !ok || q.Slug != "p" {
		t.Errorf("the project's key did not survive a restart")
	}
}

// Conformance: every real SDK envelope of the shared fixtures is
// accepted, and what they carry comes back through the API.
func TestFixtureEnvelopes(t *testing.T) {
	if fixtures.Dir() == "" {
		t.Skip("no ../shared/fixtures")
	}
	h := newHarness(t, Options{RatePerSecond: 1e6}, "app")
	p := h.proj["app"]
	files := fixtureEnvelopes()
	if len(files) < 10 {
		t.Fatalf("only %d fixture envelopes", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if code, body := h.post(p, data, nil); code != 200 {
			t.Errorf("%s: %d %s", filepath.Base(f), code, body)
		}
	}
	ctx := context.Background()
	counts, _ := h.store.Counts()
	if counts[KindTransaction] < 9 || counts[KindError] < 1 || counts[KindProfile] < 2 || counts[KindSpan] < 1 || counts[KindChunk] != 2 {
		t.Errorf("stored %v", counts)
	}
	// The React pageload and the Django transactions are one trace.
	const sentryTrace = "ebb880e3fc1c43f392d9f53965b599a7"
	tr, err := h.api.Trace(ctx, sentryTrace, sentryapi.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tree := tracetree.Build(tr.Items, tracetree.BuildOptions{TraceID: sentryTrace})
	if tree.Transactions != 6 || len(tree.Roots) != 1 || tree.Roots[0].Op != "pageload" {
		t.Errorf("the React + Django trace: %d transactions, %d roots:\n%s", tree.Transactions, len(tree.Roots), tracetree.Render(tree, tracetree.RenderOptions{}))
	}
	// The Java error is an issue, the latest one sorted first.
	issues, err := h.api.LatestIssues(ctx, 10)
	if err != nil || len(issues) == 0 {
		t.Fatalf("issues: %v %v", issues, err)
	}
	found := false
	for _, is := range issues {
		if is.Metadata.Type == "RuntimeException" && is.Metadata.Function != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("no RuntimeException issue with its function: %+v", issues)
	}
	// The browser profile is served as a profile.
	if _, err := h.api.Profile(ctx, "app", "e1445bbbdc2145f8b53aa8a11ed71406"); err != nil {
		t.Errorf("the JS profile: %v", err)
	}
	// Its transaction points at it from the trace.
	ev, err := h.api.Event(ctx, "app", "a79bb264f52f4a9992d7b1914a0c27d5")
	if err != nil {
		t.Fatal(err)
	}
	tr, err = h.api.Trace(ctx, ev.TraceID(), sentryapi.TraceOptions{})
	if err != nil || len(tr.Items) == 0 || tr.Items[0].ProfileID != "e1445bbbdc2145f8b53aa8a11ed71406" {
		t.Errorf("the profiled transaction in its trace is not linked to its profile (%v)", err)
	}
	// The snapshot behind the API is a well-behaved fs.FS in the dataset
	// layout: every event, profile, chunk and trace where the layout says.
	snap, err := h.store.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	d, err := dataset.Open(snap)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Events["app"]) != counts[KindError]+counts[KindTransaction] || len(d.Profiles["app"]) != counts[KindProfile] ||
		len(d.Chunks) == 0 || d.Traces[sentryTrace] == "" || len(d.Issues) != len(issues) {
		t.Errorf("the snapshot indexes %d events, %d profiles, %d profilers, %d issues, trace %q; stored %v",
			len(d.Events["app"]), len(d.Profiles["app"]), len(d.Chunks), len(d.Issues), d.Traces[sentryTrace], counts)
	}
	if err := fstest.TestFS(snap, dataset.OrganizationFile, dataset.ProjectsFile, dataset.ManifestFile,
		dataset.EventPath("app", ev.ID), dataset.TracePath(sentryTrace), dataset.ProfilePath("app", "e1445bbbdc2145f8b53aa8a11ed71406")); err != nil {
		t.Error(err)
	}
}

// @sentry/node 11 streams spans as v2 containers: op, segment and SDK in
// typed attributes, server spans named by their method.
func TestSpanV2Items(t *testing.T) {
	h := newHarness(t, Options{}, "gateway")
	p := h.proj["gateway"]
	v2 := `{"version":2,"items":[
 {"trace_id":"` + traceA + `","span_id":"aaaa000000000001","name":"GET","is_segment":true,"status":"error","start_timestamp":1700000000,"end_timestamp":1700000001,
  "attributes":{"sentry.op":{"type":"string","value":"http.server"},"url.path":{"type":"string","value":"/checkout"},"sentry.sdk.name":{"type":"string","value":"sentry.javascript.node"},"sentry.segment.id":{"type":"string","value":"aaaa000000000001"}}},
 {"trace_id":"` + traceA + `","span_id":"aaaa000000000002","parent_span_id":"aaaa000000000001","name":"SELECT stock","start_timestamp":1700000000.2,"end_timestamp":1700000000.4,
  "attributes":{"sentry.op":{"type":"string","value":"db"},"sentry.segment.id":{"type":"string","value":"aaaa000000000001"}}},
 {"span_id":"no-trace"}]}`
	code, body := h.post(p, envelopeOf(`{}`, [2]string{"span", v2}, [2]string{"event", errorEvent("99999999999999999999999999999999", "aaaa000000000002", "TypeError", "reserveStock")}), nil)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if n, _ := h.store.Counts(); n[KindSpan] != 2 {
		t.Errorf("stored %v, want the 2 spans with ids", n)
	}
	tr, err := h.api.Trace(context.Background(), traceA, sentryapi.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Items) != 1 {
		t.Fatalf("%d roots", len(tr.Items))
	}
	root := tr.Items[0]
	if !root.IsTransaction || root.Op != "http.server" || root.Transaction != "GET /checkout" || root.SDKName != "sentry.javascript.node" || len(root.Children) != 1 {
		t.Errorf("segment: %+v", root)
	}
	if c := root.Children[0]; c.Op != "db" || len(c.Errors) != 1 {
		t.Errorf("child: op %q, %d errors", c.Op, len(c.Errors))
	}
}

// get reads one record (a test helper).
func (s *Store) get(kind, id string) (*record, error) {
	var r *record
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bItems).Get([]byte(kind + ":" + id))
		if v == nil {
			return nil
		}
		r = &record{}
		if err := json.Unmarshal(v, r); err != nil {
			return err
		}
		r.Payload = append(json.RawMessage(nil), tx.Bucket(bPayloads).Get(r.key())...)
		return nil
	})
	return r, err
}

// Retention applies when the store opens too: data may age while no
// server runs.
func TestRetentionOnOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	st, err := Open(path, Retention{})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := st.EnsureProject("p", "go")
	if _, err := st.Ingest(p, "", []Item{{Type: "event", Payload: []byte(errorEvent("a0000000000000000000000000000000", "1", "E", "f"))}}); err != nil {
		t.Fatal(err)
	}
	received := time.Now()
	st.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	later, err := open(db, Retention{MaxAge: time.Hour}, func() time.Time { return received.Add(2 * time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	defer later.Close()
	if n, _ := later.Counts(); n[KindError] != 0 {
		t.Errorf("an item older than the retention survived opening: %v", n)
	}
	if is, _ := later.Issues(); len(is) != 0 {
		t.Errorf("its issue survived: %+v", is)
	}
}
