package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/tracetree"
)

// treeRow is one visible line of the tree pane: a node, or a run of
// similar siblings shown as one line until expanded.
type treeRow struct {
	node   *tracetree.Node
	group  []*tracetree.Node // the run a collapsed group stands for (len > 1)
	depth  int
	last   bool   // last sibling (for the guides)
	guides []bool // for each ancestor level: whether a vertical guide continues
}

// treePane is the collapsible trace tree. Rows are rebuilt only when the
// structure changes (expand, collapse, filter); View draws only the rows
// in the window, so its cost does not grow with the trace.
type treePane struct {
	st   *Styles
	tree *tracetree.Tree

	collapsed map[*tracetree.Node]bool
	expanded  map[*tracetree.Node]bool // groups expanded by the user (keyed by the group's first node)
	rows      []treeRow
	sel       int
	top       int
	height    int

	filter  string                   // the query applied (treefilter.go)
	matches []*tracetree.Node        // nodes matching the filter, in tree order
	match   int                      // the match n/N is at
	keep    map[*tracetree.Node]bool // with a filter: the matches and their ancestors
	search  treeSearch               // the search in flight, recent results

	errSubtree map[*tracetree.Node]int // errors in each node's subtree
	order      map[*tracetree.Node]int // each node's index in tree.Nodes (built on first use)
}

func newTreePane(st *Styles, t *tracetree.Tree) *treePane {
	p := &treePane{st: st, tree: t, collapsed: map[*tracetree.Node]bool{}, expanded: map[*tracetree.Node]bool{}, errSubtree: map[*tracetree.Node]int{}, search: newTreeSearch(t)}
	// Count errors below each node, so collapsed nodes still show them.
	for i := len(t.Nodes) - 1; i >= 0; i-- {
		n := t.Nodes[i]
		if n.Kind == tracetree.KindError {
			for a := n.Parent; a != nil; a = a.Parent {
				p.errSubtree[a]++
			}
		}
	}
	// Start with everything expanded except big subtrees off the focus
	// path without errors, then select the issue's event.
	for _, n := range t.Nodes {
		if n.Kind == tracetree.KindTransaction && !n.OnFocusPath && p.errSubtree[n] == 0 && countTxns(n) > 30 {
			p.collapsed[n] = true
		}
	}
	p.rebuild()
	if t.Focus != nil {
		p.selectNode(t.Focus)
	}
	return p
}

func countTxns(n *tracetree.Node) int {
	c := 0
	for _, ch := range n.Children {
		if ch.Kind == tracetree.KindTransaction {
			c += 1 + countTxns(ch)
		}
	}
	return c
}

// rebuild flattens the visible tree into rows.
func (p *treePane) rebuild() {
	var prev *tracetree.Node
	if p.sel >= 0 && p.sel < len(p.rows) {
		prev = p.rows[p.sel].node
	}
	p.rows = p.rows[:0]
	var visit func(ns []*tracetree.Node, depth int, guides []bool)
	visit = func(ns []*tracetree.Node, depth int, guides []bool) {
		for i := 0; i < len(ns); {
			n := ns[i]
			j := i + 1
			if n.Kind == tracetree.KindTransaction && !p.expanded[n] && p.filter == "" {
				for j < len(ns) && tracetree.Similar(n, ns[j]) {
					j++
				}
			}
			row := treeRow{node: n, depth: depth, last: j == len(ns), guides: guides}
			if j-i > 1 {
				row.group = ns[i:j]
			}
			p.rows = append(p.rows, row)
			if !p.collapsed[n] && len(n.Children) > 0 {
				g := append(append([]bool(nil), guides...), !row.last)
				kids := n.Children
				if p.filter != "" {
					kids = p.filtered(kids)
				}
				visit(kids, depth+1, g)
			}
			i = j
		}
	}
	roots := p.tree.Roots
	if p.filter != "" {
		roots = p.filtered(roots)
	}
	visit(roots, 0, nil)
	if prev != nil {
		for i, r := range p.rows {
			if r.node == prev || containsNode(r.group, prev) {
				p.sel = i
				break
			}
		}
	}
	p.clamp()
}

func containsNode(ns []*tracetree.Node, n *tracetree.Node) bool {
	for _, x := range ns {
		if x == n {
			return true
		}
	}
	return false
}

