package tracetree

import (
	"fmt"
	"sort"
	"strings"
)

// RenderOptions tune the text form of the trace tree.
type RenderOptions struct {
	// Budget is the most model tokens the text may take (0: no limit).
	// The focus path, every error and their ancestors are always kept; what
	// does not fit is summarised under its parent.
	Budget int
	// NoCollapse shows repeated siblings one by one.
	NoCollapse bool
}

// unit is one displayed line: a node, or a run of similar siblings
// collapsed into one line.
type unit struct {
	node     *Node
	repeat   int     // siblings collapsed into this line (1: none)
	totalMS  float64 // their summed duration
	parent   *unit
	children []*unit
	depth    int
	required bool // focus path, errors and their ancestors
	strict   bool // focus path, errors and the transaction each error happened in
	keep     bool
	hasKept  bool // some descendant is kept (for elided chains)
	label    string
	level    int // detail level label was rendered at
	cost     int // estimated tokens of the line
}

type stats struct {
	txns     int
	services map[string]bool
	errors   int
	perf     int
}

// Render returns the trace tree as text, readable by people and models:
//
//	Trace 6773fd48 — 11 transactions in 5 services, 308 spans, 5 errors
//	└─ ▶ ui.action.click - /checkout (1.60s) [storefront, javascript] id=572db8b6
//	   ├─ ▶ ERROR: Error: POST /api/checkout failed: 500 … [STOREFRONT-4Z] id=c92dbb7c ◀ this issue
//	   └─ http.server - POST /api/checkout (590ms) [api-gateway, node] id=1fdbda14 (profile available)
//
// ▶ marks the path from the root to the issue's own event. Consecutive
// similar siblings collapse to one line "(repeated N times)". With a
// budget, the output takes at most Budget tokens (when the required lines
// fit at all); dropped nodes are summarised as "… 37 more transactions in 4
// services, no errors". The result is deterministic.
func Render(t *Tree, opts RenderOptions) string {
	roots := buildUnits(t, !opts.NoCollapse)
	all := flattenUnits(roots)
	for _, u := range all {
		u.keep = true
	}
	full := renderUnits(t, roots, all, "", levelFull)
	if opts.Budget <= 0 || CountTokens(full) <= opts.Budget {
		return full
	}
	return renderBudget(t, roots, all, opts.Budget)
}

// buildUnits turns nodes into display units, collapsing runs of similar
// consecutive siblings.
func buildUnits(t *Tree, collapse bool) []*unit {
	var mk func(ns []*Node, parent *unit, depth int) []*unit
	mk = func(ns []*Node, parent *unit, depth int) []*unit {
		var out []*unit
		for i := 0; i < len(ns); {
			n := ns[i]
			j := i + 1
			total := n.DurationMS
			if collapse && n.Kind == KindTransaction && !n.OnFocusPath {
				for j < len(ns) && similar(n, ns[j]) {
					total += ns[j].DurationMS
					j++
				}
			}
			u := &unit{node: n, repeat: j - i, totalMS: total, parent: parent, depth: depth}
			u.children = mk(n.Children, u, depth+1)
			out = append(out, u)
			i = j
		}
		return out
	}
	// Deep trees: the recursion depth is the tree depth in transactions,
	// which stays small (services calling services); spans do not recurse.
	return mk(t.Roots, nil, 0)
}

// Similar reports whether two sibling transactions are the same work (same
// service, op and name, no errors, the same shape below), so a view may
// show a run of them as one "(repeated N times)" line.
func Similar(a, b *Node) bool { return similar(a, b) }

// similar reports whether two sibling transactions are the same work:
// same service, op and name, no errors, and the same shape below.
func similar(a, b *Node) bool {
	if a.Kind != b.Kind || a.Op != b.Op || a.Name != b.Name || a.Project != b.Project || a.OnFocusPath || b.OnFocusPath {
		return false
	}
	if len(a.Children) != len(b.Children) {
		return false
	}
	for i := range a.Children {
		if a.Children[i].Kind != KindTransaction || !similar(a.Children[i], b.Children[i]) {
			return false
		}
	}
	return true
}

func flattenUnits(roots []*unit) []*unit {
	var out []*unit
	stack := make([]*unit, 0, len(roots))
	for i := len(roots) - 1; i >= 0; i-- {
		stack = append(stack, roots[i])
	}
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, u)
		for i := len(u.children) - 1; i >= 0; i-- {
			stack = append(stack, u.children[i])
		}
	}
	return out
}

// Detail levels: budgets that cannot hold the full lines fall back to
// shorter ones before anything required is lost.
const (
	levelFull    = iota // everything
	levelCompact        // no platform or profile note, shorter names
	levelMinimal        // op, name, service, duration and id; short error titles
	levelPaths          // minimal lines; chains of transactions above errors off the focus path elided
)

