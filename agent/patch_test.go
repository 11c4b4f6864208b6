package agent

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// canonicalFix is the fix of the demo's root cause: sign the escaped path,
// as the callers do, plus a test with a query string.
const codeCanonicalFix = `diff --git a/internal/signing/canonical.go b/internal/signing/canonical.go
--- a/internal/signing/canonical.go
+++ b/internal/signing/canonical.go
@@ -9,13 +9,14 @@ import (
 // (acme service-auth v1, see README.md): the upper-case method, the request
 // target, the timestamp header and the hex SHA-256 of the body, one per line.
 //
-// The request target is the full request URI, path and query, so that query
-// parameters such as ?audience= are covered by the signature as well.
+// The request target is the escaped path without the query: callers sign the
+// path only, so signing the query too rejects every signed call that has one
+// (token introspection's ?audience=).
 func CanonicalRequest(r *http.Request, timestamp, bodySHA256 string) string {
 	var b strings.Builder
 	b.WriteString(strings.ToUpper(r.Method))
 	b.WriteByte('\n')
-	b.WriteString(r.URL.RequestURI())
+	b.WriteString(r.URL.EscapedPath())
 	b.WriteByte('\n')
 	b.WriteString(timestamp)
 	b.WriteByte('\n')
diff --git a/internal/signing/canonical_test.go b/internal/signing/canonical_test.go
--- a/internal/signing/canonical_test.go
+++ b/internal/signing/canonical_test.go
@@ -15,6 +15,14 @@ func TestCanonicalRequest(t *testing.T) {
 	}
 }
 
+func TestCanonicalRequestIgnoresQuery(t *testing.T) {
+	r := httptest.NewRequest("POST", "http://auth-service.internal:8080/v1/tokens/introspect?audience=payments", strings.NewReader(` + "`{}`" + `))
+	got := CanonicalRequest(r, "1795230000", "x")
+	if want := "POST\n/v1/tokens/introspect\n1795230000\nx"; got != want {
+		t.Errorf("CanonicalRequest = %q, want %q", got, want)
+	}
+}
+
 func TestServiceOf(t *testing.T) {
 	for keyID, want := range map[string]string{
 		"payments-2026-10":    "payments",
`

func codePatchArgs(repo, diff, explanation string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"repo": repo, "diff": diff, "explanation": explanation})
	return b
}

