package dataset_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

func TestPaths(t *testing.T) {
	cases := map[string]string{
		dataset.IssuePath("100"):                            "issues/100.json",
		dataset.EventPath("backend", "abc"):                 "events/backend/abc.json",
		dataset.TracePath("t1"):                             "traces/t1.json",
		dataset.TraceMetaPath("t1"):                         "traces/t1.meta.json",
		dataset.ProfilePath("backend", "p1"):                "profiles/backend/p1.json",
		dataset.ChunkPath("profiler", "c1"):                 "chunks/profiler/c1.json",
		dataset.HistoryPath("acme/auth"):                    "history/acme/auth.json",
		dataset.SourcePath("acme/auth"):                     "sources/acme/auth",
		dataset.EventPath("../x", "a/b"):                    "events/.._x/a_b.json",
		dataset.IssuePath(".."):                             "issues/_.json",
		dataset.ProfilePath("", "p\x1b[31m"):                "profiles/_/p_[31m.json",
		dataset.ChunkPath(`C:\evil`, "c1"):                  "chunks/C:_evil/c1.json",
		dataset.EventPath("backend", strings.Repeat("", 0)): "events/backend/_.json",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("path = %q, want %q", got, want)
		}
	}
}

func TestNormID(t *testing.T) {
	if got := dataset.NormID("0AF7651B-16AB-4B8E-9D2F-C1E5A8D4B3F0"); got != "0af7651b16ab4b8e9d2fc1e5a8d4b3f0" || !dataset.IsHexID(got) {
		t.Errorf("NormID = %q", got)
	}
	if dataset.IsHexID("xyz") || dataset.IsHexID(strings.Repeat("g", 32)) {
		t.Error("IsHexID accepted a non-hex id")
	}
}

func small() fstest.MapFS {
	f := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"organization.json": f(`{"id":"1","slug":"acme"}`),
		"projects.json":     f(`[{"id":"11","slug":"backend"}]`),
		"issues/100.json":   f(`{"id":"100"}`),
		"events/backend/0AF7651B-16AB-4B8E-9D2F-C1E5A8D4B3F0.json": f(`{}`),
		"events/other/0af7651b16ab4b8e9d2fc1e5a8d4b3f0.json":       f(`{}`),
		"traces/ABCDEF0123456789ABCDEF0123456789.json":             f(`[]`),
		"traces/abcdef0123456789abcdef0123456789.meta.json":        f(`{}`),
		"profiles/backend/p1.json":                                 f(`{}`),
		"chunks/prof-1/b.json":                                     f(`{}`),
		"chunks/prof-1/a.json":                                     f(`{}`),
		"chunks/prof-1/notes.txt":                                  f(`x`),
		"dataset.json":                                             f(`{"name":"t","issue":"BACKEND-1"}`),
	}
}

func TestOpenIndexes(t *testing.T) {
	d, err := dataset.Open(small())
	if err != nil {
		t.Fatal(err)
	}
	if d.OrgSlug != "acme" || d.OrgID != "1" {
		t.Errorf("org = %q %q", d.OrgSlug, d.OrgID)
	}
	const ev = "0af7651b16ab4b8e9d2fc1e5a8d4b3f0"
	checks := map[string]string{
		d.Issues["100"]:                                 "issues/100.json",
		d.Events["backend"][ev]:                         "events/backend/0AF7651B-16AB-4B8E-9D2F-C1E5A8D4B3F0.json",
		d.Traces["abcdef0123456789abcdef0123456789"]:    "traces/ABCDEF0123456789ABCDEF0123456789.json",
		d.TraceMeta["abcdef0123456789abcdef0123456789"]: "traces/abcdef0123456789abcdef0123456789.meta.json",
		d.Profiles["backend"]["p1"]:                     "profiles/backend/p1.json",
		strings.Join(d.Chunks["prof1"], ","):            "chunks/prof-1/a.json,chunks/prof-1/b.json",
		strings.Join(d.EventByID[ev], ","):              "events/backend/0AF7651B-16AB-4B8E-9D2F-C1E5A8D4B3F0.json,events/other/0af7651b16ab4b8e9d2fc1e5a8d4b3f0.json",
	}
	for got, want := range checks {
		if got != want {
			t.Errorf("indexed %q, want %q", got, want)
		}
	}
	projs, err := d.Projects()
	if err != nil || len(projs) != 1 || projs[0].Slug != "backend" || projs[0].ID != "11" {
		t.Errorf("Projects = %+v, %v", projs, err)
	}
	if repos, err := d.OptionalArray(dataset.ReposFile); err != nil || repos != nil {
		t.Errorf("missing repos.json = %v, %v; want an empty list", repos, err)
	}
	m, err := dataset.ReadManifest(d.FS())
	if err != nil || m.Name != "t" || m.Issue != "BACKEND-1" {
		t.Errorf("manifest = %+v, %v", m, err)
	}
}

