package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/tracehound/tracehound/agent"
)

// cardStatus is where a tool call is in its life.
type cardStatus int

const (
	cardProposed cardStatus = iota
	cardAwaiting
	cardRunning
	cardDone
	cardFailed
	cardDenied
	cardNotRun // the run ended before the call finished
)

// cardPreviewLines is how much of a result a card shows; the rest is a
// drill-in away.
const (
	cardPreviewLines = 10
	cardPatchLines   = 40 // the diff of a patch awaiting approval
)

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// toolCard is one tool call in the transcript.
type toolCard struct {
	call    agent.Call
	status  cardStatus
	started time.Time // when it started running
	// decided is the user's answer while the agent has not acted on it yet.
	decided string

	// Cached output lines (cleaned), computed once per output.
	outFor string
	out    []string
}

// cardView is what a card's rendering depends on besides the call.
type cardView struct {
	width    int
	selected bool
	pending  bool // the call awaiting the user's decision
	frame    int
	now      time.Time
}

// outputLines returns the cleaned lines of the full output.
func (c *toolCard) outputLines() []string {
	if c.outFor != c.call.Output || c.out == nil {
		c.outFor = c.call.Output
		c.out = strings.Split(strings.TrimRight(cleanText(c.call.Output), "\n"), "\n")
		if c.call.Output == "" {
			c.out = []string{}
		}
	}
	return c.out
}

// icon is the status glyph of the header.
func (c *toolCard) icon(st *Styles, frame int) string {
	switch c.status {
	case cardAwaiting:
		return st.Accent.Render("?")
	case cardRunning:
		return st.Info.Render(spinnerFrames[frame%len(spinnerFrames)])
	case cardDone:
		return st.OK.Render("✓")
	case cardFailed:
		return st.Error.Render("✗")
	case cardDenied:
		return st.Warn.Render("⊘")
	case cardNotRun:
		return st.Faint.Render("◌")
	default:
		return st.Subtle.Render("○")
	}
}

// statusText is the right-hand side of the header.
func (c *toolCard) statusText(v cardView) string {
	switch c.status {
	case cardProposed:
		return "proposed"
	case cardAwaiting:
		if c.decided != "" {
			return c.decided
		}
		return "awaiting approval"
	case cardRunning:
		if !c.started.IsZero() && !v.now.IsZero() {
			return "running " + formatDuration(v.now.Sub(c.started))
		}
		return "running"
	case cardDone:
		s := formatDuration(c.call.Duration)
		if c.call.Cached {
			s = "cached"
		}
		return s
	case cardFailed:
		return "failed"
	case cardDenied:
		return "denied"
	case cardNotRun:
		return "not run"
	}
	return ""
}

// header is the card's first line: icon, tool, main argument, status.
func (c *toolCard) header(st *Styles, v cardView, width int) string {
	left := c.icon(st, v.frame) + " " + st.Bold.Render(clean(c.call.Name))
	if arg := mainArg(c.call); arg != "" {
		left += "  " + st.Subtle.Render(arg)
	}
	right := c.statusText(v)
	if right == "" {
		return left
	}
	rs := st.Faint
	switch c.status {
	case cardAwaiting:
		rs = st.Accent
	case cardFailed:
		rs = st.Error
	case cardDenied:
		rs = st.Warn
	}
	right = rs.Render(right)
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 2 {
		// The status wins over a long argument.
		left = fit(left, max(width-lipgloss.Width(right)-2, 1))
		gap = 2
	}
	return left + strings.Repeat(" ", gap) + right
}

// body is the card's content under the header, unstyled width-wise (the
// caller fits lines).
func (c *toolCard) body(st *Styles, v cardView) []string {
	var out []string
	switch c.status {
	case cardProposed, cardAwaiting:
		if c.call.Preview != "" {
			limit := cardPreviewLines
			if v.pending {
				limit = cardPatchLines
			}
			out = append(out, preview(diffLines(st, c.call.Preview, v.width-4), limit, st)...)
		} else {
			out = append(out, preview(argLines(st, c.call.Args), cardPreviewLines, st)...)
		}
	case cardRunning:
		// The header's spinner says it all.
	case cardDone:
		lines := c.outputLines()
		if len(lines) == 0 {
			out = append(out, st.Faint.Render("(no output)"))
		} else {
			out = append(out, preview(lines, cardPreviewLines, st)...)
		}
	case cardFailed:
		reason := c.call.Reason
		if reason == "" {
			reason = "the tool failed"
		}
		for _, l := range strings.Split(cleanText(reason), "\n") {
			out = append(out, st.Error.Render(l))
		}
		if lines := c.outputLines(); len(lines) > 0 {
			out = append(out, preview(lines, cardPreviewLines/2, st)...)
		}
	case cardDenied:
		msg := "denied by you"
		if r := strings.TrimSpace(c.call.Reason); r != "" {
			msg += ": " + clean(r)
		}
		out = append(out, st.Warn.Render("WARN "+msg+" — the agent was told and goes on"))
	case cardNotRun:
		out = append(out, st.Faint.Render("not run: the run ended first"))
	}
	return out
}

