package tracetree

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/internal/fixtures"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo"
)

// demoTree builds the demo incident's tree focused on the issue's event.
func demoTree(t testing.TB) *Tree {
	t.Helper()
	b, err := fs.ReadFile(demo.Dataset(), "traces/"+demo.TraceID+".json")
	if err != nil {
		t.Fatal(err)
	}
	var tr wire.Trace
	if err := wire.Decode(b, &tr); err != nil {
		t.Fatal(err)
	}
	focus := ""
	walkItems(tr, func(it *wire.TraceItem) {
		if it.EventType == wire.TraceItemError && it.ShortID == demo.IssueShortID {
			focus = it.EventID
		}
	})
	if focus == "" {
		t.Fatal("the demo trace has no error of the demo issue")
	}
	return Build(tr, BuildOptions{TraceID: demo.TraceID, FocusEventID: focus})
}

func walkItems(items []wire.TraceItem, fn func(*wire.TraceItem)) {
	for i := range items {
		fn(&items[i])
		walkItems(items[i].Errors, fn)
		walkItems(items[i].Occurrences, fn)
		walkItems(items[i].Children, fn)
	}
}

// fixturesDir is ../shared/fixtures/sentry next to the repository, or "".
func fixturesDir(t testing.TB) string { return fixtures.Dir() }

func TestDemoTree(t *testing.T) {
	tree := demoTree(t)
	if tree.Transactions != 11 || tree.Errors != 5 || tree.Occurrences != 1 || len(tree.Services) != 5 || tree.Spans != 308 {
		t.Errorf("counts: %d txns, %d errors, %d occurrences, %d services, %d spans", tree.Transactions, tree.Errors, tree.Occurrences, len(tree.Services), tree.Spans)
	}
	if tree.Focus == nil || tree.Focus.Kind != KindError || tree.Focus.IssueShortID != demo.IssueShortID {
		t.Fatalf("focus = %+v", tree.Focus)
	}
	out := Render(tree, RenderOptions{})
	golden(t, "tree_demo.txt", out)
	// The issue and its path are marked; the backend errors are visible.
	for _, want := range []string{"◀ this issue", "▶ ui.action.click - /checkout", "*signing.VerificationError: signature mismatch",
		"ServiceAuthError", "UpstreamError", "PERFORMANCE ISSUE: N+1 Query (36 spans)", "(profile available)"} {
		if !strings.Contains(out, want) {
			t.Errorf("tree lacks %q", want)
		}
	}
	// Every transaction and error is shown exactly once.
	for _, n := range tree.Nodes {
		if c := strings.Count(out, "id="+ShortID(n.ID)); c < 1 {
			t.Errorf("node %s (%s) not shown", ShortID(n.ID), n.Label())
		}
	}
}

func TestDemoTreeBudgets(t *testing.T) {
	tree := demoTree(t)
	golden(t, "tree_demo_budget300.txt", Render(tree, RenderOptions{Budget: 300}))
	golden(t, "tree_demo_budget450.txt", Render(tree, RenderOptions{Budget: 450}))
	checkBudgets(t, tree, []int{0, 50, 100, 200, 300, 340, 360, 400, 450, 500, 550, 600, 650, 700, 2000})
}

// requiredIDs are the ids that must survive any budget: the focus path and
// every error with its ancestors.
func requiredIDs(tree *Tree) []string {
	var ids []string
	for _, n := range tree.Nodes {
		if n.OnFocusPath || n.Kind == KindError {
			for a := n; a != nil; a = a.Parent {
				ids = append(ids, ShortID(a.ID))
			}
		}
	}
	return ids
}

// checkBudgets renders at each budget: the required nodes are always
// present; once the budget is at least the required size, the output is
// within it.
func checkBudgets(t *testing.T, tree *Tree, budgets []int) {
	t.Helper()
	minimal := Render(tree, RenderOptions{Budget: 1})
	need := CountTokens(minimal)
	for _, b := range budgets {
		out := Render(tree, RenderOptions{Budget: b})
		n := CountTokens(out)
		for _, id := range requiredIDs(tree) {
			if !strings.Contains(out, "id="+id) {
				t.Errorf("budget %d: required node %s dropped", b, id)
			}
		}
		if b > 0 && b >= need && n > b {
			t.Errorf("budget %d (required size %d): output has %d tokens", b, need, n)
		}
		if b > 0 && n > b && !strings.Contains(out, "budget") {
			t.Errorf("budget %d exceeded (%d tokens) without saying so", b, n)
		}
		if again := Render(tree, RenderOptions{Budget: b}); again != out {
			t.Errorf("budget %d: rendering is not deterministic", b)
		}
	}
}

