package demo_test

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
	"github.com/tracehound/tracehound/demo/internal/scenario"
	"github.com/tracehound/tracehound/sentryapi/local"
)

// counts are what each incident's trace declares: transactions, spans
// (transaction roots included), connected errors and the services they are in.
var counts = map[string]struct{ txns, spans, errors, errServices int }{
	"checkout-auth":              {11, 308, 5, 4},
	"bad-deploy-config":          {4, 34, 3, 2},
	"n-plus-one-timeout":         {4, 146, 3, 3},
	"downstream-null":            {5, 33, 3, 2},
	"cache-stampede":             {7, 57, 4, 3},
	"cpu-hot-loop":               {5, 29, 3, 3},
	"retry-storm":                {4, 43, 3, 3},
	"schema-mismatch":            {5, 39, 3, 3},
	"account-plan-renamed":       {3, 7, 2, 2},
	"activity-ms-timestamp":      {4, 8, 4, 4},
	"cart-coupon-crash":          {4, 9, 4, 4},
	"coupon-zero-division":       {4, 8, 5, 4},
	"export-priority-case":       {4, 7, 4, 4},
	"ledger-date-format":         {5, 12, 6, 5},
	"parcel-weight-units":        {4, 9, 5, 4},
	"profile-renamed-field":      {4, 10, 5, 4},
	"recs-limit-config":          {4, 8, 5, 4},
	"search-timeout-default":     {4, 10, 4, 4},
	"shipment-unknown-field":     {4, 8, 5, 4},
	"stock-null-crash":           {4, 10, 4, 4},
	"tax-currency-case":          {4, 8, 4, 4},
	"webhook-signature-encoding": {4, 8, 4, 4},
}

func incidentFS(t *testing.T, name string) fs.FS {
	t.Helper()
	fsys, err := demo.IncidentDataset(name)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// forEachIncident runs f as a subtest for every embedded incident.
func forEachIncident(t *testing.T, f func(t *testing.T, name string, fsys fs.FS)) {
	for _, name := range demo.Incidents() {
		t.Run(name, func(t *testing.T) { f(t, name, incidentFS(t, name)) })
	}
}

func TestIncidents(t *testing.T) {
	names := demo.Incidents()
	if len(names) != 1+len(scenario.Names()) || names[0] != demo.Incident {
		t.Fatalf("Incidents() = %v; want checkout-auth first and the eval incidents", names)
	}
	for _, n := range scenario.Names() {
		if !slices.Contains(names, n) {
			t.Errorf("incident %s is not embedded", n)
		}
	}
	for _, n := range names {
		if _, ok := counts[n]; !ok {
			t.Errorf("incident %s has no declared counts in this test", n)
		}
	}
	if _, err := demo.IncidentDataset("no-such-incident"); err == nil {
		t.Error("IncidentDataset of an unknown name: no error")
	}
	if _, err := demo.IncidentDataset("../checkout-auth"); err == nil {
		t.Error("IncidentDataset of a path: no error")
	}
	a, _ := fs.ReadFile(demo.Dataset(), "dataset.json")
	b, _ := fs.ReadFile(incidentFS(t, demo.Incident), "dataset.json")
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("Dataset() is not IncidentDataset(Incident)")
	}
	// The .embed suffix is stripped in every incident.
	forEachIncident(t, func(t *testing.T, name string, fsys fs.FS) {
		fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".embed") {
				t.Errorf("%s is visible", p)
			}
			if err == nil && !d.IsDir() && path.Base(p) == "go.mod" {
				if b, err := fs.ReadFile(fsys, p); err != nil || !bytes.HasPrefix(b, []byte("module ")) {
					t.Errorf("%s: %q, %v", p, b, err)
				}
			}
			return err
		})
	})
}

func TestIncidentFilesDecode(t *testing.T) {
	forEachIncident(t, func(t *testing.T, _ string, fsys fs.FS) {
		checkEveryFileDecodes(t, fsys, 15)
	})
}