// preview keeps the first n lines with a note saying how many are left.
func preview(lines []string, n int, st *Styles) []string {
	if len(lines) <= n {
		return lines
	}
	out := append([]string(nil), lines[:n]...)
	return append(out, st.Faint.Render(fmt.Sprintf("… %d more lines — enter to open", len(lines)-n)))
}

// render draws the card at v.width: a header and a body behind a gutter;
// the call awaiting approval is boxed in the accent colour.
func (c *toolCard) render(st *Styles, v cardView) []string {
	w := max(v.width, 8)
	if v.pending {
		return c.renderBoxed(st, v, w)
	}
	gutter := st.Faint.Render("│ ")
	hdr := c.header(st, v, w)
	if v.selected {
		gutter = st.Info.Render("┃ ")
		hdr = st.Selected.Render(fit(hdr, w))
	}
	out := []string{hdr}
	for _, l := range c.body(st, v) {
		out = append(out, "  "+gutter+l)
	}
	return out
}

func (c *toolCard) renderBoxed(st *Styles, v cardView, w int) []string {
	b := st.Accent
	inner := w - 4
	title := " " + c.header(st, v, inner-2) + " "
	top := b.Render("╭─") + fit(title, inner) + b.Render("─╮")
	if v.selected {
		top = b.Render("╭─") + st.Selected.Render(fit(title, inner)) + b.Render("─╮")
	}
	out := []string{top}
	for _, l := range c.body(st, v) {
		out = append(out, b.Render("│ ")+fit(l, inner)+b.Render(" │"))
	}
	out = append(out, b.Render("╰"+strings.Repeat("─", w-2)+"╯"))
	return out
}

// mainArg says what a call is about (the tool's one-line summary: the id
// for trace tools, the query, the file, the repository of a patch).
func mainArg(call agent.Call) string { return clean(agent.CallSummary(call)) }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// argLines is a call's arguments as indented JSON, cleaned.
func argLines(st *Styles, args json.RawMessage) []string {
	if len(bytes.TrimSpace(args)) == 0 {
		return nil
	}
	pretty := prettyJSON(args)
	if pretty == "{}" {
		return []string{st.Faint.Render("(no arguments)")}
	}
	var out []string
	for _, l := range strings.Split(cleanText(pretty), "\n") {
		out = append(out, st.Subtle.Render(l))
	}
	return out
}

// prettyJSON indents JSON, leaving invalid JSON as it is. Characters a
// terminal could act on are escaped as \u sequences (valid JSON: they can
// only occur inside strings).
func prettyJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	s := b.String()
	var out strings.Builder
	for _, r := range s {
		if r != '\n' && clean(string(r)) != string(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}

// diffLines colours a unified diff (and the summary lines before it):
// additions green, removals red, hunk headers blue, file headers bold.
// The summary is wrapped at width (when > 0); diff lines are not.
func diffLines(st *Styles, text string, width int) []string {
	lines := strings.Split(strings.TrimRight(cleanText(text), "\n"), "\n")
	out := make([]string, 0, len(lines))
	del := st.Error.Bold(false)
	inDiff := false
	for _, l := range lines {
		if strings.HasPrefix(l, "diff --git ") || strings.HasPrefix(l, "--- ") {
			inDiff = true
		}
		if !inDiff && width > 0 && lipgloss.Width(l) > width {
			style := st.Subtle
			if strings.HasPrefix(l, "Warning:") {
				style = st.Warn
			}
			for _, w := range wrapLines(l, width, "") {
				out = append(out, style.Render(w))
			}
			continue
		}
		out = append(out, l)
		i := len(out) - 1
		switch {
		case strings.HasPrefix(l, "diff --git "), strings.HasPrefix(l, "--- "), strings.HasPrefix(l, "+++ "):
			out[i] = st.Bold.Render(l)
		case strings.HasPrefix(l, "@@"):
			out[i] = st.Info.Render(l)
		case inDiff && strings.HasPrefix(l, "+"):
			out[i] = st.OK.Render(l)
		case inDiff && strings.HasPrefix(l, "-"):
			out[i] = del.Render(l)
		case strings.HasPrefix(l, "Warning:"):
			out[i] = st.Warn.Render(l)
		case !inDiff:
			out[i] = st.Subtle.Render(l)
		default:
			out[i] = l
		}
	}
	return out
}

// formatDuration is a short duration: 850ms, 1.2s, 2m03s.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
}
