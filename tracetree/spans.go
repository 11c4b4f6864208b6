package tracetree

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// This file is the span view of one transaction: the span tree built from a
// transaction event (or from a /trace/ subtree), its critical path, the
// repeated-sibling groups and gaps, the text both the agent and the person
// read, and the waterfall rows the UI draws.

// SpanTree is the span tree of one transaction. Its root is the transaction
// itself; every other node is one of its spans. Build it with BuildSpanTree
// or BuildSpanTreeFromTrace; render it with Text or Waterfall, which only
// read it and may be called from several goroutines. Do not modify the
// nodes once built.
type SpanTree struct {
	// Root is the transaction. It is nil only for a tree built from no data.
	Root *SpanNode
	// EventID is the transaction's event id.
	EventID string
	// Project is the slug of the transaction's project, when known.
	Project string
	// Op and Name are the transaction's operation and name
	// ("http.server", "POST /api/checkout").
	Op, Name string
	// SpanCount is the number of spans under the transaction (the
	// transaction itself and child service transactions not counted).
	SpanCount int
	// DurationMS is the transaction's duration; 0 when its times are unknown.
	DurationMS float64
	// CriticalPath lists the span ids on the critical path: the
	// transaction's first, then the others in tree (time) order (child
	// service transactions included, for trees from trace data).
	CriticalPath []string
	// CriticalMS is how much of the transaction's duration the spans on the
	// critical path account for; the rest is the transaction's own time.
	CriticalMS float64
	// Orphans counts spans whose parent is not in the transaction (or who
	// name no parent); they hang under the root with a note.
	Orphans int
	// Duplicates counts spans dropped because their id was already seen.
	Duplicates int
	// Looped counts spans whose parent chain loops without reaching the
	// transaction; the loop is cut and they hang under the root with a note.
	Looped int
	// Untimed counts spans with missing or invalid timestamps.
	Untimed int
	// FromTrace is set when the tree was built from /trace/ data, which
	// carries no span attributes.
	FromTrace bool
	// DerivedTimes is set when the transaction's own start and end were
	// missing and were taken from its spans.
	DerivedTimes bool

	lines        []*spanLine // visible lines in pre-order, built once
	critSpans    int         // spans on the critical path (root and services not counted)
	critServices int         // child services on the critical path
}

// SpanNode is one span of a SpanTree (or the transaction, at the root).
// Text fields hold raw event data: sanitise them before printing.
type SpanNode struct {
	SpanID       string
	ParentSpanID string
	Op           string
	Description  string
	Status       string
	// StartMS and EndMS are relative to the transaction's start; they are
	// meaningful only when HasTime is set.
	StartMS, EndMS float64
	HasTime        bool
	// SelfMS is the part of the span's duration no child span covers.
	SelfMS float64
	// HTTPStatus is the response status code when the span carries one.
	HTTPStatus int
	// Failed is set when the status is not ok or the HTTP status is ≥ 500.
	Failed bool
	// Critical is set when the span is on the critical path.
	Critical bool
	Depth    int
	Parent   *SpanNode
	Children []*SpanNode // sorted by start time
	// Attrs are the attributes worth showing, in display order.
	Attrs []SpanAttr
	// Note says why the span sits where it does (parent missing, loop cut).
	Note string
	// ServiceBoundary marks a child service's transaction (trace data
	// only): a leaf here, whose spans are in its own span tree.
	ServiceBoundary bool
	// TransactionID is the event id of a service boundary's transaction.
	TransactionID string
	// Project is the project of a service boundary.
	Project string
	// Errors are the short ids (or event ids) of errors and performance
	// issues that happened in this span (trace data only).
	Errors []string

	idx              int // input position: 0 is the transaction
	critStart        float64
	critEnd          float64
	thread           string
	noteKind         int
	sig              uint64
	size             int // spans in this subtree, itself included
	absStart, absEnd float64
	timed            bool
}

// DurationMS is the span's duration, or 0 when its times are unknown.
func (n *SpanNode) DurationMS() float64 {
	if !n.HasTime {
		return 0
	}
	return n.EndMS - n.StartMS
}

// SpanAttr is one attribute shown on a span line, as key=value.
type SpanAttr struct{ Key, Value string }

// SpanOptions tunes SpanTree.Text.
type SpanOptions struct {
	// Budget caps the output in model tokens (CountTokens); 0 means no cap.
	// Over budget, the least important lines (short, off the critical path,
	// deep) are dropped first and the text says what was left out.
	Budget int
	// DescWidth is the longest description shown, in runes (default 80).
	DescWidth int
}

// WaterfallKind says what a waterfall row stands for.
type WaterfallKind int

const (
	// WaterfallSpan is one span (or the transaction, at depth 0).
	WaterfallSpan WaterfallKind = iota
	// WaterfallGroup is a run of similar consecutive sibling spans shown as
	// one row (an N+1 query, a retry loop).
	WaterfallGroup
	// WaterfallGap is time inside the parent span that no child covers.
	WaterfallGap
	// WaterfallLoop is a run of siblings repeating a short sequence of
	// spans (SELECT, UPDATE, SELECT, UPDATE, …); its child rows are the
	// steps, each a group.
	WaterfallLoop
)

// WaterfallRow is one visible line of the span tree, in the order and with
// the grouping of Text, for the UI to draw bars on the shared axis of the
// transaction (StartMS/EndMS are relative to the transaction's start).
type WaterfallRow struct {
	Kind  WaterfallKind
	Depth int
	// Label is "op - description", sanitised (not truncated to a width).
	Label string
	// Op is the operation, sanitised.
	Op string
	// SpanID is the span's id (sanitised); for a group or loop its first
	// span's, for a gap its parent's.
	SpanID         string
	StartMS, EndMS float64
	// HasTime is false when the row's times are unknown.
	HasTime bool
	// SelfMS is the time not covered by child spans (summed over a group).
	SelfMS float64
	// Status is the span status ("ok", "internal_error", …), sanitised.
	Status     string
	HTTPStatus int
	// Failed marks a span (or a group of them) whose status is not ok or
	// whose HTTP status is ≥ 500.
	Failed bool
	// Critical marks a row on the critical path.
	Critical bool
	// Repeat is the number of spans the row stands for: 1, or a group's size.
	Repeat int
	// TotalMS is the summed duration of the row's spans; for a gap, the gap.
	TotalMS float64
	// MaxParallel is how many of a group's spans ran at once at most (1:
	// one after another).
	MaxParallel int
	// Attrs is the compact key=value attribute text, sanitised.
	Attrs string
	// Note explains an unusual placement (parent missing, loop cut,
	// service boundary), sanitised.
	Note string
	// ServiceBoundary marks a child service's transaction.
	ServiceBoundary bool
}

// Thresholds of the view.
const (
	spanDefaultDescWidth = 80
	spanGapMinMS         = 10  // a gap is at least this long…
	spanGapMinShare      = 0.2 // …and this share of its span
	spanNPlusOneMin      = 5   // sequential repeats of a query that read as N+1
	spanMaxIndent        = 32  // deeper levels are not drawn as separate columns
	spanLabelMax         = 200 // longest waterfall label
)

// Note kinds of a SpanNode.
const (
	spanNoteNone = iota
	spanNoteNoParent
	spanNoteMissingParent
	spanNoteLoop
	spanNoteService
)

