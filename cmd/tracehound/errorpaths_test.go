package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
)

// Error paths and suggested commands (issue 17 §4).
func TestErrorPathsAndSuggestions(t *testing.T) {
	dir := writeDataset(t, localtest.Dataset())
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    []string
		stderr    []string
		notStderr []string
		notStdout []string
	}{
		{name: "unknown issue in the demo lists the issues", args: []string{"issue", "999", "--demo"}, code: exitNotFound,
			stderr:    []string{"issue 999 is not in demo data; its issues are:", demo.IssueShortID, "`tracehound tree --demo` lists the event, transaction and trace ids"},
			notStderr: []string{"--org", "SENTRY_ORG"}},
		{name: "unknown event in a dataset lists the issues", args: []string{"event", "ffffffffffffffffffffffffffffffff", "--data", dir}, code: exitNotFound,
			stderr:    []string{"is not in dataset " + dir, "BACKEND-1AB", "`tracehound tree --data " + dir + "`"},
			notStderr: []string{"--org"}},
		{name: "--data that does not exist", args: []string{"issue", "--data", filepath.Join(dir, "nope")}, code: exitUsage,
			stderr: []string{"--data " + filepath.Join(dir, "nope") + ": no such directory"}, notStderr: []string{"README", ".go"}},
		{name: "--data that is a file", args: []string{"issue", "--data", filepath.Join(dir, "organization.json")}, code: exitUsage,
			stderr: []string{"a file, not a dataset directory"}, notStderr: []string{"README"}},
		{name: "event without an id points to tree", args: []string{"event", "--demo"}, code: exitUsage,
			stderr: []string{"expected one EVENT_ID", "`tracehound tree --demo` lists the ids"}},
		{name: "spans without an id points to tree, with the source", args: []string{"spans", "--data", dir}, code: exitUsage,
			stderr: []string{"`tracehound tree --data " + dir + "` lists the ids"}},
		{name: "trace --demo opens the demo's trace", args: []string{"trace", "--demo"}, code: exitOK,
			stdout: []string{"Trace " + demo.TraceID + ": 11 transactions"}},
		{name: "trace without an id or a dataset", args: []string{"trace", "--org", "acme"}, code: exitUsage,
			stderr: []string{"expected one TRACE_ID"}},
		{name: "the demo banner is on stderr (text)", args: []string{"issue", "--demo"}, code: exitOK,
			stderr: []string{"[demo data]"}, notStdout: []string{"[demo data]"}},
		{name: "the demo banner is on stderr (json)", args: []string{"tree", "--demo", "--format", "json"}, code: exitOK,
			stderr: []string{"[demo data]"}, notStdout: []string{"[demo data]"}},
		{name: "next: keeps --data", args: []string{"issue", "--data", dir}, code: exitOK,
			stdout: []string{"next: tracehound trace " + localtest.TraceID + " --data " + dir + "\n"}},
		{name: "next: keeps --demo", args: []string{"issue", "--demo"}, code: exitOK,
			stdout: []string{"next: tracehound trace " + demo.TraceID + " --demo\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			wantContains(t, "stdout", r.stdout, tt.stdout...)
			wantContains(t, "stderr", r.stderr, tt.stderr...)
			wantAbsent(t, "stderr", r.stderr, tt.notStderr...)
			wantAbsent(t, "stdout", r.stdout, tt.notStdout...)
		})
	}
}

func wantAbsent(t *testing.T, what, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(got, s) {
			t.Errorf("%s says %q:\n%s", what, s, got)
		}
	}
}

// The suggested next: command, pasted as printed (with its source flags),
// runs: here the --local --url of a serve-data process is kept.
func TestNextCommandIsPasteable(t *testing.T) {
	dir := writeDataset(t, localtest.Dataset())
	r := runCLI(t, nil, "issue", "--data", dir)
	next := ""
	for _, l := range strings.Split(r.stdout, "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(l), "next: "); ok {
			next = s
		}
	}
	if next == "" {
		t.Fatalf("no next: line\n%s", r.stdout)
	}
	args := strings.Fields(next)
	if args[0] != "tracehound" {
		t.Fatalf("next: %q", next)
	}
	r = runCLI(t, nil, args[1:]...)
	if r.code != exitOK || !strings.Contains(r.stdout, "Trace "+localtest.TraceID) {
		t.Errorf("%s: exit %d\n%s%s", next, r.code, r.stdout, r.stderr)
	}
	// --local --url and a directory with a space are kept, quoted.
	a := newApp(nil, nil)
	a.local, a.url = true, "http://127.0.0.1:21399"
	if got := a.sourceFlags(); got != " --local --url http://127.0.0.1:21399" {
		t.Errorf("local flags %q", got)
	}
	a = newApp(nil, nil)
	a.data = "/tmp/my data"
	if got := a.sourceFlags(); got != " --data '/tmp/my data'" {
		t.Errorf("data flags %q", got)
	}
	if _, err := exec.LookPath("sh"); err == nil {
		out, err := exec.Command("sh", "-c", "printf '%s|' "+a.sourceFlags()).Output()
		if err != nil || string(out) != "--data|/tmp/my data|" {
			t.Errorf("the shell reads %q (%v)", out, err)
		}
	}
}