func TestProposePatchDemo(t *testing.T) {
	codeRequireGit(t)
	rs, checkouts := demoRepos(t)
	dir := checkouts["acme/auth-service"]
	tool := codeToolMap(rs.Tools(CodeToolOptions{IssueShortID: "STOREFRONT-4Z"}))["propose_patch"]
	ctx := context.Background()
	args := codePatchArgs("acme/auth-service", codeCanonicalFix, "Sign the escaped path only, as callers do\n\nauth-service 2.14.0 signed the query too.")

	preview, err := tool.Validate(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"acme/auth-service: 2 files, +12 −3\n",
		"  M internal/signing/canonical.go  +4 −3\n",
		"  M internal/signing/canonical_test.go  +8 −0\n",
		`On approval: one commit "Sign the escaped path only, as callers do" on a new branch tracehound/storefront-4z-sign-the-escaped-path-only-as-callers-do from main`,
		"+\tb.WriteString(r.URL.EscapedPath())\n",
	} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	head := strings.TrimSpace(codeGit(t, dir, "rev-parse", "HEAD"))
	if out := codeGit(t, dir, "status", "--porcelain"); out != "" {
		t.Fatalf("Validate changed the working tree:\n%s", out)
	}

	res, err := tool.Run(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	wantBranch := "tracehound/storefront-4z-sign-the-escaped-path-only-as-callers-do"
	if res.Branch != wantBranch || len(res.Commit) < 40 || res.Repo != "acme/auth-service" || res.Path != "internal/signing/canonical.go" {
		t.Errorf("result %+v", res)
	}
	for _, want := range []string{"applied on branch " + wantBranch + " as commit " + res.Commit[:7] + " (2 files, +12 −3)", "the previous branch was main (go back with `git checkout main`)"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("result text lacks %q: %s", want, res.Text)
		}
	}
	if cur := strings.TrimSpace(codeGit(t, dir, "symbolic-ref", "--short", "HEAD")); cur != wantBranch {
		t.Errorf("checked out %s", cur)
	}
	if log := codeGit(t, dir, "log", "--format=%an <%ae>|%B", head+".."+wantBranch); log != "tracehound <tracehound@localhost>|Sign the escaped path only, as callers do\n\nProposed by tracehound for STOREFRONT-4Z.\n\n" {
		t.Errorf("commits on the branch:\n%q", log)
	}
	if parent := strings.TrimSpace(codeGit(t, dir, "rev-parse", wantBranch+"^")); parent != head {
		t.Errorf("branch parent %s, want HEAD %s", parent, head)
	}
	if out := codeGit(t, dir, "status", "--porcelain"); out != "" {
		t.Errorf("working tree not clean after apply:\n%s", out)
	}
	src, _ := os.ReadFile(filepath.Join(dir, "internal", "signing", "canonical.go"))
	if !strings.Contains(string(src), "r.URL.EscapedPath()") {
		t.Errorf("working tree not updated:\n%s", src)
	}
	if main, _ := exec.Command("git", "-C", dir, "show", "main:internal/signing/canonical.go").Output(); !strings.Contains(string(main), "RequestURI()") {
		t.Error("main was changed")
	}

	if gobin, err := exec.LookPath("go"); err == nil {
		cmd := exec.Command(gobin, "test", "./...")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go test in the patched auth-service: %v\n%s", err, out)
		}
	} else {
		t.Log("go not on PATH: not running the patched repository's tests")
	}

	// Applying again from main gets a fresh branch name.
	codeGit(t, dir, "checkout", "-q", "main")
	res2, err := tool.Run(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Branch != wantBranch+"-2" {
		t.Errorf("second branch %q", res2.Branch)
	}
	if first := strings.TrimSpace(codeGit(t, dir, "rev-parse", wantBranch)); first != res.Commit {
		t.Error("the first branch moved")
	}
}

