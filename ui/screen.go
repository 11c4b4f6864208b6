package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
)

// The screen: where the panes go (layout), their borders and numbered
// titles, the title line, the status bar (key hints generated from the
// bindings, help and quit always shown), and the loading screen.

// layout computes the panes' rectangles.
type rect struct{ x, y, w, h int }

type layoutInfo struct {
	title, status   rect
	tree, det, chat rect
	cols            int
}

// rects are the panes' rectangles in the order of Model.panes.
func (l layoutInfo) rects() []rect { return []rect{l.tree, l.det, l.chat} }

func (l layoutInfo) paneAt(x, y int) (pane, int, bool) {
	for i, r := range l.rects() {
		if r.w > 0 && x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h {
			return pane(i), y - r.y - 1, true // minus the border line
		}
	}
	return 0, 0, false
}

// Minimum size for a useful screen.
const minW, minH = 80, 20

func (m *Model) layout() layoutInfo {
	l := layoutInfo{title: rect{0, 0, m.w, 1}, status: rect{0, m.h - 1, m.w, 1}}
	top, bodyH := 1, m.h-2
	if m.zoom {
		r := rect{0, top, m.w, bodyH}
		switch m.focus {
		case paneTree:
			l.tree = r
		case paneDetail:
			l.det = r
		default:
			l.chat = r
		}
		return l
	}
	// Three columns once the agent works; while it is idle the tree gets
	// the width, and the agent waits in a strip under the detail pane.
	if m.w >= 180 && (m.started || m.cfg.Resumed) {
		l.cols = 3
		tw := m.w * 30 / 100
		dw := (m.w - tw) * 55 / 100
		l.tree = rect{0, top, tw, bodyH}
		l.det = rect{tw, top, dw, bodyH}
		l.chat = rect{tw + dw, top, m.w - tw - dw, bodyH}
		return l
	}
	l.cols = 2
	tw := m.w * 40 / 100
	rw := m.w - tw
	dh := bodyH * 55 / 100
	if !m.started && !m.cfg.Resumed {
		// The agent has not started: the detail pane gets the room.
		dh = max(dh, bodyH-6)
	}
	l.tree = rect{0, top, tw, bodyH}
	l.det = rect{tw, top, rw, dh}
	l.chat = rect{tw, top + dh, rw, bodyH - dh}
	return l
}

// View draws the screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "tracehound"
	return v
}

func (m *Model) render() string {
	if m.w == 0 || m.h == 0 {
		return ""
	}
	if m.w < minW || m.h < minH {
		msg := fmt.Sprintf("The terminal is %d×%d; tracehound needs at least %d×%d.\nEnlarge the window, or press q to quit.", m.w, m.h, minW, minH)
		return place(m.w, m.h, msg)
	}
	if m.loading || m.loadErr != nil {
		return m.renderLoading()
	}
	if m.showHelp {
		return m.renderHelp()
	}
	var body string
	if m.drill != nil {
		body = m.drill.View(m.w, m.h-2)
	} else {
		body = m.renderBody(m.layout())
	}
	if !m.chrome.ok || m.chrome.w != m.w {
		m.chrome.title, m.chrome.status = m.renderTitle(), m.renderStatus()
		m.chrome.ok, m.chrome.w = true, m.w
	}
	return m.chrome.title + "\n" + body + "\n" + m.chrome.status
}

func (m *Model) renderBody(l layoutInfo) string {
	rects := l.rects()
	boxes := make([][]string, len(m.panes))
	for i, r := range rects {
		boxes[i] = m.box(pane(i), r)
	}
	var lines []string
	switch {
	case m.zoom:
		for _, b := range boxes {
			lines = append(lines, b...)
		}
	case l.cols == 3:
		lines = joinColumns(boxes...)
	default:
		lines = joinColumns(boxes[0], append(append([]string(nil), boxes[1]...), boxes[2]...))
	}
	return strings.Join(lines, "\n")
}

// joinColumns puts boxes of the same height side by side, line by line.
func joinColumns(cols ...[]string) []string {
	n := 0
	for _, c := range cols {
		n = max(n, len(c))
	}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for _, c := range cols {
			if i < len(c) {
				b.WriteString(c[i])
			}
		}
		out[i] = b.String()
	}
	return out
}

// paneBox is a pane's drawn box, kept while neither the pane nor where
// it is drawn changed (see Model.invalidate).
type paneBox struct {
	key   boxKey
	lines []string
	fresh bool // no message since it was drawn changed the pane
}

type boxKey struct {
	r       rect
	focused bool
	title   string
	st      *Styles
}

