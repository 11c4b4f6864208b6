// The offline analyzer's report: the ranked candidates become the root
// cause, its alternatives and the causal chain.

package agent

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/redact"

	"github.com/tracehound/tracehound/tracetree"
)

// rootCause turns the best candidate into the report's root cause and
// builds the causal chain from the errors.
func (o *Offline) rootCause() (*RootCause, []ChainStep, string) {
	a := o.analysis
	if len(a.candidates) == 0 {
		return nil, nil, ""
	}
	best := a.candidates[0]
	conf := "low"
	if best.score >= 3 {
		conf = "medium" // heuristics never claim high confidence
	}
	rc := &RootCause{Service: best.service, File: best.file, Function: best.function, Line: best.line, Confidence: conf}
	if best.repo != nil {
		rc.Repo = best.repo.Name
	}
	rc.Explanation = fmt.Sprintf("Heuristic: %s — %s.", best.function, strings.Join(dedupe(best.why), "; "))
	if a.crash != nil && (best.function != a.crash.function || best.file != a.crash.path) {
		rc.Explanation += fmt.Sprintf(" The error itself is raised in %s (%s:%d), which depends on it.", a.crash.function, a.crash.path, a.crash.line)
	}
	ev := best.evidence
	if a.deepEvent != nil {
		ev = append([]Evidence{{Kind: "error", Ref: tracetree.ShortID(a.deepEvent.EventID), Detail: "the deepest error: " + clipLine(a.deepEvent.Title, 120)}}, ev...)
	}
	rc.Evidence = dedupeEvidence(ev)
	var chain []ChainStep
	for i := len(a.chain) - 1; i >= 0; i-- {
		n := a.chain[i]
		chain = append(chain, ChainStep{Service: n.Project, What: clipLine(n.Name, 160),
			Evidence: []Evidence{{Kind: "error", Ref: tracetree.ShortID(n.ID), Detail: orDash(n.IssueShortID)}}})
	}
	summary := fmt.Sprintf("The %s failure", orDash(symptomService(a)))
	if a.deepest != nil {
		summary += fmt.Sprintf(" starts in %s (%s)", a.deepest.Project, clipLine(a.deepest.Name, 100))
	}
	summary += fmt.Sprintf("; the most likely root cause is %s in %s of %s.", best.function, orDash(best.file), best.service)
	return rc, chain, summary
}

func symptomService(a *analysis) string {
	if len(a.chain) > 0 {
		return a.chain[0].Project
	}
	return ""
}

func (o *Offline) solution() []string {
	a := o.analysis
	if len(a.candidates) == 0 {
		return []string{"Collect more data: the trace has no error or code to point at."}
	}
	best := a.candidates[0]
	steps := []string{fmt.Sprintf("Review %s in %s (%s) against the evidence: %s.", best.function, orDash(best.file), best.service, strings.Join(dedupe(best.why), "; "))}
	for _, w := range best.why {
		if strings.Contains(w, "changed in") {
			steps = append(steps, "Compare with the previous version of the file (git log -p), and revert or fix the change if it broke the contract with its callers.")
			break
		}
	}
	if strings.Contains(strings.Join(best.why, " "), "N+1") {
		steps = append(steps, "Batch the repeated query (one query for all items) and add a test that counts queries.")
	}
	steps = append(steps, "Add a regression test that reproduces the failing request, then deploy and watch the issue.")
	return steps
}

// dedupe drops repeated reasons, and a reason another one already says
// at more length ("changed in X" next to "its file changed in X").
func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if seen[s] || slices.ContainsFunc(ss, func(t string) bool { return t != s && strings.HasSuffix(t, " "+s) }) {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func dedupeEvidence(es []Evidence) []Evidence {
	seen := map[string]bool{}
	var out []Evidence
	for _, e := range es {
		k := e.Kind + e.Ref
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

func clipLine(s string, n int) string { return tracetree.Truncate(redact.SanitizeLine(s), n) }
