package agent

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo"
)

// requireGit skips a test that needs git, and isolates git from the
// user's and the system's configuration.
func codeRequireGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH: skipping a test that needs git repositories")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
}

// writeFiles writes path → content under dir.
func codeWriteFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runGit runs git in dir for a test, with a fixed identity.
func codeGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// gitRepo makes a git repository with one commit of files.
func codeGitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	codeRequireGit(t)
	dir := t.TempDir()
	codeWriteFiles(t, dir, files)
	codeGit(t, dir, "init", "-q")
	codeGit(t, dir, "add", "-A")
	codeGit(t, dir, "commit", "-q", "-m", "initial")
	return dir
}

// demoRepos materialises the demo's repositories and returns them with the
// dataset's code mappings, and their directory.
func demoRepos(t *testing.T) (*Repos, map[string]string) {
	t.Helper()
	checkouts, err := demo.Materialize(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := DatasetRepos(demo.Dataset(), checkouts)
	if err != nil {
		t.Fatal(err)
	}
	return rs, checkouts
}

func TestLoadRepoConfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	cfgDir := t.TempDir()
	codeWriteFiles(t, home, map[string]string{"src/payments/app.py": "x\n"})
	codeWriteFiles(t, cfgDir, map[string]string{"checkouts/auth/main.go": "package main\n", "afile": "x"})

	write := func(t *testing.T, body string) string {
		t.Helper()
		p := filepath.Join(cfgDir, "config.toml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("good", func(t *testing.T) {
		p := write(t, `
[llm]
model = "gpt-5"   # another section of the config: not ours

[[repo]]
name = "acme/payments"
path = "~/src/payments"
projects = ["payments"]

[[repo]]
path = "checkouts/auth"
projects = ["auth-service", "auth-worker"]
default_branch = "trunk"
`)
		repos, err := LoadRepoConfig(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(repos) != 2 {
			t.Fatalf("got %d repos: %+v", len(repos), repos)
		}
		wantPay, _ := filepath.EvalSymlinks(filepath.Join(home, "src", "payments"))
		if r := repos[0]; r.Name != "acme/payments" || r.Path != wantPay || !slices.Equal(r.Projects, []string{"payments"}) {
			t.Errorf("repo 0 = %+v (want path %s)", r, wantPay)
		}
		wantAuth, _ := filepath.EvalSymlinks(filepath.Join(cfgDir, "checkouts", "auth"))
		if r := repos[1]; r.Name != "auth-service" || r.Path != wantAuth || r.DefaultBranch != "trunk" || len(r.Projects) != 2 {
			t.Errorf("repo 1 = %+v (want path %s; name from the first project)", r, wantAuth)
		}
	})

	t.Run("no repos", func(t *testing.T) {
		repos, err := LoadRepoConfig(write(t, "[llm]\nmodel = \"x\"\n"))
		if err != nil || len(repos) != 0 {
			t.Fatalf("repos %v, err %v", repos, err)
		}
	})

	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"missing path", "[[repo]]\nname = \"acme/x\"\npath = \"~/src/nope\"\n", []string{`"acme/x"`, "does not exist", filepath.Join(home, "src", "nope")}},
		{"no path key", "[[repo]]\nname = \"acme/x\"\n", []string{`"acme/x"`, "path is missing"}},
		{"file not dir", "[[repo]]\nname = \"acme/x\"\npath = \"afile\"\n", []string{"is a file, not a directory"}},
		{"duplicate names", "[[repo]]\nname = \"acme/x\"\npath = \"checkouts/auth\"\n[[repo]]\nname = \"acme/x\"\npath = \"~/src/payments\"\n", []string{"#1 and #2 are both named \"acme/x\""}},
		{"bad toml", "[[repo]]\nname = \"acme/x\npath = \"y\"\n", []string{"config.toml: line 2"}},
		{"single table", "[repo]\nname = \"acme/x\"\npath = \"checkouts/auth\"\n", []string{"write [[repo]] (two brackets)"}},
		{"unknown key", "[[repo]]\nname = \"acme/x\"\npaht = \"checkouts/auth\"\npath = \"checkouts/auth\"\n", []string{"unknown key repo.paht"}},
		{"no name", "[[repo]]\npath = \"checkouts/auth\"\n", []string{"name is missing"}},
		{"bad name", "[[repo]]\nname = \"acme x\"\npath = \"checkouts/auth\"\n", []string{"must look like owner/repo"}},
		{"two problems", "[[repo]]\nname = \"a/b\"\npath = \"nope1\"\n[[repo]]\nname = \"a/c\"\npath = \"nope2\"\n", []string{"nope1", "nope2"}},
		{"tilde user", "[[repo]]\nname = \"a/b\"\npath = \"~bob/src\"\n", []string{"~user is not supported"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadRepoConfig(write(t, tc.body))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}

	if _, err := LoadRepoConfig(filepath.Join(cfgDir, "missing.toml")); err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestDefaultRepoConfigPath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	if p, err := DefaultRepoConfigPath(); err != nil || p != filepath.Join("/xdg", "tracehound", "config.toml") {
		t.Errorf("with XDG_CONFIG_HOME: %q %v", p, err)
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "/home/u")
	if p, err := DefaultRepoConfigPath(); err != nil || p != filepath.Join("/home/u", ".config", "tracehound", "config.toml") {
		t.Errorf("without XDG_CONFIG_HOME: %q %v", p, err)
	}
	t.Setenv("XDG_CONFIG_HOME", "relative/dir") // not absolute: ignored, as the spec says
	if p, _ := DefaultRepoConfigPath(); !strings.HasPrefix(p, "/home/u/") {
		t.Errorf("relative XDG_CONFIG_HOME used: %q", p)
	}
}

func TestParseRepoFlag(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	wd, _ := os.Getwd()
	for _, tc := range []struct {
		in       string
		name     string
		path     string
		errMatch string
	}{
		{in: "payments=~/src/payments", name: "payments", path: "/home/u/src/payments"},
		{in: " payments = /abs/p ", name: "payments", path: "/abs/p"},
		{in: "auth-service=rel/dir", name: "auth-service", path: filepath.Join(wd, "rel", "dir")},
		{in: "payments", errMatch: "want project=path"},
		{in: "=~/x", errMatch: "want project=path"},
		{in: "payments=", errMatch: "want project=path"},
		{in: "pay ments=/x", errMatch: "owner/repo"},
	} {
		r, err := ParseRepoFlag(tc.in)
		if tc.errMatch != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errMatch) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.errMatch)
			}
			continue
		}
		if err != nil || r.Name != tc.name || r.Path != tc.path || !slices.Equal(r.Projects, []string{tc.name}) {
			t.Errorf("%q = %+v, %v", tc.in, r, err)
		}
	}
}