func TestOpenAndReadErrors(t *testing.T) {
	fsys := small()
	delete(fsys, "organization.json")
	if _, err := dataset.Open(fsys); err == nil || !strings.Contains(err.Error(), "no organization.json") {
		t.Errorf("Open without organization.json: %v", err)
	}
	for _, org := range []string{`{"id":"1"}`, `[1]`, `{"slug":`, ``} {
		fsys := small()
		fsys["organization.json"] = &fstest.MapFile{Data: []byte(org)}
		_, err := dataset.Open(fsys)
		var fe *dataset.FileError
		if !errors.As(err, &fe) || fe.Path != "organization.json" {
			t.Errorf("Open with organization.json %q: %v, want a FileError naming it", org, err)
		}
	}
	fsys = small()
	fsys["issues/100.json"] = &fstest.MapFile{Data: []byte(`[] {}`)}
	fsys["dataset.json"] = &fstest.MapFile{Data: []byte(`{"name": 1`)}
	d, err := dataset.Open(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Read("issues/100.json", '{'); err == nil || !strings.HasPrefix(err.Error(), "dataset file issues/100.json: want an object") {
		t.Errorf("Read of an array as an object: %v", err)
	}
	if _, err := d.Read("traces/ABCDEF0123456789ABCDEF0123456789.json", '['); err != nil {
		t.Errorf("Read: %v", err)
	}
	if _, err := dataset.ReadManifest(fsys); err == nil || !strings.Contains(err.Error(), "dataset.json") {
		t.Errorf("ReadManifest of a broken file: %v", err)
	}
}

func TestCheckJSON(t *testing.T) {
	for in, want := range map[string]string{
		`{}`:     "",
		` [1] `:  "",
		``:       "the file is empty",
		`{} {}`:  "unexpected data after the top-level value",
		`"s"`:    "want an object at the top level, got a string",
		`{"a":1`: "EOF",
	} {
		err := dataset.CheckJSON([]byte(in), '{')
		if in == ` [1] ` {
			err = dataset.CheckJSON([]byte(in), 0)
		}
		if (err == nil) != (want == "") || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("CheckJSON(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestDirWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	w := dataset.NewDirWriter(dir)
	if err := w.Put(dataset.OrganizationFile, map[string]string{"id": "1", "slug": "acme"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Put(dataset.EventPath("backend", "e1"), map[string]string{"id": "e1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Put("../escape.json", 1); err == nil {
		t.Error("Put wrote outside the dataset")
	}
	src := fstest.MapFS{
		"expected.json":              {Data: []byte(`{"service":"s"}`)},
		"sources/acme/app/main.go":   {Data: []byte("package main\n")},
		"history/acme/app.json":      {Data: []byte(`{"commits":[]}`)},
		"history/acme/app/v1/old.go": {Data: []byte("old\n")},
		"issues/1.json":              {Data: []byte(`{}`)},
	}
	n, err := w.CopyExtras(src)
	if err != nil || n != 3 {
		t.Fatalf("CopyExtras = %d, %v; want 3 files", n, err)
	}
	if w.Files() != 6 {
		t.Errorf("Files = %d, want 6", w.Files())
	}
	b, err := os.ReadFile(filepath.Join(dir, "events", "backend", "e1.json"))
	if err != nil || string(b) != "{\n  \"id\": \"e1\"\n}\n" {
		t.Errorf("event file = %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "issues")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CopyExtras copied an API file: %v", err)
	}
	d, err := dataset.Open(os.DirFS(dir))
	if err != nil || d.Events["backend"]["e1"] == "" {
		t.Fatalf("reading the written dataset: %v", err)
	}
}

func TestMemFS(t *testing.T) {
	m := dataset.NewMemFS()
	m.AddJSON(dataset.OrganizationFile, map[string]string{"slug": "local"})
	m.AddJSON(dataset.IssuePath("1"), map[string]int{"id": 1})
	m.Add(dataset.EventPath("app", "e1"), func() ([]byte, error) { return []byte(`{"id":"e1"}`), nil })
	m.Add(dataset.ChunkPath("p", "c"), func() ([]byte, error) { return []byte(`{}`), nil })
	if err := fstest.TestFS(m, "organization.json", "issues/1.json", "events/app/e1.json", "chunks/p/c.json"); err != nil {
		t.Fatal(err)
	}
	gone := errors.New("pruned")
	m.Add(dataset.TracePath("t"), func() ([]byte, error) { return nil, gone })
	if _, err := fs.ReadFile(m, "traces/t.json"); !errors.Is(err, gone) {
		t.Errorf("a failing load: %v", err)
	}
	d, err := dataset.Open(m)
	if err != nil || d.OrgSlug != "local" || d.Events["app"]["e1"] == "" || len(d.Chunks["p"]) != 1 {
		t.Fatalf("Open(MemFS) = %+v, %v", d, err)
	}
}

func TestCompareIssues(t *testing.T) {
	ts := func(s float64) wire.Timestamp { return wire.Timestamp(s) }
	if dataset.CompareIssues(ts(2), "1", ts(1), "9") >= 0 {
		t.Error("the more recently seen issue is not first")
	}
	if dataset.CompareIssues(ts(1), "10", ts(1), "9") >= 0 {
		t.Error("at the same time, the larger id (10 > 9) is not first")
	}
	if dataset.CompareIssues(ts(1), "7", ts(1), "7") != 0 {
		t.Error("an issue is not equal to itself")
	}
}
