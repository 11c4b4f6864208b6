package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/tracetree"
)

// This file says what the detail pane's tabs show for a node of the
// tree: a tab shows the node itself, its transaction, or the error it
// carries; a tab the node has not is shown dimmed with the reason.

// detailTargets returns, for each tab, the node whose content it shows
// (nil: none) and, for the tabs without one, why.
func detailTargets(n *tracetree.Node) (target [dtNumTabs]*tracetree.Node, why [dtNumTabs]string) {
	txn := n
	if n.Kind != tracetree.KindTransaction {
		txn = n.Parent
		if txn != nil && txn.Kind != tracetree.KindTransaction {
			txn = nil
		}
	}
	// Spans: the transaction's, or those of the one the error happened in.
	if txn != nil {
		target[TabSpans] = txn
	} else {
		why[TabSpans] = "not in a transaction"
	}
	// Error: the error, or the first one hung under the transaction.
	switch n.Kind {
	case tracetree.KindError:
		target[TabError] = n
	case tracetree.KindOccurrence:
		why[TabError] = "a performance issue has no stack"
	default:
		if e := firstError(n); e != nil {
			target[TabError] = e
		} else {
			why[TabError] = "none in this transaction"
		}
	}
	// Profile: the transaction's.
	switch {
	case txn != nil && txn.HasProfile():
		target[TabProfile] = txn
	case txn != nil:
		why[TabProfile] = "not profiled"
	default:
		why[TabProfile] = "not in a transaction"
	}
	// Compare: the transaction against a healthy trace of it. The tab is
	// only on the tab line once C asked for it (it may search Sentry), so
	// it has no reason to show dimmed.
	target[TabCompare] = txn
	return target, why
}

// firstError is the first error hung directly under a transaction.
func firstError(txn *tracetree.Node) *tracetree.Node {
	for _, c := range txn.Children {
		if c.Kind == tracetree.KindError {
			return c
		}
	}
	return nil
}

// causedError is the error a failed span of transaction txn led to: an
// error raised in that span, else the first error of the transaction
// itself (the span failed first, the service then raised it), else the
// first error of the service the span called (the transaction whose
// parent is that span). nil when the trace has none of these.
func causedError(tree *tracetree.Tree, txn *tracetree.Node, spanID string) *tracetree.Node {
	if txn == nil || spanID == "" {
		return nil
	}
	for _, n := range tree.Nodes {
		if n.Kind == tracetree.KindError && n.SpanID == spanID {
			return n
		}
	}
	if e := firstError(txn); e != nil {
		return e
	}
	for _, c := range txn.Children {
		if c.Kind != tracetree.KindTransaction || len(c.Spans) == 0 || c.Spans[0].ParentSpanID != spanID {
			continue
		}
		var found *tracetree.Node
		walk(c, func(n *tracetree.Node) bool {
			if n.Kind == tracetree.KindError {
				found = n
			}
			return found == nil
		})
		if found != nil {
			return found
		}
	}
	return nil
}

// walk visits n and its descendants in tree order while visit says so.
func walk(n *tracetree.Node, visit func(*tracetree.Node) bool) bool {
	if !visit(n) {
		return false
	}
	for _, c := range n.Children {
		if !walk(c, visit) {
			return false
		}
	}
	return true
}

// selectionChanged updates the detail pane for the selected node: the
// tabs it has (the others dimmed, with why), the tab to show (an error
// opens on its stack, a transaction on its spans or, when the profile
// was showing, its profile), and that tab's content.
func (m *Model) selectionChanged() tea.Cmd {
	if m.tree == nil {
		return nil
	}
	n := m.tree.Selected()
	if n == nil {
		return nil
	}
	target, why := detailTargets(n)
	var tabs []DetailTab
	for t := range dtNumTabs {
		if target[t] != nil && t != TabCompare {
			tabs = append(tabs, t)
		}
	}
	m.detail.SetTabs(tabs...)
	m.detail.SetMissing(why)
	switch {
	case n.Kind == tracetree.KindError:
		m.detail.SetTab(TabError)
	case m.detail.Tab() == TabProfile && target[TabProfile] != nil:
	case target[TabSpans] != nil:
		m.detail.SetTab(TabSpans)
	}
	return m.fetchDetail(n)
}

func (m *Model) showDetail(msg detailMsg) {
	if msg.key != m.shownID {
		return // the user moved on
	}
	switch {
	case msg.err != nil:
		m.shownID = "" // selecting the node again retries
		what := map[DetailTab]string{TabSpans: "the spans", TabError: "the error", TabProfile: "the profile", TabCompare: "a healthy trace to compare"}[msg.tab]
		if msg.tab == TabCompare {
			what += " " + tracetree.ShortID(msg.id) + " with"
			m.detail.Failed(what, msg.err)
			return
		}
		m.detail.Failed(what+" of "+tracetree.ShortID(msg.id), msg.err)
	case msg.spans != nil:
		m.detail.ShowSpans(msg.id, msg.spans)
	case msg.event != nil:
		m.detail.ShowEvent(msg.id, msg.event, msg.short)
	case msg.profile != nil:
		m.detail.ShowProfile(msg.id, msg.profile)
	case msg.compare != nil:
		m.detail.ShowCompare(msg.id, msg.compare)
	}
}

// openCausedErrorMsg asks the app to select the error a failed span of
// the shown transaction led to (the detail pane's e on a failed span).
type openCausedErrorMsg struct{ txnID, spanID string }

// openCausedError selects that error in the tree (the detail pane then
// shows its stack), or says there is none.
func (m *Model) openCausedError(msg openCausedErrorMsg) tea.Cmd {
	if m.tree == nil {
		return nil
	}
	txn := m.in.Tree.Get(msg.txnID)
	e := causedError(m.in.Tree, txn, msg.spanID)
	if e == nil || !m.tree.selectNode(e) {
		m.setStatus("No error in this trace follows from this span (it may not have been sent to Sentry).")
		return nil
	}
	m.setStatus("The error span " + tracetree.ShortID(msg.spanID) + " led to: " + clean(e.Name))
	return m.selectionChanged()
}