// line renders a unit's label (without the tree prefix) at the unit's
// current level.
func (u *unit) line() string {
	if u.label != "" {
		return u.label
	}
	n := u.node
	nameW, titleW := 120, 160
	switch u.level {
	case levelCompact:
		nameW, titleW = 60, 90
	case levelMinimal, levelPaths:
		nameW, titleW = 36, 56
	}
	var b strings.Builder
	if n.OnFocusPath {
		b.WriteString("▶ ")
	}
	switch n.Kind {
	case KindTransaction:
		if n.Op != "" {
			b.WriteString(oneLine(n.Op, 40) + " - ")
		}
		b.WriteString(oneLine(n.Name, nameW))
		dur := FormatDuration(n.DurationMS)
		if u.repeat > 1 {
			fmt.Fprintf(&b, " (%s each, repeated %d times, %s total)", dur, u.repeat, FormatDuration(u.totalMS))
		} else {
			fmt.Fprintf(&b, " (%s)", dur)
		}
		if n.Status != "" && n.Status != "ok" && u.level < levelMinimal {
			fmt.Fprintf(&b, " status=%s", oneLine(n.Status, 30))
		}
		b.WriteString(" [")
		b.WriteString(oneLine(n.Project, 40))
		if n.Platform != "" && u.level == levelFull {
			b.WriteString(", " + oneLine(n.Platform, 20))
		}
		b.WriteString("] id=" + ShortID(n.ID))
		if n.HasProfile() && u.level < levelMinimal {
			b.WriteString(" (profile available)")
		}
	case KindError, KindOccurrence:
		if n.Kind == KindError {
			b.WriteString("ERROR: ")
		} else {
			b.WriteString("PERFORMANCE ISSUE: ")
		}
		if u.level >= levelMinimal {
			b.WriteString(headLine(n.Name, titleW))
		} else {
			b.WriteString(oneLine(n.Name, titleW))
		}
		if n.Kind == KindOccurrence && n.OffenderSpans > 1 {
			fmt.Fprintf(&b, " (%d spans)", n.OffenderSpans)
		}
		var tags []string
		if n.IssueShortID != "" && u.level < levelMinimal {
			tags = append(tags, oneLine(n.IssueShortID, 40))
		}
		if n.Project != "" && (n.Parent == nil || n.Project != n.Parent.Project) {
			tags = append(tags, oneLine(n.Project, 40))
		}
		if len(tags) > 0 {
			b.WriteString(" [" + strings.Join(tags, ", ") + "]")
		}
		b.WriteString(" id=" + ShortID(n.ID))
		if n.Focus {
			b.WriteString(" ◀ this issue")
		}
	}
	if n.Focus && n.Kind == KindTransaction {
		b.WriteString(" ◀ this issue")
	}
	for _, note := range n.Notes {
		if u.level >= levelMinimal {
			note, _, _ = strings.Cut(note, ":")
		}
		b.WriteString(" (" + note + ")")
	}
	u.label = b.String()
	return u.label
}

func header(t *Tree, shown string, level int) string {
	var b strings.Builder
	b.WriteString("Trace")
	if t.TraceID != "" {
		if level == levelFull {
			b.WriteString(" " + t.TraceID)
		} else {
			b.WriteString(" " + ShortID(t.TraceID))
		}
	}
	txns := plural(t.Transactions, "transaction")
	if level >= levelMinimal {
		txns = fmt.Sprintf("%d txns", t.Transactions)
	}
	parts := []string{txns + " in " + plural(len(t.Services), "service")}
	if t.Spans > 0 && !t.Legacy {
		parts = append(parts, plural(t.Spans, "span"))
	}
	parts = append(parts, plural(t.Errors, "error"))
	if t.Occurrences > 0 {
		if level >= levelMinimal {
			parts = append(parts, plural(t.Occurrences, "perf issue"))
		} else {
			parts = append(parts, plural(t.Occurrences, "performance issue"))
		}
	}
	b.WriteString(": " + strings.Join(parts, ", "))
	if shown != "" {
		b.WriteString(" (" + shown + ")")
	}
	switch level {
	case levelMinimal:
		b.WriteString(" (compact view)")
	case levelPaths:
		b.WriteString(" (compact view; (via …) names transactions elided above a line)")
	}
	b.WriteString("\n")
	if t.Legacy {
		b.WriteString("(from the legacy trace endpoint: transactions only, spans per transaction on request)\n")
	}
	for _, n := range t.Notes {
		b.WriteString("(" + n + ")\n")
	}
	if len(t.Nodes) == 0 {
		b.WriteString("(empty)\n")
	}
	return b.String()
}