// item builds a span item; kids are nested children.
func item(id, parent, project string, txn bool, start, end float64, kids ...wire.TraceItem) wire.TraceItem {
	return wire.TraceItem{
		EventID: id, EventType: "span", ParentSpanID: parent, IsTransaction: txn, TransactionID: id + strings.Repeat("0", 16),
		ProjectSlug: project, Op: "http.server", Description: "GET /" + id, StartTimestamp: wire.Timestamp(start),
		EndTimestamp: wire.Timestamp(end), Duration: wire.FlexFloat((end - start) * 1000), SDKName: "sentry.python", Children: kids,
	}
}

func errItem(id, title string) wire.TraceItem {
	return wire.TraceItem{EventID: id, EventType: "error", Description: title, ShortID: "P-" + id[:2], Level: "error", ProjectSlug: "p", IssueID: 7}
}

func TestBuildRepairs(t *testing.T) {
	t.Run("flat array is relinked by parent span id", func(t *testing.T) {
		tr := wire.Trace{
			item("c000000000000000", "b000000000000000", "svc-c", true, 2, 3),
			item("a000000000000000", "", "svc-a", true, 0, 10),
			item("b000000000000000", "a000000000000000", "svc-b", true, 1, 5),
		}
		tree := Build(tr, BuildOptions{})
		if len(tree.Roots) != 1 || tree.Roots[0].Project != "svc-a" || len(tree.Nodes) != 3 {
			t.Fatalf("roots %d, nodes %d", len(tree.Roots), len(tree.Nodes))
		}
		if c := tree.Roots[0].Children[0]; c.Project != "svc-b" || len(c.Children) != 1 || c.Children[0].Project != "svc-c" {
			t.Errorf("relinked shape wrong: %s", Render(tree, RenderOptions{}))
		}
	})
	t.Run("cycle is broken, every node once", func(t *testing.T) {
		tr := wire.Trace{
			item("a000000000000000", "b000000000000000", "svc-a", true, 0, 1),
			item("b000000000000000", "a000000000000000", "svc-b", true, 0, 1),
		}
		tree := Build(tr, BuildOptions{})
		if len(tree.Nodes) != 2 || tree.Transactions != 2 || !strings.Contains(strings.Join(tree.Notes, " "), "1 cycle") {
			t.Fatalf("nodes %d, notes %q", len(tree.Nodes), tree.Notes)
		}
		out := Render(tree, RenderOptions{})
		if strings.Count(out, "svc-a") != 1 || strings.Count(out, "svc-b") != 1 {
			t.Errorf("cycle rendering:\n%s", out)
		}
	})
	t.Run("duplicate ids shown once, their errors kept", func(t *testing.T) {
		dup := item("b000000000000000", "a000000000000000", "svc-b", false, 1, 2)
		dup2 := dup
		dup2.Errors = []wire.TraceItem{errItem("e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1", "KeyError: 'x'")}
		tr := wire.Trace{item("a000000000000000", "", "svc-a", true, 0, 10, dup, dup2)}
		tree := Build(tr, BuildOptions{})
		if tree.Spans != 2 || tree.Errors != 1 {
			t.Errorf("spans %d errors %d, want 2 and 1", tree.Spans, tree.Errors)
		}
		out := Render(tree, RenderOptions{})
		if !strings.Contains(out, "repeated id shown once") || !strings.Contains(out, "KeyError") {
			t.Errorf("duplicate handling:\n%s", out)
		}
	})
	t.Run("orphan root and orphan error hang under the main root", func(t *testing.T) {
		tr := wire.Trace{
			item("a000000000000000", "", "svc-a", true, 0, 10),
			item("c000000000000000", "ffffffffffffffff", "svc-c", true, 1, 2),
			errItem("e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2", "TimeoutError"),
		}
		tree := Build(tr, BuildOptions{})
		if len(tree.Roots) != 1 || len(tree.Roots[0].Children) != 2 {
			t.Fatalf("roots %d: %s", len(tree.Roots), Render(tree, RenderOptions{}))
		}
		out := Render(tree, RenderOptions{})
		for _, want := range []string{"orphan: its parent span ffffffff is not in the trace", "TimeoutError", "not linked to a span of this trace"} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %q in\n%s", want, out)
			}
		}
	})
	t.Run("clock skew is noted", func(t *testing.T) {
		client := item("b000000000000000", "a000000000000000", "svc-a", false, 5, 6,
			item("c000000000000000", "b000000000000000", "svc-c", true, 4.5, 5.5))
		client.Op = "http.client"
		tree := Build(wire.Trace{item("a000000000000000", "", "svc-a", true, 0, 10, client)}, BuildOptions{})
		if out := Render(tree, RenderOptions{}); !strings.Contains(out, "clock skew: starts 500ms before its parent span") {
			t.Errorf("no skew note:\n%s", out)
		}
	})
	t.Run("a service boundary without is_transaction", func(t *testing.T) {
		client := item("b000000000000000", "a000000000000000", "svc-a", false, 1, 6,
			item("c000000000000000", "b000000000000000", "svc-c", false, 2, 5))
		client.Op = "http.client"
		tree := Build(wire.Trace{item("a000000000000000", "", "svc-a", true, 0, 10, client)}, BuildOptions{})
		if tree.Transactions != 2 {
			t.Errorf("transactions = %d, want the other service's root counted", tree.Transactions)
		}
	})
	t.Run("empty", func(t *testing.T) {
		out := Render(Build(nil, BuildOptions{TraceID: "t"}), RenderOptions{Budget: 100})
		if !strings.Contains(out, "Trace t: 0 transactions") || !strings.Contains(out, "(empty)") {
			t.Errorf("empty tree:\n%s", out)
		}
	})
	t.Run("deep chain does not overflow", func(t *testing.T) {
		const n = 20000
		items := make([]wire.TraceItem, n)
		for i := range items {
			id := fmt.Sprintf("%016x", i+1)
			parent := ""
			if i > 0 {
				parent = fmt.Sprintf("%016x", i)
			}
			items[i] = item(id, parent, "svc", i%1000 == 0, float64(i), float64(n+1))
		}
		tree := Build(items, BuildOptions{})
		if tree.Spans != n || tree.Transactions != n/1000 {
			t.Errorf("spans %d, txns %d", tree.Spans, tree.Transactions)
		}
	})
}

