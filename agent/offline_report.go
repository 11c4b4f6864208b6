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

// rootCause turns the ranked candidates into the report: the best as the
// root cause, the next two (other functions) as alternatives, each with its
// evidence and a confidence; and the causal chain from the errors of the
// failing path, deepest first.
func (o *Offline) rootCause() (*RootCause, []RootCause, []ChainStep, string) {
	a := o.analysis
	if len(a.candidates) == 0 {
		return nil, nil, nil, ""
	}
	best := a.candidates[0]
	rc := o.cause(best, true)
	var alts []RootCause
	for _, c := range a.candidates[1:] {
		if len(alts) == 2 {
			break
		}
		if c.function == best.function && c.service == best.service || c.score < 1 || slices.ContainsFunc(alts, func(r RootCause) bool {
			return r.Function == c.function && r.Service == c.service
		}) {
			continue
		}
		alts = append(alts, *o.cause(c, false))
	}
	summary := fmt.Sprintf("The %s failure", orDash(symptomService(a)))
	if a.deepest != nil {
		summary += fmt.Sprintf(" starts in %s (%s)", a.deepest.Project, clipLine(a.deepest.Name, 100))
	}
	summary += fmt.Sprintf("; the most likely root cause is %s in %s of %s.", best.function, orDash(best.file), best.service)
	if rc.Confidence == "low" {
		summary += " The evidence is thin: treat it as a lead."
	}
	return rc, alts, o.causalChain(best), summary
}

// cause describes a candidate: where, why (its evidence, in words), the
// evidence to open, and a confidence. Heuristics never claim high
// confidence; a candidate with only the crash site behind it, or a low
// score, is low and says its evidence is thin.
func (o *Offline) cause(c *candidate, primary bool) *RootCause {
	a := o.analysis
	conf := "low"
	if c.score >= 4 || (c.score >= 3 && !c.producer) {
		conf = "medium"
	}
	rc := &RootCause{Service: c.service, File: c.file, Function: c.function, Line: c.line, Confidence: conf}
	if c.repo != nil {
		rc.Repo = c.repo.Name
	}
	rc.Explanation = fmt.Sprintf("Heuristic: %s — %s.", c.function, strings.Join(dedupe(c.why), "; "))
	if a.crash != nil && (c.function != a.crash.function || c.file != a.crash.path) {
		rc.Explanation += fmt.Sprintf(" The error itself is raised in %s (%s:%d), which depends on it.", a.crash.function, a.crash.path, a.crash.line)
	}
	switch {
	case conf == "low" && !c.producer && len(dedupe(c.why)) <= 1:
		rc.Explanation += " The evidence is thin: little more than where the error was raised points here."
	case conf == "low":
		rc.Explanation += " The evidence is thin: treat it as a lead, not a finding."
	}
	ev := c.evidence
	if primary && a.deepEvent != nil {
		ev = append([]Evidence{{Kind: "error", Ref: tracetree.ShortID(a.deepEvent.EventID), Detail: "the deepest error: " + clipLine(a.deepEvent.Title, 120)}}, ev...)
	}
	rc.Evidence = dedupeEvidence(ev)
	return rc
}

// causalChain runs from the root cause to the symptom: the root cause's
// service, then the serious errors of the failing path, deepest first (all
// connected errors when the path has none). A service is one step of the
// chain: the error the root cause raises in its own service, or several
// errors one service logs in a row, join that service's step.
func (o *Offline) causalChain(best *candidate) []ChainStep {
	a := o.analysis
	chain := []ChainStep{{Service: best.service, What: clipLine(best.function+": "+strings.Join(dedupe(best.why), "; "), 200), Evidence: dedupeEvidence(best.evidence)}}
	var steps []ChainStep
	for _, f := range a.failures {
		if !f.serious() {
			continue
		}
		ev := []Evidence{{Kind: "error", Ref: tracetree.ShortID(f.node.ID), Detail: orDash(f.node.IssueShortID)}}
		if f.txn != nil {
			ev = append(ev, Evidence{Kind: "transaction", Ref: tracetree.ShortID(f.txn.ID), Detail: clipLine(f.txn.Name, 80) + " (" + orDash(f.txn.Status) + ")"})
		}
		steps = append(steps, ChainStep{Service: f.service, What: clipLine(f.node.Name, 160), Evidence: ev})
	}
	if len(steps) == 0 {
		for i := len(a.chain) - 1; i >= 0; i-- {
			n := a.chain[i]
			steps = append(steps, ChainStep{Service: n.Project, What: clipLine(n.Name, 160),
				Evidence: []Evidence{{Kind: "error", Ref: tracetree.ShortID(n.ID), Detail: orDash(n.IssueShortID)}}})
		}
	}
	return joinServiceSteps(append(chain, steps...))
}

// joinServiceSteps merges consecutive steps of the same service into one:
// their descriptions in order and their evidence together.
func joinServiceSteps(steps []ChainStep) []ChainStep {
	var out []ChainStep
	for _, s := range steps {
		if n := len(out); n > 0 && out[n-1].Service == s.Service {
			out[n-1].What = clipLine(out[n-1].What+" → "+s.What, 360)
			out[n-1].Evidence = dedupeEvidence(append(out[n-1].Evidence, s.Evidence...))
			continue
		}
		out = append(out, s)
	}
	return out
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
