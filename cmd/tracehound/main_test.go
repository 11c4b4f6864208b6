package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
	"github.com/tracehound/tracehound/tracetree"
)

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs a command line with an empty environment and fast retries.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := newApp(&out, &errb)
	a.getenv = func(k string) string { return env[k] }
	a.workDir = t.TempDir()
	a.homeDir = a.workDir
	a.clientOptions = func(o *sentryapi.Options) { o.RetryBackoff = time.Millisecond; o.MaxRetries = 1 }
	code := run(context.Background(), args, a)
	return result{code, out.String(), errb.String()}
}

// writeDataset writes an fs.FS dataset to a temporary directory.
func writeDataset(t *testing.T, fsys fstest.MapFS) string {
	t.Helper()
	dir := t.TempDir()
	for name, f := range fsys {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// withoutNext drops the suggested next: commands, which name the source.
func withoutNext(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "next: ") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func wantContains(t *testing.T, what, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Errorf("%s does not contain %q:\n%s", what, s, got)
		}
	}
}

func TestIssueCommand(t *testing.T) {
	dir := writeDataset(t, localtest.Dataset())
	for _, args := range [][]string{
		{"issue", "BACKEND-1AB", "--data", dir},
		{"issue", "100", "--data", dir},
		{"issue", "--data", dir}, // the dataset's default issue
		{"BACKEND-1AB", "--data", dir},
		{"issue", "https://acme.sentry.io/issues/100/events/" + localtest.ErrorEventID + "/", "--data", dir},
	} {
		r := runCLI(t, nil, args...)
		if r.code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		wantContains(t, strings.Join(args, " "), r.stdout,
			"BACKEND-1AB  ValueError: boom", "project:  backend (python)", "7 events", "3 users",
			"Event "+localtest.ErrorEventID, "ValueError: boom", "at pay (app/views.py:42)",
			"Trace "+localtest.TraceID+": 1 transaction, 2 spans, 1 error", "next: tracehound trace "+localtest.TraceID)
		if strings.Contains(r.stdout, "[demo data]") {
			t.Errorf("a non-demo dataset is labelled demo data")
		}
	}
	// An explicit event of the issue.
	r := runCLI(t, nil, "issue", "https://acme.sentry.io/issues/100/events/"+localtest.OldEventID+"/", "--data", dir)
	wantContains(t, "old event", r.stdout, "Event "+localtest.OldEventID+" at 2026-11-19 01:00:00 UTC", "No trace")
}

