package wire

import (
	"strings"
)

// DecodeLegacyTrace reads the legacy trace in its usual object form or the
// flat array very old servers answered.
func DecodeLegacyTrace(raw []byte) (*LegacyTrace, error) {
	var lt LegacyTrace
	b := strings.TrimSpace(string(raw))
	if strings.HasPrefix(b, "[") {
		var items []Raw
		if err := Decode(raw, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			var probe struct {
				EventType string `json:"event_type"`
				Extra     Extra  `json:",embed"`
			}
			if err := Decode(it, &probe); err != nil {
				return nil, err
			}
			if probe.EventType == "error" {
				var e LegacyTraceError
				if err := Decode(it, &e); err != nil {
					return nil, err
				}
				lt.OrphanErrors = append(lt.OrphanErrors, e)
				continue
			}
			var t LegacyTransaction
			if err := Decode(it, &t); err != nil {
				return nil, err
			}
			lt.Transactions = append(lt.Transactions, t)
		}
		return &lt, nil
	}
	if err := Decode(raw, &lt); err != nil {
		return nil, err
	}
	return &lt, nil
}

// ToTrace converts the legacy transaction tree to the /trace/ array form:
// one span item per transaction (event_id = its root span id), errors hung
// under the transaction, orphan errors at the top level.
func (lt *LegacyTrace) ToTrace() Trace {
	var conv func(t *LegacyTransaction) TraceItem
	conv = func(t *LegacyTransaction) TraceItem {
		it := TraceItem{
			EventID: t.SpanID, EventType: TraceItemSpan, TransactionID: t.EventID,
			ParentSpanID: t.ParentSpanID, IsTransaction: true,
			ProjectID: t.ProjectID, ProjectSlug: t.ProjectSlug,
			Op: t.Op, Description: t.Transaction, Transaction: t.Transaction, SDKName: t.SDKName,
			StartTimestamp: t.StartTimestamp, EndTimestamp: t.Timestamp, Duration: t.DurationMS,
			ProfileID: t.ProfileID, Status: t.Status,
		}
		if it.EventID == "" {
			it.EventID = t.EventID
		}
		if it.Duration == 0 && t.Timestamp > t.StartTimestamp {
			it.Duration = FlexFloat((float64(t.Timestamp) - float64(t.StartTimestamp)) * 1000)
		}
		for _, e := range t.Errors {
			it.Errors = append(it.Errors, e.toItem())
		}
		for _, p := range t.PerformanceIssues {
			it.Occurrences = append(it.Occurrences, TraceItem{
				EventID: p.EventID, EventType: TraceItemOccurrence, IssueID: p.IssueID, ShortID: p.IssueShortID,
				ProjectID: p.ProjectID, ProjectSlug: p.ProjectSlug, Description: p.Title, Level: p.Level,
				Culprit: p.Culprit, StartTimestamp: p.Start, EndTimestamp: p.End, IssueType: p.Type,
			})
		}
		for i := range t.Children {
			it.Children = append(it.Children, conv(&t.Children[i]))
		}
		return it
	}
	var out Trace
	for i := range lt.Transactions {
		out = append(out, conv(&lt.Transactions[i]))
	}
	for _, e := range lt.OrphanErrors {
		out = append(out, e.toItem())
	}
	return out
}

func (e LegacyTraceError) toItem() TraceItem {
	desc := e.Title
	if desc == "" {
		desc = e.Message
	}
	return TraceItem{
		EventID: e.EventID, EventType: TraceItemError, IssueID: e.IssueID, ShortID: e.Issue,
		ProjectID: e.ProjectID, ProjectSlug: e.ProjectSlug, Description: desc, Level: e.Level,
		StartTimestamp: e.Timestamp, SpanID: e.Span,
	}
}
