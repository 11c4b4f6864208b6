package investigation

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/redact"
)

// Hand-offs: what a finished investigation gives the people after it —
// a postmortem draft, a few lines for the incident channel, a pull
// request description for an approved patch. They are made from the
// saved investigation alone (its report, and the facts about the
// incident recorded when it opened), scrubbed of secrets and made safe
// to print like every other output.

// ErrNoReport is a hand-off's answer for an investigation that stopped
// before a report.
var ErrNoReport = errors.New("it has no report yet: it stopped before a root cause")

// Handoff names one hand-off format.
type Handoff string

// The hand-offs.
const (
	HandoffPostmortem Handoff = "postmortem"
	HandoffSummary    Handoff = "summary"
	HandoffPR         Handoff = "pr"
)

// RenderHandoff renders one hand-off of a saved investigation.
func RenderHandoff(d *agent.TranscriptData, h Handoff) (string, error) {
	if d.Report == nil {
		return "", ErrNoReport
	}
	switch h {
	case HandoffPostmortem:
		return Postmortem(d), nil
	case HandoffSummary:
		return ChatSummary(d), nil
	case HandoffPR:
		return PRDescription(d)
	}
	return "", fmt.Errorf("no hand-off %q (postmortem, summary, pr)", h)
}

// facts are the investigation's recorded facts, or what the report
// knows when an older transcript has none.
func facts(d *agent.TranscriptData) *agent.Facts {
	if f := d.Header.Facts; f != nil {
		return f
	}
	r := d.Report
	return &agent.Facts{Issue: r.Issue, Title: r.Title, TraceID: r.TraceID}
}

// Postmortem is a postmortem draft in markdown: summary, impact (from
// the issue), timeline (from the trace and the issue), root cause, causal
// chain, fix and follow-ups.
func Postmortem(d *agent.TranscriptData) string {
	r, f := d.Report, facts(d)
	var b strings.Builder
	title := "Postmortem draft"
	if f.Issue != "" {
		title += ": " + line(f.Issue)
	}
	if f.Title != "" {
		title += " — " + line(f.Title)
	}
	b.WriteString("# " + title + "\n\n")
	fmt.Fprintf(&b, "> Drafted by tracehound from investigation `%s` (%s). Check every line before you share it.\n\n", line(d.Header.ID), producedBy(r))
	if !d.Finished || !r.Complete {
		b.WriteString("> The investigation did not finish: what follows is what it established so far.\n\n")
	}
	if r.Summary != "" {
		fmt.Fprintf(&b, "## Summary\n\n%s\n\n", block(r.Summary))
	}

	b.WriteString("## Impact\n\n")
	impact := impactLines(f)
	if len(impact) == 0 {
		impact = []string{"Not recorded: the investigation was not opened from an issue (or predates recorded facts); add the impact from Sentry."}
	}
	for _, l := range impact {
		b.WriteString("- " + l + "\n")
	}
	b.WriteString("\n## Timeline\n\n")
	writeTimeline(&b, f)

	b.WriteString("## Root cause\n\n")
	if rc := r.RootCause; rc != nil && rc.Service != "" {
		b.WriteString(causeLine(rc) + "\n\n")
		if rc.Explanation != "" {
			b.WriteString(block(rc.Explanation) + "\n\n")
		}
		if len(rc.Evidence) > 0 {
			b.WriteString("Evidence:\n\n")
			for _, e := range rc.Evidence {
				fmt.Fprintf(&b, "- %s `%s`: %s\n", line(e.Kind), line(e.Ref), line(e.Detail))
			}
			b.WriteString("\n")
		}
	} else {
		b.WriteString("No root cause was established.\n\n")
	}
	if len(r.Chain) > 0 {
		b.WriteString("### Causal chain\n\n")
		for i, s := range r.Chain {
			fmt.Fprintf(&b, "%d. **%s** — %s\n", i+1, line(s.Service), line(s.What))
		}
		b.WriteString("\n")
	}

	b.WriteString("## Fix\n\n")
	switch {
	case len(r.Solution) == 0 && r.Patch == nil:
		b.WriteString("No fix was planned by the investigation.\n\n")
	default:
		for i, s := range r.Solution {
			fmt.Fprintf(&b, "%d. %s\n", i+1, line(s))
		}
		if len(r.Solution) > 0 {
			b.WriteString("\n")
		}
		if p := r.Patch; p != nil {
			b.WriteString(patchState(p, approver(d)) + "\n\n")
		}
	}

	b.WriteString("## Follow-ups\n\n")
	var ups []string
	for _, u := range r.Unchecked {
		ups = append(ups, "Check: "+line(u))
	}
	for _, a := range r.Alternatives {
		ups = append(ups, "Rule out the alternative: "+causeLine(&a))
	}
	for _, n := range r.Notes {
		ups = append(ups, line(n))
	}
	if len(ups) == 0 {
		ups = []string{"None recorded by the investigation: add the action items (tests, alerts, runbook) here."}
	}
	for _, u := range ups {
		b.WriteString("- " + u + "\n")
	}
	return b.String()
}