// BuildSpanTree builds the span tree of a transaction event: the root is the
// transaction (contexts.trace, start and end, title), the children are its
// spans linked by parent_span_id. Spans whose parent is missing hang under
// the root with a note, a duplicate span id is shown once, parent loops are
// cut; nothing recurses, so 100k spans in one chain are fine.
func BuildSpanTree(ev *wire.Event) (*SpanTree, error) {
	if ev == nil {
		return nil, errors.New("tracetree: no event to build a span tree from")
	}
	spans := ev.Spans()
	if ev.Type != "transaction" && (ev.Type != "" || (len(spans) == 0 && ev.StartTimestamp == 0)) {
		kind := "an untyped event"
		if ev.Type != "" {
			kind = fmt.Sprintf("of type %q", redact.Line(ev.Type))
		}
		return nil, fmt.Errorf("tracetree: event %s is %s, not a transaction, so it has no spans: open the transaction it happened in (see its trace)", redact.Line(ShortID(spanEventID(ev))), kind)
	}
	tc := ev.Contexts.Trace
	if tc == nil {
		tc = &wire.TraceContext{}
	}
	name := ev.Title
	for _, alt := range []string{ev.Tag("transaction"), ev.Location, tc.Description} {
		if name == "" {
			name = alt
		}
	}
	t := &SpanTree{EventID: spanEventID(ev), Project: ev.ProjectSlug, Op: tc.Op, Name: name}

	root := &SpanNode{SpanID: tc.SpanID, ParentSpanID: tc.ParentSpanID, Op: tc.Op, Description: name, Status: tc.Status}
	root.absStart, root.absEnd = float64(ev.StartTimestamp), float64(ev.EndTimestamp)
	rootLook := func(k string) (string, bool) {
		if v, ok := spanScalar(tc.Data[k]); ok {
			return v, true
		}
		if v := ev.Tag(k); v != "" {
			return v, true
		}
		return "", false
	}
	spanSetAttrs(root, rootLook)

	b := &spanBuilder{nodes: []*SpanNode{root}, parent: []int{-1}}
	seen := make(map[string]int, len(spans)+1)
	if root.SpanID != "" {
		seen[root.SpanID] = 0
	}
	for i := range spans {
		s := &spans[i]
		if s.SpanID != "" {
			if _, dup := seen[s.SpanID]; dup {
				t.Duplicates++
				continue
			}
			seen[s.SpanID] = len(b.nodes)
		}
		n := &SpanNode{SpanID: s.SpanID, ParentSpanID: s.ParentSpanID, Op: s.Op, Description: s.Description, Status: s.Status}
		n.absStart, n.absEnd = float64(s.StartTimestamp), float64(s.Timestamp)
		data, tags := s.Data, s.Tags
		spanSetAttrs(n, func(k string) (string, bool) {
			if v, ok := spanScalar(data[k]); ok {
				return v, true
			}
			return spanScalar(tags[k])
		})
		b.nodes = append(b.nodes, n)
		b.parent = append(b.parent, -2) // resolved below, once every id is known
	}
	for i := 1; i < len(b.nodes); i++ {
		n := b.nodes[i]
		p, ok := seen[n.ParentSpanID]
		switch {
		case n.ParentSpanID == "":
			b.parent[i] = 0
			n.noteKind, n.Note = spanNoteNoParent, "names no parent span"
			t.Orphans++
		case !ok:
			b.parent[i] = 0
			n.noteKind, n.Note = spanNoteMissingParent, "parent "+ShortID(n.ParentSpanID)+" is not in this transaction"
			t.Orphans++
		default:
			b.parent[i] = p
		}
	}
	b.finish(t)
	return t, nil
}

// BuildSpanTreeFromTrace builds the same model from a /trace/ subtree, for
// data where the transaction event carries no spans (spans only in EAP):
// root is the transaction's span item (is_transaction); its descendants are
// followed down to the next is_transaction item, a child service, which is
// shown as a leaf marked as a service boundary. Trace items carry no span
// attributes, so lines are shorter than BuildSpanTree's.
func BuildSpanTreeFromTrace(root *wire.TraceItem) *SpanTree {
	t := &SpanTree{FromTrace: true}
	if root == nil {
		return t
	}
	name := root.Transaction
	if name == "" {
		name = root.Description
	}
	t.EventID, t.Project, t.Op, t.Name = root.TransactionID, root.ProjectSlug, root.Op, name
	rn := spanFromItem(root)
	rn.Description = name
	b := &spanBuilder{nodes: []*SpanNode{rn}, parent: []int{-1}}
	seen := map[string]bool{rn.SpanID: rn.SpanID != ""}

	type frame struct {
		item   *wire.TraceItem
		parent int
	}
	var stack []frame
	push := func(it *wire.TraceItem, parent int) {
		for i := len(it.Children) - 1; i >= 0; i-- {
			stack = append(stack, frame{&it.Children[i], parent})
		}
	}
	push(root, 0)
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		it := f.item
		if it.EventType != "" && it.EventType != wire.TraceItemSpan {
			continue
		}
		n := spanFromItem(it)
		if n.SpanID != "" {
			if seen[n.SpanID] {
				t.Duplicates++
				continue
			}
			seen[n.SpanID] = true
		}
		b.nodes = append(b.nodes, n)
		b.parent = append(b.parent, f.parent)
		if it.IsTransaction {
			n.ServiceBoundary = true
			n.TransactionID, n.Project = it.TransactionID, it.ProjectSlug
			n.noteKind = spanNoteService
			n.Note = "service boundary: " + spanOr(it.ProjectSlug, "another service")
			if it.TransactionID != "" {
				n.Note += " transaction id=" + ShortID(it.TransactionID)
			}
			continue
		}
		push(it, len(b.nodes)-1)
	}
	b.finish(t)
	return t
}

// spanFromItem is a SpanNode from a trace item (without its children).
func spanFromItem(it *wire.TraceItem) *SpanNode {
	id := it.SpanID
	if id == "" {
		id = it.EventID
	}
	n := &SpanNode{SpanID: id, ParentSpanID: it.ParentSpanID, Op: it.Op, Description: it.Description, Status: it.Status}
	n.absStart, n.absEnd = float64(it.StartTimestamp), float64(it.EndTimestamp)
	if n.absEnd == 0 && it.Duration > 0 && n.absStart > 0 {
		n.absEnd = n.absStart + float64(it.Duration)/1000
	}
	attrs := it.AdditionalAttributes
	spanSetAttrs(n, func(k string) (string, bool) { return spanScalar(attrs[k]) })
	for _, lst := range [][]wire.TraceItem{it.Errors, it.Occurrences} {
		for _, e := range lst {
			n.Errors = append(n.Errors, spanOr(e.ShortID, ShortID(e.EventID)))
		}
	}
	return n
}

func spanEventID(ev *wire.Event) string { return spanOr(ev.EventID, ev.ID) }

func spanOr(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}

// spanBuilder holds the flat nodes (0 is the root) and their parent index
// until finish links them.
type spanBuilder struct {
	nodes  []*SpanNode
	parent []int
}

