package ui

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/tracetree"
)

// This file is the Spans tab: the waterfall of one transaction. Each row
// of tracetree's Waterfall is a tree label (op in the service's colour,
// description, repeated groups, loops, gaps), a bar on one time axis for
// the whole transaction and the duration and self time. Rows are styled
// lazily, only when they become visible, so 100k spans cost nothing
// until scrolled to.

// Column widths of the waterfall.
const (
	wfMark      = 2  // "◆ "
	wfDurCol    = 6  // "586ms"
	wfMinBars   = 70 // narrower panes show no bars
	wfMaxLevels = 12 // tree levels drawn as columns
)

type detailSpans struct {
	t       *tracetree.SpanTree
	rows    []tracetree.WaterfallRow
	prefix  []string // tree connectors, per row
	kids    []bool   // the row has child rows
	service []string // the row's service (project)
	hot     string   // "most of the time" text, when the tree names one
	axisMS  float64  // the time axis: 0 … axisMS
	sel     int
	open    map[int]bool // rows showing their attributes
	ver     int

	// Layout for one width and theme.
	st       *Styles
	w        int
	lw, bw   int // label and bar widths (bw 0: no bars)
	durW     int
	layVer   int
	laidOut  bool
	head     []string
	items    []wfItem
	rowLine  []int    // content line of each row
	cache    []string // styled row lines, "" until first drawn
	attrs    map[int][]string
	maxWidth int
}

// wfItem is a content line below the header: a row, or line sub of its
// attributes.
type wfItem struct{ row, sub int }

func newDetailSpans(t *tracetree.SpanTree) *detailSpans {
	p := &detailSpans{t: t, rows: t.Waterfall(), open: map[int]bool{}}
	n := len(p.rows)
	p.prefix = wfPrefixes(p.rows)
	p.kids = make([]bool, n)
	for i := 0; i+1 < n; i++ {
		p.kids[i] = p.rows[i+1].Depth > p.rows[i].Depth
	}
	p.axisMS = t.DurationMS
	for _, r := range p.rows {
		if r.HasTime {
			p.axisMS = max(p.axisMS, r.EndMS)
		}
	}
	p.service = make([]string, n)
	var projects map[string]string
	for i, r := range p.rows {
		p.service[i] = t.Project
		if r.ServiceBoundary {
			if projects == nil {
				projects = wfBoundaryProjects(t)
			}
			p.service[i] = projects[r.SpanID]
		}
	}
	p.hot = wfHotLine(t)
	// Start on the first failed span below the transaction: at 3 a.m. that
	// is the row to look at.
	for i, r := range p.rows {
		if i > 0 && r.Failed {
			p.sel = i
			break
		}
	}
	return p
}

// wfHotLine is the "most of the time: …" line of the tree's text: what
// bounded the latency. (SpanTree does not expose it otherwise.)
func wfHotLine(t *tracetree.SpanTree) string {
	if t.Root == nil {
		return ""
	}
	txt := t.Text(tracetree.SpanOptions{Budget: 400, DescWidth: 120})
	for i, l := range strings.SplitN(txt, "\n", 4) {
		if i < 3 && strings.HasPrefix(l, "most of the time: ") {
			l = strings.TrimPrefix(l, "most of the time: ")
			if strings.HasSuffix(l, "% of the transaction)") {
				l = strings.TrimSuffix(l, " of the transaction)") + ")"
			}
			return l
		}
	}
	return ""
}

// wfBoundaryProjects maps the span ids of service boundaries to their
// project.
func wfBoundaryProjects(t *tracetree.SpanTree) map[string]string {
	out := map[string]string{}
	stack := []*tracetree.SpanNode{t.Root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		if n.ServiceBoundary {
			out[redact.SanitizeLine(n.SpanID)] = n.Project
		}
		stack = append(stack, n.Children...)
	}
	return out
}

// wfPrefixes computes the tree connectors ("│  ├─ ") of rows in
// pre-order from their depths. Levels deeper than wfMaxLevels are not
// drawn as columns.
func wfPrefixes(rows []tracetree.WaterfallRow) []string {
	n := len(rows)
	last := make([]bool, n)
	var later []bool // later[d]: a later sibling at depth d follows
	for i := n - 1; i >= 0; i-- {
		d := max(rows[i].Depth, 0)
		for len(later) < d+1 {
			later = append(later, false)
		}
		later = later[:d+1]
		last[i] = !later[d]
		later[d] = true
	}
	out := make([]string, n)
	var cols []string // cols[d]: the column below the row at depth d
	for i, r := range rows {
		d := max(r.Depth, 0)
		for len(cols) < d+1 {
			cols = append(cols, "")
		}
		cols = cols[:d+1]
		if last[i] {
			cols[d] = "   "
		} else {
			cols[d] = "│  "
		}
		if d == 0 {
			continue
		}
		conn := "├─ "
		if last[i] {
			conn = "└─ "
		}
		if d > wfMaxLevels {
			out[i] = strings.Join(cols[1:wfMaxLevels], "") + fmt.Sprintf("┄%d ", d) + conn
		} else {
			out[i] = strings.Join(cols[1:d], "") + conn
		}
	}
	return out
}

