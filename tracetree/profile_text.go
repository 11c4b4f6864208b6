// Rendering the profile tree as text: detail levels, the header, hot lists, the call tree and folded lines.

package tracetree

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ---- text ------------------------------------------------------------------------

// pfLevel is one step of detail for the budget.
type pfLevel struct {
	minPct   float64 // collapse nodes below this share of the thread
	topN     int
	topSys   int
	pathOnly bool // only the relevant paths
	terse    bool // shorter header
}

// Text renders the tree. opts overrides the options given to the builder
// where set (RelevantFunctions when non-nil, TopN and Budget when
// non-zero):
//
//	Profile 7abf0561 (7abf0561…) · transaction profile · python · payments@3.8.1 · production
//	thread ThreadPoolExecutor-0_0 (id 140234561738432), the transaction's active thread: 47 samples ~10ms apart, 470ms
//	…
//	ThreadPoolExecutor-0_0 470ms 100%
//	├─ create_charge (payments/charges.py:25) 400ms 85% ◀
//	│  ├─ score_transaction (payments/risk.py:23) 370ms 79%
//	│  │  └─ _basket_similarity (payments/risk.py:48) 360ms 77%, self 90ms
//	…
//	│  └─ + 6 system frames 20ms 4%: psycopg.connection.execute → psycopg_binary._psycopg.wait_c
//
// Each node shows its total time, its share of the thread's time and its
// own (self) time; children are sorted by time and those under ~1% are
// collapsed into "… N more (4ms)". With relevant functions, matching nodes
// are marked ◀ and the text keeps their paths and the nodes beside them,
// eliding the rest. With a budget the text fits it, keeping the header,
// the relevant paths and the top of the hot lists.
func (t *ProfileTree) Text(opts ProfileOptions) string {
	if t == nil || t.Root == nil {
		return "(no profile)\n"
	}
	o := t.opts
	if opts.RelevantFunctions != nil {
		o.RelevantFunctions = opts.RelevantFunctions
	}
	if opts.TopN != 0 {
		o.TopN = opts.TopN
	}
	if opts.Budget != 0 {
		o.Budget = opts.Budget
	}
	r := &pfRender{t: t, topN: o.topN()}
	r.mark(o.RelevantFunctions)
	// Nodes are shed by share of the thread's time (a child never has more
	// than its parent, so what stays is always a connected tree with the
	// hottest paths); the relevant paths always stay.
	n := r.topN
	levels := []pfLevel{
		{minPct: 1, topN: n, topSys: n},
		{minPct: 2, topN: n, topSys: n},
		{minPct: 2, topN: n, topSys: min(n, 5), terse: true},
		{minPct: 3, topN: min(n, 5), topSys: min(n, 3), terse: true},
		{minPct: 5, topN: min(n, 5), topSys: min(n, 3), terse: true},
		{minPct: 8, topN: min(n, 3), topSys: min(n, 2), terse: true},
		{minPct: 12, topN: min(n, 3), terse: true},
		{minPct: 20, topN: min(n, 2), terse: true},
		{minPct: 30, topN: min(n, 1), terse: true},
		{minPct: 50, topN: min(n, 1), terse: true},
		{minPct: 70, topN: min(n, 1), terse: true},
		{minPct: 101, pathOnly: true, topN: min(n, 1), terse: true},
		{minPct: 101, pathOnly: true, terse: true},
	}
	if o.Budget <= 0 {
		return r.render(levels[0])
	}
	for _, lv := range levels {
		if s := r.render(lv); CountTokens(s) <= o.Budget {
			return s
		}
	}
	ls := append(r.lines(levels[len(levels)-1]), pfLine{"… (cut to fit the token budget)", 2})
	text := make([]string, len(ls))
	prio := make([]int, len(ls))
	for i, l := range ls {
		text[i], prio[i] = l.s, l.prio
	}
	return packLines(text, prio, 1, o.Budget)
}

// pfLine is one output line and its priority under a budget (0 first).
type pfLine struct {
	s    string
	prio int
}

type pfRender struct {
	t        *ProfileTree
	topN     int
	relevant []string
	marked   map[*ProfileNode]bool
	onPath   map[*ProfileNode]bool // marked nodes and their ancestors
	inMarked map[*ProfileNode]bool // below a marked node
	found    []string
	missing  []string
}

// pfMatches reports whether a profile function is one of the relevant
// names, allowing for qualification ("pkg.(*T).M" matches "(*T).M").
func pfMatches(fn, want string) bool {
	fn = strings.TrimPrefix(fn, "async ")
	want = strings.TrimPrefix(strings.TrimSpace(want), "async ")
	if fn == "" || want == "" {
		return false
	}
	return fn == want || strings.HasSuffix(fn, "."+want) || strings.HasSuffix(want, "."+fn)
}