// finish links the nodes into a tree and computes times, self times, the
// critical path and the similarity signatures. Every pass is iterative.
func (b *spanBuilder) finish(t *SpanTree) {
	nodes := b.nodes
	for i, n := range nodes {
		n.idx = i
		n.timed = spanValidTimes(n.absStart, n.absEnd)
	}
	kids := make([][]int, len(nodes))
	for i := 1; i < len(nodes); i++ {
		if p := b.parent[i]; p >= 0 {
			kids[p] = append(kids[p], i)
		}
	}

	// Reachability: what is not reached from the root sits in a parent
	// loop (or under one). Cut each loop at its first span in input order.
	reached := make([]bool, len(nodes))
	var queue []int
	mark := func(from int) int {
		count := 0
		queue = append(queue[:0], from)
		reached[from] = true
		for len(queue) > 0 {
			i := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			count++
			for _, c := range kids[i] {
				if !reached[c] {
					reached[c] = true
					queue = append(queue, c)
				}
			}
		}
		return count
	}
	mark(0)
	for i := 1; i < len(nodes); i++ {
		if reached[i] {
			continue
		}
		p := b.parent[i]
		kids[p] = slices.DeleteFunc(kids[p], func(c int) bool { return c == i })
		b.parent[i] = 0
		kids[0] = append(kids[0], i)
		n := nodes[i]
		n.noteKind, n.Note = spanNoteLoop, "its parent chain loops back to it (through "+ShortID(n.ParentSpanID)+"); cut here"
		t.Looped += mark(i)
	}

	// Times, relative to the transaction's start.
	root := nodes[0]
	if !root.timed {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, n := range nodes[1:] {
			if n.timed {
				lo, hi = min(lo, n.absStart), max(hi, n.absEnd)
			}
		}
		if lo <= hi {
			root.absStart, root.absEnd, root.timed = lo, hi, true
			t.DerivedTimes = true
		}
	}
	t0 := root.absStart
	for _, n := range nodes {
		if !n.timed {
			if n != root {
				t.Untimed++
			}
			continue
		}
		n.HasTime = true
		n.StartMS = spanRoundMS((n.absStart - t0) * 1000)
		n.EndMS = spanRoundMS((n.absEnd - t0) * 1000)
	}
	if root.HasTime {
		t.DurationMS = root.EndMS - root.StartMS
	}

	// Link, sort children by start, set depths; order is breadth-first.
	t.Root = root
	order := make([]*SpanNode, 0, len(nodes))
	order = append(order, root)
	for k := 0; k < len(order); k++ {
		n := order[k]
		cs := kids[n.idx]
		n.Children = make([]*SpanNode, len(cs))
		for j, c := range cs {
			n.Children[j] = nodes[c]
		}
		slices.SortStableFunc(n.Children, spanByStart)
		for _, c := range n.Children {
			c.Parent, c.Depth = n, n.Depth+1
			order = append(order, c)
		}
	}
	for _, n := range order[1:] {
		if !n.ServiceBoundary {
			t.SpanCount++
		}
		if n.thread != "" && n.thread != n.Parent.thread {
			n.Attrs = append(n.Attrs, SpanAttr{"thread", n.thread})
		}
	}
	if root.thread != "" {
		root.Attrs = append(root.Attrs, SpanAttr{"thread", root.thread})
	}
	for _, n := range order {
		n.SelfMS = spanSelf(n)
	}
	spanCritical(t, root)

	// Signatures and subtree sizes, children before parents.
	for k := len(order) - 1; k >= 0; k-- {
		n := order[k]
		h := fnv.New64a()
		h.Write([]byte(spanKey(n)))
		n.size = 1
		var last uint64
		for j, c := range n.Children {
			n.size += c.size
			if j == 0 || c.sig != last {
				var buf [8]byte
				for s := range 8 {
					buf[s] = byte(c.sig >> (8 * s))
				}
				h.Write(buf[:])
				last = c.sig
			}
		}
		n.sig = h.Sum64()
	}
	// Lines and their ranks are made here, once, so that Text and
	// Waterfall only read the tree and may run concurrently.
	spanRank(t.visibleLines())
}

func spanByStart(a, b *SpanNode) int {
	switch {
	case a.HasTime != b.HasTime:
		if a.HasTime {
			return -1
		}
		return 1
	case a.HasTime && a.StartMS != b.StartMS:
		if a.StartMS < b.StartMS {
			return -1
		}
		return 1
	}
	return a.idx - b.idx
}

func spanValidTimes(start, end float64) bool {
	return start > 0 && end > 0 && end >= start && !math.IsInf(start, 0) && !math.IsInf(end, 0)
}

// spanRoundMS rounds to the microsecond, so float noise of epoch seconds
// does not show as 20.599999ms.
func spanRoundMS(ms float64) float64 { return math.Round(ms*1000) / 1000 }

// spanSelf is the span's duration not covered by its timed children
// (clipped to the span).
func spanSelf(n *SpanNode) float64 {
	if !n.HasTime {
		return 0
	}
	covered := 0.0
	cur := n.StartMS
	for _, c := range n.Children { // sorted by start
		if !c.HasTime {
			continue
		}
		s, e := max(c.StartMS, cur), min(c.EndMS, n.EndMS)
		if e > s {
			covered += e - s
			cur = e
		}
	}
	return spanRoundMS(max(0, n.DurationMS()-covered))
}

// spanGaps lists the intervals of n that no child covers and that are long
// enough to show: at least spanGapMinMS and spanGapMinShare of the span.
func spanGaps(n *SpanNode) [][2]float64 {
	d := n.DurationMS()
	if !n.HasTime || len(n.Children) == 0 || d <= 0 {
		return nil
	}
	minGap := max(spanGapMinMS, spanGapMinShare*d)
	var gaps [][2]float64
	cur := n.StartMS
	timed := false
	for _, c := range n.Children {
		if !c.HasTime {
			continue
		}
		timed = true
		if c.StartMS-cur >= minGap {
			gaps = append(gaps, [2]float64{cur, c.StartMS})
		}
		cur = max(cur, min(c.EndMS, n.EndMS))
	}
	if !timed {
		return nil
	}
	if n.EndMS-cur >= minGap {
		gaps = append(gaps, [2]float64{cur, n.EndMS})
	}
	return gaps
}

