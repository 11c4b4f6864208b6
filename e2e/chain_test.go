package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

type treeNode struct {
	Kind     string     `json:"kind"`
	Project  string     `json:"project_slug"`
	Children []treeNode `json:"children"`
}

// traceJSON is `tracehound tree --format json`, the members these tests
// read.
type traceJSON struct {
	TraceID      string   `json:"trace_id"`
	Transactions int      `json:"transactions"`
	Errors       int      `json:"errors"`
	Services     []string `json:"services"`
	Roots        []treeNode
}

// waitChain polls `tree --local` at base until the trace has one
// transaction and one error per service of chain (senders may still be
// flushing), then checks that it is one tree, chain[0] → chain[1] → …,
// each transaction with its own service's error under it.
func waitChain(t *testing.T, bin, base string, chain []string) {
	t.Helper()
	n := len(chain)
	var tree traceJSON
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := run(t, bin, "tree", "--local", "--url", base, "--format", "json")
		if err := json.Unmarshal([]byte(out), &tree); err != nil {
			t.Fatalf("tree json: %v\n%s", err, out)
		}
		if tree.Transactions >= n && tree.Errors >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	sorted := append([]string(nil), chain...)
	slices.Sort(sorted)
	if tree.Transactions != n || tree.Errors != n || strings.Join(tree.Services, ",") != strings.Join(sorted, ",") {
		t.Fatalf("the trace: %d transactions, %d errors, services %v\n%s", tree.Transactions, tree.Errors, tree.Services,
			run(t, bin, "tree", "--local", "--url", base))
	}
	if len(tree.Roots) != 1 {
		t.Fatalf("%d roots", len(tree.Roots))
	}
	node := &tree.Roots[0]
	for i, want := range chain {
		if node.Kind != "transaction" || node.Project != want {
			t.Fatalf("level %d: %s %s, want the %s transaction", i, node.Kind, node.Project, want)
		}
		var next *treeNode
		errs := 0
		for j := range node.Children {
			switch c := &node.Children[j]; c.Kind {
			case "error":
				errs++
				if c.Project != want {
					t.Errorf("an error of %s under the %s transaction", c.Project, want)
				}
			case "transaction":
				next = c
			}
		}
		if errs != 1 {
			t.Errorf("the %s transaction has %d errors, want 1", want, errs)
		}
		if i < n-1 {
			if next == nil {
				t.Fatalf("the %s transaction has no child transaction", want)
			}
			node = next
		}
	}
}
