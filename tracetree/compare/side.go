package compare

import (
	"cmp"
	"slices"

	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree"
)

// span is one span of a side during the comparison: the compared
// transaction, its spans and the spans of the services it called.
type span struct {
	key                   string
	project, op, desc     string
	status                string
	spanID, transactionID string // transactionID: set on a transaction's own span
	start, dur            float64
	timed                 bool
	errors                []string // errors and performance issues in this span: "SHORT-ID title"
	attrs                 map[string]string
	children              []*span
	order                 int // input position, for stable ordering
}

// buildSide turns the transaction root (and every transaction below it)
// into one span tree, times relative to root's start.
func buildSide(root *tracetree.Node, attrs map[string]map[string]string) *span {
	b := sideBuilder{bySpan: map[string]*span{}, attrs: attrs, t0: float64(root.Start)}
	top := b.txn(root, nil)
	b.sortAll(top)
	return top
}

type sideBuilder struct {
	bySpan map[string]*span
	attrs  map[string]map[string]string
	t0     float64
	n      int
}

func (b *sideBuilder) newSpan(project, op, desc, status, spanID string, start, end wire.Timestamp) *span {
	b.n++
	s := &span{project: project, op: op, desc: desc, status: status, spanID: spanID, order: b.n}
	if start > 0 && end >= start {
		s.start, s.dur, s.timed = (float64(start)-b.t0)*1000, (float64(end)-float64(start))*1000, true
	}
	s.key = project + "\x00" + op + "\x00" + Normalize(desc)
	if spanID != "" {
		s.attrs = b.attrs[spanID]
		b.bySpan[spanID] = s
	}
	return s
}

// txn adds a transaction node with its own spans, its errors and the
// transactions below it, under parent (nil for the root).
func (b *sideBuilder) txn(n *tracetree.Node, parent *span) *span {
	t := b.newSpan(n.Project, n.Op, n.Name, n.Status, n.SpanID, n.Start, n.End)
	if !t.timed && n.DurationMS > 0 && n.Start > 0 {
		t.start, t.dur, t.timed = (float64(n.Start)-b.t0)*1000, n.DurationMS, true
	}
	t.transactionID = n.ID
	if parent != nil {
		parent.children = append(parent.children, t)
	}
	// The transaction's own spans; a span whose parent is not found hangs
	// under the transaction.
	var own []*wire.TraceItem
	for _, it := range n.Spans {
		if itemSpanID(it) == n.SpanID {
			continue
		}
		own = append(own, it)
	}
	made := make([]*span, len(own))
	for i, it := range own {
		made[i] = b.newSpan(cmp.Or(it.ProjectSlug, n.Project), it.Op, cmp.Or(it.Description, it.Name), it.Status, itemSpanID(it), it.StartTimestamp, it.EndTimestamp)
	}
	for i, it := range own {
		p := b.bySpan[it.ParentSpanID]
		if p == nil || p == made[i] {
			p = t
		}
		p.children = append(p.children, made[i])
	}
	for _, c := range n.Children {
		switch c.Kind {
		case tracetree.KindTransaction:
			p := b.parentOf(c, t)
			b.txn(c, p)
		default:
			p := b.bySpan[c.SpanID]
			if p == nil {
				p = t
			}
			p.errors = append(p.errors, errorLabel(c))
		}
	}
	return t
}

// parentOf finds the span a child transaction was called from: the span
// its root's parent_span_id names, else the calling transaction.
func (b *sideBuilder) parentOf(c *tracetree.Node, def *span) *span {
	for _, it := range c.Spans {
		if itemSpanID(it) == c.SpanID && it.ParentSpanID != "" {
			if p := b.bySpan[it.ParentSpanID]; p != nil {
				return p
			}
		}
	}
	return def
}

// itemSpanID is a span item's id: span_id, else its event_id (the /trace/
// endpoint names spans by event_id).
func itemSpanID(it *wire.TraceItem) string { return cmp.Or(it.SpanID, it.EventID) }

func errorLabel(n *tracetree.Node) string {
	if n.IssueShortID != "" {
		return n.IssueShortID + " " + n.Name
	}
	return n.Name
}

// sortAll orders every span's children by start time (untimed last), then
// input order.
func (b *sideBuilder) sortAll(root *span) {
	stack := []*span{root}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		slices.SortStableFunc(s.children, func(x, y *span) int {
			if x.timed != y.timed {
				if x.timed {
					return -1
				}
				return 1
			}
			return cmp.Or(cmp.Compare(x.start, y.start), cmp.Compare(x.order, y.order))
		})
		stack = append(stack, s.children...)
	}
}

// size is the number of spans in s's subtree, s included.
func (s *span) size() int {
	n := 0
	stack := []*span{s}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n++
		stack = append(stack, x.children...)
	}
	return n
}