func TestIncidentGeneratedFilesUpToDate(t *testing.T) {
	for _, name := range scenario.Names() {
		t.Run(name, func(t *testing.T) {
			fsys := incidentFS(t, name)
			out, err := scenario.Build(name, fsys)
			if err != nil {
				t.Fatal(err)
			}
			stale := 0
			for p, want := range out.Files {
				got, err := fs.ReadFile(fsys, p)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s differs from the generator's output (%v)", p, err)
					stale++
				}
			}
			fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && scenario.IsGenerated(p) {
					if _, ok := out.Files[p]; !ok {
						t.Errorf("%s is not produced by the generator any more", p)
						stale++
					}
				}
				return nil
			})
			if stale > 0 {
				t.Log("run `go generate ./demo` and commit the result")
			}
		})
	}
}

// traceOf reads the trace of the dataset's issue (dataset.json) and checks its
// shape: nesting, transactions that match their events, connected errors that
// match theirs.
func traceOf(t *testing.T, fsys fs.FS) (traceID string, ix traceIndex) {
	t.Helper()
	traces, _ := fs.Glob(fsys, "traces/*.json")
	switch {
	case len(traces) == 1:
		traceID = strings.TrimSuffix(path.Base(traces[0]), ".json")
	case len(traces) == 2 && slices.Contains(traces, "traces/"+demo.TraceID+".json") && slices.Contains(traces, "traces/"+demo.HealthyTraceID+".json"):
		traceID = demo.TraceID // the demo's; the other is its healthy trace
	default:
		t.Fatalf("traces: %v; want one (the demo: its own and its healthy trace)", traces)
	}
	return traceID, checkTrace(t, fsys, traceID)
}

// checkTrace indexes a trace and checks that its events agree with it.
func checkTrace(t *testing.T, fsys fs.FS, traceID string) (ix traceIndex) {
	t.Helper()
	ix = indexTrace(t, decodeFile[wire.Trace](t, fsys, "traces/"+traceID+".json"))
	for id, under := range ix.errors {
		ev := decodeFile[wire.Event](t, fsys, "events/"+under.ProjectSlug+"/"+id+".json")
		if ev.TraceID() != traceID || ev.Contexts.Trace.SpanID != under.EventID {
			t.Errorf("error %s: contexts.trace %s/%s, hung under %s", id, ev.TraceID(), ev.Contexts.Trace.SpanID, under.EventID)
		}
		if ev.Tag("transaction") != under.Transaction {
			t.Errorf("error %s: transaction tag %q, in %q", id, ev.Tag("transaction"), under.Transaction)
		}
		is := decodeFile[wire.Issue](t, fsys, "issues/"+string(ev.GroupID)+".json")
		if is.Project.Slug != under.ProjectSlug || is.Count == "" || is.FirstSeen == "" || is.ShortID == "" || is.Title != ev.Title {
			t.Errorf("issue %s of error %s: %+v", ev.GroupID, id, is)
		}
		if is.LastSeen < ev.DateCreated || is.FirstSeen > ev.DateCreated {
			t.Errorf("issue %s seen %s…%s, its event at %s", is.ShortID, is.FirstSeen, is.LastSeen, ev.DateCreated)
		}
	}
	for id, root := range ix.txns {
		ev := decodeFile[wire.Event](t, fsys, "events/"+root.ProjectSlug+"/"+id+".json")
		if ev.Type != "transaction" || ev.Contexts.Trace == nil || ev.Contexts.Trace.SpanID != root.EventID || ev.Contexts.Trace.ParentSpanID != root.ParentSpanID {
			t.Errorf("transaction %s does not match its trace item", id)
			continue
		}
		if us(ev.StartTimestamp) != us(root.StartTimestamp) || us(ev.EndTimestamp) != us(root.EndTimestamp) {
			t.Errorf("transaction %s: event times differ from the trace", id)
		}
		n := 0
		for _, it := range ix.items {
			if it.TransactionID == id {
				n++
			}
		}
		if n != len(ev.Spans())+1 {
			t.Errorf("transaction %s: %d spans in the event, %d in the trace", id, len(ev.Spans())+1, n)
		}
		if ev.TraceID() != traceID {
			t.Errorf("transaction %s: trace %s in its event, in trace %s", id, ev.TraceID(), traceID)
		}
		for _, s := range ev.Spans() {
			it, ok := ix.items[s.SpanID]
			if !ok || it.TransactionID != id || us(it.StartTimestamp) != us(s.StartTimestamp) || us(it.EndTimestamp) != us(s.Timestamp) {
				t.Errorf("transaction %s: span %s differs from the trace", id, s.SpanID)
			}
			if d := float64(us(s.Timestamp)-us(s.StartTimestamp)) / 1000; float64(s.ExclusiveTime) < 0 || float64(s.ExclusiveTime) > d+0.002 {
				t.Errorf("transaction %s: span %s exclusive time %v of %v ms", id, s.SpanID, s.ExclusiveTime, d)
			}
		}
	}
	return ix
}

