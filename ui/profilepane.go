package ui

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/tracehound/tracehound/tracetree"
)

// This file is the Profile tab: a transaction's CPU profile as a call tree
// of app functions, each with a bar proportional to its total time (its
// own time in a darker shade), its share of the thread and its time;
// system frames folded into their app caller as in the text view;
// functions in the error's stack marked ◀; then the hottest functions.

type detailProfile struct {
	t       *tracetree.ProfileTree
	found   []string // the error's functions sampled on this thread
	missing []string // … and those not sampled
	all     bool     // show nodes under 1% too

	laidLines
}

// ppMinPct is the share under which sibling nodes are summed into one
// "… N more" line (enter shows them).
const ppMinPct = 1.0

func newDetailProfile(t *tracetree.ProfileTree) *detailProfile {
	p := &detailProfile{t: t}
	p.found, p.missing = ppRelevant(t)
	return p
}

// ppRelevant reads which of the error's functions the profile marks from
// the header of its text (ProfileTree keeps the relevant functions it was
// built with unexported).
func ppRelevant(t *tracetree.ProfileTree) (found, missing []string) {
	if t == nil || t.Root == nil {
		return nil, nil
	}
	const marks = "◀ marks functions in the error's stack: "
	const none = "none of the error's functions were sampled on this thread: "
	split := func(s string) []string {
		var out []string
		for _, f := range strings.Split(s, ", ") {
			if f = strings.TrimSpace(f); f != "" && !strings.HasPrefix(f, "… ") {
				out = append(out, f)
			}
		}
		return out
	}
	for _, l := range strings.Split(t.Text(tracetree.ProfileOptions{TopN: -1}), "\n") {
		switch {
		case strings.HasPrefix(l, marks):
			f, m, _ := strings.Cut(strings.TrimPrefix(l, marks), "; not sampled: ")
			return split(f), split(m)
		case strings.HasPrefix(l, none):
			return nil, split(strings.TrimPrefix(l, none))
		case l == "":
			return nil, nil // the header ends at the first blank line
		}
	}
	return nil, nil
}

// marked reports whether fn is one of the error's functions, allowing for
// qualification ("pkg.(*T).M" matches "(*T).M").
func (p *detailProfile) marked(fn string) bool {
	fn = strings.TrimPrefix(fn, "async ")
	for _, want := range p.found {
		want = strings.TrimPrefix(want, "async ")
		if fn == want || strings.HasSuffix(fn, "."+want) || strings.HasSuffix(want, "."+fn) {
			return true
		}
	}
	return false
}

func (p *detailProfile) hint() string {
	if p.all {
		return "hide small nodes"
	}
	return "all nodes"
}

func (p *detailProfile) enter(int) {
	p.all = !p.all
	p.ver++
}

func (p *detailProfile) layout(st *Styles, w int) {
	if !p.stale(st, w) {
		return
	}
	r := &ppRender{p: p, st: st, w: w, bw: min(max(w/6, 8), 20)}
	r.selfStyle = ppSelfStyle(st)
	r.render()
	p.setLines(r.out, w)
}

// ppSelfStyle is the darker shade of the critical bar colour used for a
// node's self time. (Styles has no such style; see the report.)
func ppSelfStyle(st *Styles) lipgloss.Style {
	ld := lipgloss.LightDark(st.Dark)
	return lipgloss.NewStyle().Foreground(ld(lipgloss.Color("#0a3069"), lipgloss.Color("#1f6feb")))
}

type ppRender struct {
	p         *detailProfile
	st        *Styles
	w, bw     int
	selfStyle lipgloss.Style
	out       []string
}

func (r *ppRender) add(lines ...string) { r.out = append(r.out, lines...) }

func (r *ppRender) wrap(s string) {
	r.add(wfWrap(s, r.w)...)
}

