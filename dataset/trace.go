package dataset

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// The kinds of telemetry a dataset is made of.
const (
	KindError       = "error"       // an error event (API form)
	KindTransaction = "transaction" // a transaction event with its spans (API form)
	KindSpan        = "span"        // a standalone span (Span)
	KindProfile     = "profile"     // a transaction profile
	KindChunk       = "chunk"       // a continuous-profiling chunk
)

// Item is one piece of telemetry a trace is built from.
type Item struct {
	Kind    string
	ID      string     // event id (error, transaction), span id, profile id
	Project ProjectRef // the project it was sent to
	// ParentID is, for a profile, the event id of the transaction it
	// profiles.
	ParentID string
	// IssueID and ShortID are, for an error, its issue's.
	IssueID int64
	ShortID string
	// Payload is the API-form event of an error or a transaction, or a
	// Span as JSON. Profiles need none.
	Payload []byte
}

// ProjectRef names a project.
type ProjectRef struct {
	ID   int64
	Slug string
}

// Span is a standalone span (sent apart from any transaction, as span
// streaming SDKs do), in the one form the dataset keeps whichever form it
// came in.
type Span struct {
	TraceID        string         `json:"trace_id"`
	SpanID         string         `json:"span_id"`
	ParentSpanID   string         `json:"parent_span_id,omitempty"`
	SegmentID      string         `json:"segment_id,omitempty"`
	IsSegment      bool           `json:"is_segment,omitempty"`
	Op             string         `json:"op,omitempty"`
	Name           string         `json:"name,omitempty"`
	Description    string         `json:"description,omitempty"`
	Status         string         `json:"status,omitempty"`
	SDKName        string         `json:"sdk_name,omitempty"`
	StartTimestamp wire.Timestamp `json:"start_timestamp"`
	EndTimestamp   wire.Timestamp `json:"end_timestamp"`
}

// node is a trace item while the tree is put together.
type node struct {
	item     wire.TraceItem
	children []*node
	errors   []wire.TraceItem
}

func (n *node) value() wire.TraceItem {
	it := n.item
	slices.SortStableFunc(n.children, func(a, b *node) int { return cmp.Compare(a.item.StartTimestamp, b.item.StartTimestamp) })
	for _, c := range n.children {
		it.Children = append(it.Children, c.value())
	}
	slices.SortStableFunc(n.errors, func(a, b wire.TraceItem) int { return cmp.Compare(a.StartTimestamp, b.StartTimestamp) })
	it.Errors = n.errors
	return it
}

// traceBuilder holds the spans and errors of a trace being built.
type traceBuilder struct {
	spans     map[string]*node // span id → node
	order     []*node
	errs      []wire.TraceItem
	errSpans  []string          // the span id of each of errs
	profileOf map[string]string // transaction event id → profile id
}

// BuildTrace builds the /trace/ array of one trace (the form
// TracePath holds) from its items: transactions (their root and child
// spans), standalone spans and errors are linked by span id; profiles
// are attached to their transactions. What has no parent in the trace is a
// root; an error whose span is unknown is a top-level item. Items that
// cannot be read are left out.
func BuildTrace(items []Item) wire.Trace {
	b := &traceBuilder{spans: map[string]*node{}, profileOf: map[string]string{}}
	for _, it := range items {
		if it.Kind == KindProfile && it.ParentID != "" {
			b.profileOf[it.ParentID] = it.ID
		}
	}
	for _, it := range items {
		switch it.Kind {
		case KindTransaction:
			b.addTransaction(it)
		case KindSpan:
			b.addStandaloneSpan(it)
		case KindError:
			b.addError(it)
		}
	}
	return b.tree()
}

func (b *traceBuilder) addSpan(n *node) {
	if n.item.EventID == "" {
		return
	}
	if old, ok := b.spans[n.item.EventID]; ok && old.item.IsTransaction && !n.item.IsTransaction {
		return // a transaction's root span wins over the same span seen as a child
	}
	b.spans[n.item.EventID] = n
	b.order = append(b.order, n)
}

func (b *traceBuilder) addTransaction(it Item) {
	var ev wire.Event
	if wire.Decode(it.Payload, &ev) != nil || ev.Contexts.Trace == nil {
		return
	}
	p := it.Project
	tc := ev.Contexts.Trace
	name := firstNonEmpty(ev.Tag("transaction"), ev.Title)
	sdk := ""
	if ev.SDK != nil {
		sdk = ev.SDK.Name
	}
	root := wire.TraceItem{
		EventID: strings.ToLower(tc.SpanID), EventType: wire.TraceItemSpan, TransactionID: ev.ID,
		ParentSpanID: strings.ToLower(tc.ParentSpanID), IsTransaction: true, ProjectID: wire.FlexInt(p.ID),
		ProjectSlug: p.Slug, Op: tc.Op, Name: tc.Op, Description: name, Transaction: name, SDKName: sdk,
		StartTimestamp: ev.StartTimestamp, EndTimestamp: ev.EndTimestamp, Status: tc.Status,
		Duration: durationMS(ev.StartTimestamp, ev.EndTimestamp),
	}
	if pc := ev.Contexts.Profile; pc != nil {
		root.ProfileID, root.ProfilerID = trimNormID(pc.ProfileID), trimNormID(pc.ProfilerID)
	}
	if root.ProfileID == "" {
		root.ProfileID = b.profileOf[ev.ID]
	}
	b.addSpan(&node{item: root})
	for _, sp := range ev.Spans() {
		b.addSpan(&node{item: wire.TraceItem{
			EventID: strings.ToLower(sp.SpanID), EventType: wire.TraceItemSpan, TransactionID: ev.ID,
			ParentSpanID: strings.ToLower(sp.ParentSpanID), ProjectID: wire.FlexInt(p.ID), ProjectSlug: p.Slug,
			Op: sp.Op, Name: sp.Op, Description: sp.Description, Transaction: name, SDKName: sdk,
			StartTimestamp: sp.StartTimestamp, EndTimestamp: sp.Timestamp, Status: sp.Status,
			Duration: durationMS(sp.StartTimestamp, sp.Timestamp), ProfileID: root.ProfileID, ProfilerID: root.ProfilerID,
		}})
	}
}