func TestCollapseRepeated(t *testing.T) {
	var kids []wire.TraceItem
	for i := range 5 {
		it := item(fmt.Sprintf("b%015d", i), "a000000000000000", "cache", true, 100+float64(i), 100+float64(i)+0.5)
		it.Description = "GET /item"
		kids = append(kids, it)
	}
	other := item("c000000000000000", "a000000000000000", "db", true, 106, 107)
	kids = append(kids, other)
	tree := Build(wire.Trace{item("a000000000000000", "", "api", true, 100, 110, kids...)}, BuildOptions{})
	out := Render(tree, RenderOptions{})
	if !strings.Contains(out, "GET /item (500ms each, repeated 5 times, 2.50s total)") || strings.Count(out, "GET /item") != 1 {
		t.Errorf("not collapsed:\n%s", out)
	}
	if strings.Count(Render(tree, RenderOptions{NoCollapse: true}), "GET /item") != 5 {
		t.Errorf("NoCollapse should show every sibling")
	}
	// A sibling with an error is never folded away.
	kids[2].Errors = []wire.TraceItem{errItem("e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3", "ValueError")}
	tree = Build(wire.Trace{item("a000000000000000", "", "api", true, 100, 110, kids...)}, BuildOptions{})
	out = Render(tree, RenderOptions{})
	if !strings.Contains(out, "ValueError") || !strings.Contains(out, "repeated 2 times") {
		t.Errorf("collapse around an error:\n%s", out)
	}
}

func TestResolvePrefix(t *testing.T) {
	tree := Build(wire.Trace{
		item("a000000000000000", "", "api", true, 0, 10,
			item("b000000000000000", "a000000000000000", "x", true, 1, 2),
			item("c000000000000000", "a000000000000000", "y", true, 3, 4)),
	}, BuildOptions{})
	// Transaction ids are the span id followed by zeros.
	n, err := tree.Resolve("b0000000")
	if err != nil || n.Project != "x" {
		t.Fatalf("Resolve(b0000000) = %v, %v", n, err)
	}
	if n, err := tree.Resolve("c000000000000000"); err != nil || n.Project != "y" {
		t.Errorf("resolve by root span id: %v, %v", n, err)
	}
	if _, err := tree.Resolve("abc"); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Errorf("short prefix: %v", err)
	}
	if _, err := tree.Resolve("dddd"); err == nil || !strings.Contains(err.Error(), "no event") {
		t.Errorf("unknown prefix: %v", err)
	}
	// Ambiguity.
	amb := Build(wire.Trace{item("a000000000000000", "", "api", true, 0, 10)}, BuildOptions{})
	amb.Roots[0].Children = append(amb.Roots[0].Children,
		&Node{Kind: KindError, ID: "abcd1111000000000000000000000000", Name: "E1", Parent: amb.Roots[0]},
		&Node{Kind: KindError, ID: "abcd2222000000000000000000000000", Name: "E2", Parent: amb.Roots[0]})
	amb.Nodes = append(amb.Nodes, amb.Roots[0].Children...)
	_, err = amb.Resolve("abcd")
	var ae *AmbiguousError
	if !errors.As(err, &ae) || len(ae.Candidates) != 2 || !strings.Contains(err.Error(), "abcd1111") || !strings.Contains(err.Error(), "E2") {
		t.Errorf("ambiguous: %v", err)
	}
	if n, err := amb.Resolve("abcd2"); err != nil || n.Name != "E2" {
		t.Errorf("longer prefix: %v %v", n, err)
	}
}

