// The critical path, self time and gaps of a span tree.

package tracetree

import (
	"slices"
)

// spanSelf is the span's duration not covered by its timed children
// (clipped to the span).
func spanSelf(n *SpanNode) float64 {
	if !n.HasTime {
		return 0
	}
	covered := 0.0
	cur := n.StartMS
	for _, c := range n.Children { // sorted by start
		if !c.HasTime {
			continue
		}
		s, e := max(c.StartMS, cur), min(c.EndMS, n.EndMS)
		if e > s {
			covered += e - s
			cur = e
		}
	}
	return spanRoundMS(max(0, n.DurationMS()-covered))
}

// spanGaps lists the intervals of n that no child covers and that are long
// enough to show: at least spanGapMinMS and spanGapMinShare of the span.
func spanGaps(n *SpanNode) [][2]float64 {
	d := n.DurationMS()
	if !n.HasTime || len(n.Children) == 0 || d <= 0 {
		return nil
	}
	minGap := max(spanGapMinMS, spanGapMinShare*d)
	var gaps [][2]float64
	cur := n.StartMS
	timed := false
	for _, c := range n.Children {
		if !c.HasTime {
			continue
		}
		timed = true
		if c.StartMS-cur >= minGap {
			gaps = append(gaps, [2]float64{cur, c.StartMS})
		}
		cur = max(cur, min(c.EndMS, n.EndMS))
	}
	if !timed {
		return nil
	}
	if n.EndMS-cur >= minGap {
		gaps = append(gaps, [2]float64{cur, n.EndMS})
	}
	return gaps
}

// spanCritical marks the critical path with the usual backward walk (as
// Jaeger does): from the end of a span, take the child that finished last
// before the cursor (children clipped to the span), recurse into it, move
// the cursor to that child's start and repeat. Children that ran one after
// another are all on the path; a child still running when the next one
// on the path started did not hold it up and is not.
func spanCritical(t *SpanTree, root *SpanNode) {
	if !root.HasTime {
		root.Critical = true
		t.CriticalPath = []string{root.SpanID}
		return
	}
	const jitter = 0.1 // ms: clock noise between a span's end and the next one's start
	root.Critical, root.critStart, root.critEnd = true, root.StartMS, root.EndMS
	stack := []*SpanNode{root}
	var byEnd []*SpanNode
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		byEnd = byEnd[:0]
		for _, c := range n.Children {
			if c.HasTime && c.EndMS > c.StartMS { // instants (marks, paints) do no work
				byEnd = append(byEnd, c)
			}
		}
		end := func(c *SpanNode) float64 { return min(c.EndMS, n.critEnd) }
		slices.SortStableFunc(byEnd, func(a, b *SpanNode) int {
			switch ea, eb := end(a), end(b); {
			case ea > eb:
				return -1
			case ea < eb:
				return 1
			}
			return spanByStart(a, b)
		})
		cursor := n.critEnd
		for _, c := range byEnd {
			if cursor <= n.critStart || end(c) <= n.critStart {
				break
			}
			if end(c) > cursor+jitter || c.StartMS >= cursor {
				continue
			}
			c.Critical = true
			c.critStart, c.critEnd = max(c.StartMS, n.critStart), min(end(c), cursor)
			if n == root {
				t.CriticalMS += c.critEnd - c.critStart
			}
			stack = append(stack, c)
			cursor = c.StartMS
		}
	}
	t.CriticalMS = spanRoundMS(t.CriticalMS)
	// Path ids in tree order (pre-order, children by start).
	walk := []*SpanNode{root}
	for len(walk) > 0 {
		n := walk[len(walk)-1]
		walk = walk[:len(walk)-1]
		t.CriticalPath = append(t.CriticalPath, n.SpanID)
		switch {
		case n.ServiceBoundary:
			t.critServices++
		case n != root:
			t.critSpans++
		}
		for i := len(n.Children) - 1; i >= 0; i-- {
			if n.Children[i].Critical {
				walk = append(walk, n.Children[i])
			}
		}
	}
}