func TestIssueJSON(t *testing.T) {
	dir := writeDataset(t, localtest.Dataset())
	r := runCLI(t, nil, "issue", "BACKEND-1AB", "--data", dir, "--format", "json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got struct {
		Issue     map[string]any `json:"issue"`
		Event     map[string]any `json:"event"`
		TraceID   string         `json:"traceId"`
		TraceMeta map[string]any `json:"traceMeta"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if got.Issue["shortId"] != "BACKEND-1AB" || got.Issue["unknownField"] == nil || got.Event["eventID"] != localtest.ErrorEventID || got.TraceID != localtest.TraceID {
		t.Errorf("json = %+v", got)
	}
	entries, _ := got.Event["entries"].([]any)
	if len(entries) != 2 {
		t.Errorf("event entries = %v", entries)
	}
}

func TestEventAndTraceCommands(t *testing.T) {
	dir := writeDataset(t, localtest.Dataset())
	// Without --project the event id is resolved through the lookup.
	r := runCLI(t, nil, "event", localtest.ErrorEventID, "--data", dir)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "event", r.stdout, "ValueError: boom", "event 0a1b2c3d ("+localtest.ErrorEventID+") · issue BACKEND-1AB (100)", "pay in app/views.py:42 (in app)",
		"→ 42 |     raise ValueError('boom')", "environment production")
	r = runCLI(t, nil, "event", localtest.TransactionID, "--project", "backend", "--data", dir)
	wantContains(t, "transaction", r.stdout, "POST /pay", localtest.TransactionID)
	// A short id from the tree works within the dataset's default issue.
	r = runCLI(t, nil, "event", "0a1b2c3d", "--data", dir)
	wantContains(t, "short id", r.stdout, "ValueError: boom")
	r = runCLI(t, nil, "spans", "9e9e9e9e", "--data", dir)
	wantContains(t, "spans", r.stdout, "Spans of POST /pay (500ms) [backend] id=9e9e9e9e", "+0ms POST /pay (500ms, self 400ms)", "db - SELECT 1")
	r = runCLI(t, nil, "profile", "9e9e", "--data", dir)
	wantContains(t, "profile", r.stdout, "pay (app/views.py:42)")

	r = runCLI(t, nil, "trace", localtest.TraceID, "--data", dir)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "trace", r.stdout, "Trace "+localtest.TraceID+": 1 transaction, 2 spans, 1 error",
		"└─ http.server - POST /pay  [backend, 500ms, 9e9e9e9e] (profile available)", "ERROR: ValueError: boom  [BACKEND-1AB 0a1b2c3d]")

	r = runCLI(t, nil, "trace", localtest.TraceID, "--data", dir, "--format", "json")
	var items []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil {
		t.Fatalf("trace json: %v\n%s", err, r.stdout)
	}
	if len(items) != 1 || items[0]["is_transaction"] != true || items[0]["project_slug"] != "backend" || items[0]["children"] == nil {
		t.Errorf("trace json = %v", items)
	}
	// A bare 32-hex id that is a trace, given as the root TARGET.
	r = runCLI(t, nil, localtest.TraceID, "--data", dir)
	wantContains(t, "root with trace id", r.stdout, "Trace "+localtest.TraceID)
}

func TestExitCodesAndMessages(t *testing.T) {
	dir := writeDataset(t, localtest.Dataset())
	tests := []struct {
		args   []string
		code   int
		stderr []string
	}{
		{[]string{"issue", "not a target!", "--data", dir}, exitUsage, []string{"is not an issue id"}},
		{[]string{"issue", "BACKEND-1AB", "--data", dir, "--format", "xml"}, exitUsage, []string{"--format must be text or json"}},
		{[]string{"issue", "--no-such-flag"}, exitUsage, []string{"unknown flag"}},
		{[]string{"no-such-command", "extra"}, exitUsage, []string{"expected at most 1 argument"}},
		{[]string{"event"}, exitUsage, []string{"expected one EVENT_ID"}},
		{[]string{"issue", "1", "--demo", "--data", dir}, exitUsage, []string{"cannot be used together"}},
		{[]string{"issue", "1", "--data", filepath.Join(dir, "nope")}, exitUsage, []string{"no such directory"}},
		{[]string{"issue"}, exitUsage, []string{"no Sentry organization"}},
		{[]string{"issue", "999", "--data", dir}, exitNotFound, []string{"issue 999 is not in dataset", "BACKEND-1AB"}},
		{[]string{"event", "ffffffffffffffffffffffffffffffff", "--data", dir}, exitNotFound, []string{"is not in dataset"}},
		{[]string{"trace", "ffffffffffffffffffffffffffffffff", "--data", dir}, exitNotFound, []string{"not found"}},
		{[]string{"export", "BACKEND-1AB", "--data", dir}, exitUsage, []string{"--out DIR is required"}},
	}
	for _, tt := range tests {
		r := runCLI(t, nil, tt.args...)
		if r.code != tt.code {
			t.Errorf("%v: exit %d, want %d\nstderr: %s", tt.args, r.code, tt.code, r.stderr)
		}
		wantContains(t, strings.Join(tt.args, " "), r.stderr, tt.stderr...)
	}
}

func TestRealSentryAuthErrors(t *testing.T) {
	srv, err := local.New(localtest.Dataset(), local.WithToken("the-right-token-0000"), local.WithScopes("org:read"))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	const wrong = "sntryu_wrongwrongwrongwrongwrongwrongwrongwrongwrongwrongwrongwrongaaaa"
	r := runCLI(t, map[string]string{"SENTRY_URL": hs.URL, "SENTRY_ORG": "acme", "SENTRY_AUTH_TOKEN": wrong}, "issue", "100")
	if r.code != exitAuth {
		t.Fatalf("exit %d", r.code)
	}
	wantContains(t, "401", r.stderr, "401 unauthorized", "token was rejected", "tracehound config")
	if strings.Contains(r.stderr+r.stdout, wrong) {
		t.Errorf("the token was printed")
	}
	r = runCLI(t, map[string]string{"SENTRY_URL": hs.URL, "SENTRY_ORG": "acme", "SENTRY_AUTH_TOKEN": "the-right-token-0000"}, "issue", "100")
	if r.code != exitAuth {
		t.Fatalf("exit %d", r.code)
	}
	wantContains(t, "403", r.stderr, "403 forbidden", "event:read")

	// A pasted URL on another host than the configured Sentry: the token
	// stays with the configured one.
	r = runCLI(t, map[string]string{"SENTRY_URL": hs.URL, "SENTRY_AUTH_TOKEN": "the-right-token-0000"}, "issue", "https://sentry.evil.example/organizations/acme/issues/100/")
	wantContains(t, "foreign URL", r.stderr, "warning: the URL is on https://sentry.evil.example but the configured Sentry is "+hs.URL)
}

func TestConfigCommand(t *testing.T) {
	tok := "sntryu_" + strings.Repeat("ab", 32)
	r := runCLI(t, map[string]string{"SENTRY_AUTH_TOKEN": tok, "SENTRY_ORG": "acme"}, "config")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "config", r.stdout, "url:     https://sentry.io/  ← default", "org:     acme  ← SENTRY_ORG", "token:   sntryu_****abab (71 characters)  ← SENTRY_AUTH_TOKEN")
	if strings.Contains(r.stdout, tok) {
		t.Errorf("config printed the token")
	}
	r = runCLI(t, nil, "config")
	wantContains(t, "config without token", r.stdout, "No token: create one at https://sentry.io/settings/account/api/auth-tokens/ with scopes org:read, project:read, event:read")
}

func TestExportRoundTrip(t *testing.T) {
	dir := writeDataset(t, localtest.Dataset())
	out := filepath.Join(t.TempDir(), "incident")
	r := runCLI(t, nil, "export", "BACKEND-1AB", "--data", dir, "--out", out)
	if r.code != exitOK {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	wantContains(t, "export", r.stdout, "exported BACKEND-1AB", "1 issue", "2 events", "1 trace", "1 profile", "1 profile chunk", "open it with: tracehound issue --data "+out)
	for _, f := range []string{"organization.json", "projects.json", "repos.json", "code-mappings.json", "dataset.json",
		"issues/100.json", "events/backend/" + localtest.ErrorEventID + ".json", "events/backend/" + localtest.TransactionID + ".json",
		"traces/" + localtest.TraceID + ".json", "traces/" + localtest.TraceID + ".meta.json",
		"profiles/backend/" + localtest.ProfileID + ".json", "chunks/" + localtest.ProfilerID} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("export is missing %s", f)
		}
	}
	// The exported dataset shows the same incident.
	a := runCLI(t, nil, "issue", "BACKEND-1AB", "--data", dir)
	b := runCLI(t, nil, "issue", "--data", out)
	if withoutNext(a.stdout) != withoutNext(b.stdout) || b.code != exitOK {
		t.Errorf("issue differs after export:\n--- original\n%s\n--- exported\n%s%s", a.stdout, b.stdout, b.stderr)
	}
	a = runCLI(t, nil, "trace", localtest.TraceID, "--data", dir, "--format", "json")
	b = runCLI(t, nil, "trace", localtest.TraceID, "--data", out, "--format", "json")
	if a.stdout != b.stdout {
		t.Errorf("trace differs after export")
	}
	// A second export into the same directory needs --force.
	r = runCLI(t, nil, "export", "BACKEND-1AB", "--data", dir, "--out", out)
	if r.code != exitUsage || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("export into a full directory: exit %d, %s", r.code, r.stderr)
	}
}

func TestServeData(t *testing.T) {
	dir := writeDataset(t, localtest.Dataset())
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	a := newApp(pw, &errb)
	a.getenv = func(string) string { return "" }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- run(ctx, []string{"serve-data", dir, "--addr", "127.0.0.1:0"}, a); pw.Close() }()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no output; stderr: %s", errb.String())
	}
	m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(sc.Text())
	if m == nil {
		t.Fatalf("first line %q has no address", sc.Text())
	}
	go io.Copy(io.Discard, pr)
	r := runCLI(t, map[string]string{"SENTRY_URL": m[1], "SENTRY_ORG": "acme"}, "issue", "BACKEND-1AB")
	if r.code != exitOK {
		t.Fatalf("issue against serve-data: exit %d\n%s", r.code, r.stderr)
	}
	wantContains(t, "issue via serve-data", r.stdout, "BACKEND-1AB  ValueError: boom", "Trace "+localtest.TraceID)
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve-data exited %d: %s", code, errb.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve-data did not stop on cancel")
	}
}

func TestDemo(t *testing.T) {
	r := runCLI(t, nil, "--demo")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "demo label on stderr", r.stderr, "[demo data]")
	wantContains(t, "demo", r.stdout, demo.IssueShortID+"  Error: POST /api/checkout failed: 500 Internal Server Error", "Trace "+demo.TraceID)

	r = runCLI(t, nil, "issue", demo.IssueShortID, "--demo", "--format", "json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "json label on stderr", r.stderr, "[demo data]")
	var got issueJSON
	if err := wire.Decode([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not the issue JSON: %v", err)
	}
	if got.TraceID != demo.TraceID || got.TraceMeta == nil {
		t.Fatalf("trace = %q, meta %v", got.TraceID, got.TraceMeta)
	}
	if n := got.TraceMeta.Transactions(); n < 8 {
		t.Errorf("the demo trace has %d transactions, want ≥ 8", n)
	}
	if n := got.TraceMeta.Errors(); n < 3 {
		t.Errorf("the demo trace has %d errors, want ≥ 3", n)
	}
	// The trace itself: connected errors in at least three services.
	r = runCLI(t, nil, "trace", demo.TraceID, "--demo", "--format", "json")
	var tr wire.Trace
	if err := wire.Decode([]byte(r.stdout), &tr); err != nil {
		t.Fatal(err)
	}
	services := map[string]bool{}
	walkTrace(tr, func(it *wire.TraceItem) {
		if it.EventType == wire.TraceItemError {
			services[it.ProjectSlug] = true
		}
	})
	if len(services) < 3 {
		t.Errorf("errors in %d services (%v), want ≥ 3", len(services), services)
	}
}

func TestDemoExportReplays(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo-export")
	r := runCLI(t, nil, "export", "--demo", "--out", out)
	if r.code != exitOK {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	wantContains(t, "export", r.stdout, "exported "+demo.IssueShortID, "source file")
	if _, err := os.Stat(filepath.Join(out, "sources", "acme", "auth-service", "internal", "signing", "canonical.go")); err != nil {
		t.Errorf("the root-cause source file was not exported: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "expected.json")); err != nil {
		t.Errorf("expected.json was not exported")
	}
	if _, err := os.Stat(filepath.Join(out, "history", "acme", "auth-service.json")); err != nil {
		t.Errorf("the sources' history was not exported: %v", err)
	}
	a := runCLI(t, nil, "issue", demo.IssueShortID, "--demo")
	b := runCLI(t, nil, "issue", demo.IssueShortID, "--data", out)
	if b.code != exitOK || withoutNext(a.stdout) != withoutNext(b.stdout) {
		t.Errorf("the exported demo prints differently:\n--- demo\n%s\n--- export\n%s%s", a.stdout, b.stdout, b.stderr)
	}
	a = runCLI(t, nil, "trace", demo.TraceID, "--demo")
	b = runCLI(t, nil, "trace", demo.TraceID, "--data", out)
	if a.stdout != b.stdout {
		t.Errorf("the exported demo trace prints differently:\n--- demo\n%s\n--- export\n%s", a.stdout, b.stdout)
	}
}

func TestTreeCommand(t *testing.T) {
	r := runCLI(t, nil, "tree", "--demo")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wantContains(t, "tree", r.stderr, "[demo data]")
	wantContains(t, "tree", r.stdout, "◀ this issue", "▶ ui.action.click", "*signing.VerificationError", "ServiceAuthError", "UpstreamError")
	r = runCLI(t, nil, "tree", "--demo", "--budget", "300")
	for _, id := range []string{"c92dbb7c", "214e70f1", "0bae0003", "41da8e73", "af8ff607", "572db8b6", "1fdbda14", "3766ca99", "4ad3ea4d"} {
		wantContains(t, "budget 300", r.stdout, "id="+id)
	}
	r = runCLI(t, nil, "tree", "--demo", "--budget", "2000")
	if got := tracetree.CountTokens(strings.TrimPrefix(r.stdout, "[demo data] an embedded sample incident, not from a real Sentry\n")); got > 2000 {
		t.Errorf("budget 2000: %d tokens", got)
	}
	r = runCLI(t, nil, "tree", "--demo", "--format", "json")
	var j tracetree.TreeJSON
	if err := wire.Decode([]byte(r.stdout), &j); err != nil || j.Transactions != 11 || j.Focus == "" {
		t.Errorf("tree json: %v %+v", err, j.Transactions)
	}
	r = runCLI(t, nil, "tree", "--demo", "--budget", "-5")
	if r.code != exitUsage {
		t.Errorf("negative budget: exit %d", r.code)
	}
	dir := writeDataset(t, localtest.Dataset())
	r = runCLI(t, nil, "tree", "BACKEND-1AB", "--data", dir)
	wantContains(t, "small dataset", r.stdout, "▶ http.server - POST /pay", "◀ this issue")
}
