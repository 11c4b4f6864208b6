// Waterfall rows: the span tree's visible lines for the UI to draw bars on.

package tracetree

import (
	"fmt"

	"github.com/tracehound/tracehound/redact"
)

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