func TestNewRepos(t *testing.T) {
	base := t.TempDir()
	codeWriteFiles(t, base, map[string]string{"pay/a.py": "", "auth/main.go": "", "other/auth/x.go": "", "file": ""})
	if err := os.Symlink(filepath.Join(base, "pay"), filepath.Join(base, "paylink")); err != nil {
		t.Fatal(err)
	}
	mappings := []wire.CodeMapping{
		{ProjectSlug: "payments", RepoName: "acme/payments", StackRoot: "/app/", DefaultBranch: "main"},
		{ProjectSlug: "auth-service", RepoName: "acme/auth", StackRoot: "github.com/acme/auth/", DefaultBranch: "trunk"},
	}
	flag := Repo{Name: "payments", Path: filepath.Join(base, "paylink"), Projects: []string{"payments"}}
	rs, err := NewRepos([]Repo{flag, {Name: "acme/auth", Path: filepath.Join(base, "auth")}, {Name: "other/auth", Path: filepath.Join(base, "other", "auth")}}, mappings)
	if err != nil {
		t.Fatal(err)
	}
	pay, err := rs.Get("acme/payments")
	if err != nil {
		t.Fatalf("the --repo checkout was not renamed after its code mapping: %v", err)
	}
	realPay, _ := filepath.EvalSymlinks(filepath.Join(base, "pay"))
	if pay.Path != realPay || pay.DefaultBranch != "main" {
		t.Errorf("payments = %+v (want path %s, symlink resolved)", pay, realPay)
	}
	if r, err := rs.Get("payments"); err != nil || r != pay {
		t.Errorf("short name: %v %v", r, err)
	}
	auth, _ := rs.Get("acme/auth")
	if !slices.Equal(auth.Projects, []string{"auth-service"}) || auth.DefaultBranch != "trunk" {
		t.Errorf("projects/branch not filled from the mapping: %+v", auth)
	}
	if got := rs.ForProject("auth-service"); len(got) != 1 || got[0].Name != "acme/auth" {
		t.Errorf("ForProject = %+v", got)
	}
	if got := rs.ForProject("nope"); len(got) != 0 {
		t.Errorf("ForProject(nope) = %+v", got)
	}
	if _, err := rs.Get("auth"); err == nil || !strings.Contains(err.Error(), "acme/auth, other/auth") || !strings.Contains(err.Error(), "full name") {
		t.Errorf("ambiguous short name: %v", err)
	}
	if _, err := rs.Get("nope"); err == nil || !strings.Contains(err.Error(), "acme/payments, acme/auth, other/auth") {
		t.Errorf("unknown name: %v", err)
	}
	if r, err := rs.Get("ACME/AUTH"); err != nil || r != auth {
		t.Errorf("case-insensitive name: %v", err)
	}

	for _, tc := range []struct {
		name  string
		repos []Repo
		want  string
	}{
		{"duplicate", []Repo{{Name: "a/b", Path: filepath.Join(base, "pay")}, {Name: "a/b", Path: filepath.Join(base, "auth")}}, "configured twice"},
		{"missing dir", []Repo{{Name: "a/b", Path: filepath.Join(base, "nope")}}, "does not exist"},
		{"a file", []Repo{{Name: "a/b", Path: filepath.Join(base, "file")}}, "is a file"},
		{"no path", []Repo{{Name: "a/b"}}, "path is missing"},
		{"no name", []Repo{{Path: filepath.Join(base, "pay")}}, "name is missing"},
	} {
		if _, err := NewRepos(tc.repos, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	// a rename must not collide with a configured name
	rs, err = NewRepos([]Repo{flag, {Name: "acme/payments", Path: filepath.Join(base, "auth")}}, mappings)
	if err != nil || rs.Len() != 2 {
		t.Fatalf("rename collision: %v", err)
	}
	if _, err := rs.Get("acme/payments"); err != nil {
		t.Error(err)
	}
}

// demoFrames are the in-app frames of the demo's error events, with their
// project.
func codeDemoFrames(t *testing.T) (frames []wire.Frame, projects []string) {
	t.Helper()
	fsys := demo.Dataset()
	err := fs.WalkDir(fsys, "events", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var ev wire.Event
		if err := wire.Decode(b, &ev); err != nil {
			return err
		}
		ex := ev.Exception()
		if ex == nil {
			return nil
		}
		for _, v := range ex.Values {
			if v.Stacktrace == nil {
				continue
			}
			for _, f := range v.Stacktrace.Frames {
				if f.IsInApp() {
					frames = append(frames, f)
					projects = append(projects, path.Base(path.Dir(p)))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) < 5 {
		t.Fatalf("only %d in-app frames in the demo", len(frames))
	}
	return frames, projects
}

func TestLocateDemo(t *testing.T) {
	rs, checkouts := demoRepos(t)
	frames, projects := codeDemoFrames(t)
	// without code mappings, suffix matching alone must find the same files
	var plain []Repo
	for n, p := range checkouts {
		plain = append(plain, Repo{Name: n, Path: p})
	}
	suffixOnly, err := NewRepos(plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		r, rel, ok := rs.Locate(projects[i], f)
		if !ok {
			t.Errorf("%s frame %s (%s) not located", projects[i], f.Filename, f.AbsPath)
			continue
		}
		if !slices.Contains(r.Projects, projects[i]) {
			t.Errorf("frame %s located in %s, which is not the repository of %s", f.Filename, r.Name, projects[i])
		}
		if st, err := os.Stat(filepath.Join(r.Path, filepath.FromSlash(rel))); err != nil || !st.Mode().IsRegular() {
			t.Errorf("frame %s → %s:%s does not exist", f.Filename, r.Name, rel)
		}
		if !strings.HasSuffix(f.Filename, rel) {
			t.Errorf("frame %s → %s:%s", f.Filename, r.Name, rel)
		}
		r2, rel2, ok := suffixOnly.Locate("", f)
		if !ok || r2.Name != r.Name || rel2 != rel {
			t.Errorf("suffix matching: frame %s → %v %q %v, mappings gave %s:%s", f.Filename, r2, rel2, ok, r.Name, rel)
		}
	}
}

func TestLocate(t *testing.T) {
	base := t.TempDir()
	codeWriteFiles(t, base, map[string]string{
		"java/src/main/java/com/acme/pay/Charges.java": "",
		"java/src/test/java/com/acme/pay/Charges.java": "",
		"py/payments/charges.py":                       "",
		"py/main.py":                                   "",
		"py/src/util.py":                               "",
		"py/lib/config.py":                             "",
		"other/lib/config.py":                          "",
		"other/payments/charges.py":                    "",
		"web/src/app.ts":                               "",
	})
	rs, err := NewRepos([]Repo{
		{Name: "acme/java", Path: filepath.Join(base, "java"), Projects: []string{"java"}},
		{Name: "acme/py", Path: filepath.Join(base, "py"), Projects: []string{"py"}},
		{Name: "acme/other", Path: filepath.Join(base, "other"), Projects: []string{"other"}},
		{Name: "acme/web", Path: filepath.Join(base, "web")},
	}, []wire.CodeMapping{
		{ProjectSlug: "java", ProjectID: "42", RepoName: "acme/java", StackRoot: "com/acme/", SourceRoot: "src/main/java/com/acme/"},
		{ProjectSlug: "py", RepoName: "py", StackRoot: "/srv/app/", SourceRoot: ""}, // short repo name
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, project string
		f             wire.Frame
		repo, rel     string // "" when not found
	}{
		{"jvm module mapping", "java", wire.Frame{Module: "com.acme.pay.Charges$Inner", Filename: "Charges.java", Platform: "java"}, "acme/java", "src/main/java/com/acme/pay/Charges.java"},
		{"mapping by project id", "42", wire.Frame{Module: "com.acme.pay.Charges", Filename: "Charges.java"}, "acme/java", "src/main/java/com/acme/pay/Charges.java"},
		{"jvm suffix tie", "other", wire.Frame{Module: "com.acme.pay.Charges", Filename: "Charges.java"}, "", ""},
		{"abs path mapping", "py", wire.Frame{Filename: "payments/charges.py", AbsPath: "/srv/app/payments/charges.py"}, "acme/py", "payments/charges.py"},
		{"project repo first", "py", wire.Frame{AbsPath: "/elsewhere/payments/charges.py"}, "acme/py", "payments/charges.py"},
		{"tie across other repos", "web", wire.Frame{AbsPath: "/x/lib/config.py"}, "", ""},
		{"tie across repos is ambiguous", "", wire.Frame{AbsPath: "/x/payments/charges.py"}, "", ""},
		{"longest suffix wins", "", wire.Frame{AbsPath: "/deploy/src/app.ts"}, "acme/web", "src/app.ts"},
		{"root file", "py", wire.Frame{AbsPath: "/opt/main.py"}, "acme/py", "main.py"},
		{"base name alone with other dirs is no match", "py", wire.Frame{AbsPath: "/usr/lib/python3/json/util.py"}, "", ""},
		{"url", "", wire.Frame{AbsPath: "https://cdn.acme.test/src/app.ts?v=3"}, "acme/web", "src/app.ts"},
		{"no path", "py", wire.Frame{Function: "f"}, "", ""},
		{"unknown file", "py", wire.Frame{AbsPath: "/srv/app/nope.py"}, "", ""},
	} {
		r, rel, ok := rs.Locate(tc.project, tc.f)
		got := ""
		if ok {
			got = r.Name + ":" + rel
		}
		want := ""
		if tc.repo != "" {
			want = tc.repo + ":" + tc.rel
		}
		if got != want {
			t.Errorf("%s: Locate = %q, want %q", tc.name, got, want)
		}
	}
}

func TestSandbox(t *testing.T) {
	outside := t.TempDir()
	codeWriteFiles(t, outside, map[string]string{"secret.txt": "secret\n"})
	root := t.TempDir()
	codeWriteFiles(t, root, map[string]string{"src/a.go": "package a\n", "real/b.go": "package b\n", ".git/config": "[core]\n"})
	for link, target := range map[string]string{
		"src/escape.txt": filepath.Join(outside, "secret.txt"),
		"outdir":         outside,
		"inside":         filepath.Join(root, "real"),
		"gitlink":        filepath.Join(root, ".git", "config"),
	} {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := NewRepos([]Repo{{Name: "acme/r", Path: root}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := rs.Get("acme/r")
	for _, tc := range []struct {
		in, rel, err string
	}{
		{in: "src/a.go", rel: "src/a.go"},
		{in: "./src//a.go", rel: "src/a.go"},
		{in: "src/../src/a.go", rel: "src/a.go"},
		{in: "inside/b.go", rel: "inside/b.go"},
		{in: ".", rel: "."},
		{in: "../../etc/passwd", err: "climbs out of the repository"},
		{in: "src/../../x", err: "climbs out of the repository"},
		{in: "/etc/passwd", err: "is absolute"},
		{in: `C:\Windows\x`, err: "is absolute"},
		{in: "~/x", err: "home directory"},
		{in: "src/escape.txt", err: "leads out of the repository"},
		{in: "outdir/secret.txt", err: "leads out of the repository"},
		{in: "outdir/new.txt", err: "leads out of the repository"},
		{in: ".git/config", err: "inside .git"},
		{in: "src/.GIT/x", err: "inside .git"},
		{in: "gitlink", err: "into .git"},
		{in: "", err: "empty"},
		{in: "src/missing.go", err: "does not exist"},
	} {
		rel, _, err := r.resolvePath(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || rel != tc.rel {
			t.Errorf("%q = %q, %v; want %q", tc.in, rel, err, tc.rel)
		}
	}

	// read_file says the same
	tools := codeToolMap(rs.Tools(CodeToolOptions{}))
	for in, want := range map[string]string{
		"../../etc/passwd":  "climbs out",
		"/etc/passwd":       "absolute",
		"src/escape.txt":    "leads out",
		"outdir/secret.txt": "leads out",
		".git/config":       ".git",
	} {
		_, err := runCodeTool(t, tools["read_file"], map[string]any{"repo": "acme/r", "path": in})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "secret\n") {
			t.Errorf("read_file %q: %v", in, err)
		}
	}
	res, err := runCodeTool(t, tools["read_file"], map[string]any{"repo": "acme/r", "path": "inside/b.go"})
	if err != nil || !strings.Contains(res.Text, "package b") {
		t.Errorf("a symlinked directory inside the repository: %v %q", err, res.Text)
	}
	// search never reads through the escaping symlinks
	res, err = runCodeTool(t, tools["search_code"], map[string]any{"query": "secret"})
	if err != nil || !strings.HasPrefix(res.Text, "No matches") {
		t.Errorf("search through symlinks: %v %q", err, res.Text)
	}
}

func TestSourceContext(t *testing.T) {
	base := t.TempDir()
	var src []string
	for i := 1; i <= 20; i++ {
		src = append(src, fmt.Sprintf("line %d", i))
	}
	codeWriteFiles(t, base, map[string]string{"svc/payments/charges.go": strings.Join(src, "\n") + "\n"})
	rs, err := NewRepos([]Repo{{Name: "shop", Path: filepath.Join(base, "svc"), Projects: []string{"payments"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := wire.Frame{AbsPath: "/build/shop/payments/charges.go", LineNo: 3}
	ctx, where, ok := rs.SourceContext("payments", f, 5)
	if !ok || where != "shop/payments/charges.go" || len(ctx) != 8 || ctx[0].Line != 1 || ctx[2].Text != "line 3" || ctx[7].Line != 8 {
		t.Errorf("SourceContext = %v %q %v", ctx, where, ok)
	}
	f.LineNo = 19
	if ctx, _, _ = rs.SourceContext("payments", f, 5); len(ctx) != 7 || ctx[len(ctx)-1].Text != "line 20" {
		t.Errorf("at the end of the file: %v", ctx)
	}
	for _, bad := range []wire.Frame{{AbsPath: "/x/payments/charges.go", LineNo: 99}, {AbsPath: "/x/payments/charges.go"}, {AbsPath: "/x/nope.go", LineNo: 1}} {
		if _, _, ok := rs.SourceContext("payments", bad, 5); ok {
			t.Errorf("%+v: context found", bad)
		}
	}
}