// filtered is ns without the nodes a filter hides: with a filter, the
// tree shows the matching nodes and their ancestors.
func (p *treePane) filtered(ns []*tracetree.Node) []*tracetree.Node {
	var out []*tracetree.Node
	for _, n := range ns {
		if p.keep[n] {
			out = append(out, n)
		}
	}
	return out
}

func (p *treePane) clamp() {
	if p.sel >= len(p.rows) {
		p.sel = len(p.rows) - 1
	}
	if p.sel < 0 {
		p.sel = 0
	}
	if p.height > 0 {
		if p.sel < p.top {
			p.top = p.sel
		}
		if p.sel >= p.top+p.height {
			p.top = p.sel - p.height + 1
		}
		if p.top > len(p.rows)-p.height {
			p.top = max(0, len(p.rows)-p.height)
		}
	}
	if p.top < 0 {
		p.top = 0
	}
}

// Selected is the node under the cursor (a group's first node).
func (p *treePane) Selected() *tracetree.Node {
	if p.sel < 0 || p.sel >= len(p.rows) {
		return nil
	}
	return p.rows[p.sel].node
}

// selectNode makes n visible (expanding its ancestors and any group it is
// in) and selects it. The rows are rebuilt only when that opened
// something.
func (p *treePane) selectNode(n *tracetree.Node) bool {
	if n == nil {
		return false
	}
	if p.reveal(n) {
		p.rebuild()
	}
	return p.selectRow(n)
}

// reveal expands n's ancestors and the group of similar siblings it is
// in; it reports whether anything was closed (the rows then need a
// rebuild).
func (p *treePane) reveal(n *tracetree.Node) bool {
	changed := false
	for a := n.Parent; a != nil; a = a.Parent {
		if p.collapsed[a] {
			delete(p.collapsed, a)
			changed = true
		}
	}
	sibs := p.tree.Roots
	if n.Parent != nil {
		sibs = n.Parent.Children
	}
	for i := range sibs {
		if sibs[i] != n {
			continue
		}
		for j := i; j >= 0 && (j == i || tracetree.Similar(sibs[j], n)); j-- {
			if !p.expanded[sibs[j]] {
				p.expanded[sibs[j]] = true
				changed = changed || p.filter == "" // a filter shows no groups
			}
		}
		break
	}
	return changed
}

// selectRow selects n's row, centred; false when n has none.
func (p *treePane) selectRow(n *tracetree.Node) bool {
	for i, r := range p.rows {
		if r.node == n {
			p.sel = i
			p.clamp()
			p.center()
			return true
		}
	}
	return false
}

// center scrolls so the selection sits a third down the pane.
func (p *treePane) center() {
	if p.height <= 0 {
		return
	}
	p.top = max(0, p.sel-p.height/3)
	p.clamp()
}

func (p *treePane) move(d int) {
	p.sel += d
	p.clamp()
}

func (p *treePane) toTop()    { p.sel = 0; p.clamp() }
func (p *treePane) toBottom() { p.sel = len(p.rows) - 1; p.clamp() }

// expand opens the selected node or group; collapse closes it, or moves to
// the parent when it is already closed.
func (p *treePane) expand() {
	r := p.rows[p.sel]
	switch {
	case len(r.group) > 1:
		p.expanded[r.node] = true
		for _, g := range r.group {
			p.expanded[g] = true
		}
		p.rebuild()
	case p.collapsed[r.node]:
		delete(p.collapsed, r.node)
		p.rebuild()
	case len(r.node.Children) > 0 && p.sel+1 < len(p.rows):
		p.move(1)
	}
}

func (p *treePane) collapse() {
	r := p.rows[p.sel]
	n := r.node
	if len(n.Children) > 0 && !p.collapsed[n] && len(r.group) <= 1 {
		p.collapsed[n] = true
		p.rebuild()
		return
	}
	if n.Parent != nil {
		p.selectParent(n.Parent)
	}
}

func (p *treePane) selectParent(par *tracetree.Node) {
	for i, r := range p.rows {
		if r.node == par {
			p.sel = i
			p.clamp()
			return
		}
	}
}

