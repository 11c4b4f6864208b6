package demo_test

import (
	"bytes"
	"io/fs"
	"math"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

func decodeFile[T any](t *testing.T, fsys fs.FS, name string) T {
	t.Helper()
	var v T
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := wire.Decode(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// us converts a timestamp to whole microseconds, the precision Sentry sends.
func us(ts wire.Timestamp) int64 { return int64(math.Round(float64(ts) * 1e6)) }

func TestEveryFileDecodes(t *testing.T) {
	checkEveryFileDecodes(t, demo.Dataset(), 30)
}

// checkEveryFileDecodes decodes every JSON file of a dataset as the type
// its place says, and fails on files that have no place.
func checkEveryFileDecodes(t *testing.T, fsys fs.FS, atLeast int) {
	t.Helper()
	n := 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "sources/") || !strings.HasSuffix(p, ".json") {
			return err
		}
		if strings.HasPrefix(p, "history/") && strings.Count(p, "/") > 2 {
			return nil // an old version of a source file
		}
		n++
		var v any
		switch dir, _ := path.Split(p); {
		case p == "organization.json":
			v = new(wire.Organization)
		case p == "projects.json":
			v = new([]wire.Project)
		case p == "repos.json":
			v = new([]wire.Repository)
		case p == "code-mappings.json":
			v = new([]wire.CodeMapping)
		case strings.HasPrefix(dir, "issues/"):
			v = new(wire.Issue)
		case strings.HasPrefix(dir, "events/"):
			v = new(wire.Event)
		case strings.HasPrefix(dir, "traces/"):
			v = new(wire.Trace)
		case strings.HasPrefix(dir, "profiles/"):
			v = new(wire.Profile)
		case strings.HasPrefix(dir, "chunks/"):
			v = new(wire.ProfileChunk)
		case p == "dataset.json":
			v = new(incident.Manifest)
		case p == "expected.json":
			v = new(incident.Expected)
		case strings.HasPrefix(dir, "history/"):
			v = new(map[string]any)
		default:
			t.Errorf("unexpected file %s in the dataset", p)
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if err := wire.Decode(b, v); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if ev, ok := v.(*wire.Event); ok {
			for _, en := range ev.Entries {
				if en.DecodeError != "" {
					t.Errorf("%s: %s", p, en.DecodeError)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < atLeast {
		t.Errorf("only %d JSON files", n)
	}
}

func TestManifestAndIDs(t *testing.T) {
	fsys := demo.Dataset()
	m := decodeFile[map[string]any](t, fsys, "dataset.json")
	if m["issue"] != demo.IssueShortID || m["demo"] != true || m["name"] != demo.Incident {
		t.Errorf("dataset.json = %v", m)
	}
	is := decodeFile[wire.Issue](t, fsys, "issues/"+demo.IssueID+".json")
	if is.ShortID != demo.IssueShortID || !strings.HasPrefix(is.Permalink, "https://"+demo.OrgSlug+".sentry.io/issues/"+demo.IssueID) {
		t.Errorf("issue %s: shortId %s permalink %s", demo.IssueID, is.ShortID, is.Permalink)
	}
	org := decodeFile[wire.Organization](t, fsys, "organization.json")
	if org.Slug != demo.OrgSlug || org.Links.RegionURL != "" || !strings.Contains(org.Name, "demo") {
		t.Errorf("organization = %+v", org)
	}
	if _, err := fs.Stat(fsys, "traces/"+demo.TraceID+".json"); err != nil {
		t.Error(err)
	}
}

func TestEmbedSuffixStripped(t *testing.T) {
	fsys := demo.Dataset()
	b, err := fs.ReadFile(fsys, "sources/acme/auth-service/go.mod")
	if err != nil || !bytes.HasPrefix(b, []byte("module github.com/acme/auth-service")) {
		t.Fatalf("go.mod: %q, %v", b, err)
	}
	if _, err := fs.Stat(fsys, "sources/acme/auth-service/go.mod.embed"); err == nil {
		t.Error("go.mod.embed is visible")
	}
	sub, err := fs.Sub(fsys, "sources/acme/auth-service")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(sub, "go.mod", "internal/signing/canonical.go", "README.md"); err != nil {
		t.Error(err)
	}
}

func TestGeneratedFilesUpToDate(t *testing.T) {
	fsys := demo.Dataset()
	out, err := incident.Build(fsys)
	if err != nil {
		t.Fatal(err)
	}
	stale := 0
	for name, want := range out.Files {
		got, err := fs.ReadFile(fsys, name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output (%v)", name, err)
			stale++
		}
	}
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && incident.IsGenerated(p) {
			if _, ok := out.Files[p]; !ok {
				t.Errorf("%s is not produced by the generator any more", p)
				stale++
			}
		}
		return nil
	})
	ids, err := os.ReadFile("ids_generated.go")
	if err != nil || !bytes.Equal(ids, out.GoSource()) {
		t.Errorf("ids_generated.go differs from the generator's output (%v)", err)
		stale++
	}
	if stale > 0 {
		t.Log("run `go generate ./demo` and commit the result")
	}
}

func TestExpectedRootCause(t *testing.T) {
	fsys := demo.Dataset()
	exp := decodeFile[map[string]string](t, fsys, "expected.json")
	src, err := fs.ReadFile(fsys, "sources/"+exp["repo"]+"/"+exp["file"])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("func "+exp["function"]+"(")) {
		t.Errorf("%s has no func %s", exp["file"], exp["function"])
	}
	if !bytes.Contains(src, []byte("r.URL.RequestURI()")) {
		t.Error("the bug is not in the source any more")
	}
	if exp["service"] != "auth-service" || strings.Contains(exp["explanation"], "\n") || exp["explanation"] == "" {
		t.Errorf("expected.json = %v", exp)
	}
}

// mappings resolves frame paths to repository files with the code mappings.
type mappings struct {
	byProject map[string][]wire.CodeMapping
}

func loadMappings(t *testing.T, fsys fs.FS) mappings {
	m := mappings{byProject: map[string][]wire.CodeMapping{}}
	for _, cm := range decodeFile[[]wire.CodeMapping](t, fsys, "code-mappings.json") {
		m.byProject[cm.ProjectSlug] = append(m.byProject[cm.ProjectSlug], cm)
	}
	return m
}

func (m mappings) resolve(project string, f wire.Frame) (repo, file string, ok bool) {
	paths := []string{f.AbsPath, f.Filename}
	if strings.HasSuffix(f.Filename, ".java") && !strings.Contains(f.Filename, "/") {
		// Sentry derives a JVM frame's path from its module (the class).
		paths = append([]string{path.Dir(strings.ReplaceAll(f.Module, ".", "/")) + "/" + f.Filename}, paths...)
	}
	for _, p := range paths {
		for _, cm := range m.byProject[project] {
			if rest, found := strings.CutPrefix(p, cm.StackRoot); found && p != "" {
				return cm.RepoName, cm.SourceRoot + rest, true
			}
		}
	}
	return "", "", false
}

func TestErrorFramesMatchSources(t *testing.T) {
	fsys := demo.Dataset()
	maps := loadMappings(t, fsys)
	checked := 0
	for _, p := range []string{"storefront", "api-gateway", "payments", "auth-service", "inventory"} {
		entries, _ := fs.ReadDir(fsys, "events/"+p)
		for _, e := range entries {
			name := "events/" + p + "/" + e.Name()
			ev := decodeFile[wire.Event](t, fsys, name)
			if ev.Type != "error" {
				continue
			}
			exc := ev.Exception()
			if exc == nil || len(exc.Values) == 0 {
				t.Errorf("%s: no exception", name)
				continue
			}
			for _, k := range []string{"environment", "release", "transaction"} {
				if ev.Tag(k) == "" {
					t.Errorf("%s: no %s tag", name, k)
				}
			}
			if ev.TraceID() == "" || ev.Contexts.Trace.SpanID == "" {
				t.Errorf("%s: no trace context", name)
			}
			for _, v := range exc.Values {
				if v.Stacktrace == nil {
					continue
				}
				for _, f := range v.Stacktrace.Frames {
					if !f.IsInApp() {
						continue
					}
					repo, file, ok := maps.resolve(p, f)
					if !ok {
						t.Errorf("%s: frame %s %s matches no code mapping", name, f.Function, f.Filename)
						continue
					}
					src, err := fs.ReadFile(fsys, "sources/"+repo+"/"+file)
					if err != nil {
						t.Errorf("%s: frame %s: %v", name, f.Function, err)
						continue
					}
					lines := strings.Split(string(src), "\n")
					if int(f.LineNo) < 1 || int(f.LineNo) > len(lines) {
						t.Errorf("%s: %s:%d is past the end of the file", name, file, f.LineNo)
						continue
					}
					if len(f.Context) == 0 {
						t.Errorf("%s: %s:%d has no context", name, file, f.LineNo)
					}
					hasLine := false
					for _, c := range f.Context {
						if int(c.Line) < 1 || int(c.Line) > len(lines) || lines[c.Line-1] != c.Text {
							t.Errorf("%s: %s:%d context %q does not match the source", name, file, c.Line, c.Text)
						}
						hasLine = hasLine || c.Line == f.LineNo
					}
					if !hasLine {
						t.Errorf("%s: %s:%d context lacks the frame's line", name, file, f.LineNo)
					}
					checked++
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d in-app frames checked", checked)
	}
}