// spanCritical marks the critical path with the usual backward walk (as
// Jaeger does): from the end of a span, take the child that finished last
// before the cursor (children clipped to the span), recurse into it, move
// the cursor to that child's start and repeat. Children that ran one after
// another are all on the path; a child still running when the next one
// on the path started did not hold it up and is not.
func spanCritical(t *SpanTree, root *SpanNode) {
	if !root.HasTime {
		root.Critical = true
		t.CriticalPath = []string{root.SpanID}
		return
	}
	const jitter = 0.1 // ms: clock noise between a span's end and the next one's start
	root.Critical, root.critStart, root.critEnd = true, root.StartMS, root.EndMS
	stack := []*SpanNode{root}
	var byEnd []*SpanNode
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		byEnd = byEnd[:0]
		for _, c := range n.Children {
			if c.HasTime && c.EndMS > c.StartMS { // instants (marks, paints) do no work
				byEnd = append(byEnd, c)
			}
		}
		end := func(c *SpanNode) float64 { return min(c.EndMS, n.critEnd) }
		slices.SortStableFunc(byEnd, func(a, b *SpanNode) int {
			switch ea, eb := end(a), end(b); {
			case ea > eb:
				return -1
			case ea < eb:
				return 1
			}
			return spanByStart(a, b)
		})
		cursor := n.critEnd
		for _, c := range byEnd {
			if cursor <= n.critStart || end(c) <= n.critStart {
				break
			}
			if end(c) > cursor+jitter || c.StartMS >= cursor {
				continue
			}
			c.Critical = true
			c.critStart, c.critEnd = max(c.StartMS, n.critStart), min(end(c), cursor)
			if n == root {
				t.CriticalMS += c.critEnd - c.critStart
			}
			stack = append(stack, c)
			cursor = c.StartMS
		}
	}
	t.CriticalMS = spanRoundMS(t.CriticalMS)
	// Path ids in tree order (pre-order, children by start).
	walk := []*SpanNode{root}
	for len(walk) > 0 {
		n := walk[len(walk)-1]
		walk = walk[:len(walk)-1]
		t.CriticalPath = append(t.CriticalPath, n.SpanID)
		switch {
		case n.ServiceBoundary:
			t.critServices++
		case n != root:
			t.critSpans++
		}
		for i := len(n.Children) - 1; i >= 0; i-- {
			if n.Children[i].Critical {
				walk = append(walk, n.Children[i])
			}
		}
	}
}

// --- attributes -----------------------------------------------------------

// spanScalar reads a JSON scalar as text: strings unquoted, numbers and
// booleans as written; objects, arrays and null are not scalars.
func spanScalar(v []byte) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "", false
	}
	switch v[0] {
	case '"':
		var s string
		if wire.Decode(v, &s) != nil || s == "" {
			return "", false
		}
		return s, true
	case '{', '[', 'n':
		return "", false
	}
	return string(v), true
}

// spanSetAttrs picks the attributes that matter from a span's data and
// tags, in a fixed order, leaving out what the description already says.
func spanSetAttrs(n *SpanNode, look func(string) (string, bool)) {
	first := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := look(k); ok {
				return v
			}
		}
		return ""
	}
	desc := n.Description
	add := func(k, v string) {
		if v != "" {
			n.Attrs = append(n.Attrs, SpanAttr{k, v})
		}
	}
	if n.Status != "" && n.Status != "ok" {
		add("status", n.Status)
	}
	if m := first("http.request.method", "http.method", "method"); m != "" && !strings.HasPrefix(strings.ToUpper(desc), strings.ToUpper(m)+" ") {
		add("method", m)
	}
	if s := first("http.response.status_code", "http.status_code", "status_code"); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 100 && f < 1000 {
			n.HTTPStatus = int(f)
			add("http.status", strconv.Itoa(n.HTTPStatus))
		}
	}
	add("db", first("db.system", "db.system.name"))
	if op := first("db.operation", "db.operation.name"); op != "" && !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(desc)), strings.ToUpper(op)) {
		add("db.operation", op)
	}
	server := first("server.address", "net.peer.name")
	if server == "" {
		if u := first("url.full", "url", "http.url"); u != "" {
			if pu, err := url.Parse(u); err == nil {
				server = pu.Hostname()
			}
		}
	}
	if server != "" && !strings.Contains(desc, server) {
		add("server", server)
	}
	add("cache.hit", first("cache.hit"))
	add("messaging", first("messaging.system"))
	add("queue", first("messaging.destination.name"))
	rpc := first("rpc.system")
	if svc := first("rpc.service"); svc != "" {
		rpc = strings.TrimPrefix(rpc+"/"+svc, "/")
		if m := first("rpc.method"); m != "" {
			rpc += "/" + m
		}
	}
	add("rpc", rpc)
	n.thread = first("thread.name")
	n.Failed = (n.Status != "" && n.Status != "ok") || n.HTTPStatus >= 500
}

// --- similarity -------------------------------------------------------------

var (
	spanQuoted = regexp.MustCompile(`'(?:[^']|'')*'`)
	spanUUID   = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	spanList   = regexp.MustCompile(`\?(?:\s*,\s*\?)+`)
)

// spanNormalize replaces what varies between repetitions of one statement
// or call (numbers, quoted literals, UUIDs, hex and random ids) with ?, so
// `WHERE sku = 'A1'` and `WHERE sku = 'B2'` compare equal.
func spanNormalize(s string) string {
	s = spanQuoted.ReplaceAllString(s, "?")
	s = spanUUID.ReplaceAllString(s, "?")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if !spanWordByte(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && spanWordByte(s[j]) {
			j++
		}
		if spanVolatile(s[i:j]) {
			b.WriteByte('?')
			// A decimal (3.14) is one value.
			if k := j + 1; k < len(s) && s[j] == '.' && s[k] >= '0' && s[k] <= '9' && spanDigits(s[i:j]) {
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					k++
				}
				j = k
			}
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return spanList.ReplaceAllString(b.String(), "?")
}

func spanDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

func spanWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// spanVolatile reports tokens that look like values rather than names:
// numbers, hex ids, and random mixed ids ("7Hq2vKx9").
func spanVolatile(tok string) bool {
	digits, hex := 0, true
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c >= '0' && c <= '9' {
			digits++
		} else if !(c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			hex = false
		}
	}
	switch {
	case digits == 0:
		return false
	case digits == len(tok):
		return true
	case hex && len(tok) >= 6:
		return true
	}
	return len(tok) >= 6 && digits >= 2
}

// spanKey is what two sibling spans must share to be grouped: op,
// normalised description, failure and placement note.
func spanKey(n *SpanNode) string {
	return fmt.Sprintf("%s\x00%s\x00%t\x00%d\x00%s", n.Op, spanNormalize(n.Description), n.Failed, n.noteKind, n.Project)
}

// --- visible lines ------------------------------------------------------------

// spanLine is one visible line: a span, a group of similar spans, or a gap.
type spanLine struct {
	kind     WaterfallKind
	members  []*SpanNode // the spans (one for a span line; the parent for a gap)
	parent   *spanLine
	children []*spanLine
	depth    int
	idx      int // pre-order position

	start, end float64
	hasTime    bool
	total      float64
	self       float64
	critical   bool
	failed     bool
	spans      int // spans represented, subtrees included
	maxPar     int
	reps       int // repetitions of a loop

	// budget ordering: effective (subtree-max) tier and weight
	tier   int
	weight float64
}

