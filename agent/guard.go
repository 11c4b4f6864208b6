package agent

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/tracetree"
)

// DefaultMaxBadCalls is how many bad tool calls in a row stop a run.
const DefaultMaxBadCalls = 3

// badCall is one tool call that did not work: an unknown tool, arguments
// that are not JSON, an id the trace does not have, a call that failed.
type badCall struct {
	kind string // unknown, json, failed
	tool string
	why  string
}

// noteBadCall counts a bad call towards the loop guard; once the streak
// reaches the limit, the run stops with the reason.
func (r *Run) noteBadCall(kind, tool, why string) {
	r.bad = append(r.bad, badCall{kind: kind, tool: tool, why: why})
	limit := r.opts.MaxBadCalls
	if limit <= 0 {
		limit = DefaultMaxBadCalls
	}
	if len(r.bad) >= limit && !r.finished {
		r.finish("stopped: "+badStreakReason(r.bad), nil)
	}
}

// noteGoodCall ends a streak of bad calls and keeps what the call showed
// as evidence gathered (for a report of a run that stops early).
func (r *Run) noteGoodCall(c *Call) {
	r.bad = nil
	if c == nil || isReportTool(c.Name) || strings.TrimSpace(c.Output) == "" {
		return
	}
	const maxGathered = 12
	ev := Evidence{Kind: c.Name, Ref: clip(compactArgs(c.Args), 120), Detail: firstLines(c.ModelOutput, 200)}
	for _, g := range r.gathered {
		if g.Kind == ev.Kind && g.Ref == ev.Ref {
			return
		}
	}
	if len(r.gathered) < maxGathered {
		r.gathered = append(r.gathered, ev)
	}
}

func isReportTool(name string) bool {
	switch name {
	case "report_root_cause", "report_solution", "finish":
		return true
	}
	return false
}

// badStreakReason says in one sentence why the loop guard stopped the run.
func badStreakReason(streak []badCall) string {
	first := streak[0]
	same := true
	for _, b := range streak[1:] {
		if b.kind != first.kind || b.tool != first.tool {
			same = false
		}
	}
	if same {
		switch first.kind {
		case "unknown":
			return fmt.Sprintf("the model kept calling %s, which does not exist (%d times in a row)", first.tool, len(streak))
		case "json":
			return fmt.Sprintf("the model kept calling %s with arguments that are not valid JSON (%d times in a row)", first.tool, len(streak))
		default:
			return fmt.Sprintf("the model kept making failing calls to %s (%d in a row; last: %s)", first.tool, len(streak), clip(first.whyLast(streak), 160))
		}
	}
	var parts []string
	for _, b := range streak {
		switch b.kind {
		case "unknown":
			parts = append(parts, b.tool+" does not exist")
		case "json":
			parts = append(parts, b.tool+" with invalid JSON")
		default:
			parts = append(parts, b.tool+" failed: "+clip(b.why, 80))
		}
	}
	return fmt.Sprintf("the model made %d bad tool calls in a row (%s)", len(streak), strings.Join(parts, "; "))
}

func (b badCall) whyLast(streak []badCall) string { return streak[len(streak)-1].why }

// compactArgs shows a call's arguments on one line.
func compactArgs(args []byte) string {
	s := canonicalArgs(string(args))
	if s == "{}" || s == "" {
		return "(no arguments)"
	}
	return redact.SanitizeLine(s)
}

// firstLines is the start of a tool's output, on one line, at most n bytes.
func firstLines(s string, n int) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
		if len(out) == 3 {
			break
		}
	}
	return clipRunes(redact.SanitizeLine(strings.Join(out, " · ")), n)
}

// clipRunes cuts s to at most n bytes at a rune boundary.
func clipRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// closeReport fills in how the run ended: complete or not, why it
// stopped, the evidence gathered and the leads not followed. Every run
// ends with a report, even one that found nothing.
func (r *Run) closeReport() {
	rep := r.report
	rep.Complete = r.completed && r.err == nil
	rep.StoppedBecause = ""
	if !rep.Complete {
		why := r.reason
		if r.err != nil {
			why = r.err.Error()
			if r.reason != "" && !strings.Contains(why, r.reason) {
				why = r.reason + ": " + why
			}
		}
		if why == "" {
			why = "the run ended early"
		}
		rep.StoppedBecause = why
	}
	rep.Gathered = append([]Evidence(nil), r.gathered...)
	if rep.Summary == "" {
		if last := r.lastProse(); last != "" {
			rep.Summary = clipRunes(last, 2000)
		}
	}
	rep.Unchecked = nil
	if !rep.Complete {
		rep.Unchecked = r.unchecked(5)
	}
}

// lastProse is the model's last text, if it said anything.
func (r *Run) lastProse() string {
	for i := len(r.messages) - 1; i >= 0; i-- {
		m := r.messages[i]
		if m.Role == "assistant" && strings.TrimSpace(m.Content) != "" {
			return strings.TrimSpace(strings.TrimSuffix(m.Content, " [interrupted by the user]"))
		}
	}
	return ""
}

// unchecked lists the connected errors of the trace that no tool call
// opened (the issue's own event is in the first message): the leads a
// stopped investigation did not follow.
func (r *Run) unchecked(n int) []string {
	in := r.opts.Incident
	if in == nil || in.Tree == nil {
		return nil
	}
	var seen strings.Builder
	for _, m := range r.messages {
		for _, tc := range m.ToolCalls {
			seen.WriteString(tc.Arguments)
			seen.WriteByte('\n')
		}
	}
	opened := strings.ToLower(seen.String())
	var out []string
	for _, node := range in.Tree.Nodes {
		if node.Kind != tracetree.KindError || len(node.ID) < 8 || node.Focus {
			continue
		}
		if strings.Contains(opened, strings.ToLower(node.ID[:8])) {
			continue
		}
		out = append(out, fmt.Sprintf("the %s error %q (id=%s) was not opened", node.Project, clip(node.Name, 80), node.ID[:8]))
		if len(out) == n {
			break
		}
	}
	return out
}