func TestProposePatchRejected(t *testing.T) {
	codeRequireGit(t)
	rs, _ := demoRepos(t)
	tool := codeToolMap(rs.Tools(CodeToolOptions{IssueShortID: "STOREFRONT-4Z"}))["propose_patch"]
	ctx := context.Background()
	for _, tc := range []struct {
		name, repo, diff, explanation string
		want                          []string
	}{
		{
			name: "wrong context",
			repo: "acme/auth-service",
			diff: `--- a/internal/signing/canonical.go
+++ b/internal/signing/canonical.go
@@ -15,5 +15,5 @@
 	var b strings.Builder
 	b.WriteString(strings.ToUpper(r.Method))
 	b.WriteByte('\n')
-	b.WriteString(r.URL.Path)
+	b.WriteString(r.URL.EscapedPath())
 	b.WriteByte('\n')
`,
			want: []string{
				"hunk 1 of internal/signing/canonical.go (@@ -15,5 +15,5 @@) does not match the file: it fits best at line 15, where its 4th old line (removed) is\n    `\tb.WriteString(r.URL.Path)`\nbut line 18 of the file is\n    `\tb.WriteString(r.URL.RequestURI())`",
				"The file's current lines",
				"  18 | \tb.WriteString(r.URL.RequestURI())\n",
				"Copy the context and '-' lines exactly",
			},
		},
		{
			name: "spaces for tabs",
			repo: "acme/auth-service",
			diff: "--- a/internal/signing/canonical.go\n+++ b/internal/signing/canonical.go\n@@ -17,3 +17,3 @@\n     b.WriteByte('\\n')\n-    b.WriteString(r.URL.RequestURI())\n+    b.WriteString(r.URL.EscapedPath())\n     b.WriteByte('\\n')\n",
			want: []string{"the file indents with tabs, the diff with spaces"},
		},
		{
			name: "outside the repository",
			repo: "acme/auth-service",
			diff: "--- a/../outside.txt\n+++ b/../outside.txt\n@@ -1 +1 @@\n-a\n+b\n",
			want: []string{"../outside.txt climbs out of the repository"},
		},
		{
			name: "absolute",
			repo: "acme/auth-service",
			diff: "--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n",
			want: []string{"is absolute"},
		},
		{
			name: "into .git",
			repo: "acme/auth-service",
			diff: "diff --git a/.git/config b/.git/config\n--- a/.git/config\n+++ b/.git/config\n@@ -1 +1 @@\n-a\n+b\n",
			want: []string{"inside .git"},
		},
		{
			name: "missing file",
			repo: "acme/auth-service",
			diff: "--- a/internal/canonical.go\n+++ b/internal/canonical.go\n@@ -1 +1 @@\n-a\n+b\n",
			want: []string{"internal/canonical.go does not exist", "did you mean acme/auth-service:internal/signing/canonical.go", "--- /dev/null"},
		},
		{
			name: "create an existing file",
			repo: "acme/auth-service",
			diff: "--- /dev/null\n+++ b/go.mod\n@@ -0,0 +1 @@\n+module x\n",
			want: []string{"go.mod already exists"},
		},
		{
			name: "binary",
			repo: "acme/auth-service",
			diff: "diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000..1111111\nBinary files /dev/null and b/logo.png differ\n",
			want: []string{"binary patches are not supported"},
		},
		{
			name: "context lines without their space",
			repo: "acme/auth-service",
			diff: "--- a/go.mod\n+++ b/go.mod\n@@ -1,3 +1,3 @@\nmodule github.com/acme/auth-service\n \n-go 1.23\n+go 1.24\n",
			want: []string{"starts with \"m\"", "unchanged lines need their leading space"},
		},
		{
			name: "no hunks",
			repo: "acme/auth-service",
			diff: "just some text\n",
			want: []string{"changes no file"},
		},
		{name: "no explanation", repo: "acme/auth-service", diff: codeCanonicalFix, explanation: " \n", want: []string{"explanation is required"}},
		{name: "no diff", repo: "acme/auth-service", diff: " ", want: []string{"diff is empty"}},
		{name: "no repo", diff: codeCanonicalFix, want: []string{"repo is required"}},
		{name: "unknown repo", repo: "acme/nope", diff: codeCanonicalFix, want: []string{"acme/auth-service"}},
		{
			name: "ambiguous hunk without numbers",
			repo: "acme/auth-service",
			diff: "--- a/internal/signing/canonical.go\n+++ b/internal/signing/canonical.go\n@@ @@\n-\tb.WriteByte('\\n')\n+\tb.WriteByte(10)\n",
			want: []string{"has no line numbers and its lines match the file in 3 places (lines 17, 19, 21)"},
		},
		{
			name: "escape sequences in a path",
			repo: "acme/auth-service",
			diff: "--- a/x\x1b[2J.go\n+++ b/x\x1b[2J.go\n@@ -1 +1 @@\n-a\n+b\n",
			want: []string{`x\x1b[2J.go does not exist`},
		},
		{
			name: "pure insertion without context",
			repo: "acme/auth-service",
			diff: "--- a/go.mod\n+++ b/go.mod\n@@ -3,0 +4 @@\n+toolchain go1.24.0\n",
			want: []string{"has no context lines"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expl := tc.explanation
			if expl == "" {
				expl = "Fix it"
			}
			_, err := tool.Validate(ctx, codePatchArgs(tc.repo, tc.diff, expl))
			if err == nil {
				t.Fatal("validated")
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Errorf("error has a raw escape: %q", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%s", w, err)
				}
			}
			// Run re-validates and refuses too
			if _, err := tool.Run(ctx, codePatchArgs(tc.repo, tc.diff, expl)); err == nil {
				t.Error("Run applied an invalid patch")
			}
		})
	}
}

