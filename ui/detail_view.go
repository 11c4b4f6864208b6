package ui

import (
	"errors"
	"fmt"
	"image/color"
	"strings"

	"github.com/tracehound/tracehound/redact"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi"
)

// The detail pane's drawing: the tab line, the current tab's content
// scrolled into the pane, and the loading, failed and empty states.

// dtViewKey is everything a View depends on, to reuse the last text.
type dtViewKey struct {
	w, h     int
	focused  bool
	st       *Styles
	tab      DetailTab
	status   int
	spin     int
	off, x   int
	pane     dtPane
	version  int
	selLine  int
	tabsSig  string
	statusOf string
}

// View renders the pane in exactly w columns and h lines: a tab line
// (tabs, scroll position, key hints), then the content. The app draws
// the border.
func (d *Detail) View(w, h int, focused bool) string {
	if w <= 0 || h <= 0 {
		return strings.TrimSuffix(strings.Repeat("\n", max(h, 0)), "\n")
	}
	rows := h - 1
	d.lastRows = rows
	s := &d.ts[d.tab]
	var sp dtSelecting
	if d.status == dtStatusNone && s.pane != nil {
		s.pane.layout(d.st, w)
		sp, _ = s.pane.(dtSelecting)
		if sp != nil {
			// The selection is always visible; it first shows with some
			// context above it.
			line, n := sp.selected()
			switch {
			case line < 0:
			case !s.placed && line >= rows:
				s.off = max(line-rows/3, 0)
			case line < s.off:
				s.off = line
			}
			if line >= 0 && line+min(n, rows) > s.off+rows {
				s.off = line + min(n, rows) - rows
			}
		}
		s.placed = true
		s.off = min(s.off, max(s.pane.count()-rows, 0))
		s.x = min(s.x, max(s.pane.wide()-w, 0))
	}
	key := dtViewKey{w: w, h: h, focused: focused, st: d.st, tab: d.tab, status: d.status, off: s.off, x: s.x, pane: s.pane, selLine: -1}
	key.tabsSig = fmt.Sprint(d.shownTabs(), d.missing)
	if d.status == dtStatusLoading {
		key.spin = d.spin
	}
	if d.status != dtStatusNone {
		key.statusOf = d.what
		if d.err != nil {
			key.statusOf += "\x00" + d.err.Error()
		}
	}
	if s.pane != nil {
		key.version = s.pane.version()
	}
	if sp != nil {
		key.selLine, _ = sp.selected()
	}
	if d.memo.ok && d.memo.key == key {
		return d.memo.text
	}

	lines := make([]string, 0, h)
	var body []string
	switch {
	case d.status == dtStatusLoading:
		body = d.loadingLines(w, rows)
	case d.status == dtStatusFailed:
		body = d.failedLines(w)
	case s.pane == nil:
		body = d.emptyLines(w, rows)
	default:
		n := s.pane.count()
		selLine := key.selLine
		for i := s.off; i < min(s.off+rows, n); i++ {
			var l string
			if i == selLine && d.st.NoColor {
				// Only colour marks the selected row otherwise.
				sel := d.st.SelectedUnfocused
				if focused {
					sel = d.st.Selected
				}
				plain := ansi.Strip(s.pane.line(i))
				l = sel.Render(fit(plain, max(w, ansi.StringWidth(plain))))
			} else if i == selLine && sp != nil {
				bg := d.st.SelectedUnfocused.GetBackground()
				if focused {
					bg = d.st.Selected.GetBackground()
				}
				l = sp.selectedLine(bg)
			} else {
				l = s.pane.line(i)
			}
			if s.x > 0 {
				l = ansi.Cut(l, s.x, s.x+w)
			}
			body = append(body, l)
		}
	}
	lines = append(lines, d.tabLine(w, focused))
	lines = append(lines, body...)
	text := block(lines, w, h)
	d.memo.key, d.memo.text, d.memo.ok = key, text, true
	return text
}

// tabLine is the first line: the tabs, then right-aligned the scroll
// position and key hints.
func (d *Detail) tabLine(w int, focused bool) string {
	st := d.st
	var left strings.Builder
	shown := d.shownTabs()
	// The reasons of dimmed tabs fit when the pane is wide enough.
	reasons := w >= 60
	for i, t := range shown {
		if i > 0 {
			left.WriteString(st.Faint.Render("│"))
		}
		switch {
		case d.missing[t] != "" && reasons:
			left.WriteString(st.Tab.Inherit(st.Faint).Render(t.String() + " (" + d.missing[t] + ")"))
		case d.missing[t] != "":
			left.WriteString(st.Tab.Inherit(st.Faint).Render(t.String()))
		case t == d.tab:
			left.WriteString(st.TabActive.Render(t.String()))
		default:
			left.WriteString(st.Tab.Render(t.String()))
		}
	}
	l := left.String()

	var right []string
	s := &d.ts[d.tab]
	rows := max(d.lastRows, 1)
	if d.status == dtStatusNone && s.pane != nil {
		if n := s.pane.count(); n > rows {
			right = append(right, st.Subtle.Render(fmt.Sprintf("%d–%d of %d", s.off+1, min(s.off+rows, n), n)))
		}
		if s.x > 0 {
			right = append(right, st.Subtle.Render(fmt.Sprintf("→%d", s.x)))
		}
	}
	if focused {
		var hints []string
		if _, _, ok := d.failedSpan(); ok {
			hints = append(hints, dtKeyHint(st, "e", "its error"))
		}
		if d.status == dtStatusNone && s.pane != nil {
			if _, ok := s.pane.(dtSelecting); ok {
				hints = append(hints, dtKeyHint(st, "j/k", "select"))
			} else {
				hints = append(hints, dtKeyHint(st, "j/k", "scroll"))
			}
			if h := s.pane.hint(); h != "" {
				hints = append(hints, dtKeyHint(st, "enter", h))
			}
			if s.pane.wide() > w {
				hints = append(hints, dtKeyHint(st, "h/l", "sideways"))
			}
		}
		if avail := len(d.shownTabs()) - d.missingCount(); avail > 1 {
			hints = append(hints, dtKeyHint(st, "[ ]", "tab"))
		}
		// Drop hints from the end until the line fits.
		for len(hints) > 0 {
			all := append(append([]string{}, right...), hints...)
			if lipgloss.Width(l)+2+lipgloss.Width(strings.Join(all, "  ")) <= w {
				right = all
				break
			}
			hints = hints[:len(hints)-1]
		}
	}
	r := strings.Join(right, "  ")
	if r == "" || lipgloss.Width(l)+1+lipgloss.Width(r) > w {
		return fit(l, w)
	}
	gap := w - lipgloss.Width(l) - lipgloss.Width(r)
	return l + strings.Repeat(" ", gap) + r
}

