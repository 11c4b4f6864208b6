package local

import (
	"cmp"
	"math"
	"slices"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// itemKind classifies a trace item: "span", "error", "occurrence" or
// "uptime_check". Items without event_type are errors when they carry an
// issue id (the looser hand-made shape) and spans otherwise.
func itemKind(it *wire.TraceItem) string {
	switch it.EventType {
	case wire.TraceItemError, wire.TraceItemOccurrence, wire.TraceItemUptime:
		return it.EventType
	case "":
		if it.IssueID != 0 {
			return wire.TraceItemError
		}
	}
	return wire.TraceItemSpan
}

// extraString reads a string member the Go type does not name.
func extraString(it *wire.TraceItem, name string) string {
	if v, ok := it.Extra[name]; ok {
		return rawString(v)
	}
	return ""
}

// issueEventID is an issue item's event id (event_id, or id in the looser
// shape).
func issueEventID(it *wire.TraceItem) string {
	return cmp.Or(it.EventID, extraString(it, "id"))
}

// metaOut is the newer (camelCase) trace-meta shape, sentry-api.md §8.5.
type metaOut struct {
	ErrorsCount              int            `json:"errorsCount"`
	LogsCount                int            `json:"logsCount"`
	MetricsCount             int            `json:"metricsCount"`
	PerformanceIssuesCount   int            `json:"performanceIssuesCount"`
	SpansCount               int            `json:"spansCount"`
	TransactionChildCountMap []txnCount     `json:"transactionChildCountMap"`
	SpansCountMap            map[string]int `json:"spansCountMap"`
}

type txnCount struct {
	EventID string `json:"transaction.event_id"`
	Count   int    `json:"count()"`
}

// countMeta counts a trace the way trace-meta does: distinct errors and
// performance-issue occurrences, spans, spans per transaction (the segment
// span included, so the counts add up to spansCount) and spans per op. A
// nil trace counts as empty.
func countMeta(t wire.Trace) metaOut {
	errs, occs := map[string]bool{}, map[string]bool{}
	perTxn := map[string]int{}
	out := metaOut{SpansCountMap: map[string]int{}, TransactionChildCountMap: []txnCount{}}
	var walk func(items []wire.TraceItem)
	walk = func(items []wire.TraceItem) {
		for i := range items {
			it := &items[i]
			switch itemKind(it) {
			case wire.TraceItemError:
				errs[issueEventID(it)] = true
				continue
			case wire.TraceItemOccurrence:
				occs[issueEventID(it)] = true
				continue
			case wire.TraceItemSpan:
				out.SpansCount++
				out.SpansCountMap[it.Op]++
				if it.TransactionID != "" {
					perTxn[it.TransactionID]++
				}
			}
			for j := range it.Errors {
				errs[issueEventID(&it.Errors[j])] = true
			}
			for j := range it.Occurrences {
				occs[issueEventID(&it.Occurrences[j])] = true
			}
			walk(it.Children)
		}
	}
	walk(t)
	out.ErrorsCount, out.PerformanceIssuesCount = len(errs), len(occs)
	for id, n := range perTxn {
		out.TransactionChildCountMap = append(out.TransactionChildCountMap, txnCount{id, n})
	}
	slices.SortFunc(out.TransactionChildCountMap, func(a, b txnCount) int { return cmp.Compare(a.EventID, b.EventID) })
	return out
}

// legacyOut is /events-trace/ (sentry-api.md §8.4).
type legacyOut struct {
	Transactions []*legacyTxn  `json:"transactions"`
	OrphanErrors []legacyError `json:"orphan_errors"`
}

type legacyTxn struct {
	EventID           string         `json:"event_id"`
	SpanID            string         `json:"span_id"`
	ParentSpanID      *string        `json:"parent_span_id"`
	ParentEventID     *string        `json:"parent_event_id"`
	Transaction       string         `json:"transaction"`
	Op                string         `json:"transaction.op"`
	Duration          int64          `json:"transaction.duration"`
	Status            string         `json:"transaction.status,omitempty"`
	ProjectID         int64          `json:"project_id"`
	ProjectSlug       string         `json:"project_slug"`
	SDKName           string         `json:"sdk_name,omitempty"`
	Timestamp         wire.Timestamp `json:"timestamp"`
	StartTimestamp    wire.Timestamp `json:"start_timestamp"`
	Generation        int            `json:"generation"`
	ProfileID         string         `json:"profile_id,omitempty"`
	ProfilerID        string         `json:"profiler_id,omitempty"`
	Errors            []legacyError  `json:"errors"`
	PerformanceIssues []*legacyPerf  `json:"performance_issues"`
	Children          []*legacyTxn   `json:"children"`
}

type legacyError struct {
	EventID     string         `json:"event_id"`
	IssueID     int64          `json:"issue_id"`
	Issue       string         `json:"issue,omitempty"`
	Span        string         `json:"span"`
	ProjectID   int64          `json:"project_id"`
	ProjectSlug string         `json:"project_slug"`
	Title       string         `json:"title"`
	Level       string         `json:"level"`
	Timestamp   wire.Timestamp `json:"timestamp"`
	EventType   string         `json:"event_type"`
	Generation  int            `json:"generation"`
}

type legacyPerf struct {
	EventID      string         `json:"event_id"`
	IssueID      int64          `json:"issue_id"`
	IssueShortID string         `json:"issue_short_id,omitempty"`
	Span         []string       `json:"span"`
	SuspectSpans []string       `json:"suspect_spans"`
	ProjectID    int64          `json:"project_id"`
	ProjectSlug  string         `json:"project_slug"`
	Title        string         `json:"title"`
	Level        string         `json:"level"`
	Culprit      string         `json:"culprit"`
	Type         int64          `json:"type"`
	Start        wire.Timestamp `json:"start"`
	End          wire.Timestamp `json:"end"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toLegacyError(it *wire.TraceItem, span string) legacyError {
	ts := it.StartTimestamp
	if ts == 0 {
		ts, _ = wire.ParseTimestamp(extraString(it, "timestamp"))
	}
	return legacyError{
		EventID:     issueEventID(it),
		IssueID:     int64(it.IssueID),
		Issue:       it.ShortID,
		Span:        span,
		ProjectID:   int64(it.ProjectID),
		ProjectSlug: it.ProjectSlug,
		Title:       cmp.Or(it.Description, extraString(it, "title")),
		Level:       it.Level,
		Timestamp:   ts,
		EventType:   wire.TraceItemError,
	}
}

// addPerf attaches an occurrence found on span (with parent span parent)
// to txn, merging the occurrence's offender spans.
func addPerf(txn *legacyTxn, it *wire.TraceItem, span, parent string) {
	id := issueEventID(it)
	var p *legacyPerf
	for _, q := range txn.PerformanceIssues {
		if q.EventID == id {
			p = q
			break
		}
	}
	if p == nil {
		p = &legacyPerf{
			EventID:      id,
			IssueID:      int64(it.IssueID),
			IssueShortID: it.ShortID,
			Span:         []string{},
			SuspectSpans: []string{},
			ProjectID:    int64(it.ProjectID),
			ProjectSlug:  it.ProjectSlug,
			Title:        cmp.Or(it.Description, extraString(it, "title")),
			Level:        it.Level,
			Culprit:      it.Culprit,
			Type:         int64(it.IssueType),
			Start:        it.StartTimestamp,
			End:          it.EndTimestamp,
		}
		txn.PerformanceIssues = append(txn.PerformanceIssues, p)
	}
	if span != "" && !slices.Contains(p.SuspectSpans, span) {
		p.SuspectSpans = append(p.SuspectSpans, span)
	}
	if parent != "" && !slices.Contains(p.Span, parent) {
		p.Span = append(p.Span, parent)
	}
}

// deriveLegacy builds the legacy trace from the /trace/ forest. Every
// is_transaction span becomes a transaction node (event_id = its
// transaction_id, span_id = its span id); the errors and occurrences of
// every span under it (down to the next transaction) are attached to it,
// with span = the span's id; children are the transactions directly below.
// Errors with no transaction above them are orphan_errors.
func deriveLegacy(t wire.Trace) legacyOut {
	out := legacyOut{Transactions: []*legacyTxn{}, OrphanErrors: []legacyError{}}
	var walk func(items []wire.TraceItem, cur *legacyTxn)
	walk = func(items []wire.TraceItem, cur *legacyTxn) {
		for i := range items {
			it := &items[i]
			switch itemKind(it) {
			case wire.TraceItemError:
				e := toLegacyError(it, it.SpanID)
				if cur == nil {
					out.OrphanErrors = append(out.OrphanErrors, e)
				} else {
					cur.Errors = append(cur.Errors, e)
				}
				continue
			case wire.TraceItemOccurrence:
				if cur != nil {
					addPerf(cur, it, it.SpanID, "")
				}
				continue
			case wire.TraceItemUptime:
				walk(it.Children, cur)
				continue
			}
			node := cur
			if it.IsTransaction {
				node = newLegacyTxn(it, cur)
				if cur == nil {
					out.Transactions = append(out.Transactions, node)
				} else {
					cur.Children = append(cur.Children, node)
				}
			}
			for j := range it.Errors {
				e := toLegacyError(&it.Errors[j], it.EventID)
				if node == nil {
					out.OrphanErrors = append(out.OrphanErrors, e)
				} else {
					node.Errors = append(node.Errors, e)
				}
			}
			if node != nil {
				for j := range it.Occurrences {
					addPerf(node, &it.Occurrences[j], it.EventID, it.ParentSpanID)
				}
			}
			walk(it.Children, node)
		}
	}
	walk(t, nil)
	sortLegacy(out.Transactions)
	return out
}

func newLegacyTxn(it *wire.TraceItem, parent *legacyTxn) *legacyTxn {
	dur := float64(it.Duration)
	if dur == 0 && it.EndTimestamp > it.StartTimestamp {
		dur = float64(it.EndTimestamp-it.StartTimestamp) * 1000
	}
	n := &legacyTxn{
		EventID:           it.TransactionID,
		SpanID:            it.EventID,
		ParentSpanID:      optString(it.ParentSpanID),
		Transaction:       it.Transaction,
		Op:                it.Op,
		Duration:          int64(math.Round(dur)),
		Status:            it.Status,
		ProjectID:         int64(it.ProjectID),
		ProjectSlug:       it.ProjectSlug,
		SDKName:           it.SDKName,
		Timestamp:         it.EndTimestamp,
		StartTimestamp:    it.StartTimestamp,
		ProfileID:         it.ProfileID,
		ProfilerID:        it.ProfilerID,
		Errors:            []legacyError{},
		PerformanceIssues: []*legacyPerf{},
		Children:          []*legacyTxn{},
	}
	if parent != nil {
		n.ParentEventID = optString(parent.EventID)
		n.Generation = parent.Generation + 1
	}
	return n
}

// sortLegacy orders transactions by start time, as Sentry does.
func sortLegacy(txns []*legacyTxn) {
	slices.SortStableFunc(txns, func(a, b *legacyTxn) int {
		return cmp.Or(cmp.Compare(a.StartTimestamp, b.StartTimestamp), cmp.Compare(a.Timestamp, b.Timestamp))
	})
	for _, t := range txns {
		sortLegacy(t.Children)
	}
}