func (p *detailSpans) version() int { return p.ver }
func (p *detailSpans) hint() string { return "details" }
func (p *detailSpans) wide() int    { return p.maxWidth }

func (p *detailSpans) count() int { return len(p.head) + len(p.items) }

func (p *detailSpans) layout(st *Styles, w int) {
	if p.laidOut && st == p.st && w == p.w && p.layVer == p.ver {
		return
	}
	if !p.laidOut || st != p.st || w != p.w {
		p.st, p.w = st, w
		p.durW = 2*wfDurCol + 1
		if w < 40 {
			p.durW = wfDurCol
		}
		if w >= wfMinBars {
			p.lw = w/2 - wfMark
			p.bw = w - wfMark - p.lw - 2 - p.durW
		} else {
			p.lw = max(w-wfMark-1-p.durW, 1)
			p.bw = 0
		}
		p.cache = make([]string, len(p.rows))
		p.attrs = map[int][]string{}
		p.head = p.header()
		p.maxWidth = w
	}
	p.laidOut, p.layVer = true, p.ver
	p.items = p.items[:0]
	if cap(p.rowLine) < len(p.rows) {
		p.rowLine = make([]int, len(p.rows))
	}
	p.rowLine = p.rowLine[:len(p.rows)]
	for i := range p.rows {
		p.rowLine[i] = len(p.head) + len(p.items)
		p.items = append(p.items, wfItem{i, -1})
		if p.open[i] {
			for j := range p.attrLines(i) {
				p.items = append(p.items, wfItem{i, j})
			}
		}
	}
}

func (p *detailSpans) line(i int) string {
	if i < len(p.head) {
		return p.head[i]
	}
	it := p.items[i-len(p.head)]
	if it.sub >= 0 {
		return p.attrLines(it.row)[it.sub]
	}
	if p.cache[it.row] == "" {
		p.cache[it.row] = p.rowText(it.row, nil)
	}
	return p.cache[it.row]
}

func (p *detailSpans) move(delta int) {
	p.sel = min(max(p.sel+delta, 0), max(len(p.rows)-1, 0))
}

func (p *detailSpans) selected() (int, int) {
	if len(p.rows) == 0 || !p.laidOut {
		return -1, 0
	}
	n := 1
	if p.open[p.sel] {
		n += len(p.attrLines(p.sel))
	}
	return p.rowLine[p.sel], n
}

func (p *detailSpans) selectedLine(bg color.Color) string {
	return p.rowText(p.sel, bg)
}

func (p *detailSpans) enter(int) {
	if len(p.rows) == 0 {
		return
	}
	if p.open[p.sel] {
		delete(p.open, p.sel)
	} else {
		p.open[p.sel] = true
	}
	p.ver++
}

