package tracegen

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tracehound/tracehound/dataset"
)

// Default1M is the huge-trace benchmark: ten times Default100k — 1,000,000
// spans in 20,000 transactions over 30 services, with 400 errors, 50 N+1
// occurrences and 30 orphan roots (about 475 MB of JSON).
func Default1M() Config {
	return Config{Spans: 1_000_000, Transactions: 20_000, Services: 30, Errors: 400, Occurrences: 50, MaxDepth: 32, Seed: 1, OrphanRoots: 30, Repeats: 0.05}
}

// Presets are the named configurations the tracegen command offers.
var Presets = map[string]func() Config{
	"100k": Default100k,
	"1m":   Default1M,
	"wide": Wide20k,
}

// WriteDataset writes r's Dataset into the directory dir, the trace in
// the compact form of Result.JSON (the other files as dataset.DirWriter
// writes them), so that `tracehound TRACE_ID --data dir` opens it. It
// returns the path of the trace file.
func WriteDataset(dir string, r *Result) (string, error) {
	w := dataset.NewDirWriter(dir)
	tracePath := dataset.TracePath(r.TraceID)
	for name, v := range r.Dataset() {
		if name == tracePath {
			continue
		}
		if err := w.Put(name, v); err != nil {
			return "", err
		}
	}
	p := filepath.Join(dir, filepath.FromSlash(tracePath))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(p, append(r.JSON(), '\n'), 0o644); err != nil {
		return "", fmt.Errorf("writing the trace: %w", err)
	}
	return p, nil
}