// impactLines are the issue's impact: events and users, when, where,
// which releases.
func impactLines(f *agent.Facts) []string {
	var out []string
	var size []string
	if f.Events != "" {
		size = append(size, line(f.Events)+" events")
	}
	if f.Users > 0 {
		size = append(size, fmt.Sprintf("%d users", f.Users))
	}
	if len(size) > 0 {
		s := strings.Join(size, " from ")
		if f.Issue != "" {
			s += " (Sentry issue " + line(f.Issue)
			if f.Project != "" {
				s += ", project " + line(f.Project)
			}
			if f.Level != "" {
				s += ", level " + line(f.Level)
			}
			s += ")"
		}
		out = append(out, s)
	}
	if f.FirstSeen != "" || f.LastSeen != "" {
		out = append(out, fmt.Sprintf("First seen %s, last seen %s", when(f.FirstSeen), when(f.LastSeen)))
	}
	if len(f.Environments) > 0 {
		out = append(out, "Environments: "+lines(f.Environments)+" (of the events tracehound loaded, not every event of the issue)")
	}
	if len(f.Releases) > 0 {
		out = append(out, "Releases: "+lines(f.Releases))
	}
	if f.Permalink != "" {
		out = append(out, "Issue: "+redact.URL(line(f.Permalink)))
	}
	return out
}

// writeTimeline lists the issue's first sighting, the trace's
// transactions and errors in time order, and the last sighting.
func writeTimeline(b *strings.Builder, f *agent.Facts) {
	if len(f.Timeline) == 0 && f.FirstSeen == "" {
		b.WriteString("Not recorded: the investigation has no trace or issue timeline; add it from Sentry.\n\n")
		return
	}
	b.WriteString("Times are UTC. The trace is one failing request")
	if f.TraceID != "" {
		b.WriteString(" (trace `" + line(f.TraceID) + "`)")
	}
	b.WriteString("; offsets are from its first transaction.\n\n")
	if f.FirstSeen != "" {
		fmt.Fprintf(b, "- %s — issue first seen\n", when(f.FirstSeen))
	}
	var t0 time.Time
	for _, e := range f.Timeline {
		if !e.At.IsZero() {
			t0 = e.At
			break
		}
	}
	for _, e := range f.Timeline {
		at := "?"
		if !e.At.IsZero() {
			at = e.At.Format("15:04:05.000") + fmt.Sprintf(" (+%s)", offset(e.At.Sub(t0)))
		}
		s := fmt.Sprintf("- %s **%s** ", at, line(e.Service))
		switch e.Kind {
		case "transaction":
			s += strings.TrimSpace(line(e.Op)+" "+line(e.Name)) + fmt.Sprintf(" — %s", offset(time.Duration(e.DurationMS*float64(time.Millisecond))))
			if e.Status != "" && e.Status != "ok" {
				s += ", " + line(e.Status)
			}
		default:
			s += "error: " + line(e.Name)
			if e.Issue != "" {
				s += " [" + line(e.Issue) + "]"
			}
		}
		s += " `" + line(e.ID) + "`"
		if e.Focus {
			s += " ◀ the issue's event"
		}
		b.WriteString(s + "\n")
	}
	if f.TimelineDropped > 0 {
		fmt.Fprintf(b, "- … %d more transactions of the trace not listed\n", f.TimelineDropped)
	}
	if f.LastSeen != "" {
		fmt.Fprintf(b, "- %s — issue last seen\n", when(f.LastSeen))
	}
	b.WriteString("\n")
}

