// The offline analyzer's use of git history: what the latest release
// changed. A bonus signal, never required.

package agent

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/tracetree"
)

// recentChanges returns the files changed by the release the event was
// sent from (the commits since the previous tag up to the release's tag),
// or, when no tag matches, by the latest commit of a repository with
// history. commit names the change for the report.
func recentChanges(ctx context.Context, repo *Repo, release string) (map[string]bool, string) {
	files := map[string]bool{}
	version := release
	if i := strings.LastIndex(version, "@"); i >= 0 {
		version = version[i+1:]
	}
	version = strings.TrimSpace(version)
	var rng, label string
	if version != "" {
		for _, tag := range []string{"v" + version, version} {
			if _, err := repoGit(ctx, repo.Path, nil, nil, "rev-parse", "--verify", "--quiet", tag+"^{commit}"); err == nil {
				prev, err := repoGit(ctx, repo.Path, nil, nil, "describe", "--tags", "--abbrev=0", tag+"^")
				if err == nil && strings.TrimSpace(prev) != "" {
					rng = strings.TrimSpace(prev) + ".." + tag
				} else {
					rng = tag + "^.." + tag
				}
				label = "release " + tag
				break
			}
		}
	}
	if rng == "" {
		count, err := repoGit(ctx, repo.Path, nil, nil, "rev-list", "--count", "HEAD")
		if err != nil || strings.TrimSpace(count) == "1" {
			return files, ""
		}
		rng, label = "HEAD^..HEAD", "the latest commit"
	}
	out, err := repoGit(ctx, repo.Path, nil, nil, "diff", "--name-only", rng)
	if err != nil {
		return files, ""
	}
	for _, f := range strings.Split(strings.TrimSpace(out), "\n") {
		if f != "" {
			files[f] = true
		}
	}
	if sha, err := repoGit(ctx, repo.Path, nil, nil, "log", "-1", "--format=%h %s", strings.TrimPrefix(rng[strings.Index(rng, "..")+2:], "")); err == nil {
		label += " (" + strings.TrimSpace(sha) + ")"
	}
	return files, label
}

// changeCandidates weighs what the latest release of each service involved
// in the failure changed (Sentry's "suspect commits", from the local git
// history): the services with errors on the chain and the services those
// failing transactions called.
func (o *Offline) changeCandidates(ctx context.Context, a *analysis) {
	if o.repos == nil || len(a.chain) == 0 {
		return
	}
	services := map[string]bool{}
	var order []string
	addSvc := func(s string) {
		if s != "" && !services[s] {
			services[s] = true
			order = append(order, s)
		}
	}
	for _, e := range a.chain {
		addSvc(e.Project)
		if t := e.Parent; t != nil {
			for _, c := range t.Children {
				if c.Kind == tracetree.KindTransaction {
					addSvc(c.Project)
				}
			}
		}
	}
	errorText := o.chainText(ctx, a)
	crashBody := ""
	if a.crash != nil {
		if lines, err := readRepoLines(a.crash.repo, a.crash.path); err == nil {
			crashBody = strings.Join(functionBody(lines, a.crash.line), "\n")
		}
	}
	for _, svc := range order {
		for _, r := range o.repos.ForProject(svc) {
			repo := o.mustRepo(r.Name)
			if repo == nil {
				continue
			}
			for _, ch := range changedFunctions(ctx, repo) {
				c := candidate{repo: repo, service: svc, file: ch.path, function: ch.function, line: ch.line, score: 2,
					why:      []string{"changed in " + ch.label},
					evidence: []Evidence{{Kind: "commit", Ref: ch.label, Detail: "changed " + ch.function + " in " + ch.path}}}
				if strings.Contains(ch.message, ch.function) {
					c.score += 0.5
					c.why = append(c.why, "the commit message names it")
				}
				if crashBody != "" && regexp.MustCompile(`\b`+regexp.QuoteMeta(ch.function)+`\b`).MatchString(crashBody) {
					c.score += 1
					c.why = append(c.why, "the failing function uses it")
				}
				if tok := errorTokenIn(append(append([]string(nil), ch.added...), ch.removed...), errorText); tok != "" {
					c.score += 1
					c.why = append(c.why, "the change touches "+tok+", which the error names")
				}
				if lit := literalSeenIn(ch.added, errorText); lit != "" {
					c.score += 1
					c.why = append(c.why, fmt.Sprintf("a value the change sets (%s) appears in the failing request", clipLine(lit, 60)))
				}
				a.add(c)
			}
		}
	}
}

// chainText is the text of the chain's errors that a changed value could
// show up in: titles, exception values, breadcrumbs, request URLs.
func (o *Offline) chainText(ctx context.Context, a *analysis) string {
	var b strings.Builder
	for _, n := range a.chain {
		ev, err := o.in.EventFor(ctx, n)
		if err != nil {
			continue
		}
		b.WriteString(ev.Title + "\n")
		if ex := ev.Exception(); ex != nil {
			for _, v := range ex.Values {
				b.WriteString(v.Value + "\n")
			}
		}
		if bc := ev.Breadcrumbs(); bc != nil {
			for _, c := range bc.Values {
				b.WriteString(c.Message + " " + string(c.Data) + "\n")
			}
		}
		if r := ev.Request(); r != nil {
			b.WriteString(r.URL + "\n")
		}
	}
	return b.String()
}

