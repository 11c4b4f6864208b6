package main

import (
	"time"

	"github.com/tracehound/tracehound/sentryapi"
	"testing"

	"github.com/tracehound/tracehound/tracetree/tracegen"
)

// A trace bigger than --max-body is refused with a message that names the
// limit and the flag that raises it; raised, the same trace opens.
func TestMaxBodyLimit(t *testing.T) {
	dir := t.TempDir()
	res := tracegen.Generate(tracegen.Config{Spans: 300, Seed: 4})
	if _, err := tracegen.WriteDataset(dir, res); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, "tree", res.TraceID, "--data", dir, "--max-body", "20KiB")
	if r.code != exitAPI {
		t.Fatalf("exit %d, want %d\nstderr: %s", r.code, exitAPI, r.stderr)
	}
	wantContains(t, "stderr", r.stderr, "more than tracehound reads (20.0 KiB)", "raise the limit with --max-body")
	r = runCLI(t, nil, "tree", res.TraceID, "--data", dir, "--max-body", "1MiB")
	if r.code != exitOK {
		t.Fatalf("exit %d with the limit raised\nstderr: %s", r.code, r.stderr)
	}
	wantContains(t, "stdout", r.stdout, "300 spans")
	r = runCLI(t, nil, "tree", res.TraceID, "--data", dir, "--max-body", "lots")
	if r.code != exitUsage {
		t.Fatalf("exit %d for a bad size, want %d", r.code, exitUsage)
	}
	wantContains(t, "stderr", r.stderr, `"lots" is not a size like 512MiB or 2GiB`)
}

// The explorer's loading line follows the request that has received the
// most (the trace, not its summary), and goes when the last one ends.
func TestLoadingBar(t *testing.T) {
	var lines []string
	hook := loadingBar(func(s string) { lines = append(lines, s) })
	trace := sentryapi.Progress{Method: "GET", Host: "h", Path: "/api/0/organizations/acme/trace/1/", Attempt: 1, Bytes: 100 << 20, Total: 400 << 20, Items: 250_000, Waited: 5 * time.Second}
	meta := sentryapi.Progress{Method: "GET", Host: "h", Path: "/api/0/organizations/acme/trace-meta/1/", Attempt: 1, Waited: 5 * time.Second}
	hook(meta)
	hook(trace)
	hook(meta)
	want := "reading the trace ██████░░░░░░░░░░░░░░░░░░  25%  100.0 MiB of 400.0 MiB · 250,000 spans · 5s"
	if got := lines[len(lines)-1]; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	meta.Done, trace.Done = true, true
	hook(meta)
	hook(trace)
	if got := lines[len(lines)-1]; got != "" {
		t.Errorf("last line %q, want the bar removed", got)
	}
}
