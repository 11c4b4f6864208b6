package tracetree

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// NodeKind says what a node of the trace tree is.
type NodeKind uint8

const (
	// KindTransaction is a transaction: a service boundary (a segment root
	// span, is_transaction in the API).
	KindTransaction NodeKind = iota
	// KindError is a connected error event.
	KindError
	// KindOccurrence is a performance-issue occurrence.
	KindOccurrence
)

// Node is one node of the trace tree: a transaction, or an error or
// occurrence hung under the transaction where it happened.
type Node struct {
	Kind NodeKind
	// ID is the event id: the transaction's event id for transactions (its
	// root span id when the API gave none), the error's event id.
	ID string
	// SpanID is the transaction's root span, or the span an error happened in.
	SpanID string
	Op     string // transactions: op, e.g. http.server
	Name   string // transactions: name; errors: title
	// Project and platform of the service.
	Project   string
	ProjectID int64
	Platform  string
	Start     wire.Timestamp
	End       wire.Timestamp
	// DurationMS is the transaction's duration.
	DurationMS float64
	Status     string
	ProfileID  string
	ProfilerID string

	// Errors and occurrences.
	IssueID      int64
	IssueShortID string
	Level        string
	Culprit      string
	// OffenderSpans counts the spans an occurrence hangs on.
	OffenderSpans int

	Parent   *Node
	Children []*Node // transactions, errors and occurrences, in time order
	// Spans are the transaction's own spans (root span first), kept for
	// the span view.
	Spans []*wire.TraceItem

	// Focus marks the issue's own event; OnFocusPath marks it and every
	// ancestor.
	Focus       bool
	OnFocusPath bool
	// Notes explain what was repaired: orphans, duplicates, clock skew.
	Notes []string
}

// HasProfile reports whether a profile covers the transaction.
func (n *Node) HasProfile() bool { return n.ProfileID != "" || n.ProfilerID != "" }

// Depth is the number of ancestors.
func (n *Node) Depth() int {
	d := 0
	for p := n.Parent; p != nil; p = p.Parent {
		d++
	}
	return d
}

// Tree is the trace as a tree of transactions with their connected errors.
type Tree struct {
	TraceID string
	Roots   []*Node
	// Nodes lists every node in display order (depth first).
	Nodes []*Node
	Focus *Node
	// Counts over the whole trace.
	Transactions, Errors, Occurrences, Spans int
	Services                                 []string
	// Legacy marks a tree built from the legacy endpoint (no spans).
	Legacy bool
	// Notes are repairs that concern the whole trace.
	Notes []string

	byID map[string]*Node
}

// BuildOptions tune Build.
type BuildOptions struct {
	TraceID string
	// FocusEventID is the issue's own event (an error or transaction id).
	FocusEventID string
	Legacy       bool
}

// spanRec is one span item during the build. Records refer to each other
// by index into builder.recs: one allocation for all of them, and no map
// of children (a 100k-span trace builds in a fraction of the memory).
type spanRec struct {
	item              *wire.TraceItem
	txn               *Node // the transaction the span belongs to
	parent            int32 // structural parent after relinking, or -1
	first, last, next int32 // children in order (first, last) and the next sibling, or -1
	relinked          bool  // parent found by id, not by nesting
	state             uint8 // cycle check: 0 new, 1 on the current path, 2 done
}

// Build turns the /trace/ array (or a legacy trace converted with
// LegacyTrace.ToTrace) into a tree of transactions. It never fails: a node
// appears once even when ids repeat; spans whose parent is elsewhere in the
// array are linked to it; cycles are broken; roots whose parent span is
// missing are attached to the main root with a note; errors whose span is
// not in the trace hang under the main root with a note; clock skew between
// services is noted. It works iteratively, so deep traces cannot overflow
// the stack.
func Build(items wire.Trace, opts BuildOptions) *Tree {
	t := &Tree{TraceID: opts.TraceID, Legacy: opts.Legacy, byID: map[string]*Node{}}
	n := countItems(items)
	b := builder{t: t, recs: make([]spanRec, 0, n), bySpan: make(map[string]int32, n)}
	b.flatten(items)
	b.relink()
	b.assign()
	b.finish(opts.FocusEventID)
	return t
}