// nextError selects the next error or performance issue toward the
// cause (dir 1), or back toward the effect (dir -1), wrapping around.
// A cause happens before its effect and deeper in the trace, so the
// tree's order read backwards from the issue's event walks down its
// causal chain (the storefront's error ← the gateway's ← payments' ←
// auth-service's), then on to the other errors.
func (p *treePane) nextError(dir int) bool {
	var errs []*tracetree.Node
	for _, n := range p.tree.Nodes {
		if n.Kind != tracetree.KindTransaction {
			errs = append(errs, n)
		}
	}
	if len(errs) == 0 {
		return false
	}
	pos := p.index(p.Selected())
	var next *tracetree.Node
	if dir > 0 {
		next = errs[len(errs)-1]
		for i := len(errs) - 1; i >= 0; i-- {
			if p.index(errs[i]) < pos {
				next = errs[i]
				break
			}
		}
	} else {
		next = errs[0]
		for _, e := range errs {
			if p.index(e) > pos {
				next = e
				break
			}
		}
	}
	return p.selectNode(next)
}

// index is n's position in the tree's order (-1 for none).
func (p *treePane) index(n *tracetree.Node) int {
	if p.order == nil {
		p.order = make(map[*tracetree.Node]int, len(p.tree.Nodes))
		for i, x := range p.tree.Nodes {
			p.order[x] = i
		}
	}
	if i, ok := p.order[n]; ok {
		return i
	}
	return -1
}

func (p *treePane) selectMatch(i int) {
	if len(p.matches) == 0 {
		return
	}
	p.match = ((i % len(p.matches)) + len(p.matches)) % len(p.matches)
	p.selectNode(p.matches[p.match])
}

func nodeSearchText(n *tracetree.Node) string {
	return strings.Join([]string{n.Op, n.Name, n.Project, n.IssueShortID, tracetree.ShortID(n.ID)}, " ")
}

// clickRow selects the row at line y of the pane (0 = first row).
func (p *treePane) clickRow(y int) bool {
	i := p.top + y
	if i < 0 || i >= len(p.rows) {
		return false
	}
	p.sel = i
	p.clamp()
	return true
}

// View draws the rows in the window: exactly w×h.
func (p *treePane) View(w, h int, focused bool) string {
	p.height = h
	p.clamp()
	lines := make([]string, 0, h)
	for i := p.top; i < len(p.rows) && len(lines) < h; i++ {
		lines = append(lines, p.renderRow(p.rows[i], w, i == p.sel, focused))
	}
	if len(p.rows) == 0 {
		msg := "The trace is empty."
		if p.filter != "" {
			msg = fmt.Sprintf("Nothing matches %q — esc clears the filter.", p.filter)
		}
		lines = append(lines, p.st.Subtle.Render(msg))
	}
	return block(lines, w, h)
}

func (p *treePane) renderRow(r treeRow, w int, selected, focused bool) string {
	st := p.st
	n := r.node
	var b strings.Builder
	for _, g := range r.guides {
		if g {
			b.WriteString("│ ")
		} else {
			b.WriteString("  ")
		}
	}
	prefix := st.Faint.Render(b.String())
	branch := "├"
	if r.last {
		branch = "└"
	}
	marker := "─"
	switch {
	case len(r.group) > 1:
		marker = "+"
	case len(n.Children) > 0 && p.collapsed[n]:
		marker = "▸"
	case len(n.Children) > 0:
		marker = "▾"
	}
	prefix += st.Faint.Render(branch + marker + " ")
	if r.depth == 0 {
		if marker == "─" {
			marker = "•" // a root without children (an error with no transaction)
		}
		prefix = st.Faint.Render(marker + " ")
	}

	// The right column: the service from ~120 terminal columns (the tree
	// is then 46 cells wide), the duration while the label keeps 12 cells.
	var right string
	pw := lipgloss.Width(prefix)
	if n.Kind == tracetree.KindTransaction {
		svc := st.Service(n.Project)
		dur := st.Subtle.Render(fmt.Sprintf("%7s", tracetree.FormatDuration(n.DurationMS)))
		switch {
		case w >= treeServiceWidth && w-pw-lipgloss.Width(clean(n.Project))-9 >= 18:
			right = svc.Render(clean(n.Project)) + " " + dur
		case w-pw-8 >= 12:
			right = dur
		}
	}
	room := w - pw
	if right != "" {
		room -= lipgloss.Width(right) + 1
	}
	left := prefix + p.label(r, room)
	if right != "" {
		left = fit(left, w-lipgloss.Width(right)-1) + " " + right
	}
	line := fit(left, w)
	if selected {
		if focused {
			line = st.Selected.Render(stripForSelection(line, w))
		} else {
			line = st.SelectedUnfocused.Render(stripForSelection(line, w))
		}
	}
	return line
}

