// Rendering the span tree as text: line bodies, the header, budget tiers and elision.

package tracetree

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/redact"
)

// --- text ------------------------------------------------------------------------

// spanLabel is "op - description" (or whichever of the two exists).
func spanLabel(op, desc string) string {
	switch {
	case op != "" && desc != "":
		return op + " - " + desc
	case op != "":
		return op
	case desc != "":
		return desc
	}
	return "(unnamed span)"
}

// lineDesc is the description a line shows: the span's own, or for a group
// whose members differ, the normalised form they share.
func (l *spanLine) desc() string {
	d := l.members[0].Description
	for _, m := range l.members[1:] {
		if m.Description != d {
			return spanNormalize(d)
		}
	}
	return d
}

// shared is the attributes every member has.
func (l *spanLine) shared() []SpanAttr {
	var out []SpanAttr
	for _, a := range l.members[0].Attrs {
		same := true
		for _, m := range l.members[1:] {
			if !slices.Contains(m.Attrs, a) {
				same = false
				break
			}
		}
		if same {
			out = append(out, a)
		}
	}
	return out
}

// attrs are the attributes shared by every member, as sanitised
// key=value text; a loop's steps leave out what the loop line shows.
func (l *spanLine) attrs() string {
	var parts []string
	var above []SpanAttr
	if l.parent != nil && l.parent.kind == WaterfallLoop {
		above = l.parent.shared()
	}
	for _, a := range l.shared() {
		if !slices.Contains(above, a) {
			parts = append(parts, redact.Line(a.Key)+"="+oneLine(a.Value, 48))
		}
	}
	return strings.Join(parts, " ")
}

func (l *spanLine) note() string {
	m := l.members[0]
	if m.Note == "" || l.kind == WaterfallLoop {
		return ""
	}
	for _, o := range l.members[1:] {
		if o.Note != m.Note { // same kind (it is in the key), other ids
			switch m.noteKind {
			case spanNoteMissingParent:
				return "parents not in this transaction"
			case spanNoteLoop:
				return "parent chains loop; cut here"
			case spanNoteService:
				return "service boundaries: " + oneLine(m.Project, 40)
			}
			break
		}
	}
	return redact.Line(m.Note)
}

// body is the line's text after the tree prefix.
func (l *spanLine) body(descWidth int) string {
	var b strings.Builder
	if l.kind == WaterfallGap {
		b.WriteString("· gap " + FormatDuration(l.total) + " (no child span)")
		return b.String()
	}
	m := l.members[0]
	if l.failed {
		b.WriteString("✗ ")
	}
	if l.kind == WaterfallLoop {
		fmt.Fprintf(&b, "loop of %d steps, repeated %d times (%s total", len(l.children), l.reps, FormatDuration(l.total))
		if l.hasTime {
			b.WriteString(l.concurrency(true))
		}
		b.WriteString(")")
		if a := l.attrs(); a != "" {
			b.WriteString(" " + a)
		}
		return b.String()
	}
	if m.Op != "" {
		b.WriteString(oneLine(m.Op, 40))
	}
	if d := l.desc(); d != "" || m.Op == "" {
		if m.Op != "" {
			b.WriteString(" - ")
		}
		b.WriteString(oneLine(spanOr(d, "(unnamed span)"), descWidth))
	}
	b.WriteString(" (")
	switch {
	case l.kind == WaterfallGroup:
		n := len(l.members)
		fmt.Fprintf(&b, "repeated %d times, %s total", n, FormatDuration(l.total))
		if l.hasTime {
			if inLoop := l.parent != nil && l.parent.kind == WaterfallLoop; !inLoop || l.parent.maxPar > 1 {
				b.WriteString(l.concurrency(!inLoop))
			}
			lo, hi := math.Inf(1), 0.0
			for _, x := range l.members {
				if x.HasTime {
					lo, hi = min(lo, x.DurationMS()), max(hi, x.DurationMS())
				}
			}
			if FormatDuration(lo) == FormatDuration(hi) {
				fmt.Fprintf(&b, ", %s each", FormatDuration(lo))
			} else {
				fmt.Fprintf(&b, ", %s–%s each", FormatDuration(lo), FormatDuration(hi))
			}
			if k := spanCountCritical(l.members); k > 0 && k < n {
				fmt.Fprintf(&b, ", %d on the critical path", k)
			}
		}
	case !l.hasTime:
		b.WriteString("duration unknown")
	default:
		b.WriteString(FormatDuration(l.total))
		if len(m.Children) > 0 {
			b.WriteString(", self " + FormatDuration(l.self))
		}
	}
	b.WriteString(")")
	if a := l.attrs(); a != "" {
		b.WriteString(" " + a)
	}
	if len(m.Errors) > 0 && len(l.members) == 1 {
		errs := m.Errors
		more := ""
		if len(errs) > 3 {
			errs, more = errs[:3], fmt.Sprintf(" +%d more", len(m.Errors)-3)
		}
		b.WriteString(" errors=" + redact.Line(strings.Join(errs, ",")) + more)
	}
	if nt := l.note(); nt != "" {
		b.WriteString(" [" + nt + "]")
	}
	return b.String()
}

