package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// helpView is the help screen (?): the keys that work everywhere, each
// pane's keys (generated from the panes' Bindings, so a new key shows up
// here by itself) and the legend of the marks. It scrolls when the
// terminal is short.
type helpView struct {
	off   int
	rows  int // content rows shown by the last render, for paging
	total int
}

// marks is the legend of what the tree and the span waterfall draw.
var marks = [][2]string{
	{"▶", "on the path to the issue's event"},
	{"◀", "this issue (its event)"},
	{"✗", "error (in the waterfall: a failed span)"},
	{"⚠", "performance issue"},
	{"◆", "on the critical path (span waterfall)"},
	{"◔", "the transaction has a profile"},
	{"N×", "N similar siblings in one row (→ expands)"},
	{"● N", "N errors inside a collapsed node"},
	{"▸ ▾", "collapsed / expanded"},
}

// helpKeys are the keys of the help screen itself.
var helpKeys = struct{ Scroll, Page, TopBottom, Close Binding }{
	Scroll:    bind(keys("j", "k", "down", "up"), "j/k", "scroll", ""),
	Page:      bind(keys("pgdown", "pgup", "space", "ctrl+d", "ctrl+u"), "pgup/pgdn", "page", ""),
	TopBottom: bind(keys("g", "G", "home", "end"), "g/G", "top / bottom", ""),
	Close:     bind(keys("?", "esc", "q"), "? esc", "close", ""),
}

// helpKey handles a key on the help screen; false closes it.
func (h *helpView) key(msg tea.KeyPressMsg) bool {
	page := max(h.rows-1, 1)
	switch k := msg.String(); {
	case helpKeys.Close.matches(msg):
		return false
	case k == "j" || k == "down":
		h.off++
	case k == "k" || k == "up":
		h.off--
	case k == "pgdown" || k == "space":
		h.off += page
	case k == "pgup":
		h.off -= page
	case k == "ctrl+d":
		h.off += max(page/2, 1)
	case k == "ctrl+u":
		h.off -= max(page/2, 1)
	case k == "g" || k == "home":
		h.off = 0
	case k == "G" || k == "end":
		h.off = 1 << 30
	}
	return true
}

// helpSection is a titled list of bindings, or of marks.
type helpSection struct {
	title string
	rows  [][2]string // key, what it does
}

// helpSections are the help screen's contents, generated from the keys.
func (m *Model) helpSections() []helpSection {
	fromBindings := func(title string, bs []Binding) helpSection {
		s := helpSection{title: title}
		for _, b := range bs {
			if h := b.Help(); h.Key != "" {
				s.rows = append(s.rows, [2]string{h.Key, h.Desc})
			}
		}
		return s
	}
	global := m.keys.list()
	if m.cfg.Pairing != nil {
		global = append(global, m.keys.Follow)
	}
	out := []helpSection{fromBindings("Everywhere", global)}
	for i, p := range m.panes {
		out = append(out, fromBindings(fmt.Sprintf("%d %s pane", i+1, p.Title()), p.Bindings()))
	}
	out = append(out, helpSection{title: "Marks in the tree and the waterfall", rows: marks})
	return out
}

// lines renders a section in w cells: the title, then each key and what
// it does, the descriptions aligned and wrapped under themselves.
func (s helpSection) lines(st *Styles, w int) []string {
	kw := 0
	for _, r := range s.rows {
		kw = max(kw, lipgloss.Width(r[0]))
	}
	out := []string{st.Bold.Render(s.title)}
	dw := max(w-kw-4, 10)
	for _, r := range s.rows {
		for i, l := range wrapPlain(r[1], dw) {
			k := strings.Repeat(" ", kw)
			if i == 0 {
				k = r[0] + strings.Repeat(" ", kw-lipgloss.Width(r[0]))
			}
			out = append(out, "  "+st.Accent.Render(k)+"  "+l)
		}
	}
	return out
}

// renderHelp draws the help screen: the sections in as many columns as
// fit (one at 80 columns), scrolled to h.off.
func (m *Model) renderHelp() string {
	h, st := &m.helpView, m.st
	w := min(m.w-2, 168)
	ncols := max(1, min(3, w/64))
	cw := (w - 3*(ncols-1)) / ncols
	secs := m.helpSections()
	rendered := make([][]string, len(secs))
	total := 0
	for i, s := range secs {
		rendered[i] = s.lines(st, cw)
		total += len(rendered[i]) + 1
	}
	// Fill the columns in order, each up to an even share of the lines.
	cols := make([][]string, ncols)
	c := 0
	for _, r := range rendered {
		if c < ncols-1 && len(cols[c]) > 0 && len(cols[c])+len(r) > (total+ncols-1)/ncols {
			c++
		}
		if len(cols[c]) > 0 {
			cols[c] = append(cols[c], "")
		}
		cols[c] = append(cols[c], r...)
	}
	var body []string
	for row := 0; ; row++ {
		var parts []string
		more := false
		for _, col := range cols {
			l := ""
			if row < len(col) {
				l, more = col[row], true
			}
			parts = append(parts, fit(l, cw))
		}
		if !more {
			break
		}
		body = append(body, strings.TrimRight(strings.Join(parts, "   "), " "))
	}

	rows := max(m.h-2, 1)
	if len(body) > rows {
		rows = max(m.h-3, 1) // the last line says what is below
	}
	h.rows, h.total = rows, len(body)
	h.off = min(max(h.off, 0), max(len(body)-rows, 0))
	end := min(h.off+rows, len(body))
	title := st.Accent.Render("tracehound — keys")
	var hint []string
	if len(body) > rows {
		hint = append(hint, fmt.Sprintf("%d–%d of %d", h.off+1, end, len(body)), "j/k pgdn scroll")
	}
	hint = append(hint, "? or esc closes")
	right := st.Subtle.Render(strings.Join(hint, " · "))
	head := title + strings.Repeat(" ", max(w-lipgloss.Width(title)-lipgloss.Width(right), 2)) + right
	lines := append([]string{fit(head, w), ""}, body[h.off:end]...)
	if end < len(body) {
		lines = append(lines, st.Faint.Render(fmt.Sprintf("↓ %d more lines (j, pgdn, G)", len(body)-end)))
	}
	pad := strings.Repeat(" ", max((m.w-w)/2, 0))
	for i := range lines {
		lines[i] = pad + lines[i]
	}
	return block(lines, m.w, m.h)
}