// box draws pane p in r: its border, its numbered title on the border
// (kept however narrow the pane), its content inside; one string a
// line, each exactly r.w cells. A pane no message changed since its
// last box, drawn in the same place, is not drawn again.
func (m *Model) box(p pane, r rect) []string {
	if r.w <= 0 || r.h <= 0 {
		return nil
	}
	focused := m.focus == p
	key := boxKey{r: r, focused: focused, title: paneTitle(int(p), m.panes[p], r.w-6), st: m.st}
	if len(m.boxes) != len(m.panes) {
		m.boxes = make([]paneBox, len(m.panes))
	}
	if b := &m.boxes[p]; b.fresh && b.key == key {
		return b.lines
	}
	inner := m.panes[p].View(r.w-2, r.h-2, focused)
	lines := frame(m.st, inner, key.title, r.w, r.h, focused)
	m.boxes[p] = paneBox{key: key, lines: lines, fresh: true}
	return lines
}

// frame draws a rounded border around inner (exactly (w-2)×(h-2) cells,
// as Pane.View returns it) with title on the top border after "╭─", and
// returns the w×h box's lines.
func frame(st *Styles, inner, title string, w, h int, focused bool) []string {
	bs, ts := st.Border, st.Subtle
	if focused {
		bs, ts = st.BorderFocused, st.StatusOn
	}
	paint := lipgloss.NewStyle().Foreground(bs.GetBorderTopForeground())
	side := paint.Render("│")
	out := make([]string, 0, h)
	t := ts.Render(" " + title + " ")
	if tw := lipgloss.Width(t); w > tw+3 && h > 1 {
		out = append(out, paint.Render("╭─")+t+paint.Render(strings.Repeat("─", w-3-tw)+"╮"))
	} else {
		out = append(out, paint.Render("╭"+strings.Repeat("─", max(w-2, 0))+"╮"))
	}
	lines := strings.Split(inner, "\n")
	for i := range max(h-2, 0) {
		l := strings.Repeat(" ", max(w-2, 0))
		if i < len(lines) {
			l = lines[i]
		}
		out = append(out, side+l+side)
	}
	if h > 1 {
		out = append(out, paint.Render("╰"+strings.Repeat("─", max(w-2, 0))+"╯"))
	}
	return out
}

// invalidate marks the panes a message may change for drawing again: a
// batch of the agent's text (and token counts) changes only the agent
// pane, a tick only the panes it advances (the tick says which: see
// Update); anything else may change every pane.
// The title line and the status bar are drawn again after any message
// but streamed text (token counts show on the status bar) and ticks
// (unless a status note may expire).
func (m *Model) invalidate(msg tea.Msg) {
	switch msg := msg.(type) {
	case agentMsg:
		if m.started && msg.ok && msg.sub == m.sub && onlyText(msg.events) {
			m.stale(paneChat)
			if slices.ContainsFunc(msg.events, func(e agent.Event) bool { return e.Kind == agent.EventUsage }) {
				m.chrome.ok = false
			}
			return
		}
	case tickMsg:
		if m.status != "" {
			m.chrome.ok = false
		}
		return
	}
	m.chrome.ok = false
	for i := range m.boxes {
		m.boxes[i].fresh = false
	}
}

// stale marks pane p for drawing again.
func (m *Model) stale(p pane) {
	if int(p) < len(m.boxes) {
		m.boxes[p].fresh = false
	}
}

func (m *Model) renderTitle() string {
	var parts []string
	parts = append(parts, m.st.Accent.Render("tracehound"))
	if m.in != nil && m.in.Issue != nil {
		parts = append(parts, m.st.Bold.Render(clean(m.in.Issue.ShortID))+" "+m.st.Error.Render(clean(m.in.Issue.Title)))
	} else if m.in != nil {
		parts = append(parts, "trace "+m.in.TraceID())
	}
	line := strings.Join(parts, "  ")
	if m.cfg.Demo {
		tag := m.st.Demo.Render("DEMO DATA")
		return fit(fit(line, m.w-lipgloss.Width(tag)-1)+" "+tag, m.w)
	}
	return fit(line, m.w)
}

