package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"

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

	filter  string
	matches []*tracetree.Node // nodes matching the filter, in tree order
	match   int

	errSubtree map[*tracetree.Node]int // errors in each node's subtree
	order      map[*tracetree.Node]int // each node's index in tree.Nodes (built on first use)
}

func newTreePane(st *Styles, t *tracetree.Tree) *treePane {
	p := &treePane{st: st, tree: t, collapsed: map[*tracetree.Node]bool{}, expanded: map[*tracetree.Node]bool{}, errSubtree: map[*tracetree.Node]int{}}
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
			if !p.collapsed[n] && len(n.Children) > 0 && (p.filter == "" || p.keepForFilter(n)) {
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

// With a filter, the tree shows the matching nodes and their ancestors.
func (p *treePane) keepForFilter(n *tracetree.Node) bool {
	for _, m := range p.matches {
		for a := m; a != nil; a = a.Parent {
			if a == n {
				return true
			}
		}
	}
	return false
}

func (p *treePane) filtered(ns []*tracetree.Node) []*tracetree.Node {
	var out []*tracetree.Node
	for _, n := range ns {
		if p.keepForFilter(n) {
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
// in) and selects it.
func (p *treePane) selectNode(n *tracetree.Node) bool {
	if n == nil {
		return false
	}
	for a := n.Parent; a != nil; a = a.Parent {
		delete(p.collapsed, a)
	}
	// Expand the group that holds n, if any.
	if par := n.Parent; par != nil {
		sibs := par.Children
		for i := range sibs {
			if sibs[i] == n {
				for j := i; j >= 0 && (j == i || tracetree.Similar(sibs[j], n)); j-- {
					p.expanded[sibs[j]] = true
				}
			}
		}
	} else {
		for i, r := range p.tree.Roots {
			if r == n {
				for j := i; j >= 0 && (j == i || tracetree.Similar(p.tree.Roots[j], n)); j-- {
					p.expanded[p.tree.Roots[j]] = true
				}
			}
		}
	}
	p.rebuild()
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

// setFilter applies a fuzzy filter over node labels (empty clears it).
func (p *treePane) setFilter(q string) {
	p.filter = strings.TrimSpace(q)
	p.matches, p.match = nil, 0
	if p.filter != "" {
		labels := make([]string, len(p.tree.Nodes))
		for i, n := range p.tree.Nodes {
			labels[i] = nodeSearchText(n)
		}
		for _, m := range fuzzy.Find(p.filter, labels) {
			p.matches = append(p.matches, p.tree.Nodes[m.Index])
		}
		// Keep tree order for n/N.
		p.index(nil)
		sortNodesBy(p.matches, p.order)
	}
	p.rebuild()
	if len(p.matches) > 0 {
		p.selectMatch(0)
	}
}

func sortNodesBy(ns []*tracetree.Node, order map[*tracetree.Node]int) {
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && order[ns[j]] < order[ns[j-1]]; j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
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

	var label, right string
	switch n.Kind {
	case tracetree.KindTransaction:
		op := clean(n.Op)
		svc := st.Service(n.Project)
		label = svc.Render(op) + " " + clean(n.Name)
		if len(r.group) > 1 {
			label = st.Accent.Render(fmt.Sprintf("%d×", len(r.group))) + " " + label
		}
		if n.Status != "" && n.Status != "ok" {
			label += " " + st.Error.Render(clean(n.Status))
		}
		if n.HasProfile() {
			label += st.Faint.Render(" ◔")
		}
		if c := p.errSubtree[n]; c > 0 && p.collapsed[n] {
			label += " " + st.Error.Render(fmt.Sprintf("● %d", c))
		}
		dur := tracetree.FormatDuration(n.DurationMS)
		right = svc.Render(clean(n.Project)) + " " + st.Subtle.Render(fmt.Sprintf("%7s", dur))
	case tracetree.KindError:
		label = st.Error.Render("✗ "+clean(n.Name)) + " " + st.Faint.Render(clean(n.IssueShortID))
	case tracetree.KindOccurrence:
		label = st.Warn.Render("⚠ "+clean(n.Name)) + " " + st.Faint.Render(clean(n.IssueShortID))
	}
	if n.OnFocusPath {
		label = st.Accent.Render("▶ ") + label
	}
	if n.Focus {
		label += " " + st.Accent.Render("◀ this issue")
	}
	left := prefix + label
	// The right column (service, duration) gives way to the label when the
	// pane is narrow: first the service (its colour is on the op), then all.
	pw := lipgloss.Width(prefix)
	if right != "" && w-pw-lipgloss.Width(right)-1 < 18 {
		right = st.Subtle.Render(fmt.Sprintf("%7s", tracetree.FormatDuration(n.DurationMS)))
		if w-pw-lipgloss.Width(right)-1 < 12 {
			right = ""
		}
	}
	if rw := lipgloss.Width(right); rw > 0 {
		left = fit(left, w-rw-1) + " " + right
	} else {
		left = fit(left, w)
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

// stripForSelection keeps a selected line readable: the selection style is
// applied over the plain text, so colours do not fight the background.
func stripForSelection(line string, w int) string {
	return fit(stripANSI(line), w)
}

func stripANSI(s string) string { return ansi.Strip(s) }