func (r *pfRender) mark(relevant []string) {
	r.marked = map[*ProfileNode]bool{}
	r.onPath = map[*ProfileNode]bool{}
	r.inMarked = map[*ProfileNode]bool{}
	seen := map[string]bool{}
	for _, f := range relevant {
		if f = strings.TrimSpace(f); f != "" && !seen[f] {
			seen[f] = true
			r.relevant = append(r.relevant, f)
		}
	}
	if len(r.relevant) == 0 {
		return
	}
	hit := map[string]bool{}
	var walk func(n *ProfileNode, under bool) bool
	walk = func(n *ProfileNode, under bool) bool {
		m := false
		if n != r.t.Root {
			for _, f := range r.relevant {
				if pfMatches(n.Function, f) {
					m = true
					hit[f] = true
				}
			}
		}
		if under {
			r.inMarked[n] = true
		}
		any := m
		for _, c := range n.Children {
			if walk(c, under || m) {
				any = true
			}
		}
		if m {
			r.marked[n] = true
		}
		if any {
			r.onPath[n] = true
		}
		return any
	}
	walk(r.t.Root, false)
	for _, f := range r.relevant {
		if hit[f] {
			r.found = append(r.found, f)
		} else {
			r.missing = append(r.missing, f)
		}
	}
}

func (r *pfRender) pct(ms float64) string {
	if r.t.TotalMS <= 0 {
		return "?%"
	}
	p := ms / r.t.TotalMS * 100
	if p < 1 && ms > 0 {
		return "<1%"
	}
	if p >= 99.5 && ms < r.t.TotalMS*0.9999 {
		return ">99%"
	}
	return fmt.Sprintf("%d%%", int(math.Round(p)))
}

func (r *pfRender) header(terse bool) []pfLine {
	t := r.t
	var h []pfLine
	id := ""
	switch {
	case t.ProfileID != "" && terse:
		id = "Profile " + ShortID(oneLine(t.ProfileID, 64))
	case t.ProfileID != "":
		id = "Profile " + pfID(t.ProfileID)
	case t.ChunkID != "" && terse:
		id = "Profile chunk " + ShortID(oneLine(t.ChunkID, 64))
	case t.ChunkID != "":
		id = "Profile chunk " + pfID(t.ChunkID)
	default:
		id = "Profile"
	}
	kind := t.Kind
	if t.ChunkID != "" {
		kind = ""
	}
	first := joinNonEmpty(" · ", id, kind, oneLine(t.Platform, 40), oneLine(t.Release, 80), oneLine(t.Environment, 40))
	if t.ProfilerID != "" && terse {
		first += " · profiler " + ShortID(oneLine(t.ProfilerID, 64))
	} else if t.ProfilerID != "" {
		first += " · profiler " + pfID(t.ProfilerID)
	}
	h = append(h, pfLine{first, 0})
	if t.Transaction != "" || t.TraceID != "" {
		txn := ""
		if t.Transaction != "" {
			txn = "transaction " + oneLine(t.Transaction, 120)
			if t.TransactionID != "" {
				txn += " (" + ShortID(oneLine(t.TransactionID, 64)) + ")"
			}
		}
		dur := ""
		if t.TxnDurationMS > 0 {
			dur = FormatDuration(t.TxnDurationMS)
		}
		tr := ""
		if t.TraceID != "" && !terse {
			tr = "trace " + oneLine(t.TraceID, 64)
		}
		h = append(h, pfLine{joinNonEmpty(" · ", txn, dur, tr), 3})
	}
	if t.Start != 0 || t.End != 0 {
		win := "window "
		switch {
		case t.Start != 0 && t.End != 0:
			endTime := evFormatTime(t.End)
			if t.Start.Time().Format("2006-01-02") == t.End.Time().Format("2006-01-02") {
				endTime = t.End.Time().Format("15:04:05.000") + " UTC"
			}
			win += strings.TrimSuffix(evFormatTime(t.Start), " UTC") + " – " + endTime + " (" + FormatDuration(float64(t.End-t.Start)*1000) + ")"
		case t.Start != 0:
			win += "from " + evFormatTime(t.Start)
		default:
			win += "until " + evFormatTime(t.End)
		}
		h = append(h, pfLine{fmt.Sprintf("%s: %d of the chunk's %s", win, t.WindowSamples, plural(t.ChunkSamples, "sample")), 3})
	}
	th := "thread " + oneLine(t.Thread.ID, 64)
	if t.Thread.Name != "" {
		th = "thread " + oneLine(t.Thread.Name, 80) + " (id " + oneLine(t.Thread.ID, 64) + ")"
	}
	h = append(h, pfLine{fmt.Sprintf("%s, %s: %s ~%s apart, %s", th, t.ThreadReason, plural(t.Thread.Samples, "sample"), FormatDuration(t.IntervalMS), FormatDuration(t.TotalMS)), 1})
	if len(t.OtherThreads) > 0 && terse {
		h = append(h, pfLine{fmt.Sprintf("other threads: %d", len(t.OtherThreads)), 5})
	} else if len(t.OtherThreads) > 0 {
		var parts []string
		for i, o := range t.OtherThreads {
			if i == 6 {
				parts = append(parts, fmt.Sprintf("… %d more", len(t.OtherThreads)-6))
				break
			}
			s := pfThreadLabel(&o) + " " + plural(o.Samples, "sample")
			if o.AppSamples == 0 && !t.AllFrames {
				s += " (no app code)"
			} else if !t.AllFrames {
				s += fmt.Sprintf(" (%d in app code)", o.AppSamples)
			}
			parts = append(parts, s)
		}
		h = append(h, pfLine{"other threads: " + strings.Join(parts, ", "), 5})
	}
	if t.AllFrames {
		h = append(h, pfLine{"note: no frame on this thread is app code, so every frame is shown", 4})
	} else if t.InAppInferred {
		h = append(h, pfLine{"note: frames carry no in_app flag; app code was inferred from file paths", 4})
	}
	if idle := r.idleMS(); t.TotalMS > 0 && idle/t.TotalMS >= 0.3 {
		h = append(h, pfLine{fmt.Sprintf("note: the thread was idle %s of the time (%s): waiting on I/O, timers or other services, not computing", r.pct(idle), FormatDuration(idle)), 3})
	}
	if t.PathPrefix != "" {
		h = append(h, pfLine{"note: app file paths are relative to " + Truncate(t.PathPrefix, 120), 4})
	}
	for _, n := range t.Notes {
		h = append(h, pfLine{"note: " + n, 4})
	}
	if len(r.relevant) > 0 {
		switch {
		case len(r.found) == 0:
			h = append(h, pfLine{"none of the error's functions were sampled on this thread: " + pfList(r.relevant, 8), 1})
		default:
			s := "◀ marks functions in the error's stack: " + pfList(r.found, 8)
			if len(r.missing) > 0 {
				s += "; not sampled: " + pfList(r.missing, 8)
			}
			h = append(h, pfLine{s, 1})
		}
	}
	return h
}