// treeServiceWidth is the tree's width from which rows show their
// service (about 120 terminal columns): narrower, the op's colour says
// it and the label gets the room.
const treeServiceWidth = 46

// label is a row's text in room cells, keeping its meaningful ends when
// cut: a transaction keeps its op, method, last path segment and status
// (the middle of the name gives way: "http.server POST …/charges
// internal_error"); an error keeps its type's start and its short id;
// the marks (▶, ◀ this issue, ◔, ● n) stay.
func (p *treePane) label(r treeRow, room int) string {
	st, n := p.st, r.node
	var before, after []string // styled parts around the name
	var name string
	nameStyle := lipgloss.NewStyle()
	if n.OnFocusPath {
		before = append(before, st.Accent.Render("▶"))
	}
	switch n.Kind {
	case tracetree.KindTransaction:
		if len(r.group) > 1 {
			before = append(before, st.Accent.Render(fmt.Sprintf("%d×", len(r.group))))
		}
		before = append(before, st.Service(n.Project).Render(clean(n.Op)))
		name = clean(n.Name)
		if n.Status != "" && n.Status != "ok" {
			after = append(after, st.Error.Render(clean(n.Status)))
		}
		if n.HasProfile() {
			after = append(after, st.Faint.Render("◔"))
		}
		if c := p.errSubtree[n]; c > 0 && p.collapsed[n] {
			after = append(after, st.Error.Render(fmt.Sprintf("● %d", c)))
		}
	case tracetree.KindError, tracetree.KindOccurrence:
		mark, style := st.Error.Render("✗"), st.Error
		if n.Kind == tracetree.KindOccurrence {
			mark, style = st.Warn.Render("⚠"), st.Warn
		}
		before = append(before, mark)
		name, nameStyle = clean(n.Name), style
		// The short id, unless the row is the issue's own (◀ says it) or
		// the title would keep fewer than 16 cells.
		if id := clean(n.IssueShortID); id != "" && !n.Focus && room-lipgloss.Width(strings.Join(before, " "))-len(id)-2 >= min(16, lipgloss.Width(name)) {
			after = append(after, st.Faint.Render(id))
		}
	}
	if n.Focus {
		after = append(after, st.Accent.Render("◀ this issue"))
	}
	head, tail := strings.Join(before, " "), strings.Join(after, " ")
	fixed := lipgloss.Width(head) + lipgloss.Width(tail) + 2
	if tail == "" {
		fixed--
	}
	if nameRoom := room - fixed; nameRoom >= 6 || lipgloss.Width(name) <= nameRoom {
		if n.Kind == tracetree.KindTransaction {
			name = middleCut(name, max(nameRoom, 0))
		} else {
			name = ansi.Truncate(name, max(nameRoom, 0), "…") // a title's start says the most
		}
	}
	out := head
	if name != "" {
		out += " " + nameStyle.Render(name)
	}
	if tail != "" {
		out += " " + tail
	}
	return fit(out, room)
}

// middleCut shortens a name to n cells keeping both ends: a path keeps
// its method and its last segment ("POST …/v1/charges"), other text its
// start and end.
func middleCut(name string, n int) string {
	if ansi.StringWidth(name) <= n {
		return name
	}
	if n <= 1 {
		return ""
	}
	if i := strings.LastIndexByte(strings.TrimRight(name, "/"), '/'); i > 0 {
		tail := name[i:]
		if hw := n - 1 - ansi.StringWidth(tail); hw >= 0 {
			head := ansi.Truncate(name[:i], hw, "")
			return strings.TrimRight(head, " ") + "…" + tail
		}
	}
	return tracetree.Truncate(name, n)
}

// stripForSelection keeps a selected line readable: the selection style is
// applied over the plain text, so colours do not fight the background.
func stripForSelection(line string, w int) string {
	return fit(stripANSI(line), w)
}

func stripANSI(s string) string { return ansi.Strip(s) }