// header is the lines above the rows: the transaction, what took the
// time, notes on the data, and the column titles with the time axis.
func (p *detailSpans) header() []string {
	st, t, w := p.st, p.t, p.w
	var out []string
	if t.Root == nil {
		return []string{st.Faint.Render("no transaction to show")}
	}
	var b strings.Builder
	if t.Root.Failed {
		b.WriteString(st.Error.Render("✗") + " ")
	}
	if t.Op != "" {
		b.WriteString(st.Service(t.Project).Bold(true).Render(clean(t.Op)) + " ")
	}
	b.WriteString(st.Title.Render(clean(t.Name)))
	dur := "duration unknown"
	if t.Root.HasTime {
		dur = tracetree.FormatDuration(t.DurationMS)
	}
	b.WriteString("  " + st.Bold.Render(dur))
	var facts []string
	facts = append(facts, wfPlural(t.SpanCount, "span"))
	if t.Root.HasTime && t.SpanCount > 0 {
		facts = append(facts, "critical path "+tracetree.FormatDuration(t.CriticalMS))
	}
	if t.Project != "" {
		facts = append(facts, clean(t.Project))
	}
	if t.EventID != "" {
		facts = append(facts, clean(tracetree.ShortID(t.EventID)))
	}
	b.WriteString(st.Subtle.Render(" · " + strings.Join(facts, " · ")))
	// The header stays short so that small panes still show rows.
	out = append(out, b.String())
	if p.hot != "" {
		hot := wfWrap(st.Warn.Render("most of the time:")+" "+clean(p.hot), w)
		if len(hot) > 2 {
			hot = []string{hot[0], ansi.Truncate(strings.Join(hot[1:], " "), w, "…")}
		}
		out = append(out, hot...)
	}
	var notes []string
	if t.DerivedTimes {
		notes = append(notes, "the transaction's start and end were taken from its spans")
	}
	if t.Orphans > 0 {
		notes = append(notes, wfPlural(t.Orphans, "span")+" without their parent hang under the root")
	}
	if t.Looped > 0 {
		notes = append(notes, wfPlural(t.Looped, "span")+" in a parent loop hang under the root")
	}
	if t.Duplicates > 0 {
		notes = append(notes, wfPlural(t.Duplicates, "duplicate span")+" left out")
	}
	if t.Untimed > 0 {
		notes = append(notes, wfPlural(t.Untimed, "span")+" without valid timestamps")
	}
	if t.FromTrace {
		notes = append(notes, "built from trace data: no span attributes")
	}
	if t.SpanCount == 0 && !t.FromTrace {
		notes = append(notes, "the event carries no spans")
	}
	if len(notes) > 0 {
		out = append(out, wfWrap(st.Faint.Render("note: "+strings.Join(notes, "; ")), w)...)
	}

	// Column titles: legend over the labels, the axis over the bars.
	legend := st.Faint.Render("span")
	if p.lw >= 30 {
		legend = st.BarCritical.Render("◆") + st.Faint.Render(" critical path")
		for _, r := range p.rows {
			if r.Failed {
				legend += "  " + st.Error.Render("✗") + st.Faint.Render(" failed")
				break
			}
		}
	}
	cols := strings.Repeat(" ", wfMark) + dtPad(legend, p.lw, nil) + " "
	if p.bw > 0 {
		cols += st.Faint.Render(wfAxis(p.axisMS, p.bw)) + " "
	}
	durTitle := fmt.Sprintf("%*s", wfDurCol, "dur")
	if p.durW > wfDurCol {
		durTitle += fmt.Sprintf(" %*s", wfDurCol, "self")
	}
	cols += st.Faint.Render(durTitle)
	out = append(out, cols)
	return out
}

// wfAxis is the time axis over the bars: "0ms ···· 295ms ···· 591ms".
func wfAxis(total float64, w int) string {
	cells := []rune(strings.Repeat("·", w))
	if total <= 0 || w < 8 {
		return string(cells)
	}
	used := make([]bool, w)
	put := func(label string, at int, align int) { // align -1 left, 0 centre, 1 right
		r := []rune(label)
		start := at
		switch align {
		case 0:
			start = at - len(r)/2
		case 1:
			start = at - len(r)
		}
		lo, hi := start-1, start+len(r)+1 // a blank each side
		if start < 0 || start+len(r) > w {
			return
		}
		for i := max(lo, 0); i < min(hi, w); i++ {
			if used[i] {
				return
			}
		}
		for i := max(lo, 0); i < min(hi, w); i++ {
			cells[i], used[i] = ' ', true
		}
		copy(cells[start:], r)
	}
	put("0ms", 0, -1)
	put(tracetree.FormatDuration(total), w, 1)
	put(tracetree.FormatDuration(total/2), w/2, 0)
	if w >= 60 {
		put(tracetree.FormatDuration(total/4), w/4, 0)
		put(tracetree.FormatDuration(total*3/4), w*3/4, 0)
	}
	return string(cells)
}

// wfSegs builds a line from styled segments, all on background bg when
// it is set (the selected row).
type wfSegs struct {
	b  strings.Builder
	bg color.Color
}

func (s *wfSegs) add(style lipgloss.Style, text string) {
	if text == "" {
		return
	}
	s.b.WriteString(dtBg(style, s.bg).Render(text))
}

func (s *wfSegs) plain(text string) {
	if s.bg == nil {
		s.b.WriteString(text)
		return
	}
	s.add(lipgloss.NewStyle(), text)
}

