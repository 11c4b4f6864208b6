package local_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/sentryapi/local"
)

// Ids of the test dataset.
const (
	traceID    = "0123456789abcdef0123456789abcdef"
	trace2ID   = "11111111111111111111111111111111"
	badTraceID = "badbadbadbadbadbadbadbadbadbad00"
	unknownID  = "ffffffffffffffffffffffffffffffff"

	evOld    = "e1000000000000000000000000000001" // issue 100, 10:00, trace, no profile
	evMid    = "e1000000000000000000000000000002" // issue 100, 10:02, trace + profile
	evNew    = "e1000000000000000000000000000003" // issue 100, 10:05, no trace
	evTxn    = "a0000000000000000000000000000001" // backend transaction, no group
	evFront  = "f0000000000000000000000000000001" // frontend, issue 300
	profile1 = "9000000000000000000000000000000a"
	profiler = "71bba98d90b545c39f2ae9e4b4c6ac6a"

	txnA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	txnB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	txnC = "cccccccccccccccccccccccccccccccc"
	txnZ = "dddddddddddddddddddddddddddddddd"
)

// traceJSON is a small multi-service trace: frontend A → (http.client A1)
// → backend B → (db B1, db B2), worker C under B; an orphan error at the
// top level and a non-transaction root span X with an error.
const traceJSON = `[
 {"event_id":"a000000000000001","event_type":"span","transaction_id":"` + txnA + `","project_id":12,"project_slug":"frontend",
  "transaction":"GET /checkout","op":"pageload","description":"/checkout","parent_span_id":null,"is_transaction":true,
  "sdk_name":"sentry.javascript.browser","start_timestamp":1000.0,"end_timestamp":1002.5,"duration":2500.0,"profile_id":"","profiler_id":"",
  "errors":[],"occurrences":[],
  "children":[
   {"event_id":"a000000000000002","event_type":"span","transaction_id":"` + txnA + `","project_id":12,"project_slug":"frontend",
    "op":"http.client","description":"POST /api/pay","parent_span_id":"a000000000000001","is_transaction":false,
    "start_timestamp":1000.1,"end_timestamp":1002.4,"duration":2300.0,
    "errors":[{"event_id":"` + evFront + `","event_type":"error","issue_id":300,"short_id":"FRONTEND-3","project_id":12,"project_slug":"frontend",
               "description":"Payment failed","level":"error","start_timestamp":1002.41}],
    "occurrences":[],
    "children":[
     {"event_id":"b000000000000001","event_type":"span","transaction_id":"` + txnB + `","project_id":11,"project_slug":"backend",
      "transaction":"POST /api/pay","op":"http.server","description":"POST /api/pay","parent_span_id":"a000000000000002","is_transaction":true,
      "sdk_name":"sentry.python","start_timestamp":1000.2,"end_timestamp":1002.3,"duration":2100.4,"profile_id":"` + profile1 + `","profiler_id":"",
      "errors":[],"occurrences":[],
      "children":[
       {"event_id":"b000000000000002","event_type":"span","transaction_id":"` + txnB + `","project_id":11,"project_slug":"backend",
        "op":"db","description":"SELECT 1","parent_span_id":"b000000000000001","start_timestamp":1000.3,"end_timestamp":1000.4,"duration":100.0,
        "errors":[{"event_id":"` + evOld + `","event_type":"error","issue_id":100,"short_id":"BACKEND-1A","project_id":11,"project_slug":"backend",
                   "description":"ZeroDivisionError: division by zero","level":"error","start_timestamp":1000.35}],
        "occurrences":[{"event_id":"0cc00000000000000000000000000001","event_type":"occurrence","issue_id":400,"short_id":"BACKEND-4",
                        "project_id":11,"project_slug":"backend","description":"N+1 Query","level":"info","culprit":"pay","issue_type":1006,
                        "start_timestamp":1000.3,"end_timestamp":1000.6}],
        "children":[]},
       {"event_id":"b000000000000003","event_type":"span","transaction_id":"` + txnB + `","project_id":11,"project_slug":"backend",
        "op":"db","description":"SELECT 1","parent_span_id":"b000000000000001","start_timestamp":1000.45,"end_timestamp":1000.6,"duration":150.0,
        "errors":[],
        "occurrences":[{"event_id":"0cc00000000000000000000000000001","event_type":"occurrence","issue_id":400,"short_id":"BACKEND-4",
                        "project_id":11,"project_slug":"backend","description":"N+1 Query","level":"info","culprit":"pay","issue_type":1006,
                        "start_timestamp":1000.3,"end_timestamp":1000.6}],
        "children":[]},
       {"event_id":"c000000000000001","event_type":"span","transaction_id":"` + txnC + `","project_id":13,"project_slug":"worker",
        "transaction":"task.charge","op":"queue.task","parent_span_id":"b000000000000001","is_transaction":true,
        "start_timestamp":1000.7,"end_timestamp":1001.0,"errors":[],"occurrences":[],"children":[]}
      ]}
    ]}
  ]},
 {"event_id":"e2000000000000000000000000000009","event_type":"error","issue_id":500,"short_id":"BACKEND-5","project_id":11,
  "project_slug":"backend","description":"Orphan error","level":"fatal","start_timestamp":1003.0},
 {"event_id":"d000000000000001","event_type":"span","transaction_id":"` + txnZ + `","project_id":11,"project_slug":"backend",
  "op":"function","parent_span_id":"ffffffffffffffff","is_transaction":false,"start_timestamp":999.0,"end_timestamp":999.5,
  "errors":[{"event_id":"e2000000000000000000000000000008","event_type":"error","issue_id":501,"project_id":11,"project_slug":"backend",
             "description":"Lost span error","level":"error","start_timestamp":999.2}],
  "occurrences":[],"children":[]}
]`

