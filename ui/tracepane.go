package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// tracePane is the trace tree as a pane (1): the rows (treePane), the
// filter input above them, and what to say when the event has no trace.
// Moving the selection updates the detail pane (the app follows the
// selection after every key).
type tracePane struct{ m *Model }

// traceKeys are the trace pane's keys.
var traceKeys = struct {
	Up, Down, Top, Bottom, PageUp, PageDown Binding
	Collapse, Expand, Enter                 Binding
	Filter, NextMatch, PrevMatch, Clear     Binding
}{
	Up:        bind(keys("k", "up"), "↑/k", "up", ""),
	Down:      bind(keys("j", "down"), "↓/j", "down", ""),
	Top:       bind(keys("g", "home"), "g/G", "top / bottom", ""),
	Bottom:    bind(keys("G", "end"), "", "", ""),
	PageUp:    bind(keys("pgup", "ctrl+u"), "pgup/pgdn", "page up / down", ""),
	PageDown:  bind(keys("pgdown", "ctrl+d"), "", "", ""),
	Collapse:  bind(keys("h", "left"), "←/h", "collapse, or go to the parent", ""),
	Expand:    bind(keys("l", "right"), "→/l", "expand (a group of repeated siblings too)", ""),
	Enter:     bind(keys("enter"), "enter", "open the node in the detail pane", "open"),
	Filter:    bind(keys("/"), "/", "filter the tree (op, name, service, short id)", "filter"),
	NextMatch: bind(keys("n"), "n/N", "next / previous match", ""),
	PrevMatch: bind(keys("N"), "", "", ""),
	Clear:     bind(keys("esc"), "esc", "clear the filter", ""),
}

func (p tracePane) Title() string { return "Trace" }

func (p tracePane) Capturing() bool { return p.m.filterOn }

func (p tracePane) Bindings() []Binding {
	k := traceKeys
	filtered := p.m.tree != nil && p.m.tree.filter != ""
	typed := p.m.tree != nil && p.m.tree.query() != ""
	return []Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Collapse, k.Expand, k.Enter,
		k.Filter, k.NextMatch.enabled(filtered), k.PrevMatch.enabled(filtered), k.Clear.enabled(typed)}
}

func (p tracePane) Update(msg tea.Msg) (tea.Cmd, bool) {
	m := p.m
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.filterOn {
			return p.filterKey(msg), true
		}
		return p.key(msg)
	case tea.PasteMsg:
		if m.filterOn {
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			return tea.Batch(cmd, m.tree.startFilter(m.ctx, m.filter.Value())), true
		}
	case tea.MouseWheelMsg:
		if m.tree != nil {
			if msg.Button == tea.MouseWheelDown {
				m.tree.move(3)
			} else if msg.Button == tea.MouseWheelUp {
				m.tree.move(-3)
			}
			return nil, true
		}
	}
	return nil, false
}

// filterKey types into the filter: enter keeps it, esc clears it. The
// key shows at once; the search runs off the UI thread (treefilter.go).
func (p tracePane) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	m := p.m
	switch msg.String() {
	case "esc":
		m.filterOn = false
		m.filter.Blur()
		m.filter.SetValue("")
		return m.tree.startFilter(m.ctx, "")
	case "enter":
		m.filterOn = false
		m.filter.Blur()
		return nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	return tea.Batch(cmd, m.tree.startFilter(m.ctx, m.filter.Value()))
}

func (p tracePane) key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	m, t, k := p.m, p.m.tree, traceKeys
	if t == nil {
		return nil, false
	}
	switch {
	case k.Up.matches(msg):
		t.move(-1)
	case k.Down.matches(msg):
		t.move(1)
	case k.Top.matches(msg):
		t.toTop()
	case k.Bottom.matches(msg):
		t.toBottom()
	case k.PageUp.matches(msg):
		t.move(-max(1, t.height-1))
	case k.PageDown.matches(msg):
		t.move(max(1, t.height-1))
	case k.Collapse.matches(msg):
		t.collapse()
	case k.Expand.matches(msg):
		t.expand()
	case k.Enter.matches(msg):
		m.focus = paneDetail
	case k.Filter.matches(msg):
		m.filterOn = true
		m.filter.SetValue(t.query())
		return m.filter.Focus(), true
	case k.NextMatch.matches(msg) && t.filter != "":
		t.selectMatch(t.match + 1)
	case k.PrevMatch.matches(msg) && t.filter != "":
		t.selectMatch(t.match - 1)
	case k.Clear.matches(msg) && t.query() != "":
		m.filter.SetValue("")
		return t.startFilter(m.ctx, ""), true
	default:
		return nil, false
	}
	return nil, true
}

func (p tracePane) View(w, h int, focused bool) string {
	m := p.m
	if m.tree == nil {
		return block([]string{m.st.Subtle.Render("No trace: the event carries no trace id.")}, w, h)
	}
	if t := m.tree; m.filterOn || t.query() != "" {
		return block([]string{p.filterLine(w)}, w, 1) + "\n" + t.View(w, h-1, focused)
	}
	return m.tree.View(w, h, focused)
}

// filterLine is the line above the filtered tree: the query as typed
// (the input while typing), then "matching…" while its search runs, else
// the count.
func (p tracePane) filterLine(w int) string {
	m, t := p.m, p.m.tree
	var hint string
	switch {
	case t.searching():
		hint = "matching…"
	case t.filter == "":
	case m.filterOn:
		hint = matchCount(len(t.matches))
	default:
		hint = matchCount(len(t.matches)) + ", n/N, esc clears"
	}
	if !m.filterOn {
		line := "/ " + clean(t.query())
		if hint != "" {
			line += "  (" + hint + ")"
		}
		return m.st.Subtle.Render(line)
	}
	if hint == "" {
		m.filter.SetWidth(w - 4)
		return m.filter.View()
	}
	hint = "  " + hint
	m.filter.SetWidth(max(1, w-4-len([]rune(hint))))
	return m.filter.View() + m.st.Subtle.Render(hint)
}

func matchCount(n int) string {
	if n == 1 {
		return "1 match"
	}
	return fmt.Sprintf("%d matches", n)
}