// legend explains the marks once, for models.
func legend(level int) string {
	if level == levelFull {
		return "▶ marks the path to the issue's event; ids are event ids (any unique prefix works with the tools).\n"
	}
	return "▶ = path to the issue; id= event ids\n"
}

// renderUnits writes the kept units with box-drawing prefixes, and a
// summary line under each parent for its dropped children.
func renderUnits(t *Tree, roots, all []*unit, shown string, level int) string {
	var b strings.Builder
	markHasKept(all)
	elided := false
	type entry struct {
		u   *unit
		via []*unit // elided transactions between the parent and u
	}
	// hoist finds the kept units below a dropped one, with the chain of
	// dropped transactions leading to each; what leads to nothing kept is
	// returned as dropped.
	var hoist func(x *unit, chain []*unit, out *[]entry, dropped *[]*unit)
	hoist = func(x *unit, chain []*unit, out *[]entry, dropped *[]*unit) {
		chain = append(chain[:len(chain):len(chain)], x)
		for _, c := range x.children {
			switch {
			case c.keep:
				*out = append(*out, entry{u: c, via: chain})
			case c.hasKept:
				hoist(c, chain, out, dropped)
			default:
				*dropped = append(*dropped, c)
			}
		}
	}
	var write func(us []*unit, prefix string)
	write = func(us []*unit, prefix string) {
		var kept []entry
		var dropped []*unit
		for _, u := range us {
			switch {
			case u.keep:
				kept = append(kept, entry{u: u})
			case u.hasKept:
				hoist(u, nil, &kept, &dropped)
			default:
				dropped = append(dropped, u)
			}
		}
		summary := summarize(dropped, level)
		for i, e := range kept {
			last := i == len(kept)-1 && summary == ""
			branch, next := "├─ ", "│  "
			if last {
				branch, next = "└─ ", "   "
			}
			if level >= levelMinimal {
				// Box drawing costs several tokens a line; indentation one.
				branch, next = "- ", "  "
			}
			elided = elided || len(e.via) > 0
			b.WriteString(prefix + branch + viaNote(e.via) + e.u.line() + "\n")
			write(e.u.children, prefix+next)
		}
		if summary != "" {
			branch := "└─ "
			if level >= levelMinimal {
				branch = "- "
			}
			b.WriteString(prefix + branch + summary + "\n")
		}
	}
	write(roots, "")
	if level == levelPaths && !elided {
		level = levelMinimal
	}
	head := header(t, shown, level)
	if t.Focus != nil {
		head += legend(level)
	}
	return head + b.String()
}

// viaNote names the elided transactions above a line: "(via auth → geo)".
func viaNote(via []*unit) string {
	if len(via) == 0 {
		return ""
	}
	var names []string
	for _, u := range via {
		if u.node.Kind == KindTransaction {
			names = append(names, oneLine(u.node.Project, 24))
		}
	}
	return "(via " + strings.Join(names, " → ") + ") "
}

// markHasKept sets hasKept on every unit with a kept descendant.
func markHasKept(all []*unit) {
	for _, u := range all {
		u.hasKept = false
	}
	for _, u := range all {
		if u.keep {
			for a := u.parent; a != nil && !a.hasKept; a = a.parent {
				a.hasKept = true
			}
		}
	}
}

// summarize describes dropped sibling units and everything below them.
func summarize(dropped []*unit, level int) string {
	if len(dropped) == 0 {
		return ""
	}
	st := stats{services: map[string]bool{}}
	for _, u := range dropped {
		collect(u, &st)
	}
	if level >= levelMinimal {
		var parts []string
		if st.txns > 0 {
			parts = append(parts, fmt.Sprintf("+%d txns", st.txns))
		}
		if st.errors > 0 {
			parts = append(parts, "+"+plural(st.errors, "error"))
		}
		if st.perf > 0 {
			parts = append(parts, "+"+plural(st.perf, "perf issue"))
		}
		return "… " + strings.Join(parts, ", ")
	}
	var parts []string
	if st.txns > 0 {
		parts = append(parts, fmt.Sprintf("%d more %s in %s", st.txns, pluralWord(st.txns, "transaction"), plural(len(st.services), "service")))
	}
	switch {
	case st.errors > 0:
		parts = append(parts, plural(st.errors, "error"))
	default:
		parts = append(parts, "no errors")
	}
	if st.perf > 0 {
		parts = append(parts, plural(st.perf, "performance issue"))
	}
	return "… " + strings.Join(parts, ", ")
}