func (r *ppRender) pct(ms float64) string {
	t := r.p.t
	if t.TotalMS <= 0 {
		return "?%"
	}
	p := ms / t.TotalMS * 100
	switch {
	case p < 1 && ms > 0:
		return "<1%"
	case p >= 99.5 && ms < t.TotalMS*0.9999:
		return ">99%"
	}
	return fmt.Sprintf("%d%%", int(math.Round(p)))
}

// bar is a bar of bw cells: total time, its self part in the darker shade
// at the right end.
func (r *ppRender) bar(total, self float64, style lipgloss.Style) string {
	t := r.p.t
	if t.TotalMS <= 0 {
		return strings.Repeat(" ", r.bw)
	}
	cells := func(ms float64) int {
		n := int(math.Round(ms / t.TotalMS * float64(r.bw)))
		if ms > 0 && n == 0 {
			n = 1
		}
		return min(n, r.bw)
	}
	tot := cells(total)
	sf := 0
	if self > 0 {
		sf = min(cells(self), tot)
	}
	return style.Render(strings.Repeat("█", tot-sf)) + r.selfStyle.Render(strings.Repeat("█", sf)) + strings.Repeat(" ", r.bw-tot)
}

// metrics is the bar, the share and the time of a line.
func (r *ppRender) metrics(total, self float64, style lipgloss.Style) string {
	return r.bar(total, self, style) + " " + r.st.Subtle.Render(fmt.Sprintf("%4s", r.pct(total))) + " " + fmt.Sprintf("%6s", tracetree.FormatDuration(total)) + "  "
}

func (r *ppRender) render() {
	t, st := r.p.t, r.st
	if t == nil || t.Root == nil {
		r.add(st.Faint.Render("(no profile)"))
		return
	}
	r.header()
	r.add("", dtSection(st, "Call tree", r.w))
	legend := st.BarCritical.Render("█") + st.Faint.Render(" time in callees  ") + r.selfStyle.Render("█") + st.Faint.Render(" own code  · % of the thread's time")
	if t.AllFrames {
		legend += st.Faint.Render(" · all frames")
	} else {
		legend += st.Faint.Render(" · system frames folded into their app caller")
	}
	r.wrap(legend)
	root := t.Root
	r.add(r.metrics(t.TotalMS, 0, st.BarCritical) + st.Title.Render(clean(root.Function)))
	r.children(root, "")

	if len(t.Hot) > 0 {
		title := "Hottest app functions (own time)"
		if t.AllFrames {
			title = "Hottest functions (own time)"
		}
		r.add("", dtSection(st, title, r.w))
		r.hot(t.Hot, 10, false)
	}
	if len(t.HotSystem) > 0 && !t.AllFrames {
		r.add("", dtSection(st, "Hottest system functions (own time ← the app function that called in)", r.w))
		r.hot(t.HotSystem, 5, true)
	}
}

