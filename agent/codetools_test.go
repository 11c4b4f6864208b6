package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

func codeToolMap(tools []Tool) map[string]Tool {
	m := map[string]Tool{}
	for _, t := range tools {
		m[t.Name] = t
	}
	return m
}

func runCodeTool(t *testing.T, tool Tool, args any) (Result, error) {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return tool.Run(context.Background(), b)
}

func TestCodeToolDefinitions(t *testing.T) {
	var nilRepos *Repos
	if nilRepos.Len() != 0 || nilRepos.ForProject("x") != nil || nilRepos.List() != nil {
		t.Error("nil Repos")
	}
	if _, _, ok := nilRepos.Locate("x", wire.Frame{Filename: "a.go"}); ok {
		t.Error("nil Repos located a frame")
	}
	if _, err := nilRepos.Get("x"); err == nil {
		t.Error("nil Repos: Get")
	}
	rs, err := NewRepos(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(nilRepos.Tools(CodeToolOptions{})) != 4 {
		t.Error("nil Repos: tools")
	}
	tools := rs.Tools(CodeToolOptions{})
	want := []string{"list_repositories", "search_code", "read_file", "propose_patch"}
	if len(tools) != len(want) {
		t.Fatalf("%d tools", len(tools))
	}
	for i, tool := range tools {
		if tool.Name != want[i] || tool.Description == "" || tool.Parameters["type"] != "object" || tool.Run == nil {
			t.Errorf("tool %d: %+v", i, tool)
		}
		if _, err := json.Marshal(tool.Parameters); err != nil {
			t.Errorf("%s: schema: %v", tool.Name, err)
		}
		if (tool.Name == "propose_patch") == tool.ReadOnly {
			t.Errorf("%s: ReadOnly = %v", tool.Name, tool.ReadOnly)
		}
	}
	if tools[3].Validate == nil {
		t.Error("propose_patch has no Validate")
	}
	res, err := runCodeTool(t, tools[0], nil)
	if err != nil || !strings.Contains(res.Text, "No repositories are configured") {
		t.Errorf("no repositories: %v %q", err, res.Text)
	}
	if _, err := runCodeTool(t, tools[1], map[string]any{"query": "x"}); err == nil {
		t.Error("search with no repositories")
	}
}

func TestListRepositories(t *testing.T) {
	rs, checkouts := demoRepos(t)
	res, err := runCodeTool(t, codeToolMap(rs.Tools(CodeToolOptions{}))["list_repositories"], map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Text
	for _, want := range []string{
		"5 repositories",
		"acme/auth-service\n  Sentry projects: auth-service\n",
		`stack paths of auth-service starting with "github.com/acme/auth-service/" map to the repository root`,
		"local checkout, default branch main",
		"top-level directories: cmd/ internal/",
		"top-level files: CHANGELOG.md README.md go.mod",
		".go",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("list_repositories lacks %q:\n%s", want, text)
		}
	}
	for _, dir := range checkouts {
		if strings.Contains(text, dir) || strings.Contains(text, filepath.Dir(filepath.Dir(dir))) {
			t.Errorf("list_repositories leaks the local path %s:\n%s", dir, text)
		}
	}
	if testing.Verbose() {
		t.Log("\n" + text)
	}
}

// searchRepos is two small repositories for search tests.
func codeSearchRepos(t *testing.T) *Repos {
	t.Helper()
	base := t.TempDir()
	long := strings.Repeat("x", 400) + " NEEDLE " + strings.Repeat("y", 100)
	codeWriteFiles(t, base, map[string]string{
		"one/main.go":           "package main\n\nfunc main() {\n\tConnect(\"db\")\n}\n",
		"one/internal/db.go":    "package internal\n\n// Connect opens the database.\nfunc Connect(dsn string) {}\n\nfunc connectAgain() { Connect(\"x\") }\n",
		"one/web/app.ts":        "export function connect() {}\n",
		"one/blob.bin":          "Connect\x00\x01\x02",
		"one/big.txt":           strings.Repeat("Connect line\n", 90_000),
		"one/long.min.js":       long + "\n",
		"one/esc.txt":           "Connect \x1b[31mred\x1b[0m\n",
		"two/pkg/connect.py":    "def connect():\n    return Connect()\n",
		"two/node_modules/x.js": "Connect()\n",
	})
	rs, err := NewRepos([]Repo{
		{Name: "acme/one", Path: filepath.Join(base, "one")},
		{Name: "acme/two", Path: filepath.Join(base, "two")},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestSearchCode(t *testing.T) {
	rs := codeSearchRepos(t)
	search := codeToolMap(rs.Tools(CodeToolOptions{MaxResults: 50}))["search_code"]
	for _, tc := range []struct {
		name   string
		args   map[string]any
		want   []string
		absent []string
		err    string
	}{
		{
			name: "fixed, case-insensitive by default",
			args: map[string]any{"query": "connect("},
			want: []string{
				`matches for "connect(" (fixed string, case-insensitive)`,
				"acme/one:main.go:3- func main() {\nacme/one:main.go:4: \tConnect(\"db\")\nacme/one:main.go:5- }\n",
				"acme/one:web/app.ts:1: export function connect() {}",
				"acme/two:pkg/connect.py:1: def connect():",
				"skipped 1 binary file and 1 file over 1 MB (acme/one:big.txt)",
			},
			absent: []string{"blob.bin", "node_modules"},
		},
		{
			name:   "case-sensitive",
			args:   map[string]any{"query": "Connect(", "case_sensitive": true},
			want:   []string{"case-sensitive", "acme/one:internal/db.go:4: func Connect(dsn string) {}"},
			absent: []string{"app.ts", "acme/two:pkg/connect.py:1:"},
		},
		{
			name: "regex, adjacent matches in one group",
			args: map[string]any{"query": `^func \w+\(`, "regex": true, "repo": "one"},
			want: []string{
				"(regex, case-insensitive)",
				"acme/one:internal/db.go:4: func Connect(dsn string) {}\nacme/one:internal/db.go:5- \nacme/one:internal/db.go:6: func connectAgain() { Connect(\"x\") }\n",
			},
			absent: []string{"acme/two"},
		},
		{
			name:   "glob",
			args:   map[string]any{"query": "connect", "path_glob": "**/*.go"},
			want:   []string{`files matching "**/*.go"`, "acme/one:main.go:4", "acme/one:internal/db.go:3"},
			absent: []string{"app.ts", "connect.py"},
		},
		{
			name:   "glob of a directory",
			args:   map[string]any{"query": "connect", "path_glob": "internal/**"},
			want:   []string{"internal/db.go"},
			absent: []string{"main.go"},
		},
		{
			name:   "glob of a base name with alternatives",
			args:   map[string]any{"query": "connect", "path_glob": "*.{py,ts}"},
			want:   []string{"app.ts", "connect.py"},
			absent: []string{".go:"},
		},
		{
			name: "long line around the match",
			args: map[string]any{"query": "needle"},
			want: []string{"acme/one:long.min.js:1: …[", "NEEDLE", "chars]"},
		},
		{
			name:   "escape sequences are made visible",
			args:   map[string]any{"query": "red"},
			want:   []string{`\x1b[31mred`},
			absent: []string{"\x1b"},
		},
		{
			name: "no match says what was searched where",
			args: map[string]any{"query": "nowhere-to-be-found", "repo": "acme/two", "path_glob": "*.py"},
			want: []string{`No matches for "nowhere-to-be-found" (fixed string, case-insensitive) in acme/two, files matching "*.py": 1 file searched.`},
		},
		{
			name: "no file matches the glob",
			args: map[string]any{"query": "x", "path_glob": "**/*.rs"},
			want: []string{"0 files searched", "No file matches the path_glob"},
		},
		{name: "empty query", args: map[string]any{"query": ""}, err: "query is required"},
		{name: "bad regex", args: map[string]any{"query": "(a", "regex": true}, err: "does not compile"},
		{name: "bad glob", args: map[string]any{"query": "a", "path_glob": "[a"}, err: "bad pattern"},
		{name: "unknown repo", args: map[string]any{"query": "a", "repo": "nope"}, err: "acme/one, acme/two"},
		{name: "multi-line query", args: map[string]any{"query": "a\nb"}, err: "one line"},
		{name: "string booleans", args: map[string]any{"query": "CONNECT(", "case_sensitive": "true"}, want: []string{"No matches"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := runCodeTool(t, search, tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Text, w) {
					t.Errorf("lacks %q:\n%s", w, res.Text)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(res.Text, a) {
					t.Errorf("has %q:\n%s", a, res.Text)
				}
			}
			for _, line := range strings.Split(res.Text, "\n") {
				if len([]rune(line)) > 360 {
					t.Errorf("line of %d characters", len([]rune(line)))
				}
			}
		})
	}
}

func TestSearchCodeCap(t *testing.T) {
	base := t.TempDir()
	files := map[string]string{}
	for i := range 12 {
		files[fmt.Sprintf("f%02d.txt", i)] = strings.Repeat("hit\nmiss\n", 30)
	}
	codeWriteFiles(t, base, files)
	rs, err := NewRepos([]Repo{{Name: "a/b", Path: base}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runCodeTool(t, codeToolMap(rs.Tools(CodeToolOptions{MaxResults: 25}))["search_code"], map[string]any{"query": "hit"})
	if err != nil {
		t.Fatal(err)
	}
	shown := len(regexp.MustCompile(`(?m)^a/b:f\d+\.txt:\d+: hit$`).FindAllString(res.Text, -1))
	if shown != 25 {
		t.Errorf("%d matches shown, want 25", shown)
	}
	for _, w := range []string{"360 matches", "335 more matches not shown; narrow with path_glob or repo", "… 10 more matches in this file"} {
		if !strings.Contains(res.Text, w) {
			t.Errorf("lacks %q:\n%s", w, res.Text)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		glob string
		yes  []string
		no   []string
	}{
		{"**/*.go", []string{"a.go", "x/a.go", "x/y/z.go"}, []string{"a.py", "x/a.go.txt"}},
		{"*.go", []string{"a.go", "x/y/a.go"}, []string{"a.py"}},
		{"internal/**", []string{"internal/a", "internal/x/y.go"}, []string{"cmd/internal/a", "internalx/a"}},
		{"src/**/test_*.py", []string{"src/test_a.py", "src/x/y/test_b.py"}, []string{"test_a.py", "src/a.py"}},
		{"{cmd,internal}/**/*.go", []string{"cmd/a.go", "internal/b/c.go"}, []string{"pkg/a.go"}},
		{"./web/*.ts", []string{"web/a.ts"}, []string{"web/x/a.ts"}},
		{"a?c.txt", []string{"abc.txt"}, []string{"abbc.txt"}},
	} {
		g, err := compileGlob(tc.glob)
		if err != nil {
			t.Fatalf("%s: %v", tc.glob, err)
		}
		for _, p := range tc.yes {
			if !g.match(p) {
				t.Errorf("%s does not match %s", tc.glob, p)
			}
		}
		for _, p := range tc.no {
			if g.match(p) {
				t.Errorf("%s matches %s", tc.glob, p)
			}
		}
	}
	for _, bad := range []string{"", "[a", "{a,b", "a}"} {
		if _, err := compileGlob(bad); err == nil {
			t.Errorf("%q compiled", bad)
		}
	}
}

func TestReadFile(t *testing.T) {
	base := t.TempDir()
	var long strings.Builder
	for i := 1; i <= 450; i++ {
		fmt.Fprintf(&long, "line %d\n", i)
	}
	codeWriteFiles(t, base, map[string]string{
		"src/main.go":        "package main\n\nfunc main() {\n\tprintln(\"hi\")\n}\n",
		"src/long.txt":       long.String(),
		"docs/main.go":       "package docs\n",
		"crlf.txt":           "a\r\nb\r\n",
		"esc.txt":            "x\x1b]0;title\x07y\n",
		"empty.txt":          "",
		"bin.dat":            "\x00\x01",
		"other/pkg/util.go":  "package pkg\n",
		"other/pkg/util2.go": "package pkg\n",
	})
	rs, err := NewRepos([]Repo{{Name: "acme/app", Path: base}, {Name: "acme/lib", Path: filepath.Join(base, "other")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	read := codeToolMap(rs.Tools(CodeToolOptions{}))["read_file"]
	for _, tc := range []struct {
		name   string
		args   map[string]any
		want   []string
		absent []string
		err    string
	}{
		{name: "whole file", args: map[string]any{"repo": "acme/app", "path": "src/main.go"},
			want: []string{"acme/app:src/main.go (lines 1-5 of 5)\n   1 | package main\n   2 | \n   3 | func main() {\n   4 | \tprintln(\"hi\")\n   5 | }\n"}},
		{name: "range", args: map[string]any{"repo": "app", "path": "src/long.txt", "start_line": 10, "end_line": 12},
			want: []string{"(lines 10-12 of 450)\n  10 | line 10\n  11 | line 11\n  12 | line 12\n", "438 more lines: read them with start_line=13"}},
		{name: "default cap", args: map[string]any{"repo": "acme/app", "path": "src/long.txt"},
			want: []string{"(lines 1-400 of 450)", " 400 | line 400\n", "50 more lines: read them with start_line=401"}, absent: []string{"line 401"}},
		{name: "from a line", args: map[string]any{"repo": "acme/app", "path": "src/long.txt", "start_line": "440"},
			want: []string{"(lines 440-450 of 450)", " 450 | line 450\n"}, absent: []string{"more lines"}},
		{name: "end past the end", args: map[string]any{"repo": "acme/app", "path": "src/main.go", "start_line": 4, "end_line": 90},
			want: []string{"(lines 4-5 of 5)", "end_line 90 is past the end: the file has 5 lines"}},
		{name: "too many lines", args: map[string]any{"repo": "acme/app", "path": "src/long.txt", "start_line": 1, "end_line": 450},
			want: []string{"(lines 1-400 of 450)", "shown 400 lines, the most per call"}},
		{name: "start past the end", args: map[string]any{"repo": "acme/app", "path": "src/main.go", "start_line": 9}, err: "has 5 lines; start_line 9 is past the end"},
		{name: "end before start", args: map[string]any{"repo": "acme/app", "path": "src/main.go", "start_line": 4, "end_line": 2}, err: "before start_line"},
		{name: "negative", args: map[string]any{"repo": "acme/app", "path": "src/main.go", "start_line": -1}, err: "start at 1"},
		{name: "crlf", args: map[string]any{"repo": "acme/app", "path": "crlf.txt"}, want: []string{"   1 | a\n   2 | b\n"}},
		{name: "escapes", args: map[string]any{"repo": "acme/app", "path": "esc.txt"}, want: []string{`x\x1b]0;title\x07y`}, absent: []string{"\x1b", "\x07"}},
		{name: "empty", args: map[string]any{"repo": "acme/app", "path": "empty.txt"}, want: []string{"acme/app:empty.txt is empty."}},
		{name: "binary", args: map[string]any{"repo": "acme/app", "path": "bin.dat"}, err: "binary file"},
		{name: "directory", args: map[string]any{"repo": "acme/app", "path": "src"}, want: []string{"acme/app:src is a directory with 2 entries:\n  long.txt\n  main.go\n"}},
		{name: "root", args: map[string]any{"repo": "acme/app", "path": "."}, want: []string{"acme/app (root) is a directory", "  src/\n", "  other/\n"}},
		{name: "missing suggests the same name", args: map[string]any{"repo": "acme/app", "path": "cmd/main.go"}, err: "did you mean acme/app:docs/main.go or acme/app:src/main.go?"},
		{name: "missing in this repo, present in another", args: map[string]any{"repo": "acme/app", "path": "pkg/util.go"}, err: "acme/app:other/pkg/util.go or acme/lib:pkg/util.go"},
		{name: "nothing similar", args: map[string]any{"repo": "acme/app", "path": "nope.rs"}, err: "find the file with search_code"},
		{name: "stack path", args: map[string]any{"repo": "acme/app", "path": "/app/src/main.go"}, err: "is absolute; paths are relative to the repository root (e.g. src/main.go, not /src/main.go); did you mean acme/app:src/main.go"},
		{name: "repo:path", args: map[string]any{"path": "acme/lib:pkg/util.go"}, want: []string{"acme/lib:pkg/util.go (lines 1-1 of 1)"}},
		{name: "repo required", args: map[string]any{"path": "src/main.go"}, err: "repo is required: one of acme/app, acme/lib"},
		{name: "bad line number", args: map[string]any{"repo": "acme/app", "path": "src/main.go", "start_line": "ten"}, err: "not a whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := runCodeTool(t, read, tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Text, w) {
					t.Errorf("lacks %q:\n%s", w, res.Text)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(res.Text, a) {
					t.Errorf("has %q:\n%s", a, res.Text)
				}
			}
		})
	}
}

func TestReadFileDemo(t *testing.T) {
	rs, _ := demoRepos(t)
	res, err := runCodeTool(t, codeToolMap(rs.Tools(CodeToolOptions{}))["read_file"], map[string]any{"repo": "auth-service", "path": "internal/signing/canonical.go"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Repo != "acme/auth-service" || res.Path != "internal/signing/canonical.go" || !strings.Contains(res.Text, "  18 | \tb.WriteString(r.URL.RequestURI())\n") {
		t.Errorf("%+v", res)
	}
	// stack-frame paths get the file their code mapping names
	for repo, p := range map[string]string{
		"auth-service": "github.com/acme/auth-service/internal/signing/verify.go",
		"payments":     "/app/payments/auth_client.py",
	} {
		_, err := runCodeTool(t, codeToolMap(rs.Tools(CodeToolOptions{}))["read_file"], map[string]any{"repo": repo, "path": p})
		want := map[string]string{"auth-service": "did you mean acme/auth-service:internal/signing/verify.go?", "payments": "did you mean acme/payments:payments/auth_client.py"}[repo]
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("read_file %s: %v, want %q", p, err, want)
		}
	}
}