// concurrency says how a group's or loop's spans ran: one after another
// (with an N+1 hint for repeated queries and calls), or how many at once.
func (l *spanLine) concurrency(hint bool) string {
	n := len(l.members)
	if l.kind == WaterfallLoop {
		n = l.reps
	}
	switch {
	case l.maxPar <= 1:
		if hint && n >= spanNPlusOneMin && spanAllQueries(l.members) {
			return ", sequential — likely N+1"
		}
		return ", sequential"
	case l.maxPar >= len(l.members):
		return ", all in parallel over " + FormatDuration(spanWall(l.members))
	}
	return fmt.Sprintf(", up to %d in parallel over %s", l.maxPar, FormatDuration(spanWall(l.members)))
}

// spanAllQueries reports whether every span is a database query or an
// outgoing HTTP call, the spans an N+1 repeats.
func spanAllQueries(ms []*SpanNode) bool {
	for _, m := range ms {
		if !(m.Op == "db" || strings.HasPrefix(m.Op, "db.") || m.Op == "http.client") {
			return false
		}
	}
	return true
}

func spanCountCritical(ms []*SpanNode) int {
	k := 0
	for _, m := range ms {
		if m.Critical {
			k++
		}
	}
	return k
}

// lead is the marker and offset columns before the tree prefix.
func (l *spanLine) lead() string {
	mark := " "
	if l.critical {
		mark = "◆"
	}
	off := "?"
	switch {
	case !l.hasTime:
	case l.start < 0: // started before the transaction (clock skew)
		off = "-" + FormatDuration(-l.start)
	default:
		off = "+" + FormatDuration(l.start)
	}
	return fmt.Sprintf("%s %7s ", mark, off)
}

const spanLeadBlank = "          " // width of lead() for lines with no offset

// header is the first lines of the text: what the transaction is, its
// size and critical path, the legend, and notes on the data.
func (t *SpanTree) header(lines []*spanLine, descWidth int) []string {
	root := t.Root
	var b strings.Builder
	b.WriteString("Spans of " + oneLine(spanLabel(t.Op, t.Name), descWidth))
	if root.HasTime {
		b.WriteString(" (" + FormatDuration(t.DurationMS) + ")")
	} else {
		b.WriteString(" (duration unknown)")
	}
	if t.Project != "" {
		b.WriteString(" [" + oneLine(t.Project, 40) + "]")
	}
	if t.EventID != "" {
		b.WriteString(" id=" + redact.Line(ShortID(t.EventID)))
	}
	if t.SpanCount == 0 {
		b.WriteString(": no spans recorded")
	} else {
		fmt.Fprintf(&b, ": %s", plural(t.SpanCount, "span"))
		if root.HasTime {
			fmt.Fprintf(&b, ", critical path %s through %s", FormatDuration(t.CriticalMS), plural(t.critSpans, "span"))
			if t.critServices > 0 {
				fmt.Fprintf(&b, " and %s", plural(t.critServices, "child service"))
			}
		}
	}
	out := []string{b.String()}
	if hot := spanHotLine(lines); hot != "" {
		out = append(out, hot)
	}

	var legend []string
	if slices.ContainsFunc(lines, func(l *spanLine) bool { return l.critical }) {
		legend = append(legend, "◆ critical path (what bounded the latency)")
	}
	if slices.ContainsFunc(lines, func(l *spanLine) bool { return l.failed }) {
		legend = append(legend, "✗ failed")
	}
	legend = append(legend, "+offset from the transaction start")
	out = append(out, strings.Join(legend, " · "))

	var notes []string
	if t.DerivedTimes {
		notes = append(notes, "the transaction's start and end are missing; taken from its spans")
	}
	if t.Orphans > 0 {
		notes = append(notes, fmt.Sprintf("%s without their parent in this transaction hang under the root", plural(t.Orphans, "span")))
	}
	if t.Looped > 0 {
		notes = append(notes, fmt.Sprintf("%s in a parent loop hang under the root", plural(t.Looped, "span")))
	}
	if t.Duplicates > 0 {
		notes = append(notes, fmt.Sprintf("%s with an already seen id left out", plural(t.Duplicates, "span")))
	}
	if t.Untimed > 0 {
		notes = append(notes, fmt.Sprintf("%s without valid timestamps", plural(t.Untimed, "span")))
	}
	if t.SpanCount == 0 && !t.FromTrace {
		notes = append(notes, "the event carries no spans: the SDK recorded none, or Sentry keeps them only as trace data (EAP)")
	}
	if t.FromTrace {
		notes = append(notes, "built from trace data: no span attributes; child services are leaves")
	}
	if len(notes) > 0 {
		out = append(out, "note: "+strings.Join(notes, "; "))
	}
	return out
}

