package ui

import (
	"context"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/tracetree"
)

// The tree's filter runs off the UI thread. A typed key only records the
// query (the filter line shows it at once, with "matching…" while a
// search is in flight) and starts a search as a command; the next key
// cancels it. A query that extends the last one searches only that one's
// matches (a fuzzy match of "pay" is a match of "pa"), and a query met
// recently (typed back with backspace) is answered from a small cache
// without searching. The search returns the matches in tree order (no
// sort) and the set of nodes the filtered tree keeps, so applying a
// result on the UI thread is one rebuild of the rows.

// filterResult is what a search found for a query.
type filterResult struct {
	query string
	idx   []int32                  // indexes in tree.Nodes of the matches, in tree order
	keep  map[*tracetree.Node]bool // the matches and their ancestors
	tree  *tracetree.Tree          // the tree searched
}

// filterDoneMsg is a search's result; seq tells it from an older search's.
type filterDoneMsg struct {
	seq int
	res *filterResult // nil: cancelled
}

// filterCacheSize bounds the results kept for backspace and narrowing.
const filterCacheSize = 16

// filterCheckEvery is how many labels a search matches between looks at
// its context.
const filterCheckEvery = 1024

// treeSearch is the tree pane's search state.
type treeSearch struct {
	seq     int
	cancel  context.CancelFunc
	pending string          // the query being searched ("" when none)
	cache   []*filterResult // most recent last
	labels  func() []string // each node's search text, computed once, off the UI thread
}

func newTreeSearch(t *tracetree.Tree) treeSearch {
	return treeSearch{labels: sync.OnceValue(func() []string {
		labels := make([]string, len(t.Nodes))
		for i, n := range t.Nodes {
			labels[i] = nodeSearchText(n)
		}
		return labels
	})}
}

// searching reports whether a search is in flight.
func (p *treePane) searching() bool { return p.search.pending != "" }

// query is the filter as typed: the one being searched, else the one
// applied.
func (p *treePane) query() string {
	if p.search.pending != "" {
		return p.search.pending
	}
	return p.filter
}

// startFilter filters the tree by q (empty clears it). A query met
// recently is applied at once; otherwise a search starts off the UI
// thread (the returned command), cancelling the one in flight.
func (p *treePane) startFilter(ctx context.Context, q string) tea.Cmd {
	q = strings.TrimSpace(q)
	s := &p.search
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.seq++
	s.pending = ""
	if q == p.filter {
		return nil
	}
	if q == "" {
		p.applyFilter(nil)
		return nil
	}
	if res := s.cached(q); res != nil {
		p.applyFilter(res)
		return nil
	}
	var within []int32 // search only these (nil: every node)
	if base := s.narrowest(q); base != nil {
		within = base.idx
	}
	s.pending = q
	ctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	seq, tree, labels := s.seq, p.tree, s.labels
	return func() tea.Msg {
		defer cancel()
		return filterDoneMsg{seq: seq, res: searchTree(ctx, tree, labels(), within, q)}
	}
}

// filterDone applies a search's result, unless a newer query replaced it.
// It reports whether it did.
func (p *treePane) filterDone(msg filterDoneMsg) bool {
	s := &p.search
	if msg.seq != s.seq || msg.res == nil || msg.res.tree != p.tree {
		return false
	}
	s.pending, s.cancel = "", nil
	s.remember(msg.res)
	p.applyFilter(msg.res)
	return true
}

// cached is the recent result for q, or nil.
func (s *treeSearch) cached(q string) *filterResult {
	for i := len(s.cache) - 1; i >= 0; i-- {
		if s.cache[i].query == q {
			return s.cache[i]
		}
	}
	return nil
}

// narrowest is the recent result whose query is the longest prefix of q:
// q's matches are among its matches.
func (s *treeSearch) narrowest(q string) *filterResult {
	var best *filterResult
	for _, r := range s.cache {
		if strings.HasPrefix(q, r.query) && (best == nil || len(r.query) > len(best.query)) {
			best = r
		}
	}
	return best
}

func (s *treeSearch) remember(r *filterResult) {
	if s.cached(r.query) != nil {
		return
	}
	s.cache = append(s.cache, r)
	if len(s.cache) > filterCacheSize {
		s.cache = append(s.cache[:0], s.cache[1:]...)
	}
}

// searchTree fuzzy-matches q against the labels of the nodes (of those in
// within, when set), in tree order. nil when ctx was cancelled.
func searchTree(ctx context.Context, t *tracetree.Tree, labels []string, within []int32, q string) *filterResult {
	n := len(labels)
	if within != nil {
		n = len(within)
	}
	pattern := []rune(q)
	res := &filterResult{query: q, tree: t}
	for i := range n {
		if i%filterCheckEvery == 0 && ctx.Err() != nil {
			return nil
		}
		x := int32(i)
		if within != nil {
			x = within[i]
		}
		if fuzzyMatch(labels[x], pattern) {
			res.idx = append(res.idx, x)
		}
	}
	res.keep = make(map[*tracetree.Node]bool, len(res.idx))
	for _, x := range res.idx {
		for a := t.Nodes[x]; a != nil && !res.keep[a]; a = a.Parent {
			res.keep[a] = true
		}
	}
	return res
}

// fuzzyMatch reports whether the runes of q appear in s in order, letters
// matching either case (Unicode simple folding), s read up to its first
// NUL: the matches of the fuzzy finder the filter used before
// (github.com/sahilm/fuzzy, TestFuzzyMatchAsSahilm), without its scores,
// which the tree's order made useless, and its allocations.
func fuzzyMatch(s string, q []rune) bool {
	if len(q) == 0 {
		return false
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	k := 0
	for _, r := range s {
		if foldEqual(r, q[k]) {
			if k++; k == len(q) {
				return true
			}
		}
	}
	return false
}

// foldEqual says a and b are the same letter but for case.
func foldEqual(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// applyFilter shows res (nil: no filter): the matching nodes and their
// ancestors, the first match selected.
func (p *treePane) applyFilter(res *filterResult) {
	p.matches, p.match, p.keep = nil, 0, nil
	p.filter = ""
	if res != nil {
		p.filter, p.keep = res.query, res.keep
		p.matches = make([]*tracetree.Node, len(res.idx))
		for i, x := range res.idx {
			p.matches[i] = p.tree.Nodes[x]
		}
	}
	if len(p.matches) > 0 {
		p.match = 0
		p.reveal(p.matches[0])
		p.rebuild()
		p.selectRow(p.matches[0])
		return
	}
	p.rebuild()
}

// setFilter filters by q at once, on the calling goroutine (tests, and
// callers with no runtime to run a command).
func (p *treePane) setFilter(q string) {
	cmd := p.startFilter(context.Background(), q)
	if cmd != nil {
		p.filterDone(cmd().(filterDoneMsg))
	}
}