func (r *ppRender) header() {
	t, st := r.p.t, r.st
	dot := st.Faint.Render(" · ")
	var first []string
	switch {
	case t.ProfileID != "":
		first = append(first, st.Title.Render("Profile "+clean(tracetree.ShortID(t.ProfileID))))
	case t.ChunkID != "":
		first = append(first, st.Title.Render("Profile chunk "+clean(tracetree.ShortID(t.ChunkID))))
	default:
		first = append(first, st.Title.Render("Profile"))
	}
	for _, s := range []string{t.Kind, t.Platform, t.Release, t.Environment} {
		if s != "" {
			first = append(first, st.Subtle.Render(clean(s)))
		}
	}
	r.wrap(strings.Join(first, dot))
	if t.Transaction != "" {
		s := st.Subtle.Render("transaction ") + st.Bold.Render(clean(t.Transaction))
		if t.TransactionID != "" {
			s += st.Subtle.Render(" (" + clean(tracetree.ShortID(t.TransactionID)) + ")")
		}
		if t.TxnDurationMS > 0 {
			s += dot + tracetree.FormatDuration(t.TxnDurationMS)
		}
		r.wrap(s)
	}
	if t.Start != 0 && t.End != 0 {
		r.wrap(st.Subtle.Render(fmt.Sprintf("window %s – %s UTC (%s): %d of the chunk's %s",
			t.Start.Time().Format("15:04:05.000"), t.End.Time().Format("15:04:05.000"),
			tracetree.FormatDuration(float64(t.End-t.Start)*1000), t.WindowSamples, wfPlural(t.ChunkSamples, "sample"))))
	}
	th := clean(t.Thread.ID)
	if t.Thread.Name != "" {
		th = clean(t.Thread.Name) + st.Subtle.Render(" (id "+clean(t.Thread.ID)+")")
	}
	line := st.Subtle.Render("thread ") + st.Bold.Render(th)
	if t.ThreadReason != "" {
		line += st.Subtle.Render(", " + clean(t.ThreadReason))
	}
	line += st.Subtle.Render(fmt.Sprintf(": %s ~%s apart, %s", wfPlural(t.Thread.Samples, "sample"), tracetree.FormatDuration(t.IntervalMS), tracetree.FormatDuration(t.TotalMS)))
	r.wrap(line)
	if len(t.OtherThreads) > 0 {
		var parts []string
		for i, o := range t.OtherThreads {
			if i == 4 {
				parts = append(parts, fmt.Sprintf("… %d more", len(t.OtherThreads)-4))
				break
			}
			name := clean(o.Name)
			if name == "" {
				name = clean(o.ID)
			}
			s := name + " " + wfPlural(o.Samples, "sample")
			if o.AppSamples == 0 && !t.AllFrames {
				s += " (no app code)"
			}
			parts = append(parts, s)
		}
		r.wrap(st.Faint.Render("other threads: " + strings.Join(parts, ", ")))
	}
	var notes []string
	idle := 0.0
	for _, h := range t.HotSystem {
		if h.Function == "(idle)" {
			idle += h.SelfMS
		}
	}
	if t.TotalMS > 0 && idle/t.TotalMS >= 0.3 {
		notes = append(notes, fmt.Sprintf("the thread was idle %s of the time (%s): waiting on I/O, timers or other services, not computing", r.pct(idle), tracetree.FormatDuration(idle)))
	}
	if t.AllFrames {
		notes = append(notes, "no frame on this thread is app code, so every frame is shown")
	} else if t.InAppInferred {
		notes = append(notes, "frames carry no in_app flag; app code was inferred from file paths")
	}
	if t.PathPrefix != "" {
		notes = append(notes, "app file paths are relative to "+clean(t.PathPrefix))
	}
	for _, n := range t.Notes {
		notes = append(notes, clean(n))
	}
	for _, n := range notes {
		r.wrap(st.Warn.Render("note: " + n))
	}
	switch {
	case len(r.p.found) > 0:
		s := st.Accent.Render("◀") + " marks functions in the error's stack: " + clean(strings.Join(r.p.found, ", "))
		if len(r.p.missing) > 0 {
			s += st.Faint.Render("; not sampled: " + clean(strings.Join(r.p.missing, ", ")))
		}
		r.wrap(s)
	case len(r.p.missing) > 0:
		r.wrap(st.Faint.Render("none of the error's functions were sampled on this thread: " + clean(strings.Join(r.p.missing, ", "))))
	}
}

// ppItem is a child line: a node or the folded system frames.
type ppItem struct {
	node *tracetree.ProfileNode
	fold *tracetree.ProfileFolded
	ms   float64
}

