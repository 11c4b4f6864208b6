package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tracehound/tracehound/ingest/otlp/otlptest"
)

// --data DIR reads a directory of OTLP JSON files as the Collector's file
// exporter writes them (one TracesData a line, services in separate
// lines and files): the views work on it as on any dataset, with Sentry's
// field names, and the temporary store is gone when the command ends.
func TestDataOTLPFiles(t *testing.T) {
	dir := t.TempDir()
	var m ptrace.JSONMarshaler
	write := func(name string, services ...string) {
		var file []byte
		for _, svc := range services {
			td := ptrace.NewTraces()
			otlptest.CheckoutService(td, svc)
			line, err := m.MarshalTraces(td)
			if err != nil {
				t.Fatal(err)
			}
			file = append(append(file, line...), '\n')
		}
		if err := os.WriteFile(filepath.Join(dir, name), file, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("traces-1.json", "storefront", "orders")
	write("traces-2.jsonl", "payments")
	tmpBefore, _ := filepath.Glob(filepath.Join(os.TempDir(), "tracehound-otlp-*"))

	r := runCLI(t, nil, "tree", "--data", dir, "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var tree struct {
		TraceID      string   `json:"trace_id"`
		Transactions int      `json:"transactions"`
		Errors       int      `json:"errors"`
		Services     []string `json:"services"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &tree); err != nil {
		t.Fatal(err)
	}
	if tree.TraceID != otlptest.TraceID || tree.Transactions != 3 || tree.Errors != 3 || len(tree.Services) != 3 {
		t.Errorf("tree %+v", tree)
	}
	r = runCLI(t, nil, "analyze", "--data", dir, "--offline")
	wantContains(t, "analyze", r.stdout, "parseAmountCents")

	if after, _ := filepath.Glob(filepath.Join(os.TempDir(), "tracehound-otlp-*")); len(after) != len(tmpBefore) {
		t.Errorf("temporary stores left behind: %v (before: %v)", after, tmpBefore)
	}

	// A JSON file that is not OTLP: a usage error naming the file.
	if err := os.WriteFile(filepath.Join(dir, "zz-notes.json"), []byte(`{"hello": "world"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, nil, "tree", "--data", dir)
	if r.code != exitUsage {
		t.Errorf("exit %d, want %d", r.code, exitUsage)
	}
	wantContains(t, "not OTLP", r.stderr, "zz-notes.json", "no OTLP spans")
}

// mcp --http serves only on loopback: the tools read the incident and the
// code.
func TestMCPHTTPLoopbackOnly(t *testing.T) {
	r := runCLI(t, nil, "mcp", "--demo", "--http", "0.0.0.0:0")
	if r.code != exitUsage {
		t.Errorf("exit %d, want %d: %s", r.code, exitUsage, r.stderr)
	}
	wantContains(t, "--http", r.stderr, "loopback")
	if r.stdout != "" {
		t.Errorf("stdout is the protocol's: %q", r.stdout)
	}
}
