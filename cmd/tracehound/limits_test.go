package main

import (
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