// ChatSummary is a few lines for the incident channel.
func ChatSummary(d *agent.TranscriptData) string {
	r, f := d.Report, facts(d)
	var out []string
	head := line(f.Issue)
	if f.Title != "" {
		head = strings.TrimSpace(head + " " + line(f.Title))
	}
	var impact []string
	if f.Events != "" {
		impact = append(impact, line(f.Events)+" events")
	}
	if f.Users > 0 {
		impact = append(impact, fmt.Sprintf("%d users", f.Users))
	}
	if len(f.Environments) > 0 {
		impact = append(impact, lines(f.Environments))
	}
	if len(impact) > 0 {
		head += " — " + strings.Join(impact, ", ")
	}
	out = append(out, head)
	if rc := r.RootCause; rc != nil && rc.Service != "" {
		s := "Root cause: " + causeLine(rc)
		if what := firstSentence(r.Summary, rc.Explanation); what != "" {
			s += ". " + what
		}
		out = append(out, clipLine(s, 240))
	} else {
		out = append(out, "Root cause: not established yet.")
	}
	if len(r.Chain) > 1 {
		var svc []string
		for _, s := range r.Chain {
			svc = append(svc, line(s.Service))
		}
		out = append(out, "Chain: "+strings.Join(svc, " → "))
	}
	switch p := r.Patch; {
	case p != nil && p.Applied:
		out = append(out, fmt.Sprintf("Fix: patch on branch %s (commit %s) in %s", line(p.Branch), line(p.Commit), line(p.Repo)))
	case len(r.Solution) > 0:
		s := clipLine("Fix: "+firstSentence(r.Solution[0], ""), 200)
		if n := len(r.Solution) - 1; n > 0 {
			s += fmt.Sprintf(" (+%d more steps)", n)
		}
		out = append(out, s)
	}
	tail := "From tracehound (" + producedBy(r) + "); check the evidence"
	if !d.Finished || !r.Complete {
		tail += "; the investigation did not finish"
	}
	out = append(out, tail+".")
	if f.Permalink != "" {
		out = append(out, redact.URL(line(f.Permalink)))
	}
	return strings.Join(out, "\n") + "\n"
}

// ErrNoApprovedPatch is PRDescription's answer when no patch was
// approved and applied.
var ErrNoApprovedPatch = errors.New("no approved patch")