func TestIncidentTraces(t *testing.T) {
	forEachIncident(t, func(t *testing.T, name string, fsys fs.FS) {
		_, ix := traceOf(t, fsys)
		services := map[string]bool{}
		for _, under := range ix.errors {
			services[under.ProjectSlug] = true
		}
		projects := map[string]bool{}
		for _, it := range ix.items {
			projects[it.ProjectSlug] = true
		}
		platforms := map[string]bool{}
		for _, p := range decodeFile[[]wire.Project](t, fsys, "projects.json") {
			if projects[p.Slug] {
				platforms[p.Platform] = true
			}
		}
		want := counts[name]
		got := struct{ txns, spans, errors, errServices int }{len(ix.txns), ix.spans, len(ix.errors), len(services)}
		if got != want {
			t.Errorf("trace has %d transactions, %d spans, %d errors in %d services; declared %d, %d, %d, %d",
				got.txns, got.spans, got.errors, got.errServices, want.txns, want.spans, want.errors, want.errServices)
		}
		if len(services) < 2 || len(projects) < 2 || len(projects) > 5 || len(platforms) < 2 || len(ix.txns) < 3 {
			t.Errorf("errors in %d services, %d services on %d platforms, %d transactions", len(services), len(projects), len(platforms), len(ix.txns))
		}
	})
}

// sourceFile reads a file of a repository in the dataset.
func sourceFile(fsys fs.FS, repo, file string) ([]string, error) {
	b, err := fs.ReadFile(fsys, "sources/"+repo+"/"+file)
	if err != nil {
		return nil, err
	}
	return strings.Split(string(b), "\n"), nil
}