func (m *Model) renderStatus() string {
	if m.status != "" && time.Now().Before(m.statusUntil) {
		return fit(m.st.StatusOn.Render(clean(m.status)), m.w)
	}
	src := m.cfg.Source
	if m.cfg.Demo {
		src = "demo data"
	}
	// What the left side says, most important first; the status bar drops
	// from the end what does not fit with the pinned hints.
	left := []string{m.st.Subtle.Render(clean(src))}
	if p := m.presenceLine(); p != "" {
		left = append(left, m.st.Info.Render(clean(p)))
	}
	switch {
	case m.provider == "":
		left = append(left, "agent idle")
	case m.analyzer == "llm":
		left = append(left, clean(m.provider))
	default:
		left = append(left, "offline analyzer")
	}
	if m.usage.ContextWindow > 0 && m.analyzer == "llm" {
		left = append(left, fmt.Sprintf("%s / %s tokens", formatTokens(m.usage.ContextTokens), formatTokens(m.usage.ContextWindow)))
	}
	if m.phase != "" && m.w >= 120 { // narrower, the agent pane's title says it
		left = append(left, "phase "+strings.ReplaceAll(string(m.phase), "_", " "))
	}
	sep := m.st.Faint.Render(" │ ")
	pinned, optional := m.statusHints()
	dot := m.st.Faint.Render(" · ")
	need := lipgloss.Width(strings.Join(pinned, dot))
	for len(left) > 1 && lipgloss.Width(strings.Join(left, sep))+lipgloss.Width(sep)+need > m.w {
		left = left[:len(left)-1]
	}
	l := strings.Join(left, sep) + sep
	// The optional hints, in order, as many as fit before the pinned ones.
	var hints []string
	for _, h := range optional {
		try := append(append(append([]string{}, hints...), h), pinned...)
		if lipgloss.Width(l)+lipgloss.Width(strings.Join(try, dot)) > m.w {
			break
		}
		hints = append(hints, h)
	}
	return fit(l+strings.Join(append(hints, pinned...), dot), m.w)
}

// statusHints are the status bar's key hints: pinned (help and quit,
// always shown) and optional, most useful first (the focused pane's
// keys, then the next error, the agent and the next pane), generated
// from the bindings. A global key the focused pane uses itself (the
// agent pane's a and e) is not offered.
func (m *Model) statusHints() (pinned, optional []string) {
	hint := func(b Binding) string {
		k := b.Help().Key
		if len(b.Keys()) > 0 && strings.Contains(k, "/") && len(k) > 5 {
			k = b.Keys()[0]
		}
		return m.st.StatusKey.Render(k) + " " + m.st.StatusBar.Render(b.Short)
	}
	used := map[string]bool{}
	for _, b := range m.panes[m.focus].Bindings() {
		if !b.Enabled() {
			continue
		}
		for _, k := range b.Keys() {
			used[k] = true
		}
		if b.Short != "" {
			optional = append(optional, hint(b))
		}
	}
	ks := m.keys
	for _, b := range []Binding{ks.NextError, ks.Agent, ks.NextPane} {
		if !used[b.Keys()[0]] {
			optional = append(optional, hint(b))
		}
	}
	return []string{hint(ks.Help), hint(ks.Quit)}, optional
}

func (m *Model) renderLoading() string {
	var lines []string
	spin := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}[m.spin%10]
	lines = append(lines, m.st.Accent.Render("tracehound"), "")
	if m.cfg.Demo {
		lines = append(lines, m.st.Demo.Render("DEMO DATA")+" "+m.st.Subtle.Render("an embedded sample incident, not from a real Sentry"), "")
	}
	for i, p := range m.progress {
		mark := m.st.OK.Render("✓ ")
		switch {
		case i < len(m.progress)-1:
		case m.loadErr != nil:
			mark = m.st.Error.Render("✗ ") // the step that failed
		default:
			mark = m.st.Info.Render(spin + " ")
		}
		lines = append(lines, mark+clean(p))
	}
	if len(m.progress) == 0 && m.loadErr == nil {
		lines = append(lines, m.st.Info.Render(spin+" ")+"starting…")
	}
	if m.bar != "" && m.loadErr == nil {
		lines = append(lines, "  "+m.st.Subtle.Render(clean(m.bar)))
	}
	if m.loadErr != nil {
		lines = append(lines, "", m.st.Error.Render("Could not load the incident:"))
		for _, l := range strings.Split(m.loadErr.Error(), "\n") {
			lines = append(lines, "  "+clean(l))
		}
		lines = append(lines, "", m.st.Subtle.Render("Press q to quit. `tracehound config` shows the Sentry settings; --demo works without an account."))
	}
	return place(m.w, m.h, strings.Join(lines, "\n"))
}

// place centres a text on a w×h screen, wrapping lines wider than it and
// cutting what does not fit: the result is exactly w×h.
func place(w, h int, text string) string {
	if lipgloss.Width(text) > w {
		text = lipgloss.NewStyle().Width(w).Render(text)
	}
	out := lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, text)
	return block(strings.Split(out, "\n"), w, h)
}

// ansiCut keeps the first n cells of a styled line; ansiTail drops them.
func ansiCut(s string, n int) string  { return ansi.Truncate(s, n, "") }
func ansiTail(s string, n int) string { return ansi.TruncateLeft(s, n, "") }

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