// critTime is the time a line holds on the critical path.
func (l *spanLine) critTime() float64 {
	if l.kind == WaterfallGap {
		if l.critical {
			return l.total
		}
		return 0
	}
	t := 0.0
	for _, m := range l.members {
		if m.Critical {
			t += m.critEnd - m.critStart
		}
	}
	return t
}

// spanHotLine names where most of the latency went: the deepest line on
// the critical path that holds at least half of the transaction (a loop
// is named as a whole), or "" when no line does.
func spanHotLine(lines []*spanLine) string {
	if len(lines) == 0 || !lines[0].hasTime || lines[0].total <= 0 {
		return ""
	}
	cur := lines[0]
	for cur.kind != WaterfallLoop {
		var best *spanLine
		for _, c := range cur.children {
			if c.critical && (best == nil || c.critTime() > best.critTime()) {
				best = c
			}
		}
		if best == nil || best.critTime() < lines[0].total/2 {
			break
		}
		cur = best
	}
	if cur == lines[0] {
		return ""
	}
	var what string
	switch m := cur.members[0]; cur.kind {
	case WaterfallGap:
		what = "time without a child span inside " + oneLine(spanLabel(m.Op, m.Description), 60)
	case WaterfallLoop:
		what = fmt.Sprintf("a loop of %d steps repeated %d times", len(cur.children), cur.reps)
	case WaterfallGroup:
		what = oneLine(spanLabel(m.Op, cur.desc()), 80) + fmt.Sprintf(", repeated %d times", len(cur.members))
	default:
		if m.ServiceBoundary {
			what = "the child service " + oneLine(spanOr(m.Project, "?"), 40) + ", "
		}
		what += oneLine(spanLabel(m.Op, m.Description), 80)
	}
	ct := cur.critTime()
	return fmt.Sprintf("most of the time: %s (%s, %d%% of the transaction)", what, FormatDuration(spanRoundMS(ct)), int(math.Round(100*ct/lines[0].total)))
}

