package sentryapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tracehound/tracehound/internal/fixtures"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
)

// fixturesDir finds ../shared/fixtures/sentry next to the repository
// (TRACEHOUND_FIXTURES overrides it). It returns "" when absent.
func fixturesDir(t testing.TB) string { return fixtures.Dir() }

func readFixture(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureTypes says which Go type each public API fixture decodes into.
// Files not listed must still be valid JSON; the conformance test fails on
// a new file it does not know, so nobody forgets to classify it.
var fixtureTypes = map[string]func() any{
	"api/organization.json":                      func() any { return new(wire.Organization) },
	"api/project.json":                           func() any { return new(wire.Project) },
	"api/sentry-cli-get-projects.json":           func() any { return new([]wire.Project) },
	"api/issue.json":                             func() any { return new(wire.Issue) },
	"api/performance-issue.json":                 func() any { return new(wire.Issue) },
	"api/event.json":                             func() any { return new(wire.Event) },
	"api/trace-event.json":                       func() any { return new(wire.Event) },
	"api/performance-event.json":                 func() any { return new(wire.Event) },
	"api/openapi-example-issue-event.json":       func() any { return new(wire.Event) },
	"api/openapi-example-issue-events-list.json": func() any { return new([]wire.Event) },
	"api/openapi-example-trace.json":             func() any { return new(wire.Trace) },
	"api/cli-trace-spans.json":                   func() any { return new(wire.Trace) },
	"api/trace-meta.json":                        func() any { return new(wire.TraceMeta) },
	"api/openapi-example-trace-meta.json":        func() any { return new(wire.TraceMeta) },
	"api/transaction-profile-v1.json":            func() any { return new(wire.Profile) },
	"api/profile-chunk.json":                     func() any { return new(wire.ChunkResponse) },
	"profiles/relay-sample-v1-valid.json":        func() any { return new(wire.Profile) },
	"profiles/vroom-node.json":                   func() any { return new(wire.Profile) },
	"profiles/relay-sample-v2-valid.json":        func() any { return new(wire.ProfileChunk) },
	// Endpoints tracehound does not read: valid JSON is all we ask.
	"api/flamegraph.json":    nil,
	"api/events-spans.json":  nil,
	"api/events-errors.json": nil,
	"api/tags.json":          nil,
}

func TestConformanceFixturesDecode(t *testing.T) {
	dir := fixturesDir(t)
	if dir == "" {
		t.Skip("../shared/fixtures/sentry is not present; conformance against public Sentry payloads skipped")
	}
	var files []string
	for _, sub := range []string{"api", "profiles"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatalf("fixtures folder is present but %s is unreadable: %v", sub, err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".json") {
				files = append(files, sub+"/"+e.Name())
			}
		}
	}
	if len(files) < 20 {
		t.Fatalf("only %d API/profile fixtures found in %s", len(files), dir)
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			data := readFixture(t, dir, name)
			mk, known := fixtureTypes[name]
			if !known {
				t.Fatalf("new fixture %s: add it to fixtureTypes with the type it decodes into", name)
			}
			if mk == nil {
				if !json.Valid(data) {
					t.Fatal("not valid JSON")
				}
				return
			}
			v := mk()
			if err := wire.Decode(data, v); err != nil {
				t.Fatalf("decode: %v", err)
			}
			// Nothing lost: every member with a value in the original is in
			// the re-encoded form.
			out, err := wire.Encode(v)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			var orig, back any
			if err := json.Unmarshal(data, &orig); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatal(err)
			}
			if lost := missing(orig, back, "$"); len(lost) > 0 {
				sort.Strings(lost)
				t.Errorf("%d members lost in a decode/encode round trip, e.g. %s", len(lost), strings.Join(lost[:min(5, len(lost))], ", "))
			}
			// Round trips are stable.
			w := mk()
			if err := wire.Decode(out, w); err != nil {
				t.Fatalf("decode of re-encoded: %v", err)
			}
			out2, _ := wire.Encode(w)
			if string(out) != string(out2) {
				t.Errorf("second round trip differs")
			}
		})
	}
}