// rowText renders row i (on background bg when selected).
func (p *detailSpans) rowText(i int, bg color.Color) string {
	st, r := p.st, p.rows[i]
	var line wfSegs
	line.bg = bg
	// Mark.
	if r.Critical {
		line.add(st.BarCritical, "◆ ")
	} else {
		line.plain("  ")
	}
	// Label.
	line.b.WriteString(dtPad(p.label(i, bg), p.lw, bg))
	line.plain(" ")
	// Bar.
	if p.bw > 0 {
		line.b.WriteString(p.bar(i, bg))
		line.plain(" ")
	}
	// Duration and self time.
	dur, self := "?", ""
	if r.HasTime {
		dur = tracetree.FormatDuration(r.TotalMS)
		if p.kids[i] && r.Kind == tracetree.WaterfallSpan {
			self = tracetree.FormatDuration(r.SelfMS)
		}
	}
	durStyle := st.Subtle
	switch {
	case r.Kind == tracetree.WaterfallGap:
		durStyle = st.Faint
	case r.Failed:
		durStyle = st.Error
	case r.Critical:
		durStyle = st.Code
	}
	line.add(durStyle, fmt.Sprintf("%*s", wfDurCol, dur))
	if p.durW > wfDurCol {
		line.plain(" ")
		line.add(st.Faint, fmt.Sprintf("%*s", wfDurCol, self))
	}
	return dtPad(line.b.String(), p.w, bg)
}

// wfRowParts splits a row's label into its operation and description.
func wfRowParts(r tracetree.WaterfallRow) (op, desc string) {
	switch {
	case r.Kind == tracetree.WaterfallGap, r.Kind == tracetree.WaterfallLoop:
		return "", r.Label
	case r.Op != "" && strings.HasPrefix(r.Label, r.Op+" - "):
		return r.Op, strings.TrimPrefix(r.Label, r.Op+" - ")
	case r.Op != "" && r.Label == r.Op:
		return r.Op, ""
	}
	return r.Op, r.Label
}

// label is the row's tree label, at most p.lw cells.
func (p *detailSpans) label(i int, bg color.Color) string {
	st, r := p.st, p.rows[i]
	var s wfSegs
	s.bg = bg
	prefix := p.prefix[i]
	if pw := ansi.StringWidth(prefix); pw > p.lw/2 {
		prefix = "…" + ansi.TruncateLeft(prefix, pw-p.lw/2+1, "")
	}
	s.add(st.Faint, prefix)
	room := p.lw - ansi.StringWidth(prefix)

	op, desc := wfRowParts(r)
	op, desc = clean(op), clean(desc)
	if strings.HasPrefix(op, "http") {
		desc = wfNoScheme(desc) // the attributes keep the full URL
	}
	var suffix []struct {
		style lipgloss.Style
		text  string
	}
	addSuffix := func(style lipgloss.Style, text string) {
		suffix = append(suffix, struct {
			style lipgloss.Style
			text  string
		}{style, text})
		room -= ansi.StringWidth(text)
	}
	switch r.Kind {
	case tracetree.WaterfallGap:
		s.add(st.Faint, "· gap")
		s.add(st.Faint, " (no child span)")
		return s.b.String()
	case tracetree.WaterfallLoop:
		s.add(st.Warn, "↻ ")
		room -= 2
		addSuffix(st.Warn, fmt.Sprintf(" (repeated %d×)", r.Repeat))
	case tracetree.WaterfallGroup:
		addSuffix(st.Warn, fmt.Sprintf(" (repeated %d×)", r.Repeat))
	}
	if r.HTTPStatus >= 400 {
		style := st.Warn
		if r.HTTPStatus >= 500 {
			style = st.Error
		}
		addSuffix(style, fmt.Sprintf(" %d", r.HTTPStatus))
	}
	if r.ServiceBoundary && p.service[i] != "" {
		addSuffix(st.Service(p.service[i]), " ["+clean(p.service[i])+"]")
	}
	if r.Failed {
		s.add(st.Error, "✗ ")
		room -= 2
	}
	room = max(room, 4)
	if op != "" {
		op = wfCut(op, room)
		s.add(st.Service(p.service[i]), op)
		room -= ansi.StringWidth(op)
		if desc != "" && room > 1 {
			s.plain(" ")
			room--
		}
	}
	if desc != "" && room > 0 {
		descStyle := st.Code
		if r.Kind == tracetree.WaterfallLoop {
			descStyle = st.Warn
		}
		s.add(descStyle, wfCut(desc, room))
	}
	for _, x := range suffix {
		s.add(x.style, x.text)
	}
	return s.b.String()
}

// wfNoScheme drops the scheme of the URL in an HTTP span's description
// ("POST http://payments.internal/v1/charges" → "POST
// payments.internal/v1/charges"): the label column is narrow.
func wfNoScheme(desc string) string {
	i := strings.Index(desc, "://")
	if i < 0 || i > 16 {
		return desc
	}
	j := strings.LastIndexByte(desc[:i], ' ') + 1
	return desc[:j] + desc[i+3:]
}

