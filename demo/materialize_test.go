package demo_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/demo"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestMaterialize(t *testing.T) {
	dest := t.TempDir()
	repos, err := demo.Materialize(dest)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"acme/storefront", "acme/api-gateway", "acme/payments", "acme/auth-service", "acme/inventory"} {
		if repos[r] != filepath.Join(dest, r) {
			t.Errorf("%s → %q", r, repos[r])
		}
		if _, err := os.Stat(filepath.Join(repos[r], "README.md")); err != nil {
			t.Error(err)
		}
	}
	auth := repos["acme/auth-service"]
	if b, err := os.ReadFile(filepath.Join(auth, "go.mod")); err != nil || !bytes.HasPrefix(b, []byte("module ")) {
		t.Errorf("go.mod: %v", err)
	}

	// A second call reuses the directories.
	sentinel := filepath.Join(auth, "left-by-test")
	os.WriteFile(sentinel, nil, 0o644)
	again, err := demo.Materialize(dest)
	if err != nil {
		t.Fatal(err)
	}
	if again["acme/auth-service"] != auth {
		t.Errorf("second call: %v", again)
	}
	if _, err := os.Stat(sentinel); err != nil {
		t.Error("second call re-created the repositories")
	}

	if _, err := exec.LookPath("git"); err != nil {
		t.Log("git not on PATH: history not checked")
		return
	}
	log := git(t, auth, "log", "--format=%s %ad", "--date=iso-strict")
	if !strings.Contains(log, "signing: cover the query string in the canonical request 2026-11-19T21:52:37") || !strings.Contains(log, "Release 2.13.0") {
		t.Errorf("git log:\n%s", log)
	}
	diff := git(t, auth, "diff", "v2.13.0", "v2.14.0", "--", "internal/signing/canonical.go")
	if !strings.Contains(diff, "-\tb.WriteString(r.URL.EscapedPath())") || !strings.Contains(diff, "+\tb.WriteString(r.URL.RequestURI())") {
		t.Errorf("the bad commit's diff:\n%s", diff)
	}
	if st := git(t, auth, "status", "--porcelain", "--untracked-files=no"); st != "" {
		t.Errorf("work tree differs from HEAD:\n%s", st)
	}
	// Commit ids are the same on every machine.
	other := t.TempDir()
	repos2, err := demo.Materialize(other)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := git(t, auth, "rev-parse", "HEAD"), git(t, repos2["acme/auth-service"], "rev-parse", "HEAD"); a != b {
		t.Errorf("HEAD differs between two materialisations: %s vs %s", a, b)
	}
}

func dataset(readme string) fstest.MapFS {
	return fstest.MapFS{
		"sources/o/r/README.md": {Data: []byte(readme)},
		"sources/o/r/src/a.go":  {Data: []byte("package a\n")},
	}
}

func TestMaterializeSourcesChangedDataset(t *testing.T) {
	dest := t.TempDir()
	if _, err := demo.MaterializeSources(dataset("v1"), dest); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dest, "o/r/left-by-test"), nil, 0o644)
	repos, err := demo.MaterializeSources(dataset("v2"), dest)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(repos["o/r"], "README.md")); string(b) != "v2" {
		t.Errorf("README.md = %q after the dataset changed", b)
	}
	if _, err := os.Stat(filepath.Join(dest, "o/r/left-by-test")); err == nil {
		t.Error("the old repository was not replaced")
	}
}

func TestMaterializeSourcesWithoutGit(t *testing.T) {
	t.Setenv("PATH", "")
	dest := t.TempDir()
	repos, err := demo.MaterializeSources(dataset("v1"), dest)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(repos["o/r"], ".git")); err == nil {
		t.Error("a .git directory without git")
	}
	if b, _ := os.ReadFile(filepath.Join(repos["o/r"], "src/a.go")); string(b) != "package a\n" {
		t.Errorf("src/a.go = %q", b)
	}
}

func TestMaterializeSourcesRefusesForeignDirectory(t *testing.T) {
	dest := t.TempDir()
	os.MkdirAll(filepath.Join(dest, "o/r"), 0o755)
	os.WriteFile(filepath.Join(dest, "o/r/mine.txt"), []byte("user data"), 0o644)
	if _, err := demo.MaterializeSources(dataset("v1"), dest); err == nil {
		t.Fatal("overwrote a directory it did not create")
	}
	if b, _ := os.ReadFile(filepath.Join(dest, "o/r/mine.txt")); string(b) != "user data" {
		t.Error("user data lost")
	}
}

func TestMaterializeSourcesRejectsEscapes(t *testing.T) {
	for name, extra := range map[string]fstest.MapFS{
		"override outside the repo": {"history/o/r.json": {Data: []byte(`{"commits":[{"message":"m","author":"a <a@b>","date":"2026-01-01T00:00:00Z","files":{"../../escape.txt":"sources/o/r/README.md"}}]}`)}},
		"absolute override":         {"history/o/r.json": {Data: []byte(`{"commits":[{"message":"m","author":"a <a@b>","date":"2026-01-01T00:00:00Z","files":{"/tmp/escape.txt":"sources/o/r/README.md"}}]}`)}},
		"override into .git":        {"history/o/r.json": {Data: []byte(`{"commits":[{"message":"m","author":"a <a@b>","date":"2026-01-01T00:00:00Z","files":{".git/hooks/post-commit":"sources/o/r/README.md"}}]}`)}},
		"content from outside":      {"history/o/r.json": {Data: []byte(`{"commits":[{"message":"m","author":"a <a@b>","date":"2026-01-01T00:00:00Z","files":{"x":"../secret"}}]}`)}},
		"delete outside the repo":   {"history/o/r.json": {Data: []byte(`{"commits":[{"message":"m","author":"a <a@b>","date":"2026-01-01T00:00:00Z","delete":["../README.md"]}]}`)}},
		"symlink":                   {"sources/o/r/link": {Data: []byte("README.md"), Mode: os.ModeSymlink}},
		"file in .git":              {"sources/o/r/.git/config": {Data: []byte("[core]")}},
		"hidden repository name":    {"sources/o/.r/x": {Data: []byte("x")}},
	} {
		t.Run(name, func(t *testing.T) {
			fsys := dataset("v1")
			for k, v := range extra {
				fsys[k] = v
			}
			dest := t.TempDir()
			if _, err := demo.MaterializeSources(fsys, filepath.Join(dest, "out")); err == nil {
				t.Error("accepted")
			}
			if _, err := os.Stat(filepath.Join(dest, "escape.txt")); err == nil {
				t.Error("wrote outside dest")
			}
		})
	}
}

func TestMaterializeSourcesRejectsSymlinkOnDisk(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "sources/o/r"), 0o755)
	os.WriteFile(filepath.Join(src, "sources/o/r/README.md"), []byte("x"), 0o644)
	if err := os.Symlink("/etc/passwd", filepath.Join(src, "sources/o/r/passwd")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if _, err := demo.MaterializeSources(os.DirFS(src), t.TempDir()); err == nil {
		t.Error("followed a symlink")
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/cache")
	t.Setenv("HOME", "/home/u")
	dir, err := demo.DefaultCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(dir, filepath.Join("tracehound", "demo", demo.Version())) || len(demo.Version()) != 16 {
		t.Errorf("DefaultCacheDir = %q", dir)
	}
}