func TestIncidentFramesMatchSources(t *testing.T) {
	forEachIncident(t, func(t *testing.T, name string, fsys fs.FS) {
		maps := loadMappings(t, fsys)
		events, _ := fs.Glob(fsys, "events/*/*.json")
		checked := 0
		for _, p := range events {
			ev := decodeFile[wire.Event](t, fsys, p)
			if ev.Type != "error" {
				continue
			}
			var stacks []*wire.Stacktrace
			if exc := ev.Exception(); exc != nil {
				for _, v := range exc.Values {
					stacks = append(stacks, v.Stacktrace)
				}
			} else if th := ev.Entry(wire.EntryThreads); th != nil && th.Threads != nil && ev.Entry(wire.EntryMessage) != nil {
				// A logged error: the message, and its thread's stack.
				for _, v := range th.Threads.Values {
					stacks = append(stacks, v.Stacktrace)
				}
			}
			if len(stacks) == 0 {
				t.Errorf("%s: no exception and no logged message with a stack", p)
				continue
			}
			for _, k := range []string{"environment", "release", "transaction", "handled"} {
				if ev.Tag(k) == "" {
					t.Errorf("%s: no %s tag", p, k)
				}
			}
			if ev.Breadcrumbs() == nil && ev.Platform != "javascript" {
				t.Errorf("%s: no breadcrumbs", p)
			}
			for _, st := range stacks {
				if st == nil {
					continue
				}
				for _, f := range st.Frames {
					if !f.IsInApp() {
						continue
					}
					repo, file, ok := maps.resolve(path.Base(path.Dir(p)), f)
					if !ok {
						t.Errorf("%s: frame %s %s matches no code mapping", p, f.Function, f.Filename)
						continue
					}
					lines, err := sourceFile(fsys, repo, file)
					if err != nil {
						t.Errorf("%s: frame %s: %v", p, f.Function, err)
						continue
					}
					if int(f.LineNo) < 1 || int(f.LineNo) > len(lines) || len(f.Context) == 0 {
						t.Errorf("%s: %s:%d is past the end of the file or has no context", p, file, f.LineNo)
						continue
					}
					hasLine := false
					for _, c := range f.Context {
						if int(c.Line) < 1 || int(c.Line) > len(lines) || lines[c.Line-1] != c.Text {
							t.Errorf("%s: %s:%d context %q does not match the source", p, file, c.Line, c.Text)
						}
						hasLine = hasLine || c.Line == f.LineNo
					}
					if !hasLine {
						t.Errorf("%s: %s:%d context lacks the frame's line", p, file, f.LineNo)
					}
					checked++
				}
			}
		}
		if checked < 3 {
			t.Errorf("only %d in-app frames checked", checked)
		}
	})
}

// definesFunction reports whether src defines the function as frames name it
// (Go methods as "(*T).M" or "T.M").
func definesFunction(src, fn string) bool {
	name := fn
	recv := ""
	if i := strings.LastIndexByte(fn, '.'); i >= 0 {
		recv, name = strings.Trim(fn[:i], "()*"), fn[i+1:]
	}
	pats := []string{
		`(?m)^\s*def\s+(self\.)?` + regexp.QuoteMeta(name) + `\b`,                                                  // Ruby
		`(?m)^\s*(public|private|protected|static|final|\s)+[\w<>\[\],.? ]+\s+` + regexp.QuoteMeta(name) + `\s*\(`, // Java
		`(?m)^\s*(async\s+)?def\s+` + regexp.QuoteMeta(name) + `\(`,                                                // Python
		`(?m)^func\s+` + regexp.QuoteMeta(name) + `[\[(]`,                                                          // Go function
		`(?m)^(export\s+)?(async\s+)?function\s*\*?\s*` + regexp.QuoteMeta(name) + `\s*[<(]`,                       // TS function
		`(?m)^\s*(async\s+)?` + regexp.QuoteMeta(name) + `\s*\([^)]*\)\s*(:[^{]+)?\{`,                              // TS method
	}
	if recv != "" {
		pats = append(pats, `(?m)^func\s+\(\w+\s+\*?`+regexp.QuoteMeta(recv)+`\)\s+`+regexp.QuoteMeta(name)+`\(`)
	}
	for _, p := range pats {
		if regexp.MustCompile(p).MatchString(src) {
			return true
		}
	}
	return false
}

func TestIncidentExpectedRootCause(t *testing.T) {
	forEachIncident(t, func(t *testing.T, name string, fsys fs.FS) {
		exp := decodeFile[incident.Expected](t, fsys, "expected.json")
		if exp.Service == "" || exp.Repo == "" || exp.File == "" || exp.Function == "" || exp.Explanation == "" || strings.Contains(exp.Explanation, "\n") {
			t.Fatalf("expected.json = %+v", exp)
		}
		repoOf := map[string]string{}
		for _, cm := range decodeFile[[]wire.CodeMapping](t, fsys, "code-mappings.json") {
			repoOf[cm.ProjectSlug] = cm.RepoName
		}
		if repoOf[exp.Service] != exp.Repo {
			t.Errorf("service %s maps to repository %q, expected.json names %q", exp.Service, repoOf[exp.Service], exp.Repo)
		}
		src, err := fs.ReadFile(fsys, "sources/"+exp.Repo+"/"+exp.File)
		if err != nil {
			t.Fatal(err)
		}
		if !definesFunction(string(src), exp.Function) {
			t.Errorf("%s/%s does not define %s", exp.Repo, exp.File, exp.Function)
		}
		m := decodeFile[incident.Manifest](t, fsys, "dataset.json")
		if m.Name != name || !m.Demo || m.Issue == "" || !strings.Contains(strings.ToLower(m.Description), "made-up") {
			t.Errorf("dataset.json = %+v", m)
		}
	})
}

