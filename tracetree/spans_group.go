// Grouping repeated spans: similarity keys, loops and the visible lines of the span tree.

package tracetree

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// --- similarity -------------------------------------------------------------

var (
	spanQuoted = regexp.MustCompile(`'(?:[^']|'')*'`)
	spanUUID   = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	spanList   = regexp.MustCompile(`\?(?:\s*,\s*\?)+`)
)

// spanNormalize replaces what varies between repetitions of one statement
// or call (numbers, quoted literals, UUIDs, hex and random ids) with ?, so
// `WHERE sku = 'A1'` and `WHERE sku = 'B2'` compare equal.
func spanNormalize(s string) string {
	s = spanQuoted.ReplaceAllString(s, "?")
	s = spanUUID.ReplaceAllString(s, "?")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if !spanWordByte(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && spanWordByte(s[j]) {
			j++
		}
		if spanVolatile(s[i:j]) {
			b.WriteByte('?')
			// A decimal (3.14) is one value.
			if k := j + 1; k < len(s) && s[j] == '.' && s[k] >= '0' && s[k] <= '9' && spanDigits(s[i:j]) {
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					k++
				}
				j = k
			}
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return spanList.ReplaceAllString(b.String(), "?")
}

func spanDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

func spanWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// spanVolatile reports tokens that look like values rather than names:
// numbers, hex ids, and random mixed ids ("7Hq2vKx9").
func spanVolatile(tok string) bool {
	digits, hex := 0, true
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c >= '0' && c <= '9' {
			digits++
		} else if !(c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			hex = false
		}
	}
	switch {
	case digits == 0:
		return false
	case digits == len(tok):
		return true
	case hex && len(tok) >= 6:
		return true
	}
	return len(tok) >= 6 && digits >= 2
}

// spanKey is what two sibling spans must share to be grouped: op,
// normalised description, failure and placement note.
func spanKey(n *SpanNode) string {
	return fmt.Sprintf("%s\x00%s\x00%t\x00%d\x00%s", n.Op, spanNormalize(n.Description), n.Failed, n.noteKind, n.Project)
}

// --- visible lines ------------------------------------------------------------

// spanLine is one visible line: a span, a group of similar spans, or a gap.
type spanLine struct {
	kind     WaterfallKind
	members  []*SpanNode // the spans (one for a span line; the parent for a gap)
	parent   *spanLine
	children []*spanLine
	depth    int
	idx      int // pre-order position

	start, end float64
	hasTime    bool
	total      float64
	self       float64
	critical   bool
	failed     bool
	spans      int // spans represented, subtrees included
	maxPar     int
	reps       int // repetitions of a loop

	// budget ordering: effective (subtree-max) tier and weight
	tier   int
	weight float64
}

// visibleLines builds (once, from finish) the lines of the full tree in
// pre-order:
// consecutive siblings with the same signature collapse into one group
// line, a run of siblings repeating a short sequence (SELECT, UPDATE,
// SELECT, UPDATE, …) into one loop line over one line per step, and the
// children of a group are the groups of its members' children, position by
// position.
func (t *SpanTree) visibleLines() []*spanLine {
	if t.lines != nil || t.Root == nil {
		return t.lines
	}
	root := spanNewLine([]*SpanNode{t.Root}, nil)
	work := []*spanLine{root}
	for len(work) > 0 {
		l := work[len(work)-1]
		work = work[:len(work)-1]
		if l.kind == WaterfallGap || l.kind == WaterfallLoop {
			continue // gaps have no children; a loop's were made with it
		}
		items := spanItems(l.members[0])
		for _, m := range l.members[1:] {
			mi := spanItems(m)
			if len(mi) != len(items) {
				continue // cannot happen unless signatures collide
			}
			for i := range items {
				if len(mi[i].cols) != len(items[i].cols) {
					continue
				}
				for k := range items[i].cols {
					items[i].cols[k] = append(items[i].cols[k], mi[i].cols[k]...)
				}
			}
		}
		kids := make([]*spanLine, 0, len(items)+2)
		for _, it := range items {
			if it.reps == 0 {
				kids = append(kids, spanNewLine(it.cols[0], l))
				continue
			}
			var all []*SpanNode
			for _, c := range it.cols {
				all = append(all, c...)
			}
			loop := spanNewLine(all, l)
			loop.kind, loop.reps = WaterfallLoop, it.reps
			for _, c := range it.cols {
				step := spanNewLine(c, loop)
				loop.children = append(loop.children, step)
				work = append(work, step)
			}
			kids = append(kids, loop)
		}
		if len(l.members) == 1 {
			for _, g := range spanGaps(l.members[0]) {
				gl := &spanLine{kind: WaterfallGap, members: l.members, parent: l, depth: l.depth + 1,
					start: g[0], end: g[1], hasTime: true, total: spanRoundMS(g[1] - g[0]), maxPar: 1}
				p := l.members[0]
				gl.critical = p.Critical && g[0] < p.critEnd && g[1] > p.critStart
				at := len(kids)
				for j, k := range kids {
					if !k.hasTime || k.start >= g[1] {
						at = j
						break
					}
				}
				kids = slices.Insert(kids, at, gl)
			}
		}
		l.children = kids
		for i := len(kids) - 1; i >= 0; i-- {
			work = append(work, kids[i])
		}
	}
	// Pre-order list.
	var out []*spanLine
	walk := []*spanLine{root}
	for len(walk) > 0 {
		l := walk[len(walk)-1]
		walk = walk[:len(walk)-1]
		l.idx = len(out)
		out = append(out, l)
		for i := len(l.children) - 1; i >= 0; i-- {
			walk = append(walk, l.children[i])
		}
	}
	t.lines = out
	return out
}

