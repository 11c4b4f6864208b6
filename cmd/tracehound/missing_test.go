package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
)

// runFaulty runs a command line against the test dataset (--data) with
// the faults injected in front of it, as a proxy or a half-broken Sentry
// would answer.
func runFaulty(t *testing.T, faults []local.Fault, args ...string) result {
	t.Helper()
	srv, err := local.New(localtest.Dataset(), local.WithFaults(faults...))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeDataset(t, localtest.Dataset())
	var out, errb bytes.Buffer
	a := newApp(&out, &errb)
	a.getenv = func(string) string { return "" }
	a.workDir = t.TempDir()
	a.homeDir = a.workDir
	a.clientOptions = func(o *sentryapi.Options) {
		o.RetryBackoff, o.MaxRetries, o.Transport = time.Millisecond, 1, srv.Transport()
	}
	code := run(context.Background(), append(args, "--data", dir), a)
	return result{code, out.String(), errb.String()}
}

// A secondary fetch never fails the primary view: what is missing is named
// on stderr and the rest is shown.
func TestSecondaryFetchFailures(t *testing.T) {
	issue404 := local.Fault{Path: "/issues/100/$", Status: 404}
	trace404 := local.Fault{Path: "/(events-)?trace/", Status: 404}
	tests := []struct {
		name       string
		faults     []local.Fault
		args       []string
		code       int
		stdout     []string
		stderr     []string
		notStdout  []string
		noteAbsent bool
	}{
		{name: "event whose issue answers 404", faults: []local.Fault{issue404},
			args: []string{"event", localtest.ErrorEventID, "--project", "backend"}, code: exitOK,
			stdout: []string{"ValueError: boom", "pay in app/views.py:42"},
			stderr: []string{"note: issue 100 (the event's group) could not be loaded: 404 not found"}},
		{name: "event (json) whose issue answers 404", faults: []local.Fault{issue404},
			args: []string{"event", localtest.ErrorEventID, "--project", "backend", "--format", "json"}, code: exitOK,
			stdout: []string{`"eventID": "` + localtest.ErrorEventID + `"`},
			stderr: []string{"note: issue 100 (the event's group) could not be loaded"}},
		{name: "issue whose trace answers 404", faults: []local.Fault{trace404},
			args: []string{"issue", "BACKEND-1AB"}, code: exitOK,
			stdout:    []string{"BACKEND-1AB  ValueError: boom", "Event " + localtest.ErrorEventID, "Trace " + localtest.TraceID + ": could not be loaded"},
			notStdout: []string{"next: tracehound trace"},
			stderr:    []string{"note: trace " + localtest.TraceID + " could not be loaded: 404 not found"}},
		{name: "tree of an issue whose trace answers 404: the trace is the view", faults: []local.Fault{trace404},
			args: []string{"tree", "BACKEND-1AB"}, code: exitNotFound,
			stderr: []string{"trace " + localtest.TraceID + ": sentry: GET", "404 not found"}},
		{name: "trace summary answers 500", faults: []local.Fault{{Path: "/trace-meta/", Status: 500}},
			args: []string{"issue", "BACKEND-1AB"}, code: exitOK,
			stdout: []string{"Trace " + localtest.TraceID + "\n"},
			stderr: []string{"note: the trace's summary (counts) could not be loaded: 500"}},
		{name: "profile missing: the profile view says which", faults: []local.Fault{{Path: "/profiles/", Status: 404}},
			args: []string{"profile", "9e9e"}, code: exitNotFound,
			stderr: []string{"profile of 9e9e9e9e: sentry: GET", "404 not found"}},
		{name: "profile missing: the tree still opens", faults: []local.Fault{{Path: "/profiles/", Status: 404}},
			args: []string{"tree", "BACKEND-1AB"}, code: exitOK,
			stdout: []string{"POST /pay", "profile available"}, noteAbsent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runFaulty(t, tt.faults, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			wantContains(t, "stdout", r.stdout, tt.stdout...)
			wantContains(t, "stderr", r.stderr, tt.stderr...)
			wantAbsent(t, "stdout", r.stdout, tt.notStdout...)
			if tt.noteAbsent && strings.Contains(r.stderr, "note:") {
				t.Errorf("unexpected note: %s", r.stderr)
			}
			for _, s := range tt.stderr {
				if strings.Count(r.stderr, s) > 1 {
					t.Errorf("stderr says %q more than once:\n%s", s, r.stderr)
				}
			}
		})
	}
}

// neverAnswers is a Sentry that takes requests and never answers.
type neverAnswers struct{}

func (neverAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// A stalled Sentry: the wait is shown on stderr after 2 s, and the command
// ends with a clear error within 3× --timeout (synctest: no real waiting).
func TestTimeoutFlag(t *testing.T) {
	dir := writeDataset(t, localtest.Dataset())
	synctest.Test(t, func(t *testing.T) {
		var out, errb bytes.Buffer
		a := newApp(&out, &errb)
		a.getenv = func(string) string { return "" }
		a.workDir, a.homeDir = dir, dir
		a.clientOptions = func(o *sentryapi.Options) { o.Transport = neverAnswers{} }
		start := time.Now()
		code := run(context.Background(), []string{"issue", "100", "--data", dir, "--timeout", "5s"}, a)
		took := time.Since(start)
		if code != exitAPI {
			t.Fatalf("exit %d, want %d (API/network)\n%s", code, exitAPI, errb.String())
		}
		if took > 16*time.Second {
			t.Errorf("took %s, want at most 3×5s", took)
		}
		stderr := errb.String()
		wantContains(t, "stderr", stderr,
			"tracehound: waiting for dataset.tracehound.invalid: GET /api/0/organizations/acme/ (2s)…",
			"(6s, attempt 2)…", // one line every 2s at most
			"no answer within 5s); retry 1/3",
			"tracehound: sentry: GET /api/0/organizations/acme/: no answer within",
			"3 attempts over 15s", "--timeout")
		if strings.Count(stderr, "tracehound: sentry:") != 1 {
			t.Errorf("the error is not said exactly once:\n%s", stderr)
		}
		if n := strings.Count(stderr, "waiting for"); n > 8 {
			t.Errorf("%d progress lines in 15s:\n%s", n, stderr)
		}
	})
}