type builder struct {
	t          *Tree
	recs       []spanRec
	bySpan     map[string]int32 // span id → index in recs
	orphanErrs []*wire.TraceItem
	dupes      int
	dupTxns    int
	cycles     int
}

func spanIDOf(it *wire.TraceItem) string {
	if it.EventType == wire.TraceItemSpan || it.EventType == "" || it.EventType == wire.TraceItemUptime {
		if it.SpanID != "" {
			return it.SpanID
		}
		return it.EventID
	}
	return ""
}

func isIssueItem(it *wire.TraceItem) bool {
	return it.EventType == wire.TraceItemError || it.EventType == wire.TraceItemOccurrence
}

// countItems counts the items of a forest (errors and occurrences
// included, children of repeated span ids too), so that the build can
// allocate its records once.
func countItems(items wire.Trace) int {
	n := 0
	stack := []wire.Trace{items}
	for len(stack) > 0 {
		level := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n += len(level)
		for i := range level {
			if len(level[i].Children) > 0 {
				stack = append(stack, level[i].Children)
			}
		}
	}
	return n
}

// flatten walks the nested forest with an explicit stack.
func (b *builder) flatten(items wire.Trace) {
	type frame struct {
		item   *wire.TraceItem
		parent int32
	}
	stack := make([]frame, 0, len(items))
	for i := len(items) - 1; i >= 0; i-- {
		stack = append(stack, frame{item: &items[i], parent: -1})
	}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		it := f.item
		if isIssueItem(it) {
			// A top-level error: its span was not found by Sentry.
			b.orphanErrs = append(b.orphanErrs, it)
			continue
		}
		id := spanIDOf(it)
		rec, seen := b.bySpan[id]
		if id == "" || !seen {
			rec = int32(len(b.recs))
			b.recs = append(b.recs, spanRec{item: it, parent: f.parent, first: -1, last: -1, next: -1})
			if id != "" {
				b.bySpan[id] = rec
			}
		} else {
			// A duplicate span id: keep the first, still walk the
			// duplicate's children and errors under it.
			b.dupes++
			b.recs[rec].item = mergeIssues(b.recs[rec].item, it)
		}
		for i := len(it.Children) - 1; i >= 0; i-- {
			stack = append(stack, frame{item: &it.Children[i], parent: rec})
		}
	}
}

// mergeIssues returns first with the errors and occurrences of dup added
// (copying, so the caller's data is not modified).
func mergeIssues(first, dup *wire.TraceItem) *wire.TraceItem {
	if len(dup.Errors) == 0 && len(dup.Occurrences) == 0 {
		return first
	}
	c := *first
	c.Errors = append(append([]wire.TraceItem(nil), first.Errors...), dup.Errors...)
	c.Occurrences = append(append([]wire.TraceItem(nil), first.Occurrences...), dup.Occurrences...)
	return &c
}

// relink attaches top-level spans whose parent span is elsewhere in the
// array (flat or partially nested payloads), then breaks any cycle those
// links made, in linear time.
func (b *builder) relink() {
	recs := b.recs
	for i := range recs {
		r := &recs[i]
		if r.parent >= 0 || r.item.ParentSpanID == "" {
			continue
		}
		if p, ok := b.bySpan[r.item.ParentSpanID]; ok && p != int32(i) {
			r.parent, r.relinked = p, true
		}
	}
	var path []int32
	for i := range recs {
		if recs[i].state != 0 {
			continue
		}
		path = path[:0]
		x := int32(i)
		for x >= 0 && recs[x].state == 0 {
			recs[x].state = 1
			path = append(path, x)
			x = recs[x].parent
		}
		if x >= 0 && recs[x].state == 1 {
			// x is on the current path: a cycle. Cut a link that came from
			// an id (nested links cannot form cycles).
			for c := x; ; c = recs[c].parent {
				if recs[c].relinked {
					recs[c].parent, recs[c].relinked = -1, false
					b.cycles++
					break
				}
				if recs[c].parent == x {
					break
				}
			}
		}
		for _, p := range path {
			recs[p].state = 2
		}
	}
}