// Text renders the span tree for a person and a model alike: a header
// (transaction, span count, critical path), then one line per span or
// group of repeated spans with its offset from the transaction start, its
// duration and self time, its status when not ok and the attributes that
// matter, critical-path spans marked ◆, failed ones ✗, and uncovered gaps.
// With opts.Budget > 0 the text fits that many tokens: the header, the
// critical path, failed spans and groups are kept first, the least
// important lines are dropped and the text says what was left out.
func (t *SpanTree) Text(opts SpanOptions) string {
	if t.Root == nil {
		return spanFit("Spans: no transaction to show\n", opts.Budget)
	}
	w := opts.DescWidth
	if w <= 0 {
		w = spanDefaultDescWidth
	}
	w = max(w, 16)
	lines := t.visibleLines()
	head := strings.Join(t.header(lines, w), "\n") + "\n"
	bodies := make([]string, len(lines)) // made when first needed
	body := func(l *spanLine) string {
		if bodies[l.idx] == "" {
			bodies[l.idx] = l.body(w)
		}
		return bodies[l.idx]
	}
	if opts.Budget <= 0 {
		return head + spanRender(lines, body, nil)
	}
	budget := opts.Budget
	headTokens := CountTokens(head)
	if headTokens > budget { // the first line alone, or what fits of it
		first := head[:strings.IndexByte(head, '\n')+1]
		return spanFit(first, budget)
	}
	const minLineTokens = 5 // no line is shorter: "◆ +1ms ├─ op (1ms)"
	if headTokens+minLineTokens*len(lines) <= budget {
		if all := head + spanRender(lines, body, nil); CountTokens(all) <= budget {
			return all
		}
	}

	// Add lines from the most important down while they fit, estimating
	// the elision lines and the footer they will need. Parents always come
	// before their children in this order, so what is kept is a connected
	// tree.
	order := slices.Clone(lines)
	slices.SortStableFunc(order, func(a, b *spanLine) int {
		switch {
		case a.tier != b.tier:
			return b.tier - a.tier
		case a.weight != b.weight:
			if a.weight > b.weight {
				return -1
			}
			return 1
		case a.depth != b.depth:
			return a.depth - b.depth
		}
		return a.idx - b.idx
	})
	kept := make([]bool, len(lines))
	keptKids := make([]int, len(lines))
	const footerReserve = 24
	used := CountTokens(head) + footerReserve
	reserve := map[int]int{} // elision line reserved per kept parent with missing children
	n := 0                   // order[:n] are kept
	for ; n < len(order); n++ {
		l := order[n]
		prefix := spanPrefix(l)
		cost := CountTokens(l.lead() + prefix + body(l) + "\n")
		res := 0
		if len(l.children) > 0 {
			res = CountTokens(spanLeadBlank+prefix+"   └─ … 999 more spans (999ms) and 9 gaps not shown\n") + 1
		}
		refund := 0
		if p := l.parent; p != nil && keptKids[p.idx]+1 == len(p.children) {
			refund = reserve[p.idx]
		}
		if used+cost+res-refund > budget {
			break
		}
		used += cost + res - refund
		kept[l.idx] = true
		if res > 0 {
			reserve[l.idx] = res
		}
		if p := l.parent; p != nil {
			keptKids[p.idx]++
			if refund > 0 {
				delete(reserve, p.idx)
			}
		}
	}
	render := func() string {
		out := head + spanRender(lines, body, kept)
		if n < len(lines) {
			out += spanFooter(lines, kept, budget)
		}
		return out
	}
	// The estimate may be off either way: drop the last lines while the
	// text is too long, or add the next ones (a few tries) while it fits.
	out := render()
	if CountTokens(out) > budget {
		for n > 0 && CountTokens(out) > budget {
			n--
			kept[order[n].idx] = false
			out = render()
		}
		if CountTokens(out) > budget {
			return head // fits: checked above
		}
		return out
	}
	for tries := 0; tries < 16 && n < len(order); tries++ {
		kept[order[n].idx] = true
		n++
		next := render()
		if CountTokens(next) > budget {
			n--
			kept[order[n].idx] = false
			break
		}
		out = next
	}
	return out
}

// spanFooter says how much the budget left out.
func spanFooter(lines []*spanLine, kept []bool, budget int) string {
	spans := 0
	for i, l := range lines {
		if l.kind != WaterfallGap && !kept[i] && (l.parent == nil || kept[l.parent.idx]) {
			spans += l.spans
		}
	}
	return fmt.Sprintf("(%s of this transaction not shown to fit %d tokens)\n", plural(spans, "span"), budget)
}

// spanFit cuts s to at most budget tokens (for budgets too small for even
// the header).
func spanFit(s string, budget int) string {
	if budget <= 0 || CountTokens(s) <= budget {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi { // longest prefix (plus …) that fits
		mid := (lo + hi + 1) / 2
		if CountTokens(string(r[:mid])+"…") <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return ""
	}
	return string(r[:lo]) + "…"
}

// spanRank sets each line's tier and weight: its own importance or that of
// anything below it, whichever is higher (so parents outrank children).
// Tiers: 4 the transaction, 3 failed spans and spans with errors, 2 the
// critical path, 1 repeated groups and gaps, 0 the rest; weight is the
// duration.
func spanRank(lines []*spanLine) {
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		switch {
		case l.parent == nil:
			l.tier = 4
		case l.failed || (l.kind != WaterfallGap && len(l.members[0].Errors) > 0):
			l.tier = 3
		case l.critical:
			l.tier = 2
		case l.kind != WaterfallSpan:
			l.tier = 1
		}
		l.weight = l.total
		for _, c := range l.children {
			if c.tier > l.tier || c.tier == l.tier && c.weight > l.weight {
				l.tier, l.weight = c.tier, c.weight
			}
		}
	}
}