// TestProposePatchForgiving covers the mistakes models make that are
// still unambiguous: a fence around the diff, no diff --git line, wrong
// line numbers, wrong counts, no numbers at all, lost spaces on blank
// context lines, trailing blank lines.
func TestProposePatchForgiving(t *testing.T) {
	dir := codeGitRepo(t, map[string]string{
		"app.py": "import os\n\n\ndef handler(event):\n    price = event.get(\"price\")\n    return price * 2\n\n\ndef other():\n    return 1\n",
	})
	rs, err := NewRepos([]Repo{{Name: "acme/app", Path: dir}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tool := codeToolMap(rs.Tools(CodeToolOptions{}))["propose_patch"]
	body := " def handler(event):\n     price = event.get(\"price\")\n-    return price * 2\n+    if price is None:\n+        return 0\n+    return price * 2\n\n \n"
	for _, tc := range []struct {
		name, diff string
		note       string
	}{
		{"exact", "--- a/app.py\n+++ b/app.py\n@@ -4,5 +4,7 @@\n" + body, ""},
		{"fenced", "```diff\n--- a/app.py\n+++ b/app.py\n@@ -4,5 +4,7 @@\n" + body + "```\n", ""},
		{"offset", "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1,5 +1,7 @@\n" + body, "its header says line 1, its lines are at line 4"},
		{"miscounted", "--- a/app.py\n+++ b/app.py\n@@ -4,3 +4,4 @@\n" + body, "header counted -3 +4 lines, its body has -5 +7"},
		{"no numbers", "--- app.py\n+++ app.py\n@@ @@\n" + body + "\n\n", "had no line numbers; its lines are at line 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			preview, err := tool.Validate(context.Background(), codePatchArgs("acme/app", tc.diff, "Treat a missing price as 0"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(preview, "acme/app: 1 file, +3 −1\n") || !strings.Contains(preview, "@@ -4,5 +4,7 @@") {
				t.Errorf("preview:\n%s", preview)
			}
			switch {
			case tc.note == "" && strings.Contains(preview, "Note:"):
				t.Errorf("preview has a note:\n%s", preview)
			case tc.note != "" && !strings.Contains(preview, "Note: hunk 1 of app.py"+tc.note[:0]) || !strings.Contains(preview, tc.note):
				t.Errorf("preview lacks note %q:\n%s", tc.note, preview)
			}
		})
	}
}

