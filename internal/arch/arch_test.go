package arch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/tracehound/tracehound"

// pkg is one package of the module as `go list` describes it.
type pkg struct {
	ImportPath string
	Imports    []string // direct imports (not the tests')
	Deps       []string // every package it depends on, transitively
}

// rel is a package path relative to the module ("tracetree"), or the
// path unchanged for a package of another module.
func rel(path string) string {
	if path == module {
		return "."
	}
	return strings.TrimPrefix(path, module+"/")
}

// under reports whether the package p (relative) is dir or inside it.
func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// listPackages lists the module's packages with their imports.
func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	root, err := exec.Command(goTool, "env", "GOMOD").Output()
	if err != nil || len(bytes.TrimSpace(root)) == 0 {
		t.Fatalf("go env GOMOD: %v", err)
	}
	cmd := exec.Command(goTool, "list", "-e", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = filepath.Dir(string(bytes.TrimSpace(root)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list's output: %v", err)
		}
		pkgs[rel(p.ImportPath)] = p
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

// dependsOn returns the dependencies of p for which bad holds; bad gets
// a package of the module relative to it (ours true), any other package as
// is.
func dependsOn(p pkg, bad func(dep string, ours bool) bool) []string {
	var out []string
	for _, d := range p.Deps {
		ours := d == module || strings.HasPrefix(d, module+"/")
		if d := rel(d); bad(d, ours) {
			out = append(out, d)
		}
	}
	return out
}

// frontEnds may import ui: ui itself, the command, the SSH hub that runs
// one ui program per guest, and the end-to-end tests.
var frontEnds = []string{"ui", "cmd", "share", "e2e"}

// noNetwork are the packages that must not reach the network stack.
var noNetwork = []string{"tracetree", "redact", "dataset", "sentryapi/wire", "ingest/sdkevent"}

// violations checks the import rules over pkgs (keyed by path relative to
// the module) and describes each broken one.
func violations(pkgs map[string]pkg) []string {
	var out []string
	report := func(name string, bad []string, why string) {
		if len(bad) > 0 {
			out = append(out, name+" depends on "+strings.Join(bad, ", ")+": "+why)
		}
	}
	for name, p := range pkgs {
		for _, leaf := range noNetwork {
			if under(name, leaf) {
				report(name, dependsOn(p, func(d string, ours bool) bool { return !ours && d == "net/http" }),
					"it must do no network I/O (directly or through another package)")
			}
		}
		front := false
		for _, f := range frontEnds {
			front = front || under(name, f)
		}
		if !front {
			report(name, dependsOn(p, func(d string, ours bool) bool { return ours && under(d, "ui") }),
				"only front ends ("+strings.Join(frontEnds, ", ")+") may import ui")
		}
		if under(name, "investigation") {
			report(name, dependsOn(p, func(d string, ours bool) bool {
				return ours && (under(d, "ui") || under(d, "share") || under(d, "mcp"))
			}), "the investigation core must not know its front ends")
		}
		if !under(name, "cmd") {
			report(name, dependsOn(p, func(d string, ours bool) bool { return ours && under(d, "cmd") }), "nothing imports cmd")
		}
	}
	return out
}

func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
	for _, must := range []string{"tracetree", "redact", "dataset", "ui"} {
		if _, ok := pkgs[must]; !ok {
			t.Errorf("package %s is missing from go list's output: the rules about it check nothing", must)
		}
	}
}

// TestViolationsFound feeds the rules a made-up module that breaks each of
// them, so a rule that silently stops matching fails here.
func TestViolationsFound(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	pkgs := map[string]pkg{
		"tracetree":           {Deps: []string{"fmt", m("sentryapi/wire"), "net/http"}},
		"agent":               {Deps: []string{m("ui/theme")}},
		"investigation":       {Deps: []string{m("mcp")}},
		"redact":              {Deps: []string{"strings", "net/http"}},
		"ingest":              {Deps: []string{m("cmd/tracehound")}},
		"ui":                  {Deps: []string{m("ui/theme"), "net/http"}},
		"share":               {Deps: []string{m("ui")}},
		"dataset":             {Deps: []string{m("sentryapi/wire"), "io/fs"}},
		"ingest/sdkevent/sub": {Deps: []string{"net/http"}},
	}
	got := strings.Join(violations(pkgs), "\n")
	for _, want := range []string{
		"tracetree depends on net/http",
		"agent depends on ui/theme: only front ends",
		"investigation depends on mcp",
		"redact depends on net/http",
		"ingest depends on cmd/tracehound",
		"ingest/sdkevent/sub depends on net/http",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("violations miss %q; got:\n%s", want, got)
		}
	}
	for _, fine := range []string{"ui depends", "share depends", "dataset depends"} {
		if strings.Contains(got, fine) {
			t.Errorf("violations flag an allowed import (%s); got:\n%s", fine, got)
		}
	}
}
