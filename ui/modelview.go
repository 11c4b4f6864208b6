package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/investigation"
)

// overlay is what covers the panes until q or esc: a call's full result
// (Drill), what the model saw (contextView).
type overlay interface {
	Update(msg tea.Msg) tea.Cmd
	View(w, h int) string
}

// contextView is the model's-eye view: the context of the agent's last
// request exactly as the model received it (the run's recorded requests,
// investigation.ModelContextText), beside the answer it gave — the report
// on the left from 150 columns, above the context when narrower. y
// copies the context.
type contextView struct {
	st *Styles
	scroller
	width int

	text   string   // the context, as text (what y copies)
	answer []string // the report's lines, rendered as the chat renders it
	report string   // the report's markdown ("" before a report)
	short  string   // the answer in a few lines, for the narrow layout
	chat   *Chat
}

// contextWide is the width from which the answer gets its own column.
const contextWide = 150

// newContextView is the view of the chat's run.
func newContextView(st *Styles, c *Chat, analyzer string) *contextView {
	ctx := c.red.Context
	if ctx.Requests > 0 {
		analyzer = "llm"
		if ctx.Model == agent.OfflineName {
			analyzer = "heuristic"
		}
	}
	v := &contextView{st: st, chat: c, text: investigation.ModelContextText(&ctx, analyzer)}
	if rep := lastReport(&c.red); rep != nil {
		v.report = rep.Markdown()
		v.short = shortAnswer(rep)
	}
	return v
}

// lastReport is the run's latest report (nil before one).
func lastReport(r *investigation.Reducer) *agent.Report {
	for i := len(r.Items) - 1; i >= 0; i-- {
		if it := r.Items[i]; it.Kind == investigation.ItemReport && it.Report != nil {
			return it.Report
		}
	}
	return nil
}

// Update scrolls; y copies the context.
func (v *contextView) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "y" {
		return copyText("what the model saw", v.text)
	}
	v.update(msg)
	return nil
}

// View draws the title, the answer and the context, and the keys.
func (v *contextView) View(w, h int) string {
	if w <= 0 || h <= 0 {
		return block(nil, w, h)
	}
	st := v.st
	wide := w >= contextWide && v.report != ""
	ctxW, ansW := w, 0
	if wide {
		ansW = min(w*2/5, 80)
		ctxW = w - ansW - 3
	}
	if v.lines == nil || v.width != w {
		v.width = w
		v.lines = v.body(ctxW, !wide)
		if wide {
			v.answer = v.mdLines("The answer", v.report, ansW)
		}
	}
	footerH := 0
	if h >= 3 {
		footerH = 1
	}
	v.vh = max(h-1-footerH, 0)
	title := st.Accent.Render("▌ ") + st.Title.Render("What the model saw")
	if wide {
		title += st.Subtle.Render("  beside the answer it gave")
	}
	pos := st.Faint.Render(v.position())
	if gap := w - lipgloss.Width(title) - lipgloss.Width(pos); gap >= 2 {
		title += strings.Repeat(" ", gap) + pos
	}
	out := []string{title}
	rows := v.visible()
	if wide {
		sep := st.Faint.Render(" │ ")
		for i, r := range rows {
			a := ""
			if i < len(v.answer) {
				a = v.answer[i]
			}
			if i == len(rows)-1 && len(v.answer) > len(rows) {
				a = st.Faint.Render("… the rest of the report is in the agent pane")
			}
			out = append(out, fitCells(a, ansW)+sep+r)
		}
	} else {
		out = append(out, rows...)
	}
	if footerH > 0 {
		out = append(out, overlayKeys(st, [2]string{"y", "copy"}))
	}
	return block(out, w, h)
}

// body lays the context out at width w, after the answer when inline.
func (v *contextView) body(w int, inline bool) []string {
	var out []string
	st := v.st
	if inline && v.short != "" {
		out = append(out, st.Bold.Render("The answer")+st.Faint.Render(" (the whole report is in the agent pane)"))
		out = append(append(out, wrapPlain(strings.TrimRight(v.short, "\n"), w)...), "")
	}
	for _, l := range wrapPlain(v.text, w) {
		switch {
		case strings.HasPrefix(l, "━━ "):
			out = append(out, st.Bold.Render(l))
		case strings.HasPrefix(l, "   parts (tokens):"), strings.HasPrefix(l, "# "):
			out = append(out, st.Accent.Render(l))
		default:
			out = append(out, l)
		}
	}
	return out
}

// shortAnswer is the report in a few lines: the root cause and the
// summary.
func shortAnswer(rep *agent.Report) string {
	var b strings.Builder
	if rc := rep.RootCause; rc != nil && rc.Service != "" {
		where := rc.Service
		if rc.File != "" {
			where += " " + rc.File
		}
		if rc.Function != "" {
			where += " in " + rc.Function
		}
		b.WriteString("Root cause: " + where + "\n")
	} else {
		b.WriteString("No root cause was established.\n")
	}
	if s := strings.TrimSpace(rep.Summary); s != "" {
		b.WriteString(s + "\n")
	}
	return b.String()
}

// mdLines is a titled block of markdown rendered as the chat renders it.
func (v *contextView) mdLines(title, md string, w int) []string {
	s := &mdStream{}
	s.set(md)
	return append([]string{v.st.Bold.Render(title)}, s.lines(&v.chat.md, w, v.st.Dark)...)
}

// fitCells pads or cuts a styled line to exactly w cells.
func fitCells(s string, w int) string {
	if n := lipgloss.Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return xansi.Truncate(s, w, "")
}
