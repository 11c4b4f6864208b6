// Building the span tree: from a transaction event or a /trace/ subtree, linking parents, ordering, and span attributes.

package tracetree

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"
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