// assign creates transaction nodes and hangs spans, errors and
// occurrences on them. Records are processed parents first.
func (b *builder) assign() {
	// Order records so parents come before children, breadth first
	// (relinking may have moved subtrees): roots in record order, then
	// each record's children in record order.
	recs := b.recs
	order := make([]int32, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		if r.parent < 0 {
			order = append(order, int32(i))
			continue
		}
		p := &recs[r.parent]
		if p.last < 0 {
			p.first = int32(i)
		} else {
			recs[p.last].next = int32(i)
		}
		p.last = int32(i)
	}
	for q := 0; q < len(order); q++ {
		for c := recs[order[q]].first; c >= 0; c = recs[c].next {
			order = append(order, c)
		}
	}
	t := b.t
	services := map[string]bool{}
	for _, ri := range order {
		r := &recs[ri]
		it := r.item
		var parentTxn *Node
		var parent *spanRec
		if r.parent >= 0 {
			parent = &recs[r.parent]
			parentTxn = parent.txn
		}
		isTxn := it.IsTransaction || parentTxn == nil ||
			(it.ProjectSlug != "" && parentTxn.Project != "" && it.ProjectSlug != parentTxn.Project && !it.IsTransaction && parent.item.Op == "http.client")
		if isTxn {
			n := newTxnNode(it)
			if prev := t.byID[n.ID]; prev != nil {
				// Two transactions with one id: show the first, keep the
				// second's spans and errors in it.
				b.dupTxns++
				r.txn = prev
				prev.Spans = append(prev.Spans, it)
				t.Spans++
				b.hangIssues(prev, it)
				continue
			}
			t.byID[n.ID] = n
			if parentTxn != nil {
				n.Parent = parentTxn
				parentTxn.Children = append(parentTxn.Children, n)
				if ps := parent.item; ps.StartTimestamp != 0 && n.Start != 0 && float64(n.Start) < float64(ps.StartTimestamp)-0.001 {
					n.Notes = append(n.Notes, fmt.Sprintf("clock skew: starts %s before its parent span", FormatDuration((float64(ps.StartTimestamp)-float64(n.Start))*1000)))
				}
			} else {
				if it.ParentSpanID != "" {
					n.Notes = append(n.Notes, "orphan: its parent span "+ShortID(it.ParentSpanID)+" is not in the trace")
				}
				t.Roots = append(t.Roots, n)
			}
			r.txn = n
			t.Transactions++
			if n.Project != "" {
				services[n.Project] = true
			}
		} else {
			r.txn = parentTxn
		}
		r.txn.Spans = append(r.txn.Spans, it)
		t.Spans++
		b.hangIssues(r.txn, it)
	}
	for s := range services {
		t.Services = append(t.Services, s)
	}
	sort.Strings(t.Services)
	if b.dupes > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%s with a repeated id shown once", plural(b.dupes, "span")))
	}
	if b.dupTxns > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%s sharing another's transaction id merged into it", plural(b.dupTxns, "transaction")))
	}
	if b.cycles > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%s in the parent links broken", plural(b.cycles, "cycle")))
	}
}

func newTxnNode(it *wire.TraceItem) *Node {
	name := it.Transaction
	if name == "" {
		name = it.Description
	}
	if name == "" {
		name = it.Name
	}
	id := it.TransactionID
	if id == "" {
		id = spanIDOf(it)
	}
	dur := float64(it.Duration)
	if dur == 0 && it.EndTimestamp > it.StartTimestamp {
		dur = (float64(it.EndTimestamp) - float64(it.StartTimestamp)) * 1000
	}
	return &Node{
		Kind: KindTransaction, ID: id, SpanID: spanIDOf(it), Op: it.Op, Name: name,
		Project: it.ProjectSlug, ProjectID: int64(it.ProjectID), Platform: platformOf(it.SDKName),
		Start: it.StartTimestamp, End: it.EndTimestamp, DurationMS: dur, Status: it.Status,
		ProfileID: it.ProfileID, ProfilerID: it.ProfilerID,
	}
}

// hangIssues adds the errors and occurrences of a span to its transaction;
// an occurrence hanging on many offender spans becomes one node.
func (b *builder) hangIssues(txn *Node, it *wire.TraceItem) {
	for i := range it.Errors {
		b.addIssue(txn, &it.Errors[i], spanIDOf(it), KindError)
	}
	for i := range it.Occurrences {
		b.addIssue(txn, &it.Occurrences[i], spanIDOf(it), KindOccurrence)
	}
}