// visibleLines builds (once, from finish) the lines of the full tree in
// pre-order:
// consecutive siblings with the same signature collapse into one group
// line, a run of siblings repeating a short sequence (SELECT, UPDATE,
// SELECT, UPDATE, …) into one loop line over one line per step, and the
// children of a group are the groups of its members' children, position by
// position.
func (t *SpanTree) visibleLines() []*spanLine {
	if t.lines != nil || t.Root == nil {
		return t.lines
	}
	root := spanNewLine([]*SpanNode{t.Root}, nil)
	work := []*spanLine{root}
	for len(work) > 0 {
		l := work[len(work)-1]
		work = work[:len(work)-1]
		if l.kind == WaterfallGap || l.kind == WaterfallLoop {
			continue // gaps have no children; a loop's were made with it
		}
		items := spanItems(l.members[0])
		for _, m := range l.members[1:] {
			mi := spanItems(m)
			if len(mi) != len(items) {
				continue // cannot happen unless signatures collide
			}
			for i := range items {
				if len(mi[i].cols) != len(items[i].cols) {
					continue
				}
				for k := range items[i].cols {
					items[i].cols[k] = append(items[i].cols[k], mi[i].cols[k]...)
				}
			}
		}
		kids := make([]*spanLine, 0, len(items)+2)
		for _, it := range items {
			if it.reps == 0 {
				kids = append(kids, spanNewLine(it.cols[0], l))
				continue
			}
			var all []*SpanNode
			for _, c := range it.cols {
				all = append(all, c...)
			}
			loop := spanNewLine(all, l)
			loop.kind, loop.reps = WaterfallLoop, it.reps
			for _, c := range it.cols {
				step := spanNewLine(c, loop)
				loop.children = append(loop.children, step)
				work = append(work, step)
			}
			kids = append(kids, loop)
		}
		if len(l.members) == 1 {
			for _, g := range spanGaps(l.members[0]) {
				gl := &spanLine{kind: WaterfallGap, members: l.members, parent: l, depth: l.depth + 1,
					start: g[0], end: g[1], hasTime: true, total: spanRoundMS(g[1] - g[0]), maxPar: 1}
				p := l.members[0]
				gl.critical = p.Critical && g[0] < p.critEnd && g[1] > p.critStart
				at := len(kids)
				for j, k := range kids {
					if !k.hasTime || k.start >= g[1] {
						at = j
						break
					}
				}
				kids = slices.Insert(kids, at, gl)
			}
		}
		l.children = kids
		for i := len(kids) - 1; i >= 0; i-- {
			work = append(work, kids[i])
		}
	}
	// Pre-order list.
	var out []*spanLine
	walk := []*spanLine{root}
	for len(walk) > 0 {
		l := walk[len(walk)-1]
		walk = walk[:len(walk)-1]
		l.idx = len(out)
		out = append(out, l)
		for i := len(l.children) - 1; i >= 0; i-- {
			walk = append(walk, l.children[i])
		}
	}
	t.lines = out
	return out
}

// spanItem is a run of similar consecutive children (reps 0, one column),
// or a loop: a sequence of runs repeated reps times, one column per step
// holding that step's spans from every repetition.
type spanItem struct {
	reps int
	cols [][]*SpanNode
}

// Loops: the shortest period that repeats at least this many times.
const (
	spanLoopMaxPeriod = 4
	spanLoopMinReps   = 3
)

// spanItems splits n's children into runs of consecutive similar spans and
// finds loops among the runs. It depends only on the children's
// signatures, so similar spans split the same way.
func spanItems(n *SpanNode) []spanItem {
	var runs [][]*SpanNode
	for i := 0; i < len(n.Children); {
		j := i + 1
		for j < len(n.Children) && n.Children[j].sig == n.Children[i].sig {
			j++
		}
		runs = append(runs, n.Children[i:j:j])
		i = j
	}
	var items []spanItem
	for i := 0; i < len(runs); {
		best, bestReps := 0, 0
		for p := 2; p <= spanLoopMaxPeriod && i+p*spanLoopMinReps <= len(runs); p++ {
			j := i
			for j+p < len(runs) && runs[j+p][0].sig == runs[j][0].sig {
				j++
			}
			if reps := (j - i + p) / p; reps >= spanLoopMinReps {
				best, bestReps = p, reps
				break
			}
		}
		if best == 0 {
			items = append(items, spanItem{cols: [][]*SpanNode{runs[i]}})
			i++
			continue
		}
		it := spanItem{reps: bestReps, cols: make([][]*SpanNode, best)}
		for r := 0; r < bestReps; r++ {
			for k := 0; k < best; k++ {
				it.cols[k] = append(it.cols[k], runs[i+r*best+k]...)
			}
		}
		items = append(items, it)
		i += best * bestReps
	}
	return items
}

func spanNewLine(ms []*SpanNode, parent *spanLine) *spanLine {
	l := &spanLine{kind: WaterfallSpan, members: ms, parent: parent}
	if parent != nil {
		l.depth = parent.depth + 1
	}
	if len(ms) > 1 {
		l.kind = WaterfallGroup
	}
	type ev struct {
		at    float64
		delta int
	}
	var evs []ev
	for _, m := range ms {
		l.spans += m.size
		l.critical = l.critical || m.Critical
		l.failed = l.failed || m.Failed
		l.self += m.SelfMS
		if !m.HasTime {
			continue
		}
		if !l.hasTime {
			l.start, l.end, l.hasTime = m.StartMS, m.EndMS, true
		}
		l.start, l.end = min(l.start, m.StartMS), max(l.end, m.EndMS)
		l.total += m.DurationMS()
		evs = append(evs, ev{m.StartMS, 1}, ev{m.EndMS, -1})
	}
	l.total, l.self = spanRoundMS(l.total), spanRoundMS(l.self)
	// Most members running at once (ends before starts at the same time).
	slices.SortFunc(evs, func(a, b ev) int {
		if a.at != b.at {
			if a.at < b.at {
				return -1
			}
			return 1
		}
		return a.delta - b.delta
	})
	cur := 0
	l.maxPar = 1
	for _, e := range evs {
		cur += e.delta
		l.maxPar = max(l.maxPar, cur)
	}
	return l
}

// spanWall is the time during which at least one member ran.
func spanWall(ms []*SpanNode) float64 {
	var iv [][2]float64
	for _, m := range ms {
		if m.HasTime {
			iv = append(iv, [2]float64{m.StartMS, m.EndMS})
		}
	}
	slices.SortFunc(iv, func(a, b [2]float64) int {
		if a[0] < b[0] {
			return -1
		} else if a[0] > b[0] {
			return 1
		}
		return 0
	})
	wall, cur := 0.0, math.Inf(-1)
	for _, v := range iv {
		s := max(v[0], cur)
		if v[1] > s {
			wall += v[1] - s
			cur = v[1]
		}
	}
	return wall
}

// --- text ------------------------------------------------------------------------

// spanLabel is "op - description" (or whichever of the two exists).
func spanLabel(op, desc string) string {
	switch {
	case op != "" && desc != "":
		return op + " - " + desc
	case op != "":
		return op
	case desc != "":
		return desc
	}
	return "(unnamed span)"
}

// lineDesc is the description a line shows: the span's own, or for a group
// whose members differ, the normalised form they share.
func (l *spanLine) desc() string {
	d := l.members[0].Description
	for _, m := range l.members[1:] {
		if m.Description != d {
			return spanNormalize(d)
		}
	}
	return d
}

// shared is the attributes every member has.
func (l *spanLine) shared() []SpanAttr {
	var out []SpanAttr
	for _, a := range l.members[0].Attrs {
		same := true
		for _, m := range l.members[1:] {
			if !slices.Contains(m.Attrs, a) {
				same = false
				break
			}
		}
		if same {
			out = append(out, a)
		}
	}
	return out
}