const orgJSON = `{"id":"4509106740723712","slug":"acme","name":"Acme","features":["performance-view"],
 "links":{"organizationUrl":"https://acme.sentry.io","regionUrl":"https://us.sentry.io"},"status":{"id":"active"}}`

func event(id, group, date string, extra string) string {
	g := "null"
	if group != "" {
		g = `"` + group + `"`
	}
	return `{"id":"` + id + `","eventID":"` + id + `","groupID":` + g + `,"projectID":"11","type":"error","title":"ZeroDivisionError",
  "dateCreated":"` + date + `","entries":[{"type":"message","data":{"formatted":"boom"}}],"tags":[{"key":"level","value":"error"}]` + extra + `}`
}

// dataset returns the test dataset; callers may add or replace files.
func dataset() fstest.MapFS {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"dataset.json":      file(`{"name":"test","issue":"BACKEND-1A"}`),
		"organization.json": file(orgJSON),
		"projects.json": file(`[
 {"id":"11","slug":"backend","name":"Backend","platform":"python"},
 {"id":"12","slug":"frontend","name":"Frontend","platform":"javascript"},
 {"id":"13","slug":"worker","name":"Worker","platform":"python"}]`),
		"issues/100.json": file(`{"id":"100","shortId":"BACKEND-1A","title":"ZeroDivisionError","count":"3","project":{"id":"11","slug":"backend","name":"Backend"}}`),
		"issues/200.json": file(`{"id":"200","shortId":"FRONTEND-2","title":"No events","project":{"id":"12","slug":"frontend"}}`),
		"issues/300.json": file(`{"id":"300","shortId":"FRONTEND-3","title":"Payment failed","project":{"id":"12","slug":"frontend"}}`),
		"events/backend/" + evOld + ".json": file(event(evOld, "100", "2024-05-01T10:00:00Z",
			`,"contexts":{"trace":{"trace_id":"`+traceID+`","span_id":"b000000000000002","type":"trace"}}`)),
		"events/backend/" + evMid + ".json": file(event(evMid, "100", "2024-05-01T10:02:00.000000Z",
			`,"contexts":{"trace":{"trace_id":"`+traceID+`","span_id":"b000000000000002"},"profile":{"profile_id":"`+profile1+`"}}`)),
		"events/backend/" + evNew + ".json": file(event(evNew, "100", "2024-05-01T10:05:00Z", `,"projectSlug":"backend-stored"`)),
		"events/backend/" + evTxn + ".json": file(`{"id":"` + evTxn + `","eventID":"` + evTxn + `","groupID":null,"type":"transaction",
  "title":"POST /api/pay","dateCreated":"2024-05-01T10:00:00Z","startTimestamp":1000.2,"endTimestamp":1002.3,
  "entries":[{"type":"spans","data":[]}],"contexts":{"trace":{"trace_id":"` + traceID + `","span_id":"b000000000000001"}}}`),
		"events/frontend/" + evFront + ".json": file(event(evFront, "300", "2024-05-01T10:00:02Z", "")),
		"traces/" + traceID + ".json":          file(traceJSON),
		"traces/" + trace2ID + ".json":         file(`[]`),
		"traces/" + trace2ID + ".meta.json":    file(`{"errors":1,"performance_issues":0,"span_count":112.0,"transaction_child_count_map":[],"span_count_map":{}}`),
		"profiles/backend/" + profile1 + ".json": file(`{"event_id":"` + profile1 + `","version":"1","platform":"python",
  "profile":{"frames":[{"function":"pay","in_app":true}],"stacks":[[0]],"samples":[{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":0}],
  "thread_metadata":{"1":{"name":"main"}}},"transaction":{"id":"` + txnB + `","name":"POST /api/pay","trace_id":"` + traceID + `","active_thread_id":1}}`),
		// Chunk 1: a bare chunk, samples at 100.00, 100.01, 100.02.
		"chunks/" + profiler + "/c1.json": file(`{"chunk_id":"c1","project_id":11,"platform":"python","version":"2","release":"backend@1",
  "profile":{"frames":[{"function":"main","in_app":true},{"function":"pay","in_app":true}],
   "stacks":[[1,0],[0]],
   "samples":[{"stack_id":1,"thread_id":"1","timestamp":100.0},{"stack_id":0,"thread_id":"1","timestamp":100.01},{"stack_id":0,"thread_id":"2","timestamp":100.02}],
   "thread_metadata":{"1":{"name":"MainThread"},"2":{"name":"Worker"}}}}`),
		// Chunk 2: the response shape, samples at 100.03 (pay ← main again) and 100.04.
		"chunks/" + profiler + "/c2.json": file(`{"chunk":{"chunk_id":"c2","profiler_id":"` + profiler + `","project_id":"11","version":"2",
  "profile":{"frames":[{"function":"charge","in_app":false},{"function":"main","in_app":true},{"function":"pay","in_app":true}],
   "stacks":[[2,1],[0,2,1]],
   "samples":[{"stack_id":0,"thread_id":"1","timestamp":100.03},{"stack_id":1,"thread_id":"1","timestamp":100.04}],
   "thread_metadata":{"1":{"name":"MainThread"}}}}}`),
		"repos.json": file(`[{"id":"1","name":"acme/backend","url":"https://github.com/acme/backend","provider":{"id":"integrations:github","name":"GitHub"},"status":"active"},
 {"id":"2","name":"acme/frontend","status":"active"},{"id":"3","name":"acme/worker","status":"active"}]`),
		"code-mappings.json": file(`[{"id":"1","projectId":"11","projectSlug":"backend","repoId":"1","repoName":"acme/backend","stackRoot":"app/","sourceRoot":"src/app/"},
 {"id":"2","projectId":"12","projectSlug":"frontend","repoId":"2","repoName":"acme/frontend","stackRoot":"","sourceRoot":""},
 {"id":"3","projectId":11,"projectSlug":"backend","repoId":"1","repoName":"acme/backend","stackRoot":"lib/","sourceRoot":"lib/"}]`),
		"sources/acme/backend/app/pay.py": file("def pay():\n    return 1 / 0\n"),
	}
}

