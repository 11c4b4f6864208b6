package compare

import (
	"fmt"
	"strings"
	"time"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/tracetree"
)

// TextOptions tune Text.
type TextOptions struct {
	// Budget caps the text in model tokens (tracetree.CountTokens); 0 means
	// no cap. Over budget, the last lines of the tree are dropped and the
	// text says how many.
	Budget int
	// DescWidth is the longest description shown, in runes (default 70).
	DescWidth int
}

// Text renders the comparison for a person and the model alike: who is
// compared with whom, the first divergence, then the merged tree pruned to
// the differences and the paths to them.
func (r *Result) Text(opts TextOptions) string {
	head, tree, tail := r.TextParts(opts)
	return head + tree + tail
}

// TextParts is Text in three parts, for views that wrap the prose but
// scroll the tree sideways: the header (up to the first divergence and
// the count of differences), the tree lines (cut to the budget), and the
// closing line. Each part ends with a newline; tree is "" when nothing
// differs.
func (r *Result) TextParts(opts TextOptions) (head, tree, tail string) {
	if opts.DescWidth <= 0 {
		opts.DescWidth = 70
	}
	var hb strings.Builder
	root := r.Root
	fmt.Fprintf(&hb, "Compare %s with a healthy trace of the same transaction\n", clean(root.Label(), 120))
	fmt.Fprintf(&hb, "  failing  %s\n", sideLine(r.FailingTraceID, root.Failing, r.FailingStart))
	fmt.Fprintf(&hb, "  healthy  %s\n", sideLine(r.HealthyTraceID, root.Healthy, r.HealthyStart))
	if r.HealthyHow != "" {
		fmt.Fprintf(&hb, "           %s\n", clean(r.HealthyHow, 300))
	}
	if rel := r.Releases(); len(rel) > 0 {
		fmt.Fprintf(&hb, "Releases differ: %s\n", clean(strings.Join(rel, ", "), 400))
	}
	if r.First == nil {
		hb.WriteString("No difference beyond noise: the same spans, statuses and attributes.\n")
		return hb.String(), "", "Noise rule: " + r.Rule + ".\n"
	}
	fmt.Fprintf(&hb, "First divergence: %s — %s\n", clean(r.First.Label(), opts.DescWidth+40), facets(r.First, opts.DescWidth))
	if p := r.path(r.First); p != "" {
		fmt.Fprintf(&hb, "  via %s\n", p)
	}
	fmt.Fprintf(&hb, "%d %s (+ only in the failing trace, - only in the healthy one, ~ changed; unchanged spans only as the path to a change):\n",
		len(r.Diffs), plural(len(r.Diffs), "difference", "differences"))
	head = hb.String()
	all := r.treeLines(opts.DescWidth)
	lines := all
	tail = fmt.Sprintf("Matched %d spans (failing trace %d, healthy %d). Noise rule: %s.\n", r.Matched, r.FailingSpans, r.HealthySpans, r.Rule)
	tree = strings.Join(lines, "\n") + "\n"
	if opts.Budget > 0 {
		fixed := tracetree.CountTokens(head + tail)
		for len(lines) > 1 && fixed+tracetree.CountTokens(tree) > opts.Budget {
			lines = lines[:len(lines)-max(1, len(lines)/5)]
			dropped := len(all) - len(lines)
			tree = strings.Join(lines, "\n") + fmt.Sprintf("\n  … %d more %s (ask with a larger budget)\n", dropped, plural(dropped, "line", "lines"))
		}
	}
	return head, tree, tail
}

func sideLine(traceID string, s *Side, start float64) string {
	if s == nil {
		return "trace " + tracetree.ShortID(traceID)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "trace %s  transaction %s", tracetree.ShortID(traceID), tracetree.ShortID(s.TransactionID))
	if start > 0 {
		b.WriteString("  " + time.UnixMilli(int64(start*1000)).UTC().Format("2006-01-02 15:04:05Z"))
	}
	if s.Timed {
		b.WriteString("  " + tracetree.FormatDuration(s.DurationMS))
	}
	if s.Status != "" {
		b.WriteString("  status " + clean(s.Status, 40))
	}
	return b.String()
}

