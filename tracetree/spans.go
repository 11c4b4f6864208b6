package tracetree

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