func pluralWord(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

func collect(u *unit, st *stats) {
	stack := []*unit{u}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch x.node.Kind {
		case KindTransaction:
			st.txns += x.repeat
			if x.node.Project != "" {
				st.services[x.node.Project] = true
			}
		case KindError:
			st.errors++
		case KindOccurrence:
			st.perf++
		}
		stack = append(stack, x.children...)
	}
}

// renderBudget keeps the required lines (focus path, errors and their
// ancestors) at the most detailed level where they fit, then adds the most
// informative other lines while they fit: shallow before deep, performance
// issues first, then longer before shorter. Dropped lines are summarised.
func renderBudget(t *Tree, roots, all []*unit, budget int) string {
	markRequired(all)
	var out string
	for level := levelFull; level <= levelPaths; level++ {
		var ok bool
		out, ok = fitLevel(t, roots, all, budget, level)
		if ok {
			return out
		}
	}
	return strings.Replace(out, "\n", fmt.Sprintf("\n(over the %d-token budget: the focus path and errors alone need more)\n", budget), 1)
}

func markRequired(all []*unit) {
	for _, u := range all {
		n := u.node
		if n.OnFocusPath || n.Kind == KindError {
			u.strict = true
			if n.Kind == KindError && u.parent != nil {
				u.parent.strict = true
			}
			for a := u; a != nil && !a.required; a = a.parent {
				a.required = true
			}
		}
	}
}

// fitLevel renders at one detail level: it reports false when even the
// required lines do not fit.
func fitLevel(t *Tree, roots, all []*unit, budget, level int) (string, bool) {
	used := CountTokens(header(t, "showing 9999 of 9999 transactions", level)) + CountTokens(legend(level))
	if level >= levelMinimal {
		used = CountTokens(header(t, "9999 shown", level)) + CountTokens(legend(level))
	}
	must := func(u *unit) bool { return u.required }
	if level == levelPaths {
		must = func(u *unit) bool { return u.strict }
	}
	for _, u := range all {
		u.level, u.label = level, ""
		u.keep = must(u)
		u.cost = CountTokens(u.line()) + 1
		if level >= levelMinimal {
			u.cost += 2
		} else {
			u.cost += 2 * (u.depth + 1)
		}
		if u.keep {
			used += u.cost
		}
	}
	summaryCost := 20
	if level >= levelMinimal {
		summaryCost = 10
	}
	var order []*unit
	for _, u := range all {
		if !must(u) {
			order = append(order, u)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.required != b.required {
			return a.required // elided ancestors of errors come back first
		}
		if a.depth != b.depth {
			return a.depth < b.depth
		}
		if a.node.Kind != b.node.Kind {
			return a.node.Kind == KindOccurrence // performance issues before plain transactions
		}
		return a.totalMS > b.totalMS
	})
	// One summary line per kept parent that loses children.
	reserve := func() int {
		parents := map[*unit]bool{}
		for _, u := range order {
			if !u.keep && (u.parent == nil || u.parent.keep) {
				parents[u.parent] = true
			}
		}
		return len(parents) * summaryCost
	}
	res := reserve()
	var added []*unit
	for progress := true; progress; {
		progress = false
		for _, u := range order {
			if u.keep || (u.parent != nil && !u.parent.keep) || used+u.cost+res > budget {
				continue
			}
			u.keep = true
			used += u.cost
			added = append(added, u)
			progress = true
		}
		res = reserve()
	}
	// Exact check: drop the last added lines until the text fits.
	for {
		out := renderUnits(t, roots, all, shownNoteLevel(t, all, level), level)
		n := CountTokens(out)
		if n <= budget {
			return out, true
		}
		if len(added) == 0 {
			return out, false
		}
		drop := max(1, len(added)/20)
		for _, u := range added[len(added)-drop:] {
			unkeep(u)
		}
		added = added[:len(added)-drop]
	}
}

// unkeep drops an added unit and the added units below it (never the ones
// the level must keep).
func unkeep(u *unit) {
	must := u.required
	if u.level == levelPaths {
		must = u.strict
	}
	if must {
		return
	}
	stack := []*unit{u}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		m := x.required
		if x.level == levelPaths {
			m = x.strict
		}
		if !m {
			x.keep = false
		}
		stack = append(stack, x.children...)
	}
}

func shownNote(t *Tree, all []*unit) string {
	return shownNoteLevel(t, all, levelFull)
}

func shownNoteLevel(t *Tree, all []*unit, level int) string {
	shown := 0
	for _, u := range all {
		if u.keep && u.node.Kind == KindTransaction {
			shown += u.repeat
		}
	}
	if shown == t.Transactions {
		return ""
	}
	if level >= levelMinimal {
		return fmt.Sprintf("%d shown", shown)
	}
	return fmt.Sprintf("showing %d of %d transactions", shown, t.Transactions)
}
