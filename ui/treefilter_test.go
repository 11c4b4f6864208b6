package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sahilm/fuzzy"

	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree"
	"github.com/tracehound/tracehound/tracetree/tracegen"
)

func genTree(t *testing.T, cfg tracegen.Config) *tracetree.Tree {
	t.Helper()
	res := tracegen.Generate(cfg)
	var tr wire.Trace
	if err := wire.Decode(res.JSON(), &tr); err != nil {
		t.Fatal(err)
	}
	return tracetree.Build(tr, tracetree.BuildOptions{TraceID: res.TraceID, FocusEventID: res.FocusEventID})
}

// typeFilter types q into the pane's filter key by key, as the explorer
// does, running each search to the end before the next key.
func typeFilter(p *treePane, q string) {
	for i := 1; i <= len(q); i++ {
		if cmd := p.startFilter(context.Background(), q[:i]); cmd != nil {
			p.filterDone(cmd().(filterDoneMsg))
		}
	}
}

// TestFilterNarrowsLikeAFullSearch: typing a query key by key (each search
// within the last one's matches) and backspacing it finds exactly what a
// search of every node finds, in tree order.
func TestFilterNarrowsLikeAFullSearch(t *testing.T) {
	tree := genTree(t, tracegen.Config{Spans: 12_000, Transactions: 3_000, Services: 30, Errors: 20, Seed: 3})
	p := newTreePane(NewStyles(true), tree)
	labels := p.search.labels()
	full := func(q string) []*tracetree.Node {
		res := searchTree(context.Background(), tree, labels, nil, q)
		var ns []*tracetree.Node
		for _, x := range res.idx {
			ns = append(ns, tree.Nodes[x])
		}
		return ns
	}
	check := func(q string) {
		t.Helper()
		want := full(strings.TrimSpace(q))
		if !slices.Equal(p.matches, want) {
			t.Fatalf("%q: %d matches narrowing, %d searching every node", q, len(p.matches), len(want))
		}
		for i := 1; i < len(p.matches); i++ {
			if p.index(p.matches[i-1]) >= p.index(p.matches[i]) {
				t.Fatalf("%q: matches out of tree order at %d", q, i)
			}
		}
	}
	for _, q := range []string{"payments", "GET /v1/or", "ledger 8", "POST"} {
		for i := 1; i <= len(q); i++ {
			typeFilter(p, q[:i])
			check(q[:i])
		}
		for i := len(q) - 1; i >= 1; i-- {
			// Backspace: a query met before is answered without a search.
			if cmd := p.startFilter(context.Background(), q[:i]); cmd != nil && strings.TrimSpace(q[:i]) != "" {
				t.Fatalf("%q: a search for a query just typed", q[:i])
			}
			check(q[:i])
		}
		p.setFilter("")
	}
	if len(p.search.cache) > filterCacheSize {
		t.Errorf("%d cached results", len(p.search.cache))
	}
}

// TestFilterNextKeyCancels: a key cancels the search in flight; its late
// result is dropped.
func TestFilterNextKeyCancels(t *testing.T) {
	tree := genTree(t, tracegen.Config{Spans: 2_000, Transactions: 500, Services: 12, Seed: 4})
	p := newTreePane(NewStyles(true), tree)
	first := p.startFilter(context.Background(), "pa")
	second := p.startFilter(context.Background(), "pay")
	if !p.searching() || p.query() != "pay" {
		t.Fatalf("searching %v for %q", p.searching(), p.query())
	}
	old := first().(filterDoneMsg)
	if old.res != nil {
		t.Errorf("the cancelled search still returned %d matches", len(old.res.idx))
	}
	if p.filterDone(old) {
		t.Fatal("the replaced search's result was applied")
	}
	if !p.filterDone(second().(filterDoneMsg)) || p.filter != "pay" || p.searching() || len(p.matches) == 0 {
		t.Fatalf("filter %q, searching %v, %d matches", p.filter, p.searching(), len(p.matches))
	}
	// A result for a tree since replaced (a reload) is dropped too.
	other := newTreePane(NewStyles(true), genTree(t, tracegen.Config{Spans: 200, Transactions: 20, Seed: 5}))
	cmd := other.startFilter(context.Background(), "get")
	msg := cmd().(filterDoneMsg)
	p.search.seq = msg.seq
	if p.filterDone(msg) {
		t.Fatal("a result for another tree was applied")
	}
}

// TestFilterKeyLandsAtOnce: in the explorer, a typed key is on screen
// (the filter line shows "/ " and the query, and "matching…") before its
// search has answered; the matches follow.
func TestFilterKeyLandsAtOnce(t *testing.T) {
	a := newAppHarness(t, demoConfig(t), 140, 45)
	a.untilScreen("Exception")
	a.press("/")
	saw := false
	for i, r := range "signature" {
		a.typeText(string(r))
		s := a.screen()
		if !strings.Contains(s, "/ "+"signature"[:i+1]) {
			t.Fatalf("key %d (%q) is not on screen:\n%s", i+1, r, s)
		}
		if a.m.tree.searching() {
			saw = true
			if !strings.Contains(s, "matching…") {
				t.Fatalf("a search is in flight but the screen does not say so:\n%s", s)
			}
		}
	}
	if !saw {
		t.Fatal("no key left a search in flight: the search ran on the UI thread")
	}
	a.until("the search", func() bool { return !a.m.tree.searching() })
	s := a.screen()
	if !strings.Contains(s, "/ signature") || !strings.Contains(s, "matches") && !strings.Contains(s, "1 match") {
		t.Fatalf("no match count after the search:\n%s", s)
	}
	if strings.Contains(s, "matching…") {
		t.Fatalf("still matching after the search:\n%s", s)
	}
	a.checkScreen("filtered while typing")
}

// TestFuzzyMatchAsSahilm: the filter's matcher finds exactly what the
// fuzzy finder it replaced (github.com/sahilm/fuzzy) finds, over a
// generated trace's labels and awkward strings (case, Unicode folding,
// NUL, invalid UTF-8).
func TestFuzzyMatchAsSahilm(t *testing.T) {
	tree := genTree(t, tracegen.Config{Spans: 6_000, Transactions: 1_500, Services: 30, Errors: 20, Seed: 9})
	labels := newTreePane(NewStyles(true), tree).search.labels()
	labels = append(labels, "Straße GET", "KELVIN \u212a", "ǅemal ǆ", "nul\x00after", "bad \xff\xfe utf8", "ΣΑΣ σας", "", "aXbXc", "ba")
	var queries []string
	for _, q := range []string{"payments", "GET /v1/or", "ledger 8", "POST", "pAyM", "k", "\u212a", "ǆ", "σ", "ß", "after", "\xff", "abc", "ab", "xx", "zzz", "http.server"} {
		for i := 1; i <= len(q); i++ {
			if s := q[:i]; strings.TrimSpace(s) != "" {
				queries = append(queries, s)
			}
		}
	}
	for _, q := range queries {
		var want []int
		for _, m := range fuzzy.Find(q, labels) {
			want = append(want, m.Index)
		}
		slices.Sort(want)
		var got []int
		pattern := []rune(q)
		for i, l := range labels {
			if fuzzyMatch(l, pattern) {
				got = append(got, i)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: %d matches, the fuzzy finder %d", q, len(got), len(want))
		}
	}
}
