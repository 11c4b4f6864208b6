package tracegen

import (
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// The result: the generated tree written out as the /trace/ API's items,
// with the performance-issue occurrences.

func ts(us int64) wire.Timestamp { return wire.Timestamp(float64(us) / 1e6) }

// result lays the nodes out as nested trace items. Items are placed
// breadth first in one array so each node's children are one contiguous
// slice of it (capacity-capped, so appending to one never overwrites a
// neighbour).
func (g *gen) result() *Result {
	ns := g.nodes
	r := &Result{Config: g.cfg, TraceID: g.eventID(0), Spans: len(ns), Errors: len(g.errs)}
	items := make([]wire.TraceItem, len(ns))
	order := make([]int32, len(ns))

	// Roots: the first transaction, then orphans by start time.
	var roots []int32
	for i := range g.txns {
		if g.txns[i].parent < 0 {
			roots = append(roots, g.txns[i].root)
		}
	}
	for i := 2; i < len(roots); i++ {
		for j := i; j > 1 && ns[roots[j]].start < ns[roots[j-1]].start; j-- {
			roots[j], roots[j-1] = roots[j-1], roots[j]
		}
	}
	copy(order, roots)
	next := len(roots)

	nOcc := 0
	for i := range g.txns {
		nOcc += int(g.txns[i].occLen)
	}
	occItems := make([]wire.TraceItem, 0, nOcc)
	occIssue := make([]wire.TraceItem, len(g.txns))
	errItems := make([]wire.TraceItem, len(g.errs))
	nErr := 0

	for i := 0; i < len(ns); i++ {
		nid := order[i]
		n := &ns[nid]
		t := &g.txns[n.txn]
		s := g.svcs[t.svc]
		it := &items[i]
		it.EventID = g.spanID(nid)
		it.EventType = wire.TraceItemSpan
		it.TransactionID = t.eventID
		switch {
		case n.parent >= 0:
			it.ParentSpanID = g.spanID(n.parent)
		case t.orphan:
			it.ParentSpanID = t.missing
		}
		it.IsTransaction = n.kind == kRoot
		it.ProjectID = wire.FlexInt(s.projectID)
		it.ProjectSlug = s.slug
		it.Op, it.Name, it.Description = n.op, n.op, n.desc
		it.Transaction = t.name
		it.SDKName = s.sdk
		it.StartTimestamp, it.EndTimestamp = ts(n.start), ts(n.start+n.dur)
		it.Duration = wire.FlexFloat(float64(n.dur) / 1e3)
		it.ProfileID, it.ProfilerID = t.profileID, t.profilerID
		if n.err >= 0 {
			errItems[nErr] = g.errs[n.err].item
			it.Errors = errItems[nErr : nErr+1 : nErr+1]
			nErr++
		}
		if n.occ {
			oi := &occIssue[n.txn]
			if oi.EventID == "" {
				*oi = g.occurrence(t, s)
				r.Occurrences++
			}
			occItems = append(occItems, *oi)
			it.Occurrences = occItems[len(occItems)-1 : len(occItems) : len(occItems)]
		}
		if n.kind == kRoot {
			r.Transactions++
		}
		if int(n.depth) > r.Depth {
			r.Depth = int(n.depth)
		}
		start := next
		for c := n.first; c >= 0; c = ns[c].next {
			order[next] = c
			next++
		}
		if next > start {
			it.Children = items[start:next:next]
		}
	}
	r.Trace = items[:len(roots):len(roots)]
	r.Roots = len(roots)

	focusDepth := int32(-1)
	for _, e := range g.errs {
		r.ErrorEventIDs = append(r.ErrorEventIDs, e.eventID)
		if d := ns[e.node].depth; d > focusDepth {
			focusDepth, r.FocusEventID = d, e.eventID
		}
	}
	r.TransactionIDs = make([]string, len(g.txns))
	for i := range g.txns {
		r.TransactionIDs[i] = g.txns[i].eventID
	}
	return r
}

// occurrence is the N+1 Query issue of t, whose offenders are its
// occurrence run. Like Sentry's, its event id is the transaction's.
func (g *gen) occurrence(t *txn, s *service) wire.TraceItem {
	first, last := &g.nodes[t.occFirst], &g.nodes[t.occFirst+t.occLen-1]
	is := g.issueFor(t.svc, 1000, "N+1 Query")
	return wire.TraceItem{
		EventID: t.eventID, EventType: wire.TraceItemOccurrence, IssueID: wire.FlexInt(is.id), ShortID: is.short,
		ProjectID: wire.FlexInt(s.projectID), ProjectSlug: s.slug, Description: "N+1 Query", Level: "info",
		Culprit: t.name, Transaction: t.name, StartTimestamp: ts(first.start), EndTimestamp: ts(last.start + last.dur), IssueType: 1006,
	}
}
