package tracetree

import "github.com/tracehound/tracehound/redact"

// TreeJSON is the machine-readable form of a trace tree (`tracehound tree
// --format json`): the same nodes, marks and notes as the text form, with
// full ids and numbers. Text fields are sanitised.
type TreeJSON struct {
	TraceID      string     `json:"trace_id"`
	Transactions int        `json:"transactions"`
	Services     []string   `json:"services"`
	Spans        int        `json:"spans"`
	Errors       int        `json:"errors"`
	Occurrences  int        `json:"performance_issues"`
	Legacy       bool       `json:"legacy,omitzero"`
	Focus        string     `json:"focus_event_id,omitempty"`
	Notes        []string   `json:"notes,omitempty"`
	Roots        []NodeJSON `json:"roots"`
}

// NodeJSON is one node of TreeJSON.
type NodeJSON struct {
	Kind          string     `json:"kind"` // transaction, error, performance_issue
	ID            string     `json:"event_id"`
	SpanID        string     `json:"span_id,omitempty"`
	Op            string     `json:"op,omitempty"`
	Name          string     `json:"name"`
	Project       string     `json:"project_slug,omitempty"`
	ProjectID     int64      `json:"project_id,omitzero"`
	Platform      string     `json:"platform,omitempty"`
	Start         float64    `json:"start_timestamp,omitzero"`
	End           float64    `json:"end_timestamp,omitzero"`
	DurationMS    float64    `json:"duration_ms,omitzero"`
	Status        string     `json:"status,omitempty"`
	ProfileID     string     `json:"profile_id,omitempty"`
	ProfilerID    string     `json:"profiler_id,omitempty"`
	IssueID       int64      `json:"issue_id,omitzero"`
	IssueShortID  string     `json:"issue_short_id,omitempty"`
	Level         string     `json:"level,omitempty"`
	Culprit       string     `json:"culprit,omitempty"`
	SpanCount     int        `json:"span_count,omitzero"`
	OffenderSpans int        `json:"offender_spans,omitzero"`
	Focus         bool       `json:"focus,omitzero"`
	OnFocusPath   bool       `json:"on_focus_path,omitzero"`
	Notes         []string   `json:"notes,omitempty"`
	Children      []NodeJSON `json:"children,omitempty"`
}

var kindNames = [...]string{KindTransaction: "transaction", KindError: "error", KindOccurrence: "performance_issue"}

// JSON returns the tree in its machine-readable form.
func (t *Tree) JSON() TreeJSON {
	out := TreeJSON{TraceID: t.TraceID, Transactions: t.Transactions, Services: t.Services, Spans: t.Spans,
		Errors: t.Errors, Occurrences: t.Occurrences, Legacy: t.Legacy, Notes: t.Notes, Roots: []NodeJSON{}}
	if out.Services == nil {
		out.Services = []string{}
	}
	if t.Focus != nil {
		out.Focus = t.Focus.ID
	}
	var conv func(n *Node) NodeJSON
	conv = func(n *Node) NodeJSON {
		j := NodeJSON{
			Kind: kindNames[n.Kind], ID: n.ID, SpanID: n.SpanID, Op: redact.Line(n.Op), Name: redact.Line(n.Name),
			Project: redact.Line(n.Project), ProjectID: n.ProjectID, Platform: n.Platform,
			Start: float64(n.Start), End: float64(n.End), DurationMS: n.DurationMS, Status: redact.Line(n.Status),
			ProfileID: n.ProfileID, ProfilerID: n.ProfilerID, IssueID: n.IssueID, IssueShortID: redact.Line(n.IssueShortID),
			Level: n.Level, Culprit: redact.Line(n.Culprit), Focus: n.Focus, OnFocusPath: n.OnFocusPath, Notes: n.Notes,
		}
		if n.Kind == KindTransaction {
			j.SpanCount = len(n.Spans)
		}
		if n.Kind == KindOccurrence {
			j.OffenderSpans = n.OffenderSpans
		}
		for _, c := range n.Children {
			j.Children = append(j.Children, conv(c))
		}
		return j
	}
	for _, r := range t.Roots {
		out.Roots = append(out.Roots, conv(r))
	}
	return out
}
