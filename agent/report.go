package agent

import (
	"fmt"
	"strings"
	"time"

	"github.com/tracehound/tracehound/redact"
)

// Report is the result of an investigation, the same shape whether a
// model or the offline analyzer produced it.
type Report struct {
	// Analyzer is "llm" or "heuristic" (the offline analyzer, not an LLM).
	Analyzer string `json:"analyzer"`
	Model    string `json:"model,omitempty"`
	Issue    string `json:"issue,omitempty"` // short id
	Title    string `json:"title,omitempty"`
	TraceID  string `json:"trace_id,omitempty"`
	// Summary is two or three sentences for the incident channel.
	Summary string `json:"summary"`
	// RootCause is nil when none was found.
	RootCause *RootCause `json:"root_cause,omitempty"`
	// Alternatives are up to two other candidates, weaker than RootCause,
	// each with its own evidence.
	Alternatives []RootCause `json:"alternatives,omitempty"`
	// Chain is the causal chain across services, from the root cause to the
	// symptom the user saw.
	Chain    []ChainStep `json:"causal_chain,omitempty"`
	Solution []string    `json:"solution_plan,omitempty"`
	Patch    *PatchInfo  `json:"patch,omitempty"`
	// Notes are caveats: what was not checked, what the heuristic assumed.
	Notes     []string  `json:"notes,omitempty"`
	CreatedAt time.Time `json:"created_at"`

	// Complete is true when the investigation ended on its own (the model
	// finished, or ended its answer after reporting); false when it was
	// stopped: step limit, loop guard, stream timeout, model error, cancel.
	Complete bool `json:"complete"`
	// StoppedBecause says why an incomplete investigation stopped.
	StoppedBecause string `json:"stopped_because,omitempty"`
	// Structured says how the model's conclusion was obtained: "tool" (it
	// called the report tool), "forced_tool", "json_schema", "json" (a
	// plain request for the JSON object) or "unstructured" (read from its
	// prose: check it).
	Structured string `json:"structured,omitempty"`
	// Gathered is the evidence the tools returned so far, one line each.
	Gathered []Evidence `json:"evidence_gathered,omitempty"`
	// Unchecked are leads the investigation did not look at yet.
	Unchecked []string `json:"not_checked,omitempty"`
}

// RootCause names where the fault is.
type RootCause struct {
	Service     string     `json:"service"`
	Repo        string     `json:"repo,omitempty"`
	File        string     `json:"file,omitempty"`
	Function    string     `json:"function,omitempty"`
	Line        int        `json:"line,omitzero"`
	Explanation string     `json:"explanation"`
	Confidence  string     `json:"confidence,omitempty"` // high, medium, low
	Evidence    []Evidence `json:"evidence,omitempty"`
}

