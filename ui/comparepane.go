package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/tracetree/compare"
)

// This file is the Compare tab: the selected transaction against the same
// transaction in a healthy trace (agent.Incident.Compare), the text of
// `tracehound compare`. The prose (who is compared, the first divergence)
// wraps to the pane; the tree of differences keeps one line per span and
// scrolls sideways; enter shows the descriptions whole.

type detailCompare struct {
	c    *agent.Comparison
	full bool // whole descriptions

	laidLines
}

func newDetailCompare(c *agent.Comparison) *detailCompare { return &detailCompare{c: c} }

func (p *detailCompare) hint() string {
	if p.full {
		return "short descriptions"
	}
	return "whole descriptions"
}

func (p *detailCompare) enter(int) {
	p.full = !p.full
	p.ver++
}

func (p *detailCompare) layout(st *Styles, w int) {
	if !p.stale(st, w) {
		return
	}
	width := min(max(w/3, 24), 60) // room for what changed after the name
	if p.full {
		width = 1000
	}
	// The prose wraps, so it keeps whole descriptions; the tree's lines
	// are cut to the pane.
	head, _, tail := p.c.TextParts(compare.TextOptions{DescWidth: 1000})
	_, tree, _ := p.c.TextParts(compare.TextOptions{DescWidth: width})
	var out []string
	for i, l := range compactHead(splitLines(head)) {
		style := lipgloss.NewStyle()
		switch {
		case i == 0:
			style = st.Title
		case strings.HasPrefix(l, "First divergence:"):
			style = st.Accent
		case strings.HasPrefix(l, "Releases differ:"):
			style = st.Warn
		case strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "No difference"):
		default:
			style = st.Faint
		}
		indent := ""
		if strings.HasPrefix(l, "  ") {
			indent = strings.Repeat(" ", min(len(l)-len(strings.TrimLeft(l, " ")), 4))
		}
		hang := "" // continuation lines of an unindented line hang by two
		if indent == "" {
			hang = "  "
		}
		for j, wl := range wrapLines(strings.TrimLeft(l, " "), max(w-len(indent)-len(hang), 10), "/.,") {
			if j > 0 {
				wl = hang + wl
			}
			out = append(out, indent+style.Render(wl))
		}
	}
	for _, l := range splitLines(tree) {
		out = append(out, p.treeLine(st, l))
	}
	for _, l := range splitLines(tail) {
		for _, wl := range wrapLines(l, max(w, 10), "/.,") {
			out = append(out, st.Faint.Render(wl))
		}
	}
	for _, n := range p.c.Notes {
		for _, wl := range wrapLines("Note: "+clean(n)+".", max(w, 10), "/.,") {
			out = append(out, st.Warn.Render(wl))
		}
	}
	p.setLines(out, w)
}

// treeLine styles one line of the tree of differences by its mark: + only
// in the failing trace, - only in the healthy one, ~ changed; the first
// divergence stands out.
func (p *detailCompare) treeLine(st *Styles, l string) string {
	style := lipgloss.NewStyle()
	switch {
	case strings.HasPrefix(l, "+ "):
		style = st.Error
	case strings.HasPrefix(l, "- "):
		style = st.OK
	case strings.HasPrefix(l, "~ "):
		style = st.Warn
	case strings.HasPrefix(l, "  …"):
		style = st.Faint
	}
	const first = "  ◀ first divergence"
	if before, after, ok := strings.Cut(l, first); ok {
		return style.Render(before) + st.Accent.Render(first) + style.Render(after)
	}
	return style.Render(l)
}

// compactHead puts what matters most first in the pane, where little
// fits: the title, the first divergence (and its path), the releases that
// differ, then which traces are compared and the count line.
func compactHead(lines []string) []string {
	if len(lines) == 0 {
		return lines
	}
	var first, rest []string
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "First divergence:"):
			first = append(first, l)
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "  via ") {
				first = append(first, lines[i+1])
				i++
			}
		case strings.HasPrefix(l, "Releases differ:"):
			first = append(first, l)
		default:
			rest = append(rest, l)
		}
	}
	return append(append([]string{lines[0]}, first...), rest...)
}

// splitLines splits text into its lines, without the last newline.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