// spanItem is a run of similar consecutive children (reps 0, one column),
// or a loop: a sequence of runs repeated reps times, one column per step
// holding that step's spans from every repetition.
type spanItem struct {
	reps int
	cols [][]*SpanNode
}

// Loops: the shortest period that repeats at least this many times.
const (
	spanLoopMaxPeriod = 4
	spanLoopMinReps   = 3
)

// spanItems splits n's children into runs of consecutive similar spans and
// finds loops among the runs. It depends only on the children's
// signatures, so similar spans split the same way.
func spanItems(n *SpanNode) []spanItem {
	var runs [][]*SpanNode
	for i := 0; i < len(n.Children); {
		j := i + 1
		for j < len(n.Children) && n.Children[j].sig == n.Children[i].sig {
			j++
		}
		runs = append(runs, n.Children[i:j:j])
		i = j
	}
	var items []spanItem
	for i := 0; i < len(runs); {
		best, bestReps := 0, 0
		for p := 2; p <= spanLoopMaxPeriod && i+p*spanLoopMinReps <= len(runs); p++ {
			j := i
			for j+p < len(runs) && runs[j+p][0].sig == runs[j][0].sig {
				j++
			}
			if reps := (j - i + p) / p; reps >= spanLoopMinReps {
				best, bestReps = p, reps
				break
			}
		}
		if best == 0 {
			items = append(items, spanItem{cols: [][]*SpanNode{runs[i]}})
			i++
			continue
		}
		it := spanItem{reps: bestReps, cols: make([][]*SpanNode, best)}
		for r := 0; r < bestReps; r++ {
			for k := 0; k < best; k++ {
				it.cols[k] = append(it.cols[k], runs[i+r*best+k]...)
			}
		}
		items = append(items, it)
		i += best * bestReps
	}
	return items
}

func spanNewLine(ms []*SpanNode, parent *spanLine) *spanLine {
	l := &spanLine{kind: WaterfallSpan, members: ms, parent: parent}
	if parent != nil {
		l.depth = parent.depth + 1
	}
	if len(ms) > 1 {
		l.kind = WaterfallGroup
	}
	type ev struct {
		at    float64
		delta int
	}
	var evs []ev
	for _, m := range ms {
		l.spans += m.size
		l.critical = l.critical || m.Critical
		l.failed = l.failed || m.Failed
		l.self += m.SelfMS
		if !m.HasTime {
			continue
		}
		if !l.hasTime {
			l.start, l.end, l.hasTime = m.StartMS, m.EndMS, true
		}
		l.start, l.end = min(l.start, m.StartMS), max(l.end, m.EndMS)
		l.total += m.DurationMS()
		evs = append(evs, ev{m.StartMS, 1}, ev{m.EndMS, -1})
	}
	l.total, l.self = spanRoundMS(l.total), spanRoundMS(l.self)
	// Most members running at once (ends before starts at the same time).
	slices.SortFunc(evs, func(a, b ev) int {
		if a.at != b.at {
			if a.at < b.at {
				return -1
			}
			return 1
		}
		return a.delta - b.delta
	})
	cur := 0
	l.maxPar = 1
	for _, e := range evs {
		cur += e.delta
		l.maxPar = max(l.maxPar, cur)
	}
	return l
}

// spanWall is the time during which at least one member ran.
func spanWall(ms []*SpanNode) float64 {
	var iv [][2]float64
	for _, m := range ms {
		if m.HasTime {
			iv = append(iv, [2]float64{m.StartMS, m.EndMS})
		}
	}
	slices.SortFunc(iv, func(a, b [2]float64) int {
		if a[0] < b[0] {
			return -1
		} else if a[0] > b[0] {
			return 1
		}
		return 0
	})
	wall, cur := 0.0, math.Inf(-1)
	for _, v := range iv {
		s := max(v[0], cur)
		if v[1] > s {
			wall += v[1] - s
			cur = v[1]
		}
	}
	return wall
}