func (r *ppRender) children(n *tracetree.ProfileNode, prefix string) {
	t, st := r.p.t, r.st
	var items []ppItem
	for _, c := range n.Children {
		items = append(items, ppItem{node: c, ms: c.TotalMS})
	}
	if n.System != nil {
		items = append(items, ppItem{fold: n.System, ms: n.System.TotalMS})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].ms > items[j].ms })
	show := make([]bool, len(items))
	small := 0
	for i, it := range items {
		show[i] = r.p.all || t.TotalMS <= 0 || it.ms/t.TotalMS*100 >= ppMinPct || (it.node != nil && r.hasMarked(it.node))
		if !show[i] {
			small++
		}
	}
	if small == 1 { // one line is as short as "… 1 more"
		for i := range show {
			show[i] = true
		}
		small = 0
	}
	last := -1
	hiddenMS := 0.0
	for i := range items {
		if show[i] {
			last = i
		} else {
			hiddenMS += items[i].ms
		}
	}
	for i, it := range items {
		if !show[i] {
			continue
		}
		branch, next := "├─ ", "│  "
		if i == last && small == 0 {
			branch, next = "└─ ", "   "
		}
		if it.fold != nil {
			r.add(r.metrics(it.fold.TotalMS, 0, st.Bar) + st.Faint.Render(prefix+branch+ppFoldText(it.fold, n == t.Root)))
			continue
		}
		r.add(r.metrics(it.node.TotalMS, it.node.SelfMS, st.BarCritical) + st.Faint.Render(prefix+branch) + r.nodeText(it.node))
		r.children(it.node, prefix+next)
	}
	if small > 0 {
		r.add(strings.Repeat(" ", r.bw+1+4+1+6+2) + st.Faint.Render(fmt.Sprintf("%s└─ … %d more under %g%% (%s)", prefix, small, ppMinPct, tracetree.FormatDuration(hiddenMS))))
	}
}

// hasMarked reports whether n or a node below it is marked.
func (r *ppRender) hasMarked(n *tracetree.ProfileNode) bool {
	if len(r.p.found) == 0 {
		return false
	}
	if r.p.marked(n.Function) {
		return true
	}
	for _, c := range n.Children {
		if r.hasMarked(c) {
			return true
		}
	}
	return false
}

func (r *ppRender) nodeText(n *tracetree.ProfileNode) string {
	st := r.st
	fn := clean(n.Function)
	mark := r.p.marked(n.Function)
	s := st.Code.Render(fn)
	if mark {
		s = st.Bold.Render(fn)
	}
	loc := ""
	switch {
	case n.File != "":
		loc = clean(n.File)
		if n.Line > 0 {
			loc += ":" + strconv.Itoa(n.Line)
		}
	case n.Module != "":
		loc = clean(n.Module)
	}
	if loc != "" {
		s += st.Subtle.Render(" " + loc)
	}
	if n.SelfMS > 0 && len(n.Children) > 0 {
		s += st.Faint.Render(" · own " + tracetree.FormatDuration(n.SelfMS))
	}
	if mark {
		s += " " + st.Accent.Render("◀")
	}
	return s
}

// ppFoldText describes the system frames folded into an app node.
func ppFoldText(f *tracetree.ProfileFolded, root bool) string {
	s := "+ " + wfPlural(f.Frames, "system frame")
	if root {
		s += ", no app code"
	}
	s += ": "
	if root {
		return s + clean(strings.Join(f.Hottest, ", "))
	}
	hot := ""
	if len(f.Hottest) > 0 {
		hot = f.Hottest[0]
	}
	switch {
	case f.Entry == hot || hot == "":
		return s + clean(f.Entry)
	case f.Frames == 2:
		return s + clean(f.Entry+" → "+hot)
	}
	return s + clean(f.Entry+" → … → "+hot)
}

func (r *ppRender) hot(hs []tracetree.ProfileHot, n int, system bool) {
	st := r.st
	if len(hs) > n {
		hs = hs[:n]
	}
	style := st.BarCritical
	if system {
		style = st.Bar
	}
	for _, h := range hs {
		self := h.SelfMS
		if system {
			self = 0
		}
		line := r.metrics(h.SelfMS, self, style)
		fn := clean(h.Function)
		if r.p.marked(h.Function) {
			line += st.Bold.Render(fn)
		} else {
			line += st.Code.Render(fn)
		}
		if h.Location != "" {
			line += st.Subtle.Render(" " + clean(h.Location))
		}
		if h.Caller != "" {
			line += st.Faint.Render(" ← " + clean(h.Caller))
		}
		if r.p.marked(h.Function) {
			line += " " + st.Accent.Render("◀")
		}
		r.add(line)
	}
}