func (b *builder) addIssue(txn *Node, e *wire.TraceItem, spanID string, kind NodeKind) *Node {
	key := e.EventID
	if kind == KindOccurrence {
		key = "occurrence:" + e.EventID + ":" + fmt.Sprint(int64(e.IssueID))
	}
	if prev := b.t.byID[key]; prev != nil && key != "" {
		if kind == KindOccurrence && prev.Parent == txn {
			prev.OffenderSpans++
		}
		return prev
	}
	title := e.Description
	if title == "" {
		title = e.Name
	}
	if title == "" {
		title = e.Transaction
	}
	n := &Node{
		Kind: kind, ID: e.EventID, SpanID: spanID, Name: title, Project: e.ProjectSlug, ProjectID: int64(e.ProjectID),
		Start: e.StartTimestamp, End: e.EndTimestamp, IssueID: int64(e.IssueID), IssueShortID: e.ShortID,
		Level: e.Level, Culprit: e.Culprit, OffenderSpans: 1, Parent: txn,
	}
	if n.SpanID == "" {
		n.SpanID = e.SpanID
	}
	if txn != nil {
		n.Platform = txn.Platform
		if n.Project == txn.Project || n.Project == "" {
			n.Platform = txn.Platform
		}
		txn.Children = append(txn.Children, n)
	}
	if key != "" {
		b.t.byID[key] = n
	}
	if kind == KindError {
		b.t.Errors++
	} else {
		b.t.Occurrences++
	}
	return n
}

// finish attaches orphan errors and orphan roots, orders children, marks
// the focus and lists nodes in display order.
func (b *builder) finish(focusID string) {
	t := b.t
	main := t.mainRoot(focusID)
	if len(b.orphanErrs) > 0 {
		for _, e := range b.orphanErrs {
			n := b.addIssue(main, e, "", kindOf(e))
			if n.Parent == main && main != nil {
				n.Notes = append(n.Notes, "not linked to a span of this trace")
			} else if main == nil {
				t.Roots = append(t.Roots, n)
				n.Notes = append(n.Notes, "not linked to a span of this trace")
			}
		}
	}
	// Roots whose parent span is missing hang under the main root.
	if main != nil {
		kept := t.Roots[:0]
		for _, r := range t.Roots {
			if r != main && r.Kind == KindTransaction && len(r.Notes) > 0 && strings.HasPrefix(r.Notes[0], "orphan:") {
				r.Parent = main
				main.Children = append(main.Children, r)
				continue
			}
			kept = append(kept, r)
		}
		t.Roots = kept
	}
	sortNodes(t.Roots)
	var walk []*Node
	for i := len(t.Roots) - 1; i >= 0; i-- {
		walk = append(walk, t.Roots[i])
	}
	for len(walk) > 0 {
		n := walk[len(walk)-1]
		walk = walk[:len(walk)-1]
		t.Nodes = append(t.Nodes, n)
		sortNodes(n.Children)
		for i := len(n.Children) - 1; i >= 0; i-- {
			walk = append(walk, n.Children[i])
		}
	}
	if focusID != "" {
		if f := t.lookupExact(focusID); f != nil {
			t.Focus = f
			f.Focus = true
			for a := f; a != nil; a = a.Parent {
				a.OnFocusPath = true
			}
		}
	}
}

func kindOf(e *wire.TraceItem) NodeKind {
	if e.EventType == wire.TraceItemOccurrence {
		return KindOccurrence
	}
	return KindError
}

// mainRoot is the root holding the focus, else the earliest (longest on
// ties) transaction root.
func (t *Tree) mainRoot(focusID string) *Node {
	if len(t.Roots) == 0 {
		return nil
	}
	if f := t.lookupExact(focusID); f != nil {
		for a := f; a != nil; a = a.Parent {
			if a.Parent == nil {
				return a
			}
		}
	}
	best := t.Roots[0]
	for _, r := range t.Roots[1:] {
		if r.Start < best.Start || (r.Start == best.Start && r.DurationMS > best.DurationMS) {
			best = r
		}
	}
	return best
}