// missing lists the paths of members that have a value (not null, not an
// empty string/array/object) in a but are absent from b.
func missing(a, b any, path string) []string {
	var out []string
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return []string{path + " (object became " + fmt.Sprintf("%T", b) + ")"}
		}
		for k, x := range av {
			if isEmptyJSON(x) {
				continue
			}
			y, ok := bv[k]
			if !ok {
				out = append(out, path+"."+k)
				continue
			}
			out = append(out, missing(x, y, path+"."+k)...)
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(bv) != len(av) {
			return []string{path + " (array changed)"}
		}
		for i := range av {
			out = append(out, missing(av[i], bv[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

func isEmptyJSON(x any) bool {
	switch v := x.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	case bool:
		return !v
	case float64:
		return v == 0
	}
	return false
}

// TestConformanceFieldsWeUse checks the values tracehound reads, field by
// field, on the real payloads.
func TestConformanceFieldsWeUse(t *testing.T) {
	dir := fixturesDir(t)
	if dir == "" {
		t.Skip("../shared/fixtures/sentry is not present")
	}
	var ev wire.Event
	if err := wire.Decode(readFixture(t, dir, "api/event.json"), &ev); err != nil {
		t.Fatal(err)
	}
	ex := ev.Exception()
	if ex == nil || len(ex.Values) == 0 || ex.Values[0].Type != "Error" {
		t.Fatalf("exception = %+v", ex)
	}
	fr := ex.Values[0].Stacktrace.Frames
	if len(fr) < 2 || fr[1].Function != "OAuthProviderImpl.fetch" || fr[1].LineNo != 8029 || !fr[1].IsInApp() {
		t.Errorf("frames = %+v", fr[:min(2, len(fr))])
	}
	if ev.TraceID() == "" || ev.Breadcrumbs() == nil || ev.Request() == nil || ev.GroupID != "6507376925" {
		t.Errorf("trace %q, breadcrumbs %v, request %v, group %q", ev.TraceID(), ev.Breadcrumbs() != nil, ev.Request() != nil, ev.GroupID)
	}
	if r := ev.Request(); r != nil && len(r.Headers) == 0 {
		t.Errorf("request headers lost")
	}

	var te wire.Event
	if err := wire.Decode(readFixture(t, dir, "api/trace-event.json"), &te); err != nil {
		t.Fatal(err)
	}
	if te.Type != "transaction" || te.StartTimestamp == 0 || te.EndTimestamp <= te.StartTimestamp || te.Contexts.Trace.Op != "http.server" || te.ProjectSlug == "" {
		t.Errorf("transaction event = type %q start %v end %v", te.Type, te.StartTimestamp, te.EndTimestamp)
	}
	var pe wire.Event
	if err := wire.Decode(readFixture(t, dir, "api/performance-event.json"), &pe); err != nil {
		t.Fatal(err)
	}
	if sp := pe.Spans(); len(sp) == 0 || sp[0].SpanID == "" || sp[0].Op == "" || sp[0].Timestamp <= sp[0].StartTimestamp {
		t.Errorf("performance event spans = %+v", sp)
	}

	var doc wire.Event
	if err := wire.Decode(readFixture(t, dir, "api/openapi-example-issue-event.json"), &doc); err != nil {
		t.Fatal(err)
	}
	if ex := doc.Exception(); ex == nil || len(ex.Values) == 0 || ex.Values[len(ex.Values)-1].Stacktrace == nil {
		t.Errorf("documentation event exception = %+v", ex)
	} else {
		frames := ex.Values[len(ex.Values)-1].Stacktrace.Frames
		withCtx := 0
		for _, f := range frames {
			if len(f.Context) > 0 {
				withCtx++
			}
		}
		if withCtx == 0 {
			t.Errorf("no frame kept its context lines")
		}
	}
	if len(doc.Tags) == 0 || doc.Tag("environment") == "" && doc.Tag("level") == "" {
		t.Errorf("tags = %+v", doc.Tags)
	}

	var tr wire.Trace
	if err := wire.Decode(readFixture(t, dir, "api/openapi-example-trace.json"), &tr); err != nil {
		t.Fatal(err)
	}
	if len(tr) != 1 || !tr[0].IsTransaction || tr[0].ProjectSlug != "javascript" || tr[0].Duration != 250 || tr[0].EndTimestamp <= tr[0].StartTimestamp || tr[0].ParentSpanID != "" {
		t.Errorf("trace = %+v", tr)
	}
	var cli wire.Trace
	if err := wire.Decode(readFixture(t, dir, "api/cli-trace-spans.json"), &cli); err != nil {
		t.Fatal(err)
	}
	if len(cli) != 1 || cli[0].SpanID != "span-root-001" || len(cli[0].Children) != 2 {
		t.Errorf("cli trace = %+v", cli)
	}

	for name, want := range map[string][3]int{"api/trace-meta.json": {0, 112, 9}, "api/openapi-example-trace-meta.json": {0, 195, 2}} {
		var m wire.TraceMeta
		if err := wire.Decode(readFixture(t, dir, name), &m); err != nil {
			t.Fatal(err)
		}
		if got := [3]int{m.Errors(), m.Spans(), m.Transactions()}; got != want {
			t.Errorf("%s: errors/spans/transactions = %v, want %v", name, got, want)
		}
	}

	// Profiles: in_app as the API sends it (snake_case in profiles), numbers
	// as strings in ingest payloads.
	var vroom wire.Profile
	if err := wire.Decode(readFixture(t, dir, "profiles/vroom-node.json"), &vroom); err != nil {
		t.Fatal(err)
	}
	if len(vroom.Profile.Frames) != 303 || len(vroom.Profile.Stacks) != 38 || len(vroom.Profile.Samples) != 44 {
		t.Errorf("vroom node profile: %d frames, %d stacks, %d samples", len(vroom.Profile.Frames), len(vroom.Profile.Stacks), len(vroom.Profile.Samples))
	}
	if mt := vroom.MainTransaction(); mt == nil || mt.ActiveThreadID.IsZero() || mt.RelativeEndNS <= mt.RelativeStartNS {
		t.Errorf("vroom transaction = %+v", mt)
	}
	var relay wire.Profile
	if err := wire.Decode(readFixture(t, dir, "profiles/relay-sample-v1-valid.json"), &relay); err != nil {
		t.Fatal(err)
	}
	if s := relay.Profile.Samples; len(s) < 2 || s[1].ElapsedSinceStartNS == 0 || s[0].ThreadID.IsZero() {
		t.Errorf("relay v1 samples (string numbers) = %+v", s)
	}
	var mcp wire.Profile
	if err := wire.Decode(readFixture(t, dir, "api/transaction-profile-v1.json"), &mcp); err != nil {
		t.Fatal(err)
	}
	inApp := 0
	for _, f := range mcp.Profile.Frames {
		if f.InApp != nil && *f.InApp {
			inApp++
		}
	}
	if inApp == 0 {
		t.Errorf("no in_app frame read from the API profile")
	}
	var v2 wire.ProfileChunk
	if err := wire.Decode(readFixture(t, dir, "profiles/relay-sample-v2-valid.json"), &v2); err != nil {
		t.Fatal(err)
	}
	if s := v2.Profile.Samples; len(s) == 0 || s[0].Time() == 0 || s[0].ThreadID.IsZero() {
		t.Errorf("v2 samples = %+v", s)
	}
	var cr wire.ChunkResponse
	if err := wire.Decode(readFixture(t, dir, "api/profile-chunk.json"), &cr); err != nil {
		t.Fatal(err)
	}
	if ch := cr.Merged(); ch == nil || len(ch.Profile.Samples) == 0 || ch.ProfilerID == "" {
		t.Errorf("chunk response = %+v", cr)
	}
}

// TestConformanceServedThroughLocal serves the fixtures from a dataset and
// reads them back through the real client: what tracehound reads from a
// real Sentry, it reads the same from sentryapi/local.
func TestConformanceServedThroughLocal(t *testing.T) {
	dir := fixturesDir(t)
	if dir == "" {
		t.Skip("../shared/fixtures/sentry is not present")
	}
	const (
		fixTrace   = "a4d1aae7216b47ff8117cf4e09ce9d0a"
		fixEvent   = "7ca573c0f4814912aaa9bdc77d1a7d51"
		fixProfile = "cfe78a5c892d4a64a962d837673398d2"
	)
	var chunkResp struct {
		Chunk json.RawMessage `json:"chunk"`
	}
	if err := json.Unmarshal(readFixture(t, dir, "api/profile-chunk.json"), &chunkResp); err != nil {
		t.Fatal(err)
	}
	var chunk wire.ProfileChunk
	if err := wire.Decode(chunkResp.Chunk, &chunk); err != nil {
		t.Fatal(err)
	}
	file := func(name string) *fstest.MapFile { return &fstest.MapFile{Data: readFixture(t, dir, name)} }
	fsys := fstest.MapFS{
		"organization.json":                                          file("api/organization.json"),
		"projects.json":                                              file("api/sentry-cli-get-projects.json"),
		"issues/6507376925.json":                                     file("api/issue.json"),
		"events/CLOUDFLARE-MCP/" + fixEvent + ".json":                file("api/event.json"),
		"traces/" + fixTrace + ".json":                               file("api/openapi-example-trace.json"),
		"traces/" + fixTrace + ".meta.json":                          file("api/trace-meta.json"),
		"profiles/backend/" + fixProfile + ".json":                   file("api/transaction-profile-v1.json"),
		"chunks/" + chunk.ProfilerID + "/" + chunk.ChunkID + ".json": {Data: chunkResp.Chunk},
	}
	srv, err := local.New(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sentryapi.New(sentryapi.Options{BaseURL: "http://fixtures.test", Org: "sentry-mcp-evals", Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	is, err := c.Issue(ctx, "CLOUDFLARE-MCP-41")
	if err != nil || is.ID != "6507376925" {
		t.Fatalf("issue by short id: %+v, %v", is, err)
	}
	ev, err := c.RecommendedEvent(ctx, "6507376925")
	if err != nil || ev.EventID != fixEvent || ev.Exception() == nil {
		t.Fatalf("recommended event: %v", err)
	}
	direct := new(wire.Event)
	if err := wire.Decode(readFixture(t, dir, "api/event.json"), direct); err != nil {
		t.Fatal(err)
	}
	a, _ := wire.Encode(direct)
	b, _ := wire.Encode(ev)
	if string(a) != string(b) {
		t.Errorf("the event read through local differs from the fixture decoded directly")
	}
	tr, err := c.Trace(ctx, fixTrace, sentryapi.TraceOptions{})
	if err != nil || len(tr.Items) != 1 || tr.Items[0].ProjectSlug != "javascript" {
		t.Fatalf("trace: %+v, %v", tr, err)
	}
	meta, err := c.TraceMeta(ctx, fixTrace, sentryapi.TraceOptions{})
	if err != nil || meta.Spans() != 112 {
		t.Fatalf("trace meta: %+v, %v", meta, err)
	}
	p, err := c.Profile(ctx, "backend", fixProfile)
	if err != nil || len(p.Profile.Frames) == 0 {
		t.Fatalf("profile: %v", err)
	}
	// The chunk's samples: ask for a window that covers all of them.
	var lo, hi wire.Timestamp
	for i, s := range chunk.Profile.Samples {
		if ts := s.Time(); i == 0 || ts < lo {
			lo = ts
		}
		if ts := s.Time(); ts > hi {
			hi = ts
		}
	}
	got, err := c.ProfileChunk(ctx, "5780392", chunk.ProfilerID, lo.Time().Add(-time.Second), hi.Time().Add(time.Second))
	if err != nil {
		t.Fatalf("chunk: %v", err)
	}
	if len(got.Profile.Samples) != len(chunk.Profile.Samples) {
		t.Fatalf("chunk: %d samples, want %d", len(got.Profile.Samples), len(chunk.Profile.Samples))
	}
	projects, err := c.Projects(ctx)
	if err != nil || len(projects) == 0 {
		t.Fatalf("projects: %v", err)
	}
}