// get serves one request from the fake Sentry.
func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Errorf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	return rec
}

func TestIncidentServed(t *testing.T) {
	forEachIncident(t, func(t *testing.T, name string, fsys fs.FS) {
		s, err := local.New(fsys)
		if err != nil {
			t.Fatal(err)
		}
		base := "/api/0/organizations/" + demo.OrgSlug
		get(t, s, base+"/")
		get(t, s, base+"/projects/")
		get(t, s, base+"/repos/")
		get(t, s, base+"/code-mappings/?project=-1")
		stem := func(f string) string { return strings.TrimSuffix(path.Base(f), ".json") }
		issues, _ := fs.Glob(fsys, "issues/*.json")
		for _, f := range issues {
			var is wire.Issue
			wire.Decode(get(t, s, base+"/issues/"+stem(f)+"/").Body.Bytes(), &is)
			get(t, s, base+"/issues/"+is.ShortID+"/")
			get(t, s, base+"/shortids/"+is.ShortID+"/")
			get(t, s, base+"/issues/"+stem(f)+"/events/?full=true")
			get(t, s, base+"/issues/"+stem(f)+"/events/recommended/")
			get(t, s, base+"/issues/"+stem(f)+"/events/latest/")
		}
		events, _ := fs.Glob(fsys, "events/*/*.json")
		for _, f := range events {
			get(t, s, base+"/events/"+path.Base(path.Dir(f))+":"+stem(f)+"/")
			get(t, s, "/api/0/projects/"+demo.OrgSlug+"/"+path.Base(path.Dir(f))+"/events/"+stem(f)+"/")
			get(t, s, base+"/eventids/"+stem(f)+"/")
		}
		traces, _ := fs.Glob(fsys, "traces/*.json")
		for _, f := range traces {
			get(t, s, base+"/trace/"+stem(f)+"/")
			get(t, s, base+"/trace-meta/"+stem(f)+"/")
			get(t, s, base+"/events-trace/"+stem(f)+"/")
		}
		profiles, _ := fs.Glob(fsys, "profiles/*/*.json")
		for _, f := range profiles {
			get(t, s, "/api/0/projects/"+demo.OrgSlug+"/"+path.Base(path.Dir(f))+"/profiling/profiles/"+stem(f)+"/")
		}

		// The issue the user opens: its recommended event is in the trace.
		m := decodeFile[incident.Manifest](t, fsys, "dataset.json")
		var is wire.Issue
		if err := wire.Decode(get(t, s, base+"/issues/"+m.Issue+"/").Body.Bytes(), &is); err != nil || is.ShortID != m.Issue {
			t.Fatalf("issue %s: %+v, %v", m.Issue, is, err)
		}
		var ev wire.Event
		if err := wire.Decode(get(t, s, base+"/issues/"+string(is.ID)+"/events/recommended/").Body.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		traceID, ix := traceOf(t, fsys)
		if _, ok := ix.errors[ev.EventID]; !ok || ev.TraceID() != traceID {
			t.Errorf("the recommended event %s of %s is not in the trace %s", ev.EventID, m.Issue, traceID)
		}
		exp := decodeFile[incident.Expected](t, fsys, "expected.json")
		if name != demo.Incident && ix.errors[ev.EventID] != nil && ix.errors[ev.EventID].ProjectSlug == exp.Service && exp.Service != "" {
			t.Logf("note: the symptom issue is in the root-cause service %s", exp.Service)
		}
	})
}
func TestIncidentProfiles(t *testing.T) {
	hot := 0
	forEachIncident(t, func(t *testing.T, name string, fsys fs.FS) {
		exp := decodeFile[incident.Expected](t, fsys, "expected.json")
		profiles, _ := fs.Glob(fsys, "profiles/*/*.json")
		for _, f := range profiles {
			p := decodeFile[wire.Profile](t, fsys, f)
			tx := p.MainTransaction()
			if tx == nil || tx.ActiveThreadID.IsZero() {
				t.Fatalf("%s: no transaction", f)
			}
			ev := decodeFile[wire.Event](t, fsys, "events/"+path.Base(path.Dir(f))+"/"+tx.ID+".json")
			if ev.Contexts.Profile == nil || ev.Contexts.Profile.ProfileID != p.EventID {
				t.Errorf("%s: transaction %s does not link the profile", f, tx.ID)
			}
			// Which in-app function is on top of the active thread's stack.
			top := map[string]int{}
			active := 0
			for _, s := range p.Profile.Samples {
				if s.ThreadID != tx.ActiveThreadID {
					continue
				}
				active++
				for _, fi := range p.Profile.Stacks[s.StackID] { // leaf first
					if fr := p.Profile.Frames[fi]; fr.InApp != nil && *fr.InApp {
						top[fr.Function]++
						break
					}
				}
			}
			for _, fr := range p.Profile.Frames {
				if fr.InApp == nil || !*fr.InApp {
					continue
				}
				lines, err := sourceFile(fsys, "acme/"+path.Base(path.Dir(f)), fr.Filename)
				if err != nil || int(fr.LineNo) < 1 || int(fr.LineNo) > len(lines) {
					t.Errorf("%s: frame %s %s:%d is not in the source (%v)", f, fr.Function, fr.Filename, fr.LineNo, err)
				}
			}
			best := ""
			for fn, n := range top {
				if best == "" || n > top[best] || (n == top[best] && fn < best) {
					best = fn
				}
			}
			if active < 30 {
				t.Errorf("%s: %d samples on the active thread", f, active)
			}
			if name != demo.Incident && top[best]*2 > active {
				if best != exp.Function {
					t.Errorf("%s: the hot function is %s (%d of %d samples), the root cause %s", f, best, top[best], active, exp.Function)
				}
				hot++
			}
		}
	})
	if hot == 0 {
		t.Error("no eval incident has a profile whose hot function is its root cause")
	}
}

// TestIncidentHistories materialises the repositories of every eval incident
// and, where the history replays the change that caused the incident, checks
// that the change touches the root-cause file.
func TestIncidentHistories(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	replayed := 0
	for _, name := range scenario.Names() {
		t.Run(name, func(t *testing.T) {
			fsys := incidentFS(t, name)
			exp := decodeFile[incident.Expected](t, fsys, "expected.json")
			if _, err := fs.Stat(fsys, "history/"+exp.Repo+".json"); errors.Is(err, fs.ErrNotExist) {
				return // a repository without history
			}
			h := decodeFile[history.File](t, fsys, "history/"+exp.Repo+".json")
			first := h.Commits[0]
			_, overlaid := first.Files[exp.File]
			if !overlaid && !slices.Contains(first.Delete, exp.File) {
				return // the bug is older than the replayed history
			}
			repos, err := demo.MaterializeSources(fsys, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			dir := repos[exp.Repo]
			if st := git(t, dir, "status", "--porcelain"); st != "" {
				t.Errorf("work tree differs from HEAD:\n%s", st)
			}
			if diff := git(t, dir, "diff", first.Tag, "HEAD", "--", exp.File); !strings.Contains(diff, "\n+") {
				t.Errorf("%s: the history does not change %s after %s:\n%s", exp.Repo, exp.File, first.Tag, diff)
			}
			replayed++
		})
	}
	if replayed < 4 {
		t.Errorf("only %d incidents replay the change that caused them", replayed)
	}
}