// attrs are the attributes shared by every member, as sanitised
// key=value text; a loop's steps leave out what the loop line shows.
func (l *spanLine) attrs() string {
	var parts []string
	var above []SpanAttr
	if l.parent != nil && l.parent.kind == WaterfallLoop {
		above = l.parent.shared()
	}
	for _, a := range l.shared() {
		if !slices.Contains(above, a) {
			parts = append(parts, redact.Line(a.Key)+"="+oneLine(a.Value, 48))
		}
	}
	return strings.Join(parts, " ")
}

func (l *spanLine) note() string {
	m := l.members[0]
	if m.Note == "" || l.kind == WaterfallLoop {
		return ""
	}
	for _, o := range l.members[1:] {
		if o.Note != m.Note { // same kind (it is in the key), other ids
			switch m.noteKind {
			case spanNoteMissingParent:
				return "parents not in this transaction"
			case spanNoteLoop:
				return "parent chains loop; cut here"
			case spanNoteService:
				return "service boundaries: " + oneLine(m.Project, 40)
			}
			break
		}
	}
	return redact.Line(m.Note)
}

// body is the line's text after the tree prefix.
func (l *spanLine) body(descWidth int) string {
	var b strings.Builder
	if l.kind == WaterfallGap {
		b.WriteString("· gap " + FormatDuration(l.total) + " (no child span)")
		return b.String()
	}
	m := l.members[0]
	if l.failed {
		b.WriteString("✗ ")
	}
	if l.kind == WaterfallLoop {
		fmt.Fprintf(&b, "loop of %d steps, repeated %d times (%s total", len(l.children), l.reps, FormatDuration(l.total))
		if l.hasTime {
			b.WriteString(l.concurrency(true))
		}
		b.WriteString(")")
		if a := l.attrs(); a != "" {
			b.WriteString(" " + a)
		}
		return b.String()
	}
	if m.Op != "" {
		b.WriteString(oneLine(m.Op, 40))
	}
	if d := l.desc(); d != "" || m.Op == "" {
		if m.Op != "" {
			b.WriteString(" - ")
		}
		b.WriteString(oneLine(spanOr(d, "(unnamed span)"), descWidth))
	}
	b.WriteString(" (")
	switch {
	case l.kind == WaterfallGroup:
		n := len(l.members)
		fmt.Fprintf(&b, "repeated %d times, %s total", n, FormatDuration(l.total))
		if l.hasTime {
			if inLoop := l.parent != nil && l.parent.kind == WaterfallLoop; !inLoop || l.parent.maxPar > 1 {
				b.WriteString(l.concurrency(!inLoop))
			}
			lo, hi := math.Inf(1), 0.0
			for _, x := range l.members {
				if x.HasTime {
					lo, hi = min(lo, x.DurationMS()), max(hi, x.DurationMS())
				}
			}
			if FormatDuration(lo) == FormatDuration(hi) {
				fmt.Fprintf(&b, ", %s each", FormatDuration(lo))
			} else {
				fmt.Fprintf(&b, ", %s–%s each", FormatDuration(lo), FormatDuration(hi))
			}
			if k := spanCountCritical(l.members); k > 0 && k < n {
				fmt.Fprintf(&b, ", %d on the critical path", k)
			}
		}
	case !l.hasTime:
		b.WriteString("duration unknown")
	default:
		b.WriteString(FormatDuration(l.total))
		if len(m.Children) > 0 {
			b.WriteString(", self " + FormatDuration(l.self))
		}
	}
	b.WriteString(")")
	if a := l.attrs(); a != "" {
		b.WriteString(" " + a)
	}
	if len(m.Errors) > 0 && len(l.members) == 1 {
		errs := m.Errors
		more := ""
		if len(errs) > 3 {
			errs, more = errs[:3], fmt.Sprintf(" +%d more", len(m.Errors)-3)
		}
		b.WriteString(" errors=" + redact.Line(strings.Join(errs, ",")) + more)
	}
	if nt := l.note(); nt != "" {
		b.WriteString(" [" + nt + "]")
	}
	return b.String()
}

// concurrency says how a group's or loop's spans ran: one after another
// (with an N+1 hint for repeated queries and calls), or how many at once.
func (l *spanLine) concurrency(hint bool) string {
	n := len(l.members)
	if l.kind == WaterfallLoop {
		n = l.reps
	}
	switch {
	case l.maxPar <= 1:
		if hint && n >= spanNPlusOneMin && spanAllQueries(l.members) {
			return ", sequential — likely N+1"
		}
		return ", sequential"
	case l.maxPar >= len(l.members):
		return ", all in parallel over " + FormatDuration(spanWall(l.members))
	}
	return fmt.Sprintf(", up to %d in parallel over %s", l.maxPar, FormatDuration(spanWall(l.members)))
}

// spanAllQueries reports whether every span is a database query or an
// outgoing HTTP call, the spans an N+1 repeats.
func spanAllQueries(ms []*SpanNode) bool {
	for _, m := range ms {
		if !(m.Op == "db" || strings.HasPrefix(m.Op, "db.") || m.Op == "http.client") {
			return false
		}
	}
	return true
}

func spanCountCritical(ms []*SpanNode) int {
	k := 0
	for _, m := range ms {
		if m.Critical {
			k++
		}
	}
	return k
}

// lead is the marker and offset columns before the tree prefix.
func (l *spanLine) lead() string {
	mark := " "
	if l.critical {
		mark = "◆"
	}
	off := "?"
	switch {
	case !l.hasTime:
	case l.start < 0: // started before the transaction (clock skew)
		off = "-" + FormatDuration(-l.start)
	default:
		off = "+" + FormatDuration(l.start)
	}
	return fmt.Sprintf("%s %7s ", mark, off)
}

const spanLeadBlank = "          " // width of lead() for lines with no offset

// header is the first lines of the text: what the transaction is, its
// size and critical path, the legend, and notes on the data.
func (t *SpanTree) header(lines []*spanLine, descWidth int) []string {
	root := t.Root
	var b strings.Builder
	b.WriteString("Spans of " + oneLine(spanLabel(t.Op, t.Name), descWidth))
	if root.HasTime {
		b.WriteString(" (" + FormatDuration(t.DurationMS) + ")")
	} else {
		b.WriteString(" (duration unknown)")
	}
	if t.Project != "" {
		b.WriteString(" [" + oneLine(t.Project, 40) + "]")
	}
	if t.EventID != "" {
		b.WriteString(" id=" + redact.Line(ShortID(t.EventID)))
	}
	if t.SpanCount == 0 {
		b.WriteString(": no spans recorded")
	} else {
		fmt.Fprintf(&b, ": %s", plural(t.SpanCount, "span"))
		if root.HasTime {
			fmt.Fprintf(&b, ", critical path %s through %s", FormatDuration(t.CriticalMS), plural(t.critSpans, "span"))
			if t.critServices > 0 {
				fmt.Fprintf(&b, " and %s", plural(t.critServices, "child service"))
			}
		}
	}
	out := []string{b.String()}
	if hot := spanHotLine(lines); hot != "" {
		out = append(out, hot)
	}

	var legend []string
	if slices.ContainsFunc(lines, func(l *spanLine) bool { return l.critical }) {
		legend = append(legend, "◆ critical path (what bounded the latency)")
	}
	if slices.ContainsFunc(lines, func(l *spanLine) bool { return l.failed }) {
		legend = append(legend, "✗ failed")
	}
	legend = append(legend, "+offset from the transaction start")
	out = append(out, strings.Join(legend, " · "))

	var notes []string
	if t.DerivedTimes {
		notes = append(notes, "the transaction's start and end are missing; taken from its spans")
	}
	if t.Orphans > 0 {
		notes = append(notes, fmt.Sprintf("%s without their parent in this transaction hang under the root", plural(t.Orphans, "span")))
	}
	if t.Looped > 0 {
		notes = append(notes, fmt.Sprintf("%s in a parent loop hang under the root", plural(t.Looped, "span")))
	}
	if t.Duplicates > 0 {
		notes = append(notes, fmt.Sprintf("%s with an already seen id left out", plural(t.Duplicates, "span")))
	}
	if t.Untimed > 0 {
		notes = append(notes, fmt.Sprintf("%s without valid timestamps", plural(t.Untimed, "span")))
	}
	if t.SpanCount == 0 && !t.FromTrace {
		notes = append(notes, "the event carries no spans: the SDK recorded none, or Sentry keeps them only as trace data (EAP)")
	}
	if t.FromTrace {
		notes = append(notes, "built from trace data: no span attributes; child services are leaves")
	}
	if len(notes) > 0 {
		out = append(out, "note: "+strings.Join(notes, "; "))
	}
	return out
}