// ChainStep is one link of the causal chain.
type ChainStep struct {
	Service  string     `json:"service"`
	What     string     `json:"what"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Evidence points at something a person can open: an event, a span, a
// profile, a line of code, a commit.
type Evidence struct {
	Kind   string `json:"kind"` // error, transaction, span, profile, code, commit, breadcrumb
	Ref    string `json:"ref"`  // event id, span id, repo:path:line, commit sha
	Detail string `json:"detail"`
}

// PatchInfo is a proposed (and, after approval, applied) change.
type PatchInfo struct {
	Repo        string `json:"repo"`
	Explanation string `json:"explanation"`
	Diff        string `json:"diff"`
	Applied     bool   `json:"applied"`
	Branch      string `json:"branch,omitempty"`
	Commit      string `json:"commit,omitempty"`
}

// writeCause renders a root cause (or an alternative): where, confidence,
// explanation and evidence.
func writeCause(b *strings.Builder, rc *RootCause) {
	loc := clean(rc.Service)
	if rc.Repo != "" || rc.File != "" {
		where := clean(rc.File)
		if rc.Line > 0 {
			where += fmt.Sprintf(":%d", rc.Line)
		}
		if rc.Repo != "" {
			where = clean(rc.Repo) + " " + where
		}
		loc += " — `" + strings.TrimSpace(where) + "`"
	}
	if rc.Function != "" {
		loc += " in `" + clean(rc.Function) + "`"
	}
	fmt.Fprintf(b, "**%s**", loc)
	if rc.Confidence != "" {
		fmt.Fprintf(b, " (confidence: %s)", clean(rc.Confidence))
	}
	fmt.Fprintf(b, "\n\n%s\n\n", cleanBlock(rc.Explanation))
	writeEvidence(b, rc.Evidence)
}

// Found reports whether the report names a root cause.
func (r *Report) Found() bool { return r != nil && r.RootCause != nil && r.RootCause.Service != "" }

// Markdown renders the report for an incident document, a terminal or a
// colleague. Text that came from models or events is sanitised.
func (r *Report) Markdown() string {
	var b strings.Builder
	title := "Investigation"
	if r.Issue != "" {
		title += " of " + clean(r.Issue)
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	if r.Title != "" {
		fmt.Fprintf(&b, "**%s**", mdEscape(clean(r.Title)))
		if r.TraceID != "" {
			fmt.Fprintf(&b, " · trace `%s`", clean(r.TraceID))
		}
		b.WriteString("\n\n")
	}
	switch r.Analyzer {
	case "heuristic":
		b.WriteString("> Produced by tracehound's **offline analyzer** — deterministic heuristics over the trace, errors, spans, profiles and code. It is not an LLM: treat the root cause as a well-founded lead, and check the evidence.\n\n")
	default:
		if r.Model != "" {
			fmt.Fprintf(&b, "> Produced by the model `%s` through tracehound; check the evidence before acting on it.\n\n", clean(r.Model))
		}
	}
	if !r.Complete && r.StoppedBecause != "" {
		fmt.Fprintf(&b, "> **Incomplete**: the investigation stopped before it finished — %s. What follows is what was established so far.\n\n", clean(r.StoppedBecause))
	}
	if r.Structured == "unstructured" {
		b.WriteString("> The model answered in prose, not in the report's structure: the root cause below is read from its words, and the evidence are the functions, files and services it named — candidates to check.\n\n")
	}
	if r.Summary != "" {
		fmt.Fprintf(&b, "## Summary\n\n%s\n\n", cleanBlock(r.Summary))
	}
	b.WriteString("## Root cause\n\n")
	if rc := r.RootCause; rc != nil && rc.Service != "" {
		writeCause(&b, rc)
	} else {
		b.WriteString("No root cause was established.\n\n")
	}
	if len(r.Alternatives) > 0 {
		b.WriteString("## Alternatives\n\n")
		for i := range r.Alternatives {
			writeCause(&b, &r.Alternatives[i])
		}
	}
	if len(r.Chain) > 0 {
		b.WriteString("## Causal chain\n\n")
		for i, s := range r.Chain {
			fmt.Fprintf(&b, "%d. **%s** — %s\n", i+1, clean(s.Service), clean(s.What))
			for _, e := range s.Evidence {
				fmt.Fprintf(&b, "   - %s `%s`: %s\n", clean(e.Kind), clean(e.Ref), clean(e.Detail))
			}
		}
		b.WriteString("\n")
	}
	if len(r.Solution) > 0 {
		b.WriteString("## Solution plan\n\n")
		for i, s := range r.Solution {
			fmt.Fprintf(&b, "%d. %s\n", i+1, clean(s))
		}
		b.WriteString("\n")
	}
	if p := r.Patch; p != nil {
		b.WriteString("## Patch\n\n")
		switch {
		case p.Applied:
			fmt.Fprintf(&b, "Applied to %s on branch `%s` as commit `%s`.\n\n", clean(p.Repo), clean(p.Branch), clean(p.Commit))
		default:
			fmt.Fprintf(&b, "Proposed for %s, not applied.\n\n", clean(p.Repo))
		}
		if p.Explanation != "" {
			fmt.Fprintf(&b, "%s\n\n", cleanBlock(p.Explanation))
		}
		if p.Diff != "" {
			fmt.Fprintf(&b, "```diff\n%s\n```\n\n", strings.TrimRight(redact.Sanitize(p.Diff), "\n"))
		}
	}
	if !r.Complete && len(r.Gathered) > 0 {
		b.WriteString("## Evidence gathered\n\n")
		for _, e := range r.Gathered {
			fmt.Fprintf(&b, "- %s `%s`: %s\n", clean(e.Kind), clean(e.Ref), clean(e.Detail))
		}
		b.WriteString("\n")
	}
	if len(r.Unchecked) > 0 {
		b.WriteString("## Not yet checked\n\n")
		for _, u := range r.Unchecked {
			fmt.Fprintf(&b, "- %s\n", clean(u))
		}
		b.WriteString("\n")
	}
	if len(r.Notes) > 0 {
		b.WriteString("## Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", clean(n))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func writeEvidence(b *strings.Builder, ev []Evidence) {
	if len(ev) == 0 {
		return
	}
	b.WriteString("Evidence:\n\n")
	for _, e := range ev {
		fmt.Fprintf(b, "- %s `%s`: %s\n", clean(e.Kind), clean(e.Ref), clean(e.Detail))
	}
	b.WriteString("\n")
}

// clean makes model- or event-provided text safe for one markdown line:
// secrets masked, escapes made visible.
func clean(s string) string { return redact.Line(strings.TrimSpace(s)) }

// cleanBlock is clean for paragraphs (newlines kept).
func cleanBlock(s string) string { return strings.TrimSpace(redact.Text(s)) }

// mdEscape escapes the characters markdown would read as emphasis, code
// or links ("*errors.errorString" in a bold title must stay as is).
var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`)

func mdEscape(s string) string { return mdEscaper.Replace(s) }
