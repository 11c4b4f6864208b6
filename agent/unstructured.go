package agent

import (
	"regexp"
	"strings"

	"github.com/tracehound/tracehound/tracetree"
)

// Reading a report from prose, when the model gives nothing structured.

var (
	fileRE = regexp.MustCompile(`(?:[\w.-]+/)*[\w-]+\.(?:go|py|js|jsx|ts|tsx|java|kt|rb|rs|php|cs|swift|c|cc|cpp|h|hpp|scala|ex|exs)(?::\d+)?\b`)
	// funcRE: a call `name()`, a backticked identifier, or a CamelCase
	// identifier in parentheses "(CanonicalRequest)".
	funcRE  = regexp.MustCompile("`([A-Za-z_][\\w.]*)(?:\\(\\))?`|\\b([A-Za-z_][\\w.]*)\\(\\)|\\(([A-Z][a-z]+[A-Z]\\w*)\\)")
	camelRE = regexp.MustCompile(`\b[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\b`)
	hexRE   = regexp.MustCompile(`\b[0-9a-f]{8,32}\b`)
	fixRE   = regexp.MustCompile(`(?i)\b(fix|should|must|change|add|remove|roll ?back|revert|replace|use|sign|validate|handle|retry|upgrade|restore|update)\b`)
	causeRE = regexp.MustCompile(`(?i)root cause|caused by|the cause|at fault|culprit|the bug|originates|fails because|is in\b`)
)

// unstructured reads the phase's report from the model's prose; false
// when it names nothing to build one from.
func (r *Run) unstructured(tool, prose string) bool {
	prose = strings.TrimSpace(prose)
	if prose == "" {
		return false
	}
	switch tool {
	case "report_root_cause":
		rc, ok := r.rootCauseFromProse(prose)
		if !ok {
			return false
		}
		r.report.RootCause = rc
		if r.report.Summary == "" {
			r.report.Summary = firstSentences(prose, 3)
		}
		r.phaseReported(PhaseSolution)
	case "report_solution":
		steps := stepsFromProse(prose)
		if len(steps) == 0 {
			return false
		}
		r.report.Solution = steps
		r.phaseReported(PhasePatch)
	default:
		return false
	}
	return true
}

// rootCauseFromProse names the service the prose blames (a service of the
// trace, preferably one named in a sentence about the cause), the first
// file and function it names, and every service, file, function and event
// id it mentions as evidence candidates.
func (r *Run) rootCauseFromProse(prose string) (*RootCause, bool) {
	services := r.knownServices()
	lower := strings.ToLower(prose)
	var named []string
	for _, s := range services {
		if s != "" && containsWord(lower, strings.ToLower(s)) {
			named = append(named, s)
		}
	}
	if len(named) == 0 {
		return nil, false
	}
	service := ""
	for _, sent := range sentences(prose) {
		if !causeRE.MatchString(sent) {
			continue
		}
		ls := strings.ToLower(sent)
		for _, s := range named {
			if containsWord(ls, strings.ToLower(s)) {
				service = s // the last cause sentence naming a service wins
			}
		}
	}
	if service == "" {
		service = named[0]
	}
	rc := &RootCause{Service: service, Explanation: clipRunes(prose, 2000), Confidence: "low"}
	seen := map[string]bool{}
	add := func(kind, ref, detail string) {
		if ref == "" || seen[kind+ref] || len(rc.Evidence) >= 12 {
			return
		}
		seen[kind+ref] = true
		rc.Evidence = append(rc.Evidence, Evidence{Kind: kind, Ref: ref, Detail: detail})
	}
	for _, f := range fileRE.FindAllString(prose, -1) {
		if rc.File == "" {
			rc.File = strings.SplitN(f, ":", 2)[0]
		}
		add("code", f, "a file the model named (candidate, not verified)")
	}
	for _, m := range funcRE.FindAllStringSubmatch(prose, -1) {
		fn := m[1] + m[2] + m[3]
		if fn == "" || fileRE.MatchString(fn) {
			continue
		}
		if isTypeName(fn) {
			add("code", fn, "an identifier the model named (candidate, not verified)")
			continue
		}
		if rc.Function == "" {
			rc.Function = fn
		}
		add("code", fn, "a function the model named (candidate, not verified)")
	}
	for _, c := range camelRE.FindAllString(prose, -1) {
		if rc.Function == "" && !isTypeName(c) {
			rc.Function = c
		}
		add("code", c, "an identifier the model named (candidate, not verified)")
	}
	if in := r.opts.Incident; in != nil && in.Tree != nil {
		for _, id := range hexRE.FindAllString(lower, -1) {
			if n, err := in.Tree.Resolve(id); err == nil && n != nil {
				kind := "transaction"
				if n.Kind == tracetree.KindError {
					kind = "error"
				}
				add(kind, id, "an event the model cited")
			}
		}
	}
	for _, s := range named {
		add("service", s, "a service the model named")
	}
	return rc, true
}

// knownServices are the trace's services and the repositories' projects.
func (r *Run) knownServices() []string {
	var out []string
	if in := r.opts.Incident; in != nil && in.Tree != nil {
		out = append(out, in.Tree.Services...)
		for _, n := range in.Tree.Nodes {
			out = append(out, n.Project)
		}
	}
	seen := map[string]bool{}
	var uniq []string
	for _, s := range out {
		if !seen[s] {
			seen[s] = true
			uniq = append(uniq, s)
		}
	}
	return uniq
}

// containsWord reports whether w occurs in s not as part of a longer name.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		a, b := i+j, i+j+len(w)
		if (a == 0 || !nameByte(s[a-1])) && (b == len(s) || !nameByte(s[b])) {
			return true
		}
		i = a + 1
	}
}

func nameByte(c byte) bool {
	return c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isTypeName guesses an error type rather than a function.
func isTypeName(s string) bool {
	return strings.HasSuffix(s, "Error") || strings.HasSuffix(s, "Exception")
}

// sentences splits prose at a full stop, question or exclamation mark
// followed by a space or the end (not the dot of "canonical.go"), and at
// line breaks.
func sentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		end := c == '\n' || (c == '.' || c == '!' || c == '?') && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n')
		if !end {
			continue
		}
		if t := strings.TrimSpace(s[start : i+1]); t != "" && t != "." {
			out = append(out, t)
		}
		start = i + 1
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

func firstSentences(s string, n int) string {
	sents := sentences(s)
	if len(sents) > n {
		sents = sents[:n]
	}
	return clipRunes(strings.Join(sents, " "), 600)
}

var bulletRE = regexp.MustCompile(`^\s*(?:[-*•]|\d+[.)])\s+(.+)$`)

// stepsFromProse reads a solution plan: its bullet or numbered lines,
// else its sentences (at most 6).
func stepsFromProse(s string) []string {
	var steps []string
	for _, l := range strings.Split(s, "\n") {
		if m := bulletRE.FindStringSubmatch(l); m != nil {
			steps = append(steps, clipRunes(strings.TrimSpace(m[1]), 400))
		}
	}
	if len(steps) == 0 {
		// The sentences that say what to do, else the last two.
		sents := sentences(s)
		for _, sent := range sents {
			if fixRE.MatchString(sent) && !causeRE.MatchString(sent) || strings.Contains(strings.ToLower(sent), "fix") {
				steps = append(steps, clipRunes(sent, 400))
			}
		}
		if len(steps) == 0 {
			steps = sents[max(0, len(sents)-2):]
		}
	}
	if len(steps) > 6 {
		steps = steps[:6]
	}
	return steps
}