func TestSanitizedTreeText(t *testing.T) {
	it := item("a000000000000000", "", "api\x1b[31m", true, 0, 1)
	it.Description = "GET /\x1b]0;pwned\x07x"
	it.Errors = []wire.TraceItem{errItem("e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4", "Boom\u202eevil")}
	out := Render(Build(wire.Trace{it}, BuildOptions{}), RenderOptions{})
	if strings.ContainsAny(out, "\x1b\x07\u202e") || !strings.Contains(out, `\x1b]0;pwned\x07x`) {
		t.Errorf("unsanitised output: %q", out)
	}
}

func TestLegacyTreeAndFixtures(t *testing.T) {
	lt := &wire.LegacyTrace{Transactions: []wire.LegacyTransaction{{
		EventID: strings.Repeat("a", 32), SpanID: "a000000000000000", Transaction: "GET /", Op: "http.server", ProjectSlug: "web",
		StartTimestamp: 1, Timestamp: 2, Errors: []wire.LegacyTraceError{{EventID: strings.Repeat("e", 32), Title: "KeyError", Span: "b000000000000000"}},
		Children: []wire.LegacyTransaction{{EventID: strings.Repeat("b", 32), SpanID: "c000000000000000", Transaction: "task", ProjectSlug: "worker", StartTimestamp: 1.2, Timestamp: 1.5}},
	}}}
	tree := Build(lt.ToTrace(), BuildOptions{Legacy: true, FocusEventID: strings.Repeat("e", 32)})
	out := Render(tree, RenderOptions{})
	if tree.Transactions != 2 || tree.Focus == nil || !strings.Contains(out, "legacy trace endpoint") || !strings.Contains(out, "◀ this issue") {
		t.Errorf("legacy:\n%s", out)
	}

	dir := fixturesDir(t)
	if dir == "" {
		t.Skip("../shared/fixtures/sentry not present; fixture goldens skipped")
	}
	for _, name := range []string{"openapi-example-trace", "cli-trace-spans"} {
		b, err := os.ReadFile(filepath.Join(dir, "api", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var tr wire.Trace
		if err := wire.Decode(b, &tr); err != nil {
			t.Fatal(err)
		}
		golden(t, "tree_"+name+".txt", Render(Build(tr, BuildOptions{}), RenderOptions{}))
	}
}

func FuzzBuild(f *testing.F) {
	f.Add([]byte(`[{"event_id":"a","is_transaction":true,"children":[{"event_id":"b","parent_span_id":"a","errors":[{"event_id":"e","event_type":"error"}]}]}]`))
	f.Add([]byte(`[{"event_id":"a","parent_span_id":"b"},{"event_id":"b","parent_span_id":"a"},{"event_id":"a"}]`))
	f.Add([]byte(`[{"event_type":"error","event_id":"x"},{"event_id":"s","occurrences":[{"event_type":"occurrence","event_id":"o"},{"event_type":"occurrence","event_id":"o"}]}]`))
	if dir := fixturesDir(f); dir != "" {
		for _, n := range []string{"openapi-example-trace.json", "cli-trace-spans.json"} {
			if b, err := os.ReadFile(filepath.Join(dir, "api", n)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var tr wire.Trace
		if wire.Decode(data, &tr) != nil {
			return
		}
		tree := Build(tr, BuildOptions{FocusEventID: "e"})
		seen := map[*Node]bool{}
		for _, n := range tree.Nodes {
			if seen[n] {
				t.Fatalf("node shown twice: %+v", n)
			}
			seen[n] = true
		}
		for _, b := range []int{0, 20, 200} {
			_ = Render(tree, RenderOptions{Budget: b})
		}
	})
}

func TestTreeJSON(t *testing.T) {
	tree := demoTree(t)
	j := tree.JSON()
	b, err := wire.EncodeIndent(j)
	if err != nil {
		t.Fatal(err)
	}
	var back TreeJSON
	if err := wire.Decode(b, &back); err != nil {
		t.Fatal(err)
	}
	count := 0
	var walk func(ns []NodeJSON)
	walk = func(ns []NodeJSON) {
		for _, n := range ns {
			count++
			if n.Focus && n.IssueShortID != demo.IssueShortID {
				t.Errorf("focus on %s", n.IssueShortID)
			}
			walk(n.Children)
		}
	}
	walk(back.Roots)
	if count != len(tree.Nodes) || back.Focus == "" || back.Transactions != 11 || back.Spans != 308 {
		t.Errorf("json: %d nodes (want %d), focus %q", count, len(tree.Nodes), back.Focus)
	}
}