// idleMS is the time the runtime reported as idle ("(idle)" frames, as
// V8 and other sampling profilers name them).
func (r *pfRender) idleMS() float64 {
	ms := 0.0
	for _, h := range r.t.HotSystem {
		if h.Function == "(idle)" {
			ms += h.SelfMS
		}
	}
	return ms
}

func pfID(id string) string {
	id = oneLine(id, 64)
	if len(id) <= ShortIDLen {
		return id
	}
	return ShortID(id) + " (" + id + ")"
}

func pfList(xs []string, n int) string {
	var out []string
	for i, x := range xs {
		if i == n {
			out = append(out, fmt.Sprintf("… %d more", len(xs)-n))
			break
		}
		out = append(out, oneLine(x, 80))
	}
	return strings.Join(out, ", ")
}

func (r *pfRender) render(lv pfLevel) string {
	var b strings.Builder
	for _, l := range r.lines(lv) {
		b.WriteString(l.s)
		b.WriteByte('\n')
	}
	return b.String()
}

func (r *pfRender) lines(lv pfLevel) []pfLine {
	out := r.header(lv.terse)
	t := r.t
	what := "app code only, system frames folded into their app caller"
	if t.AllFrames {
		what = "all frames"
	}
	title := "Call tree (" + what + "; total time, % of the thread, self = own code)"
	if lv.terse {
		title = "Call tree (total, % of thread, self)"
	}
	out = append(out, pfLine{"", 4}, pfLine{title, 2})
	out = append(out, pfLine{fmt.Sprintf("%s %s 100%%", t.Root.Function, FormatDuration(t.TotalMS)), 2})
	out = r.children(out, t.Root, "", lv)

	if n := lv.topN; n > 0 && len(t.Hot) > 0 {
		title := "Hottest app functions (self time)"
		if t.AllFrames {
			title = "Hottest functions (self time)"
		}
		out = append(out, pfLine{"", 4}, pfLine{title, 3})
		out = r.hot(out, t.Hot, n)
	}
	if n := lv.topSys; n > 0 && len(t.HotSystem) > 0 && !t.AllFrames {
		out = append(out, pfLine{"", 6}, pfLine{"Hottest system functions (self time ← the app function that called into them)", 6})
		out = r.hot(out, t.HotSystem, n)
	}
	return out
}