// spanPrefix is the line's tree prefix in the full tree (for estimating
// its cost; the rendered prefix depends on which siblings are kept).
func spanPrefix(l *spanLine) string {
	if l.parent == nil {
		return ""
	}
	last := func(x *spanLine) bool { return x.parent.children[len(x.parent.children)-1] == x }
	var cols []string
	for a := l.parent; a.parent != nil; a = a.parent {
		if a.depth > spanMaxIndent {
			continue
		}
		if last(a) {
			cols = append(cols, "   ")
		} else {
			cols = append(cols, "│  ")
		}
	}
	slices.Reverse(cols)
	if last(l) {
		return strings.Join(cols, "") + "└─ "
	}
	return strings.Join(cols, "") + "├─ "
}

// spanWalk visits the kept lines in pre-order with their tree prefix
// (columns and connector); after the kept children of a line with dropped
// children it visits an elision (l == nil) with its text.
func spanWalk(lines []*spanLine, kept []bool, visit func(l *spanLine, prefix, elision string)) {
	type frame struct {
		l      *spanLine
		cols   string // columns of the ancestors below the root
		last   bool
		elided string
		levels int // levels deeper than spanMaxIndent not drawn
	}
	connector := func(f frame) string {
		if f.l == nil && f.elided == "" {
			return ""
		}
		if f.last {
			return f.cols + "└─ "
		}
		return f.cols + "├─ "
	}
	if len(lines) == 0 || !kept[0] {
		return
	}
	stack := []frame{{l: lines[0]}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.l == nil {
			visit(nil, connector(f), f.elided)
			continue
		}
		prefix := ""
		if f.l.parent != nil {
			prefix = connector(f)
		}
		visit(f.l, prefix, "")
		// Children: kept ones, then an elision for the dropped ones.
		var kids []*spanLine
		dropped, dropMS, gaps := 0, 0.0, 0
		for _, c := range f.l.children {
			if kept[c.idx] {
				kids = append(kids, c)
			} else if c.kind == WaterfallGap {
				gaps++
			} else {
				dropped += c.spans
				dropMS += c.total
			}
		}
		elision := ""
		switch {
		case dropped > 0 && gaps > 0:
			elision = fmt.Sprintf("… %s (%s) and %s not shown", plural(dropped, "more span"), FormatDuration(spanRoundMS(dropMS)), plural(gaps, "gap"))
		case dropped > 0:
			elision = fmt.Sprintf("… %s (%s) not shown", plural(dropped, "more span"), FormatDuration(spanRoundMS(dropMS)))
		case gaps > 0:
			elision = fmt.Sprintf("… %s not shown", plural(gaps, "gap"))
		}
		cols := f.cols
		if f.l.parent != nil {
			switch {
			case f.l.depth > spanMaxIndent:
				// Too deep to draw: keep the columns as they are.
			case f.last:
				cols += "   "
			default:
				cols += "│  "
			}
		}
		if elision != "" {
			stack = append(stack, frame{cols: cols, last: true, elided: elision})
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, frame{l: kids[i], cols: cols, last: i == len(kids)-1 && elision == ""})
		}
	}
}

// spanRender writes the kept lines (all when kept is nil).
func spanRender(lines []*spanLine, body func(*spanLine) string, kept []bool) string {
	if kept == nil {
		kept = make([]bool, len(lines))
		for i := range kept {
			kept[i] = true
		}
	}
	var b strings.Builder
	spanWalk(lines, kept, func(l *spanLine, prefix, elision string) {
		if l == nil {
			b.WriteString(spanLeadBlank + prefix + elision + "\n")
			return
		}
		if l.depth > spanMaxIndent {
			prefix = strings.TrimSuffix(prefix, "├─ ")
			prefix = strings.TrimSuffix(prefix, "└─ ")
			prefix += fmt.Sprintf("┄(depth %d) ", l.depth)
		}
		b.WriteString(l.lead() + prefix + body(l) + "\n")
	})
	return b.String()
}