// critTime is the time a line holds on the critical path.
func (l *spanLine) critTime() float64 {
	if l.kind == WaterfallGap {
		if l.critical {
			return l.total
		}
		return 0
	}
	t := 0.0
	for _, m := range l.members {
		if m.Critical {
			t += m.critEnd - m.critStart
		}
	}
	return t
}

// spanHotLine names where most of the latency went: the deepest line on
// the critical path that holds at least half of the transaction (a loop
// is named as a whole), or "" when no line does.
func spanHotLine(lines []*spanLine) string {
	if len(lines) == 0 || !lines[0].hasTime || lines[0].total <= 0 {
		return ""
	}
	cur := lines[0]
	for cur.kind != WaterfallLoop {
		var best *spanLine
		for _, c := range cur.children {
			if c.critical && (best == nil || c.critTime() > best.critTime()) {
				best = c
			}
		}
		if best == nil || best.critTime() < lines[0].total/2 {
			break
		}
		cur = best
	}
	if cur == lines[0] {
		return ""
	}
	var what string
	switch m := cur.members[0]; cur.kind {
	case WaterfallGap:
		what = "time without a child span inside " + oneLine(spanLabel(m.Op, m.Description), 60)
	case WaterfallLoop:
		what = fmt.Sprintf("a loop of %d steps repeated %d times", len(cur.children), cur.reps)
	case WaterfallGroup:
		what = oneLine(spanLabel(m.Op, cur.desc()), 80) + fmt.Sprintf(", repeated %d times", len(cur.members))
	default:
		if m.ServiceBoundary {
			what = "the child service " + oneLine(spanOr(m.Project, "?"), 40) + ", "
		}
		what += oneLine(spanLabel(m.Op, m.Description), 80)
	}
	ct := cur.critTime()
	return fmt.Sprintf("most of the time: %s (%s, %d%% of the transaction)", what, FormatDuration(spanRoundMS(ct)), int(math.Round(100*ct/lines[0].total)))
}

// Text renders the span tree for a person and a model alike: a header
// (transaction, span count, critical path), then one line per span or
// group of repeated spans with its offset from the transaction start, its
// duration and self time, its status when not ok and the attributes that
// matter, critical-path spans marked ◆, failed ones ✗, and uncovered gaps.
// With opts.Budget > 0 the text fits that many tokens: the header, the
// critical path, failed spans and groups are kept first, the least
// important lines are dropped and the text says what was left out.
func (t *SpanTree) Text(opts SpanOptions) string {
	if t.Root == nil {
		return spanFit("Spans: no transaction to show\n", opts.Budget)
	}
	w := opts.DescWidth
	if w <= 0 {
		w = spanDefaultDescWidth
	}
	w = max(w, 16)
	lines := t.visibleLines()
	head := strings.Join(t.header(lines, w), "\n") + "\n"
	bodies := make([]string, len(lines)) // made when first needed
	body := func(l *spanLine) string {
		if bodies[l.idx] == "" {
			bodies[l.idx] = l.body(w)
		}
		return bodies[l.idx]
	}
	if opts.Budget <= 0 {
		return head + spanRender(lines, body, nil)
	}
	budget := opts.Budget
	headTokens := CountTokens(head)
	if headTokens > budget { // the first line alone, or what fits of it
		first := head[:strings.IndexByte(head, '\n')+1]
		return spanFit(first, budget)
	}
	const minLineTokens = 5 // no line is shorter: "◆ +1ms ├─ op (1ms)"
	if headTokens+minLineTokens*len(lines) <= budget {
		if all := head + spanRender(lines, body, nil); CountTokens(all) <= budget {
			return all
		}
	}

	// Add lines from the most important down while they fit, estimating
	// the elision lines and the footer they will need. Parents always come
	// before their children in this order, so what is kept is a connected
	// tree.
	order := slices.Clone(lines)
	slices.SortStableFunc(order, func(a, b *spanLine) int {
		switch {
		case a.tier != b.tier:
			return b.tier - a.tier
		case a.weight != b.weight:
			if a.weight > b.weight {
				return -1
			}
			return 1
		case a.depth != b.depth:
			return a.depth - b.depth
		}
		return a.idx - b.idx
	})
	kept := make([]bool, len(lines))
	keptKids := make([]int, len(lines))
	const footerReserve = 24
	used := CountTokens(head) + footerReserve
	reserve := map[int]int{} // elision line reserved per kept parent with missing children
	n := 0                   // order[:n] are kept
	for ; n < len(order); n++ {
		l := order[n]
		prefix := spanPrefix(l)
		cost := CountTokens(l.lead() + prefix + body(l) + "\n")
		res := 0
		if len(l.children) > 0 {
			res = CountTokens(spanLeadBlank+prefix+"   └─ … 999 more spans (999ms) and 9 gaps not shown\n") + 1
		}
		refund := 0
		if p := l.parent; p != nil && keptKids[p.idx]+1 == len(p.children) {
			refund = reserve[p.idx]
		}
		if used+cost+res-refund > budget {
			break
		}
		used += cost + res - refund
		kept[l.idx] = true
		if res > 0 {
			reserve[l.idx] = res
		}
		if p := l.parent; p != nil {
			keptKids[p.idx]++
			if refund > 0 {
				delete(reserve, p.idx)
			}
		}
	}
	render := func() string {
		out := head + spanRender(lines, body, kept)
		if n < len(lines) {
			out += spanFooter(lines, kept, budget)
		}
		return out
	}
	// The estimate may be off either way: drop the last lines while the
	// text is too long, or add the next ones (a few tries) while it fits.
	out := render()
	if CountTokens(out) > budget {
		for n > 0 && CountTokens(out) > budget {
			n--
			kept[order[n].idx] = false
			out = render()
		}
		if CountTokens(out) > budget {
			return head // fits: checked above
		}
		return out
	}
	for tries := 0; tries < 16 && n < len(order); tries++ {
		kept[order[n].idx] = true
		n++
		next := render()
		if CountTokens(next) > budget {
			n--
			kept[order[n].idx] = false
			break
		}
		out = next
	}
	return out
}