func (r *pfRender) hot(out []pfLine, hs []ProfileHot, n int) []pfLine {
	if len(hs) > n {
		hs = hs[:n]
	}
	w := 0
	for _, h := range hs {
		w = max(w, len([]rune(FormatDuration(h.SelfMS))))
	}
	for i, h := range hs {
		d := FormatDuration(h.SelfMS)
		line := fmt.Sprintf("  %s%s %4s  %s", strings.Repeat(" ", w-len([]rune(d))), d, r.pct(h.SelfMS), Truncate(h.Function, 100))
		if h.Location != "" {
			line += " (" + Truncate(h.Location, 80) + ")"
		}
		if h.Caller != "" {
			line += " ← " + h.Caller
		}
		prio := 6
		if i == 0 && h.Caller == "" {
			prio = 3
		}
		out = append(out, pfLine{line, prio})
	}
	return out
}

// pfItem is a child line: a node or the folded system frames.
type pfItem struct {
	node *ProfileNode
	fold *ProfileFolded
	ms   float64
}

func (r *pfRender) children(out []pfLine, n *ProfileNode, prefix string, lv pfLevel) []pfLine {
	var items []pfItem
	for _, c := range n.Children {
		items = append(items, pfItem{node: c, ms: c.TotalMS})
	}
	if n.System != nil {
		items = append(items, pfItem{fold: n.System, ms: n.System.TotalMS})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].ms > items[j].ms })

	// Relevant paths are always shown. With a window, context nodes (beside
	// a path, not under a relevant function) show their line but not their
	// children. Elsewhere the share threshold applies.
	windowed := len(r.onPath) > 0
	context := windowed && !r.onPath[n] && !r.inMarked[n]
	show := make([]bool, len(items))
	for i, it := range items {
		switch {
		case it.node != nil && r.onPath[it.node]:
			show[i] = true
		case lv.pathOnly, context:
		default:
			show[i] = r.t.TotalMS <= 0 || it.ms/r.t.TotalMS*100 >= lv.minPct
		}
	}
	// One item under the threshold is shown rather than counted (unless the
	// budget is tight: its subtree may cost more than a "… 1 more" line).
	if !context && !lv.pathOnly && !lv.terse {
		off := -1
		for i := range show {
			if !show[i] {
				if off >= 0 {
					off = -2
					break
				}
				off = i
			}
		}
		if off >= 0 {
			show[off] = true
		}
	}
	last := -1
	hidden, hiddenMS := 0, 0.0
	for i := range items {
		if show[i] {
			last = i
		} else {
			hidden++
			hiddenMS += items[i].ms
		}
	}
	for i, it := range items {
		if !show[i] {
			continue
		}
		end := i == last && hidden == 0
		branch, next := "├─ ", "│  "
		if end {
			branch, next = "└─ ", "   "
		}
		if it.fold != nil {
			out = append(out, pfLine{prefix + branch + r.foldLine(it.fold, n == r.t.Root), 5})
			continue
		}
		prio := 5
		if r.onPath[it.node] {
			prio = 2
		}
		out = append(out, pfLine{prefix + branch + r.nodeLine(it.node), prio})
		out = r.children(out, it.node, prefix+next, lv)
	}
	if hidden > 0 {
		out = append(out, pfLine{fmt.Sprintf("%s└─ … %d more (%s)", prefix, hidden, FormatDuration(hiddenMS)), 6})
	}
	return out
}

func (r *pfRender) nodeLine(n *ProfileNode) string {
	s := Truncate(n.Function, 100)
	if n.File != "" {
		loc := Truncate(n.File, 80)
		if n.Line > 0 {
			loc += ":" + strconv.Itoa(n.Line)
		}
		s += " (" + loc + ")"
	} else if n.Module != "" {
		s += " (" + Truncate(n.Module, 60) + ")"
	}
	s += " " + FormatDuration(n.TotalMS) + " " + r.pct(n.TotalMS)
	if n.SelfMS > 0 {
		s += ", self " + FormatDuration(n.SelfMS)
	}
	if r.marked[n] {
		s += " ◀"
	}
	return s
}

func (r *pfRender) foldLine(f *ProfileFolded, root bool) string {
	s := "+ " + plural(f.Frames, "system frame")
	if root {
		s += ", no app code"
	}
	s += " " + FormatDuration(f.TotalMS) + " " + r.pct(f.TotalMS) + ": "
	if root {
		return s + strings.Join(f.Hottest, ", ")
	}
	hot := ""
	if len(f.Hottest) > 0 {
		hot = f.Hottest[0]
	}
	switch {
	case f.Entry == hot || hot == "":
		return s + f.Entry
	case f.Frames == 2:
		return s + f.Entry + " → " + hot
	}
	return s + f.Entry + " → … → " + hot
}