func (t *Tree) lookupExact(id string) *Node {
	if id == "" {
		return nil
	}
	id = strings.ToLower(strings.ReplaceAll(id, "-", ""))
	if n := t.byID[id]; n != nil {
		return n
	}
	for _, n := range t.byID {
		if n.SpanID == id && n.Kind == KindTransaction {
			return n
		}
	}
	return nil
}

// sortNodes orders siblings by start time, then errors after the
// transaction work that led to them, then by id: deterministic.
func sortNodes(ns []*Node) {
	sort.SliceStable(ns, func(i, j int) bool {
		a, b := ns[i], ns[j]
		if a.Start != b.Start {
			if a.Start == 0 || b.Start == 0 {
				return b.Start == 0 && a.Start != 0
			}
			return a.Start < b.Start
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.ID < b.ID
	})
}

// platformOf reads the platform from an SDK name: sentry.python → python,
// sentry.javascript.node → node, sentry.javascript.react → javascript.
func platformOf(sdk string) string {
	s := strings.TrimPrefix(strings.ToLower(sdk), "sentry.")
	switch {
	case s == "":
		return ""
	case strings.HasPrefix(s, "javascript.node"), strings.HasPrefix(s, "javascript.bun"), strings.HasPrefix(s, "javascript.deno"):
		return "node"
	case strings.HasPrefix(s, "javascript"):
		return "javascript"
	case strings.HasPrefix(s, "java"):
		return "java"
	case strings.HasPrefix(s, "cocoa"):
		return "cocoa"
	}
	if i := strings.IndexByte(s, '.'); i > 0 {
		return s[:i]
	}
	return s
}

// Get returns the node with exactly this id (event id, or a transaction's
// root span id), or nil.
func (t *Tree) Get(id string) *Node { return t.lookupExact(id) }

// AmbiguousError is returned by Resolve when a prefix matches several nodes.
type AmbiguousError struct {
	Prefix     string
	Candidates []*Node
}

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "id prefix %q matches %d events; use more characters:", e.Prefix, len(e.Candidates))
	for i, n := range e.Candidates {
		if i == 10 {
			fmt.Fprintf(&b, "\n  … %d more", len(e.Candidates)-10)
			break
		}
		fmt.Fprintf(&b, "\n  %s  %s", n.ID, n.Label())
	}
	return b.String()
}

// Resolve finds the node whose event id (or, for transactions, root span
// id) starts with prefix. Short ids in the text views are 8 characters;
// any unique prefix of 4 or more works. An ambiguous prefix returns an
// *AmbiguousError listing the candidates.
func (t *Tree) Resolve(prefix string) (*Node, error) {
	p := strings.ToLower(strings.TrimSpace(strings.ReplaceAll(prefix, "-", "")))
	if len(p) < 4 {
		return nil, fmt.Errorf("id %q is too short: give at least 4 characters of an id from the tree", prefix)
	}
	if n := t.lookupExact(p); n != nil {
		return n, nil
	}
	var found []*Node
	byID := map[string]int{} // id → index in found
	for _, n := range t.Nodes {
		if !strings.HasPrefix(n.ID, p) && !(n.Kind == KindTransaction && strings.HasPrefix(n.SpanID, p)) {
			continue
		}
		// A performance issue's event is its transaction: one id, and the
		// transaction is what the id names.
		if i, dup := byID[n.ID]; dup {
			if n.Kind < found[i].Kind {
				found[i] = n
			}
			continue
		}
		byID[n.ID] = len(found)
		found = append(found, n)
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no event in trace %s has an id starting with %q", ShortID(t.TraceID), prefix)
	case 1:
		return found[0], nil
	}
	return nil, &AmbiguousError{Prefix: prefix, Candidates: found}
}

// Label is a node's one-line description without ids: "http.server - GET
// /api/cart" or the error's title.
func (n *Node) Label() string {
	switch n.Kind {
	case KindTransaction:
		if n.Op == "" {
			return oneLine(n.Name, 120)
		}
		return oneLine(n.Op, 40) + " - " + oneLine(n.Name, 120)
	}
	return oneLine(n.Name, 160)
}