// PRDescription is a pull request description for the investigation's
// approved (applied) patch: title, what and why, the diff's summary, how
// it was verified.
func PRDescription(d *agent.TranscriptData) (string, error) {
	r, f := d.Report, facts(d)
	p := r.Patch
	switch {
	case p == nil:
		return "", fmt.Errorf("%w: the investigation proposed no patch", ErrNoApprovedPatch)
	case !p.Applied:
		return "", fmt.Errorf("%w: a patch for %s was proposed but not approved and applied (denied, or the run stopped first); resume the investigation to approve it", ErrNoApprovedPatch, line(p.Repo))
	}
	var b strings.Builder
	title := firstSentence(p.Explanation, "")
	if title == "" && r.RootCause != nil {
		title = "Fix " + causeLine(r.RootCause)
	}
	if f.Issue != "" {
		title += " (" + line(f.Issue) + ")"
	}
	b.WriteString("# " + title + "\n\n")
	b.WriteString("## What\n\n")
	if p.Explanation != "" {
		b.WriteString(block(p.Explanation) + "\n\n")
	}
	stat := diffStat(p.Diff)
	if len(stat) > 0 {
		b.WriteString("Changes:\n\n")
		for _, s := range stat {
			b.WriteString("- " + s + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("## Why\n\n")
	if rc := r.RootCause; rc != nil && rc.Service != "" {
		b.WriteString("Root cause: " + causeLine(rc) + ".")
		if rc.Explanation != "" {
			b.WriteString(" " + block(rc.Explanation))
		}
		b.WriteString("\n\n")
	}
	if im := impactLines(f); len(im) > 0 {
		for _, l := range im {
			b.WriteString("- " + l + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("## How verified\n\n")
	if rc := r.RootCause; rc != nil {
		for _, e := range rc.Evidence {
			fmt.Fprintf(&b, "- Evidence, %s `%s`: %s\n", line(e.Kind), line(e.Ref), line(e.Detail))
		}
	}
	fmt.Fprintf(&b, "- %s\n", patchState(p, approver(d)))
	b.WriteString("- tracehound did not run the tests: run the repository's tests (and the test the patch adds, if any) before merging.\n")
	fmt.Fprintf(&b, "\nDrafted by tracehound from investigation `%s` (%s).\n", line(d.Header.ID), producedBy(r))
	return b.String(), nil
}

// diffStat summarises a unified diff: each file with its added and
// removed lines.
func diffStat(diff string) []string {
	type stat struct {
		file      string
		add, drop int
	}
	var files []*stat
	var cur *stat
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "+++ "):
			name := strings.TrimSpace(strings.TrimPrefix(l, "+++ "))
			name = strings.TrimPrefix(name, "b/")
			if i := strings.IndexByte(name, '\t'); i > 0 {
				name = name[:i]
			}
			cur = &stat{file: name}
			files = append(files, cur)
		case strings.HasPrefix(l, "--- "), strings.HasPrefix(l, "diff "), strings.HasPrefix(l, "index "):
		case cur == nil:
		case strings.HasPrefix(l, "+"):
			cur.add++
		case strings.HasPrefix(l, "-"):
			cur.drop++
		}
	}
	var out []string
	for _, s := range files {
		out = append(out, fmt.Sprintf("`%s` +%d −%d", line(s.file), s.add, s.drop))
	}
	return out
}

// patchState says where a patch is and who approved it.
func patchState(p *agent.PatchInfo, by string) string {
	if !p.Applied {
		return fmt.Sprintf("A patch for %s was proposed and not applied.", line(p.Repo))
	}
	s := fmt.Sprintf("The patch is applied to %s on branch `%s` as commit `%s`", line(p.Repo), line(p.Branch), line(p.Commit))
	if by != "" {
		s += ", approved by " + line(by)
	}
	return s + "."
}

// approver is who approved the propose_patch call ("" when unknown).
func approver(d *agent.TranscriptData) string {
	by := ""
	for _, e := range d.Events {
		if e.Kind == agent.EventDecision && e.Call != nil && e.Call.Name == agent.ToolProposePatch && e.Decision != nil {
			switch e.Decision.Kind {
			case agent.ApproveOnce, agent.ApproveSession, agent.Edit:
				by = e.Decision.By
				if by == "" {
					by = LocalUser.Name
				}
			}
		}
	}
	return by
}

// causeLine is "service — repo file:line in function (confidence c)".
func causeLine(rc *agent.RootCause) string {
	s := line(rc.Service)
	where := line(rc.File)
	if where != "" && rc.Line > 0 {
		where += fmt.Sprintf(":%d", rc.Line)
	}
	if rc.Repo != "" && where != "" {
		where = line(rc.Repo) + " " + where
	}
	if where != "" {
		s += " — `" + where + "`"
	}
	if rc.Function != "" {
		s += " in `" + line(rc.Function) + "`"
	}
	if rc.Confidence != "" {
		s += " (confidence " + line(rc.Confidence) + ")"
	}
	return s
}

// producedBy names who produced the report.
func producedBy(r *agent.Report) string {
	if r.Analyzer == "heuristic" {
		return "the offline analyzer: heuristics, not an LLM"
	}
	if r.Model != "" {
		return "the model " + line(r.Model)
	}
	return "a model"
}

// firstSentence is the first sentence of s (or of alt when s is empty),
// on one line.
func firstSentence(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		s = alt
	}
	s = strings.Join(strings.Fields(line(s)), " ")
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i+1]
	}
	return strings.TrimSuffix(s, ".")
}

// when formats Sentry's ISO time as "2006-01-02 15:04:05 UTC".
func when(s string) string {
	if s == "" {
		return "unknown"
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return line(s)
}

// offset is a duration as "463 ms" or "1.2 s".
func offset(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// clipLine cuts s to n runes with an ellipsis.
func clipLine(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// line makes text from the run safe for one line: secrets masked,
// escapes made visible, whitespace trimmed.
func line(s string) string { return redact.Line(strings.TrimSpace(s)) }

// lines joins values made safe.
func lines(v []string) string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = line(s)
	}
	return strings.Join(out, ", ")
}

// block is line for paragraphs (newlines kept).
func block(s string) string { return strings.TrimSpace(redact.Text(s)) }