// path is the chain of spans from the compared transaction to n, without
// either end, shortened.
func (r *Result) path(n *Node) string {
	chain := r.ancestors(n)
	if len(chain) <= 1 {
		return ""
	}
	var parts []string
	for _, a := range chain[1:] {
		if a.Failing != nil && a.Failing.TransactionID != "" || a.Healthy != nil && a.Healthy.TransactionID != "" {
			parts = append(parts, clean(a.Project+" "+a.Description, 60))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, " › ")
}

// ancestors returns the nodes from the root down to n's parent.
func (r *Result) ancestors(n *Node) []*Node {
	var chain []*Node
	var find func(x *Node) bool
	find = func(x *Node) bool {
		if x == n {
			return true
		}
		chain = append(chain, x)
		for _, c := range x.Children {
			if find(c) {
				return true
			}
		}
		chain = chain[:len(chain)-1]
		return false
	}
	find(r.Root)
	return chain
}

// treeLines draws the merged tree pruned to the nodes that differ and the
// paths to them.
func (r *Result) treeLines(width int) []string {
	var out []string
	var draw func(n *Node, prefix string, last, top bool)
	draw = func(n *Node, prefix string, last, top bool) {
		mark := "  "
		switch {
		case n.Appeared():
			mark = "+ "
		case n.Vanished():
			mark = "- "
		case n.Changed():
			mark = "~ "
		}
		branch, next := "", ""
		if !top {
			branch, next = "├ ", "│ "
			if last {
				branch, next = "└ ", "  "
			}
		}
		line := mark + prefix + branch + label(n, width)
		if n.First {
			line += "  ◀ first divergence"
		}
		if f := facets(n, width); f != "" && n.Changed() {
			line += "  " + f
		}
		out = append(out, line)
		var shown []*Node
		for _, c := range n.Children {
			if c.Changed() || c.shown {
				shown = append(shown, c)
			}
		}
		for i, c := range shown {
			draw(c, prefix+next, i == len(shown)-1, false)
		}
	}
	draw(r.Root, "", true, true)
	return out
}

// label is a node's "project op description" on one line; the project is
// shown where the service changes (and at the top).
func label(n *Node, width int) string {
	return clean(n.Project, 40) + " " + clean(n.Op, 40) + " " + tracetree.Truncate(clean(n.Description, 1000), width)
}

// facets says how a node differs, in one line.
func facets(n *Node, width int) string {
	var parts []string
	switch {
	case n.Appeared():
		parts = append(parts, "only in the failing trace"+extent(n.Failing))
	case n.Vanished():
		parts = append(parts, "only in the healthy trace"+extent(n.Healthy))
	}
	if n.CountChanged() {
		parts = append(parts, fmt.Sprintf("repeated %d → %d", n.Healthy.Count, n.Failing.Count))
	}
	if d := n.Duration; d != nil {
		s := tracetree.FormatDuration(d.HealthyMS) + " → " + tracetree.FormatDuration(d.FailingMS)
		if d.Median {
			s = "median " + s
		}
		if r := d.Ratio(); r > 0 {
			s += fmt.Sprintf(" (×%.1f)", r)
		}
		parts = append(parts, s)
	}
	if c := n.Status; c != nil {
		parts = append(parts, "status "+clean(c.Healthy, 40)+" → "+clean(c.Failing, 40))
	}
	for _, a := range n.Attrs {
		parts = append(parts, clean(a.Key, 60)+" "+tracetree.Truncate(clean(a.Healthy, 200), 40)+" → "+tracetree.Truncate(clean(a.Failing, 200), 40))
	}
	for _, e := range n.Errors {
		parts = append(parts, "error "+tracetree.Truncate(clean(e, 300), width+20))
	}
	return strings.Join(parts, "; ")
}

// extent says how big a one-sided span (group) is: count, spans below,
// duration.
func extent(s *Side) string {
	var parts []string
	if s.Count > 1 {
		parts = append(parts, fmt.Sprintf("×%d", s.Count))
	}
	if below := s.Spans - s.Count; below > 0 {
		parts = append(parts, fmt.Sprintf("%d %s below", below, plural(below, "span", "spans")))
	}
	if s.Timed {
		parts = append(parts, tracetree.FormatDuration(s.DurationMS))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// clean makes event text one safe line: secrets scrubbed, escapes made
// visible, at most n runes.
func clean(s string, n int) string {
	return tracetree.Truncate(strings.Join(strings.Fields(redact.Line(s)), " "), n)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Releases lists the release changes ("a@1 → a@2"), once each, in trace
// order.
func (r *Result) Releases() []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range r.Diffs {
		for _, a := range n.Attrs {
			if a.Key != "release" {
				continue
			}
			s := a.Healthy + " → " + a.Failing
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}