// missingCount is how many shown tabs the node has not.
func (d *Detail) missingCount() int {
	n := 0
	for _, t := range d.shownTabs() {
		if d.missing[t] != "" {
			n++
		}
	}
	return n
}

func dtKeyHint(st *Styles, k, what string) string {
	return st.StatusKey.Render(k) + " " + st.Subtle.Render(what)
}

func (d *Detail) loadingLines(w, rows int) []string {
	msg := clean(d.what)
	if msg == "" {
		msg = "loading…"
	}
	line := d.st.Info.Render(dtSpinner[d.spin%len(dtSpinner)]) + " " + d.st.Subtle.Render(msg)
	out := make([]string, max((rows-1)/2, 0))
	return append(out, dtCenter(line, w))
}

func (d *Detail) failedLines(w int) []string {
	st := d.st
	what := clean(d.what)
	if what == "" {
		what = "the details"
	}
	out := []string{"", "  " + st.Error.Render("✗ Could not load "+what)}
	if d.err != nil {
		out = append(out, "")
		msg, _ := redact.Secrets(d.err.Error())
		for _, para := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
			para = clean(strings.ReplaceAll(para, "\t", "    "))
			indent := len(para) - len(strings.TrimLeft(para, " "))
			wrapped := wrapText(strings.TrimLeft(para, " "), max(w-4-indent, 10), " /")
			for _, l := range strings.Split(wrapped, "\n") {
				out = append(out, "  "+strings.Repeat(" ", indent)+st.Warn.Render(l))
			}
		}
	}
	out = append(out, "")
	for _, l := range wrapLines(dtFailHint(d.err), max(w-4, 10), " ") {
		out = append(out, "  "+st.Subtle.Render(l))
	}
	return out
}

// dtFailHint says what the user can do besides what the error says.
func dtFailHint(err error) string {
	const retry = "Select the node again to retry; the trace tree and the chat still work."
	var nh *agent.NoHealthyError
	switch {
	case errors.As(err, &nh):
		return "The comparison needs a trace of this transaction that worked; the other tabs, the tree and the chat still work."
	case errors.Is(err, sentryapi.ErrRateLimited):
		return "Sentry is rate limiting this token: wait a minute, then select the node again."
	case errors.Is(err, sentryapi.ErrNotFound):
		return "Sentry no longer has this data (retention, sampling or deletion), or it is in another organization. " + retry
	case errors.Is(err, sentryapi.ErrUnauthorized), errors.Is(err, sentryapi.ErrForbidden):
		return "Fix the token as the message says (tracehound config shows which one is used), then select the node again."
	}
	return retry
}

func (d *Detail) emptyLines(w, rows int) []string {
	var msg string
	switch d.tab {
	case TabSpans:
		msg = "Select a transaction in the trace tree to see its spans."
	case TabError:
		msg = "Select an error in the trace tree to see its stack trace."
	case TabProfile:
		msg = "This transaction has no profile loaded."
	case TabCompare:
		msg = "Press C on a transaction to compare it with a healthy trace."
	}
	out := make([]string, max((rows-1)/2, 0))
	return append(out, dtCenter(d.st.Faint.Render(msg), w))
}

// dtCenter pads a line to sit in the middle of w columns.
func dtCenter(s string, w int) string {
	if pad := (w - lipgloss.Width(s)) / 2; pad > 0 {
		return strings.Repeat(" ", pad) + s
	}
	return s
}

// dtSection is a section heading followed by a faint rule to width w.
func dtSection(st *Styles, title string, w int) string {
	rule := max(w-lipgloss.Width(title)-1, 0)
	return st.Title.Render(title) + " " + st.Faint.Render(strings.Repeat("─", rule))
}

// dtPad pads a styled line to w cells with spaces on background bg (nil:
// plain spaces), truncating it when it is wider.
func dtPad(s string, w int, bg color.Color) string {
	sw := lipgloss.Width(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = lipgloss.Width(s)
	}
	if sw >= w {
		return s
	}
	pad := strings.Repeat(" ", w-sw)
	if bg != nil {
		pad = lipgloss.NewStyle().Background(bg).Render(pad)
	}
	return s + pad
}

// dtBg returns style with background bg (unchanged when bg is nil).
func dtBg(style lipgloss.Style, bg color.Color) lipgloss.Style {
	if bg == nil {
		return style
	}
	return style.Background(bg)
}