func TestProposePatchFiles(t *testing.T) {
	dir := codeGitRepo(t, map[string]string{
		"a.txt":        "one\ntwo\nthree\n",
		"old/name.txt": "keep\n",
		"gone.txt":     "bye\n",
		"script.sh":    "#!/bin/sh\necho hi\n",
	})
	if err := os.Chmod(filepath.Join(dir, "script.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	codeGit(t, dir, "update-index", "--chmod=+x", "script.sh")
	codeGit(t, dir, "commit", "-q", "-m", "exec")
	codeGit(t, dir, "config", "user.name", "Dev Person")
	codeGit(t, dir, "config", "user.email", "dev@example.com")
	rs, err := NewRepos([]Repo{{Name: "acme/files", Path: dir}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tool := codeToolMap(rs.Tools(CodeToolOptions{}))["propose_patch"]
	diff := `diff --git a/a.txt b/a.txt
--- a/a.txt
+++ b/a.txt
@@ -1,3 +1,3 @@
 one
-two
+TWO
 three
diff --git a/new/file.go b/new/file.go
new file mode 100644
--- /dev/null
+++ b/new/file.go
@@ -0,0 +1,2 @@
+package file
+// new
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/old/name.txt b/new/name.txt
similarity index 100%
rename from old/name.txt
rename to new/name.txt
diff --git a/script.sh b/script.sh
--- a/script.sh
+++ b/script.sh
@@ -1,2 +1,2 @@
 #!/bin/sh
-echo hi
+echo hello
`
	args := codePatchArgs("files", diff, "Touch every kind of file")
	preview, err := tool.Validate(context.Background(), args)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"acme/files: 5 files, +4 −3", "  A new/file.go", "  D gone.txt", "  R old/name.txt → new/name.txt", "  M a.txt", "on a new branch tracehound/touch-every-kind-of-file from main"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	res, err := tool.Run(context.Background(), args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Branch != "tracehound/touch-every-kind-of-file" {
		t.Errorf("branch %q", res.Branch)
	}
	got := codeGit(t, dir, "show", "--name-status", "--format=%an <%ae>", "HEAD")
	for _, want := range []string{"Dev Person <dev@example.com>\n", "\nM\ta.txt\n", "\nD\tgone.txt\n", "\nA\tnew/file.go\n", "\nR100\told/name.txt\tnew/name.txt\n", "\nM\tscript.sh\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("commit lacks %q:\n%s", want, got)
		}
	}
	if got := codeGit(t, dir, "ls-files", "-s", "script.sh"); !strings.HasPrefix(got, "100755 ") {
		t.Errorf("script.sh lost its mode: %s", got)
	}
	for p, want := range map[string]string{"a.txt": "one\nTWO\nthree\n", "new/file.go": "package file\n// new\n", "new/name.txt": "keep\n"} {
		if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p))); err != nil || string(b) != want {
			t.Errorf("%s = %q, %v", p, b, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "gone.txt")); !os.IsNotExist(err) {
		t.Errorf("gone.txt still there: %v", err)
	}
}

func TestProposePatchDirtyTree(t *testing.T) {
	dir := codeGitRepo(t, map[string]string{"a.txt": "one\ntwo\n", "b.txt": "x\n"})
	rs, err := NewRepos([]Repo{{Name: "acme/d", Path: dir}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tool := codeToolMap(rs.Tools(CodeToolOptions{IssueShortID: "D-1"}))["propose_patch"]
	diff := "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n"
	args := codePatchArgs("acme/d", diff, "Shout two")

	// Local changes to the touched file: the preview warns, Run refuses.
	codeWriteFiles(t, dir, map[string]string{"a.txt": "one\ntwo\n\n"})
	preview, err := tool.Validate(context.Background(), args)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(preview, "Warning: a.txt (modified); applying will be refused") {
		t.Errorf("preview:\n%s", preview)
	}
	if _, err := tool.Run(context.Background(), args); err == nil || !strings.Contains(err.Error(), "a.txt (modified)") || !strings.Contains(err.Error(), "commit or stash") {
		t.Errorf("Run on a dirty file: %v", err)
	}
	if out := codeGit(t, dir, "branch", "--list", "tracehound/*"); out != "" {
		t.Errorf("a branch was created: %s", out)
	}

	// Other local changes are carried over to the new branch untouched.
	codeWriteFiles(t, dir, map[string]string{"a.txt": "one\ntwo\n", "b.txt": "local edit\n", "untracked.txt": "mine\n"})
	codeGit(t, dir, "add", "b.txt")
	res, err := tool.Run(context.Background(), args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Branch != "tracehound/d-1-shout-two" {
		t.Errorf("branch %q", res.Branch)
	}
	if got := codeGit(t, dir, "show", "--name-only", "--format=", "HEAD"); got != "a.txt\n" {
		t.Errorf("the commit has %q (the user's staged b.txt must stay out)", got)
	}
	if got := codeGit(t, dir, "status", "--porcelain"); got != "M  b.txt\n?? untracked.txt\n" {
		t.Errorf("status after apply:\n%s", got)
	}
}

func TestProposePatchSubdirectory(t *testing.T) {
	dir := codeGitRepo(t, map[string]string{"services/api/main.go": "package main\n\nfunc main() {}\n", "README": "x\n"})
	rs, err := NewRepos([]Repo{{Name: "acme/api", Path: filepath.Join(dir, "services", "api")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tool := codeToolMap(rs.Tools(CodeToolOptions{}))["propose_patch"]
	diff := "--- a/main.go\n+++ b/main.go\n@@ -1,3 +1,3 @@\n package main\n \n-func main() {}\n+func main() { println() }\n"
	preview, err := tool.Validate(context.Background(), codePatchArgs("acme/api", diff, "Print"))
	if err != nil || !strings.Contains(preview, "Note: this checkout is the directory services/api/ of a larger git repository") {
		t.Errorf("preview: %v\n%s", err, preview)
	}
	res, err := tool.Run(context.Background(), codePatchArgs("acme/api", diff, "Print"))
	if err != nil {
		t.Fatal(err)
	}
	if got := codeGit(t, dir, "show", "--name-only", "--format=", res.Branch); got != "services/api/main.go\n" {
		t.Errorf("commit touched %q", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "services", "api", "main.go")); !strings.Contains(string(b), "println") {
		t.Errorf("main.go = %q", b)
	}
}

func TestProposePatchWithoutGit(t *testing.T) {
	base := t.TempDir()
	codeWriteFiles(t, base, map[string]string{"a.txt": "one\n"})
	rs, err := NewRepos([]Repo{{Name: "acme/plain", Path: base}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tool := codeToolMap(rs.Tools(CodeToolOptions{}))["propose_patch"]
	args := codePatchArgs("acme/plain", "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+ONE\n", "Shout")
	if _, err := exec.LookPath("git"); err == nil {
		// git is there, but the directory is not a repository
		if _, err := tool.Validate(context.Background(), args); err == nil || !strings.Contains(err.Error(), "not a git repository") {
			t.Errorf("Validate outside a repository: %v", err)
		}
	}
	t.Setenv("PATH", t.TempDir()) // no git on PATH
	if _, err := tool.Validate(context.Background(), args); err == nil || !strings.Contains(err.Error(), "git is not installed") {
		t.Errorf("Validate without git: %v", err)
	}
	if _, err := tool.Run(context.Background(), args); err == nil || !strings.Contains(err.Error(), "git is not installed") || !strings.Contains(err.Error(), "not applied") {
		t.Errorf("Run without git: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(base, "a.txt")); string(b) != "one\n" {
		t.Errorf("a.txt changed: %q", b)
	}
	// search and read work without git
	tools := codeToolMap(rs.Tools(CodeToolOptions{}))
	if res, err := runCodeTool(t, tools["search_code"], map[string]any{"query": "one"}); err != nil || !strings.Contains(res.Text, "acme/plain:a.txt:1: one") {
		t.Errorf("search without git: %v %q", err, res.Text)
	}
}

func TestPatchBranchName(t *testing.T) {
	for _, tc := range []struct{ id, expl, want string }{
		{"PAYMENTS-1AB", "Sign the escaped path only, as callers do", "tracehound/payments-1ab-sign-the-escaped-path-only-as-callers-do"},
		{"", "Fix: nil deref in Charge()!", "tracehound/fix-nil-deref-in-charge"},
		{"X-1", "\n\n  ...  \n", "tracehound/x-1-patch"},
		{"X-1", "Ünïcödé ✓ only", "tracehound/x-1-n-c-d-only"},
		{"X-1", strings.Repeat("word ", 30), "tracehound/x-1-word-word-word-word-word-word-word-word"},
	} {
		if got := patchBranchBase(tc.id, tc.expl); got != tc.want {
			t.Errorf("patchBranchBase(%q, %q) = %q, want %q", tc.id, tc.expl, got, tc.want)
		}
	}
}