// wfCut shortens plain text to n cells, cutting in the middle so both
// ends of a query or URL stay readable.
func wfCut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= n {
		return s
	}
	s = tracetree.Truncate(s, n)
	if ansi.StringWidth(s) > n { // wide characters
		s = ansi.Truncate(s, n, "…")
	}
	return s
}

// bar is the row's bar on the shared time axis, p.bw cells.
func (p *detailSpans) bar(i int, bg color.Color) string {
	st, r := p.st, p.rows[i]
	var s wfSegs
	s.bg = bg
	if !r.HasTime || p.axisMS <= 0 {
		s.add(st.Faint, fmt.Sprintf("%-*s", p.bw, "  time unknown"))
		return s.b.String()
	}
	scale := float64(p.bw) / p.axisMS
	a := int(math.Floor(max(r.StartMS, 0) * scale))
	b := int(math.Ceil(max(r.EndMS, 0)*scale - 1e-9))
	a = min(max(a, 0), p.bw-1)
	b = min(max(b, a+1), p.bw)
	glyph, style := "█", st.Bar
	switch {
	case r.Kind == tracetree.WaterfallGap:
		glyph, style = "░", st.Faint
	case r.Failed:
		style = st.BarError
	case r.Critical:
		style = st.BarCritical
	}
	if r.Kind == tracetree.WaterfallLoop {
		glyph = "▒"
	}
	s.plain(strings.Repeat(" ", a))
	s.add(style, strings.Repeat(glyph, b-a))
	s.plain(strings.Repeat(" ", p.bw-b))
	return s.b.String()
}

// attrLines are the lines under an open row: ids, status, timing,
// attributes and notes, wrapped to the pane.
func (p *detailSpans) attrLines(i int) []string {
	if ls, ok := p.attrs[i]; ok {
		return ls
	}
	st, r := p.st, p.rows[i]
	indent := wfMark + min(ansi.StringWidth(p.prefix[i]), p.lw/2) + 2
	width := max(p.w-indent-2, 10)
	var facts []string
	if r.SpanID != "" {
		what := "span "
		if r.Kind != tracetree.WaterfallSpan {
			what = "first span "
		}
		facts = append(facts, what+clean(r.SpanID))
	}
	if r.Status != "" {
		facts = append(facts, "status "+clean(r.Status))
	}
	if r.HTTPStatus != 0 {
		facts = append(facts, fmt.Sprintf("HTTP %d", r.HTTPStatus))
	}
	if r.HasTime {
		facts = append(facts, fmt.Sprintf("from +%s to +%s", tracetree.FormatDuration(max(r.StartMS, 0)), tracetree.FormatDuration(max(r.EndMS, 0))))
	}
	if r.Repeat > 1 || r.Kind == tracetree.WaterfallGroup {
		how := "one after another"
		if r.MaxParallel > 1 {
			how = fmt.Sprintf("up to %d at once", r.MaxParallel)
		}
		facts = append(facts, fmt.Sprintf("%d× %s, %s in all", r.Repeat, how, tracetree.FormatDuration(r.TotalMS)))
	}
	if r.Critical {
		facts = append(facts, "on the critical path")
	}
	var text []string
	text = append(text, wfWrapPlain(strings.Join(facts, " · "), width)...)
	var styled []string
	for _, l := range text {
		styled = append(styled, st.Subtle.Render(l))
	}
	if r.Attrs != "" {
		for _, l := range wfWrapPlain(clean(r.Attrs), width) {
			styled = append(styled, st.Info.Render(l))
		}
	}
	if r.Note != "" {
		for _, l := range wfWrapPlain(clean(r.Note), width) {
			styled = append(styled, st.Warn.Render(l))
		}
	}
	if len(styled) == 0 {
		styled = append(styled, st.Faint.Render("no attributes"))
	}
	out := make([]string, len(styled))
	for j, l := range styled {
		out[j] = strings.Repeat(" ", indent) + st.Faint.Render("│ ") + l
	}
	p.attrs[i] = out
	return out
}

// wfWrap wraps a styled line to w cells.
func wfWrap(s string, w int) []string {
	if w <= 0 || lipgloss.Width(s) <= w {
		return []string{s}
	}
	return wrapLines(s, w, " ")
}

// wfWrapPlain wraps plain text to w cells.
func wfWrapPlain(s string, w int) []string {
	if s == "" {
		return nil
	}
	return wrapLines(s, max(w, 1), " ")
}

func wfPlural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