// newServer builds a server on fsys or fails the test.
func newServer(t *testing.T, fsys fstest.MapFS, opts ...local.Option) *local.Server {
	t.Helper()
	s, err := local.New(fsys, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// conn is one way to reach a server: over a socket or in process.
type conn struct {
	name   string
	client *http.Client
	base   string
}

// conns returns the server reached through httptest.NewServer and through
// Transport, for tests that must behave the same over both.
func conns(t *testing.T, s *local.Server) []conn {
	t.Helper()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return []conn{
		{"http", ts.Client(), ts.URL},
		{"inproc", &http.Client{Transport: s.Transport()}, "http://sentry.local"},
	}
}

// forEach runs f over both connections as subtests.
func forEach(t *testing.T, s *local.Server, f func(t *testing.T, c conn)) {
	for _, c := range conns(t, s) {
		t.Run(c.name, func(t *testing.T) { f(t, c) })
	}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

// get requests base+path and reads the whole answer.
func (c conn) get(t *testing.T, path string, header ...string) resp {
	t.Helper()
	return c.do(t, context.Background(), http.MethodGet, path, header...)
}

func (c conn) do(t *testing.T, ctx context.Context, method, path string, header ...string) resp {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp{res.StatusCode, res.Header, body}
}

// decode decodes the body into v with the client's decoder.
func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := wire.Decode(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// detail is the body's {"detail": …}.
func (r resp) detail(t *testing.T) string {
	t.Helper()
	var d struct {
		Detail string `json:"detail"`
	}
	r.decode(t, &d)
	return d.Detail
}

// want checks the status and the JSON content type.
func (r resp) want(t *testing.T, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	return r
}