var literalRE = regexp.MustCompile("\"([^\"]{8,})\"|'([^']{8,})'|`([^`]{8,})`")

// literalSeenIn returns the first string literal of the added lines (8 or
// more characters) that appears in text.
func literalSeenIn(added []string, text string) string {
	for _, l := range added {
		for _, m := range literalRE.FindAllStringSubmatch(l, -1) {
			lit := m[1] + m[2] + m[3]
			if strings.Contains(text, lit) {
				return lit
			}
		}
	}
	return ""
}

var identRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[a-z]+(?:[A-Z][a-z0-9]+)+`)

// errorTokenIn returns the first compound identifier of the error text
// (amount_cents, unitPrice) that the changed lines mention, compared
// without case or underscores (AmountCents matches amount_cents).
func errorTokenIn(changed []string, text string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "") }
	var body strings.Builder
	for _, l := range changed {
		body.WriteString(norm(l) + "\n")
	}
	b := body.String()
	seen := map[string]bool{}
	for _, tok := range identRE.FindAllString(text, -1) {
		n := norm(tok)
		if len(n) < 6 || seen[n] {
			continue
		}
		seen[n] = true
		if strings.Contains(b, n) {
			return tok
		}
	}
	return ""
}

type changedFn struct {
	path, function, label, message string
	line                           int
	added                          []string // the lines the change added to the function
	removed                        []string // and removed from it
}

var hunkRE = regexp.MustCompile(`^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@`)

// changedFunctions lists the functions the latest release of a repository
// changed: the commits since the previous tag up to the latest tag, or the
// latest commit when there are no tags (and more than one commit).
func changedFunctions(ctx context.Context, repo *Repo) []changedFn {
	tag, err := repoGit(ctx, repo.Path, nil, nil, "describe", "--tags", "--abbrev=0", "HEAD")
	tag = strings.TrimSpace(tag)
	var rng, label string
	if err == nil && tag != "" {
		if prev, err := repoGit(ctx, repo.Path, nil, nil, "describe", "--tags", "--abbrev=0", tag+"^"); err == nil && strings.TrimSpace(prev) != "" {
			rng = strings.TrimSpace(prev) + ".." + tag
		} else {
			return nil // the first release: everything is new
		}
		label = "release " + tag
	} else {
		count, err := repoGit(ctx, repo.Path, nil, nil, "rev-list", "--count", "HEAD")
		if err != nil || strings.TrimSpace(count) == "1" {
			return nil
		}
		rng, label = "HEAD^..HEAD", "the latest commit"
	}
	log, _ := repoGit(ctx, repo.Path, nil, nil, "log", "--format=%h %s%n%b", rng)
	if first, _, _ := strings.Cut(strings.TrimSpace(log), "\n"); first != "" {
		label += " (" + first + ")"
	}
	diff, err := repoGit(ctx, repo.Path, nil, nil, "diff", "-U0", "--no-color", rng, "--")
	if err != nil {
		return nil
	}
	var out []changedFn
	seen := map[string]int{} // file+function → index in out
	file := ""
	var lines []string
	var hunkFns []int // functions of the current hunk
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case file != "" && strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++"):
			for _, i := range hunkFns {
				out[i].added = append(out[i].added, l[1:])
			}
		case file != "" && strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "---"):
			for _, i := range hunkFns {
				out[i].removed = append(out[i].removed, l[1:])
			}
		case strings.HasPrefix(l, "+++ "):
			file = strings.TrimPrefix(strings.TrimPrefix(l, "+++ "), "b/")
			lines = nil
			if file == "/dev/null" || !isSourceFile(file) || strings.Contains(file, "test") {
				file = ""
				continue
			}
			lines, _ = readRepoLines(repo, file)
		case file != "" && strings.HasPrefix(l, "@@"):
			hunkFns = hunkFns[:0]
			m := hunkRE.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			start, count := atoi(m[1]), 1
			if m[2] != "" {
				count = max(1, atoi(m[2]))
			}
			for ln := start; ln < start+count && ln <= len(lines); ln++ {
				if ln < 1 {
					continue
				}
				body := functionBody(lines, ln)
				if len(body) == 0 || !defRE.MatchString(body[0]) {
					continue
				}
				fn := defName(body[0])
				if fn == "" {
					continue
				}
				if i, ok := seen[file+fn]; ok {
					if !slices.Contains(hunkFns, i) {
						hunkFns = append(hunkFns, i)
					}
					continue
				}
				seen[file+fn] = len(out)
				hunkFns = append(hunkFns, len(out))
				out = append(out, changedFn{path: file, function: fn, line: ln - len(body) + 1, label: label, message: log})
			}
		}
	}
	return out
}