// spanFooter says how much the budget left out.
func spanFooter(lines []*spanLine, kept []bool, budget int) string {
	spans := 0
	for i, l := range lines {
		if l.kind != WaterfallGap && !kept[i] && (l.parent == nil || kept[l.parent.idx]) {
			spans += l.spans
		}
	}
	return fmt.Sprintf("(%s of this transaction not shown to fit %d tokens)\n", plural(spans, "span"), budget)
}

// spanFit cuts s to at most budget tokens (for budgets too small for even
// the header).
func spanFit(s string, budget int) string {
	if budget <= 0 || CountTokens(s) <= budget {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi { // longest prefix (plus …) that fits
		mid := (lo + hi + 1) / 2
		if CountTokens(string(r[:mid])+"…") <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return ""
	}
	return string(r[:lo]) + "…"
}

// spanRank sets each line's tier and weight: its own importance or that of
// anything below it, whichever is higher (so parents outrank children).
// Tiers: 4 the transaction, 3 failed spans and spans with errors, 2 the
// critical path, 1 repeated groups and gaps, 0 the rest; weight is the
// duration.
func spanRank(lines []*spanLine) {
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		switch {
		case l.parent == nil:
			l.tier = 4
		case l.failed || (l.kind != WaterfallGap && len(l.members[0].Errors) > 0):
			l.tier = 3
		case l.critical:
			l.tier = 2
		case l.kind != WaterfallSpan:
			l.tier = 1
		}
		l.weight = l.total
		for _, c := range l.children {
			if c.tier > l.tier || c.tier == l.tier && c.weight > l.weight {
				l.tier, l.weight = c.tier, c.weight
			}
		}
	}
}

// spanPrefix is the line's tree prefix in the full tree (for estimating
// its cost; the rendered prefix depends on which siblings are kept).
func spanPrefix(l *spanLine) string {
	if l.parent == nil {
		return ""
	}
	last := func(x *spanLine) bool { return x.parent.children[len(x.parent.children)-1] == x }
	var cols []string
	for a := l.parent; a.parent != nil; a = a.parent {
		if a.depth > spanMaxIndent {
			continue
		}
		if last(a) {
			cols = append(cols, "   ")
		} else {
			cols = append(cols, "│  ")
		}
	}
	slices.Reverse(cols)
	if last(l) {
		return strings.Join(cols, "") + "└─ "
	}
	return strings.Join(cols, "") + "├─ "
}

// spanWalk visits the kept lines in pre-order with their tree prefix
// (columns and connector); after the kept children of a line with dropped
// children it visits an elision (l == nil) with its text.
func spanWalk(lines []*spanLine, kept []bool, visit func(l *spanLine, prefix, elision string)) {
	type frame struct {
		l      *spanLine
		cols   string // columns of the ancestors below the root
		last   bool
		elided string
		levels int // levels deeper than spanMaxIndent not drawn
	}
	connector := func(f frame) string {
		if f.l == nil && f.elided == "" {
			return ""
		}
		if f.last {
			return f.cols + "└─ "
		}
		return f.cols + "├─ "
	}
	if len(lines) == 0 || !kept[0] {
		return
	}
	stack := []frame{{l: lines[0]}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.l == nil {
			visit(nil, connector(f), f.elided)
			continue
		}
		prefix := ""
		if f.l.parent != nil {
			prefix = connector(f)
		}
		visit(f.l, prefix, "")
		// Children: kept ones, then an elision for the dropped ones.
		var kids []*spanLine
		dropped, dropMS, gaps := 0, 0.0, 0
		for _, c := range f.l.children {
			if kept[c.idx] {
				kids = append(kids, c)
			} else if c.kind == WaterfallGap {
				gaps++
			} else {
				dropped += c.spans
				dropMS += c.total
			}
		}
		elision := ""
		switch {
		case dropped > 0 && gaps > 0:
			elision = fmt.Sprintf("… %s (%s) and %s not shown", plural(dropped, "more span"), FormatDuration(spanRoundMS(dropMS)), plural(gaps, "gap"))
		case dropped > 0:
			elision = fmt.Sprintf("… %s (%s) not shown", plural(dropped, "more span"), FormatDuration(spanRoundMS(dropMS)))
		case gaps > 0:
			elision = fmt.Sprintf("… %s not shown", plural(gaps, "gap"))
		}
		cols := f.cols
		if f.l.parent != nil {
			switch {
			case f.l.depth > spanMaxIndent:
				// Too deep to draw: keep the columns as they are.
			case f.last:
				cols += "   "
			default:
				cols += "│  "
			}
		}
		if elision != "" {
			stack = append(stack, frame{cols: cols, last: true, elided: elision})
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, frame{l: kids[i], cols: cols, last: i == len(kids)-1 && elision == ""})
		}
	}
}

// spanRender writes the kept lines (all when kept is nil).
func spanRender(lines []*spanLine, body func(*spanLine) string, kept []bool) string {
	if kept == nil {
		kept = make([]bool, len(lines))
		for i := range kept {
			kept[i] = true
		}
	}
	var b strings.Builder
	spanWalk(lines, kept, func(l *spanLine, prefix, elision string) {
		if l == nil {
			b.WriteString(spanLeadBlank + prefix + elision + "\n")
			return
		}
		if l.depth > spanMaxIndent {
			prefix = strings.TrimSuffix(prefix, "├─ ")
			prefix = strings.TrimSuffix(prefix, "└─ ")
			prefix += fmt.Sprintf("┄(depth %d) ", l.depth)
		}
		b.WriteString(l.lead() + prefix + body(l) + "\n")
	})
	return b.String()
}

// Waterfall returns one row per visible line of the tree, in the order and
// with the grouping of Text (without a budget), for the UI to draw bars on
// the transaction's time axis.
func (t *SpanTree) Waterfall() []WaterfallRow {
	lines := t.visibleLines()
	rows := make([]WaterfallRow, len(lines))
	for i, l := range lines {
		m := l.members[0]
		r := WaterfallRow{
			Kind: l.kind, Depth: l.depth, SpanID: redact.Line(m.SpanID),
			StartMS: l.start, EndMS: l.end, HasTime: l.hasTime,
			Critical: l.critical, Repeat: 1, TotalMS: l.total, MaxParallel: l.maxPar,
		}
		if l.kind == WaterfallGap {
			r.Label, r.SelfMS = "gap (no child span)", l.total
		} else {
			r.Label = Truncate(redact.Line(spanLabel(m.Op, l.desc())), spanLabelMax)
			r.Op = redact.Line(m.Op)
			r.SelfMS = l.self
			r.Status = redact.Line(m.Status)
			r.HTTPStatus = m.HTTPStatus
			r.Failed = l.failed
			r.Repeat = len(l.members)
			if l.kind == WaterfallLoop {
				r.Repeat = l.reps
				r.Label = fmt.Sprintf("loop of %d steps", len(l.children))
				r.Op = ""
			}
			r.Attrs = l.attrs()
			r.Note = l.note()
			r.ServiceBoundary = m.ServiceBoundary
		}
		rows[i] = r
	}
	return rows
}