func (b *traceBuilder) addStandaloneSpan(it Item) {
	var sp Span
	if json.Unmarshal(it.Payload, &sp) != nil {
		return
	}
	p := it.Project
	name := firstNonEmpty(sp.Name, sp.Description)
	b.addSpan(&node{item: wire.TraceItem{
		EventID: it.ID, EventType: wire.TraceItemSpan, TransactionID: sp.SegmentID,
		ParentSpanID: sp.ParentSpanID, IsTransaction: sp.IsSegment, ProjectID: wire.FlexInt(p.ID),
		ProjectSlug: p.Slug, Op: sp.Op, Name: sp.Op, Description: firstNonEmpty(sp.Description, sp.Name),
		Transaction: name, SDKName: sp.SDKName, StartTimestamp: sp.StartTimestamp, EndTimestamp: sp.EndTimestamp,
		Status: sp.Status, Duration: durationMS(sp.StartTimestamp, sp.EndTimestamp),
	}})
}

func (b *traceBuilder) addError(it Item) {
	var ev wire.Event
	if wire.Decode(it.Payload, &ev) != nil {
		return
	}
	p := it.Project
	at, _ := wire.ParseTimestamp(ev.DateCreated)
	spanID := ""
	if ev.Contexts.Trace != nil {
		spanID = strings.ToLower(ev.Contexts.Trace.SpanID)
	}
	b.errs = append(b.errs, wire.TraceItem{
		EventID: ev.ID, EventType: wire.TraceItemError, IssueID: wire.FlexInt(it.IssueID), ShortID: it.ShortID,
		ProjectID: wire.FlexInt(p.ID), ProjectSlug: p.Slug, Description: ev.Title, Level: firstNonEmpty(EventLevel(&ev), "error"),
		Culprit: ev.Culprit, Transaction: ev.Tag("transaction"), StartTimestamp: at, IssueType: 1,
	})
	b.errSpans = append(b.errSpans, spanID)
}

// tree links the spans into trees, hangs the errors under their spans and
// returns the roots by start time, then the errors of no known span.
func (b *traceBuilder) tree() wire.Trace {
	var roots []*node
	for _, n := range b.order {
		if b.spans[n.item.EventID] != n {
			continue // replaced by a transaction's root span
		}
		if par, ok := b.spans[n.item.ParentSpanID]; ok && n.item.ParentSpanID != "" && par != n && !b.ancestor(n, par) {
			par.children = append(par.children, n)
		} else {
			roots = append(roots, n)
		}
	}
	out := wire.Trace{}
	var loose []wire.TraceItem
	for i, e := range b.errs {
		if n, ok := b.spans[b.errSpans[i]]; ok {
			n.errors = append(n.errors, e)
		} else {
			loose = append(loose, e)
		}
	}
	slices.SortStableFunc(roots, func(a, b *node) int { return cmp.Compare(a.item.StartTimestamp, b.item.StartTimestamp) })
	for _, r := range roots {
		out = append(out, r.value())
	}
	return append(out, loose...)
}

// ancestor reports whether n is an ancestor of par (linking them would
// make a cycle); span ids come from SDKs and can repeat.
func (b *traceBuilder) ancestor(n, par *node) bool {
	seen := map[*node]bool{}
	for p := par; p != nil && !seen[p]; {
		if p == n {
			return true
		}
		seen[p] = true
		next, ok := b.spans[p.item.ParentSpanID]
		if !ok || p.item.ParentSpanID == "" {
			break
		}
		p = next
	}
	return false
}

func durationMS(start, end wire.Timestamp) wire.FlexFloat {
	if end <= start {
		return 0
	}
	return wire.FlexFloat((float64(end) - float64(start)) * 1000)
}

// EventLevel is an event's level: its "level" tag, else a "level" member
// kept in Extra; "" when it has none.
func EventLevel(ev *wire.Event) string {
	if l := ev.Tag("level"); l != "" {
		return l
	}
	if l, ok := ev.Extra["level"]; ok {
		var s string
		if json.Unmarshal(l, &s) == nil {
			return s
		}
	}
	return ""
}

// trimNormID is NormID of an id that an SDK may have padded with spaces.
func trimNormID(s string) string { return NormID(strings.TrimSpace(s)) }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
