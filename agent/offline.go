package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/tracetree"
)

// OfflineName is how the offline analyzer names itself: it is not an LLM.
const OfflineName = "offline analyzer (heuristic, not an LLM)"

// Offline is the analyzer that works with no model: a deterministic
// Provider that plays the investigation through the same tools and events
// as a model would (so the user sees and approves the same calls) and
// produces the same report shape, labelled heuristic. It follows the chain
// of connected errors to the deepest failure, reads its in-app frames and
// the code they call, weighs recent changes, repeated spans, parallel
// duplicate queries, retries and profile hot spots, and names a probable
// root cause with its evidence. It proposes no patch.
type Offline struct {
	in    *Incident
	repos *Repos

	step     int
	analysis *analysis
}

// NewOffline returns the offline analyzer for an incident; repos may be
// nil (no code is read then).
func NewOffline(in *Incident, repos *Repos) *Offline { return &Offline{in: in, repos: repos} }

// Name says what it is.
func (o *Offline) Name() string { return OfflineName }

// ContextWindow is large: nothing is sent to a model.
func (o *Offline) ContextWindow() int { return 1_000_000 }

// analysis is what the analyzer found.
type analysis struct {
	chain      []*tracetree.Node // errors from the symptom to the deepest
	deepest    *tracetree.Node
	deepEvent  *wire.Event
	crash      *frameRef
	txns       []*tracetree.Node // transactions worth looking at
	profiled   []*tracetree.Node
	candidates []*candidate
	searches   []searchCall
	notes      []string
	timeouts   bool
}

type frameRef struct {
	repo     *Repo
	path     string
	function string
	line     int
}

type candidate struct {
	repo     *Repo
	service  string
	file     string
	function string
	line     int
	score    float64
	why      []string
	evidence []Evidence
}

type searchCall struct {
	repo, query string
}

// Complete plays the next step of the fixed plan.
func (o *Offline) Complete(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if o.analysis == nil {
		o.analysis = o.analyze(ctx)
	}
	a := o.analysis
	have := map[string]bool{}
	for _, t := range req.Tools {
		have[t.Name] = true
	}
	say := func(s string) {
		if h.OnText != nil {
			h.OnText(s)
		}
	}
	var calls []ToolCall
	add := func(name string, args any) {
		if !have[name] {
			return
		}
		b, _ := json.Marshal(args)
		calls = append(calls, ToolCall{ID: fmt.Sprintf("offline_%d_%d", o.step, len(calls)), Name: name, Arguments: string(b)})
	}
	if last := lastUserRedirect(req.Messages); last != "" && o.step > 0 {
		say("(The offline analyzer follows a fixed plan and cannot take instructions; configure a model to steer the investigation.) ")
	}
	var text string
	for len(calls) == 0 && o.step < 6 {
		switch o.step {
		case 0:
			text = o.narrateChain()
			for _, n := range a.chain {
				add(ToolErrorEvent, map[string]string{"id": tracetree.ShortID(n.ID)})
			}
		case 1:
			if len(a.txns) > 0 || len(a.profiled) > 0 {
				text = "Checking the spans of the transactions on the failing path, and their profiles."
			}
			for _, n := range a.txns {
				add(ToolTransactionSpans, map[string]string{"id": tracetree.ShortID(n.ID)})
			}
			for _, n := range a.profiled {
				add(ToolProfile, map[string]string{"id": tracetree.ShortID(n.ID)})
			}
		case 2:
			if len(a.candidates) > 0 {
				text = "Reading the code of the most likely places."
			}
			for _, s := range a.searches {
				add(ToolSearchCode, map[string]any{"query": s.query, "repo": s.repo})
			}
			for i, c := range a.candidates {
				if i == 2 {
					break
				}
				if c.repo != nil && c.file != "" {
					start := max(1, c.line-15)
					add(ToolReadFile, map[string]any{"repo": c.repo.Name, "path": c.file, "start_line": start, "end_line": c.line + 25})
				}
			}
		case 3:
			rc, chain, summary := o.rootCause()
			if rc == nil {
				text = "No root cause could be established from the data available."
				add(ToolFinish, map[string]any{"summary": "The offline analyzer could not establish a root cause.", "notes": a.notes})
				break
			}
			text = fmt.Sprintf("Most likely root cause: %s in %s (%s).", orDash(rc.Function), orDash(rc.File), rc.Service)
			add(ToolReportRootCause, map[string]any{
				"summary": summary, "service": rc.Service, "repo": rc.Repo, "file": rc.File, "function": rc.Function,
				"line": rc.Line, "explanation": rc.Explanation, "confidence": rc.Confidence, "evidence": rc.Evidence,
				"causal_chain": chain,
			})
		case 4:
			add(ToolReportSolution, map[string]any{"steps": o.solution()})
		case 5:
			notes := append([]string{"Produced by the offline analyzer: deterministic heuristics, not an LLM. It proposes no patch; configure a model (--model, OPENAI_BASE_URL) for a deeper investigation and a fix."}, a.notes...)
			add(ToolFinish, map[string]any{"notes": notes})
		}
		o.step++
	}
	if text != "" {
		say(text)
	}
	msg := Message{Role: "assistant", Content: text, ToolCalls: calls}
	finish := "tool_calls"
	if len(calls) == 0 {
		finish = "stop"
	}
	return &Completion{Message: msg, FinishReason: finish}, nil
}

func lastUserRedirect(msgs []Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].FromUser {
			return msgs[i].Content
		}
		if msgs[i].Role == "assistant" {
			return ""
		}
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// narrateChain describes the chain of connected errors.
func (o *Offline) narrateChain() string {
	a := o.analysis
	if len(a.chain) == 0 {
		return "Offline analyzer (heuristic, not an LLM): the trace has no connected errors to follow."
	}
	var parts []string
	for _, n := range a.chain {
		parts = append(parts, fmt.Sprintf("%s (%s)", orDash(n.IssueShortID), n.Project))
	}
	return "Offline analyzer (heuristic, not an LLM): following the connected errors from the symptom down the trace: " +
		strings.Join(parts, " ← ") + "; the deepest is in " + a.deepest.Project + "."
}

// analyze gathers everything the heuristics need, directly from the
// incident (events are cached, so the tool calls shown cost nothing more).
func (o *Offline) analyze(ctx context.Context) *analysis {
	a := &analysis{}
	in := o.in
	if in == nil || in.Tree == nil {
		a.notes = append(a.notes, "no trace was available")
		if in != nil && in.Event != nil {
			a.deepEvent = in.Event
		}
		o.codeCandidates(ctx, a)
		return a
	}
	a.chain = errorChain(in.Tree)
	if len(a.chain) > 0 {
		a.deepest = a.chain[len(a.chain)-1]
		if ev, err := in.EventFor(ctx, a.deepest); err == nil {
			a.deepEvent = ev
		} else {
			a.notes = append(a.notes, "could not read the deepest error's event: "+err.Error())
		}
	}
	for _, n := range a.chain {
		if ev, err := in.EventFor(ctx, n); err == nil && mentionsTimeout(ev) {
			a.timeouts = true
		}
		if p := n.Parent; p != nil && p.Kind == tracetree.KindTransaction && !containsNode(a.txns, p) {
			a.txns = append(a.txns, p)
		}
	}
	// Transactions below the failing path: where repeated or parallel work
	// may hide (N+1, retries, stampedes).
	for _, n := range subtree(focusRoot(in.Tree)) {
		if n.Kind == tracetree.KindTransaction && len(n.Spans) >= 8 && !containsNode(a.txns, n) && len(a.txns) < 6 {
			a.txns = append(a.txns, n)
		}
	}
	for _, n := range a.txns {
		if n.HasProfile() {
			a.profiled = append(a.profiled, n)
		}
	}
	o.codeCandidates(ctx, a)
	o.changeCandidates(ctx, a)
	o.spanCandidates(ctx, a)
	o.stampedeCandidates(ctx, a)
	o.profileCandidates(ctx, a)
	sort.SliceStable(a.candidates, func(i, j int) bool { return a.candidates[i].score > a.candidates[j].score })
	return a
}

func containsNode(ns []*tracetree.Node, n *tracetree.Node) bool {
	for _, x := range ns {
		if x == n {
			return true
		}
	}
	return false
}

// errorChain returns the connected errors that share the focus's request:
// errors in transactions on the path to the focus or below it, from the
// symptom (closest to the root) to the deepest (earliest first on ties).
// Without a focus, every error counts.
func errorChain(t *tracetree.Tree) []*tracetree.Node {
	root := focusRoot(t)
	var errs []*tracetree.Node
	for _, n := range subtree(root) {
		if n.Kind == tracetree.KindError {
			errs = append(errs, n)
		}
	}
	if t.Focus != nil && t.Focus.Kind == tracetree.KindError && !containsNode(errs, t.Focus) {
		errs = append(errs, t.Focus)
	}
	// Keep errors related to the focus: on its path or below the focus
	// path's transactions.
	if f := t.Focus; f != nil {
		var related []*tracetree.Node
		for _, e := range errs {
			if e == f || onPathOrBelow(e, f) {
				related = append(related, e)
			}
		}
		if len(related) > 0 {
			errs = related
		}
	}
	sort.SliceStable(errs, func(i, j int) bool {
		di, dj := errs[i].Depth(), errs[j].Depth()
		if di != dj {
			return di < dj
		}
		return errs[i].Start > errs[j].Start // the later error is the symptom
	})
	return errs
}

// onPathOrBelow reports whether e happened in a transaction that is the
// focus's transaction, an ancestor of it, or a descendant of the focus's
// transaction.
func onPathOrBelow(e, focus *tracetree.Node) bool {
	ft := focus.Parent
	if focus.Kind == tracetree.KindTransaction {
		ft = focus
	}
	if ft == nil {
		return false
	}
	for a := e.Parent; a != nil; a = a.Parent {
		if a == ft {
			return true
		}
	}
	for a := ft; a != nil; a = a.Parent {
		if a == e.Parent {
			return true
		}
	}
	return false
}

// focusRoot is the root transaction holding the focus (or the first root).
func focusRoot(t *tracetree.Tree) *tracetree.Node {
	if f := t.Focus; f != nil {
		n := f
		for n.Parent != nil {
			n = n.Parent
		}
		return n
	}
	if len(t.Roots) > 0 {
		return t.Roots[0]
	}
	return nil
}

func subtree(n *tracetree.Node) []*tracetree.Node {
	if n == nil {
		return nil
	}
	out := []*tracetree.Node{n}
	for i := 0; i < len(out); i++ {
		out = append(out, out[i].Children...)
	}
	return out
}

var timeoutRE = regexp.MustCompile(`(?i)time[ds]? ?out|deadline|took too long|pool exhausted|too many connections|504`)

func mentionsTimeout(ev *wire.Event) bool {
	if timeoutRE.MatchString(ev.Title) {
		return true
	}
	if ex := ev.Exception(); ex != nil {
		for _, v := range ex.Values {
			if timeoutRE.MatchString(v.Type + " " + v.Value) {
				return true
			}
		}
	}
	return false
}

func (a *analysis) add(c candidate) *candidate {
	for _, x := range a.candidates {
		if x.repo == c.repo && x.file == c.file && x.function == c.function {
			x.score += c.score
			x.why = append(x.why, c.why...)
			x.evidence = append(x.evidence, c.evidence...)
			if x.line == 0 {
				x.line = c.line
			}
			return x
		}
	}
	cc := c
	a.candidates = append(a.candidates, &cc)
	return &cc
}

// codeCandidates scores the crash site of the deepest error and the
// functions it calls, weighing recent changes to their files.
func (o *Offline) codeCandidates(ctx context.Context, a *analysis) {
	ev := a.deepEvent
	if ev == nil {
		return
	}
	service := ev.ProjectSlug
	if service == "" && a.deepest != nil {
		service = a.deepest.Project
	}
	frame, ok := crashFrame(ev)
	if !ok {
		a.notes = append(a.notes, "the deepest error has no in-app stack frame")
		return
	}
	evRef := Evidence{Kind: "error", Ref: tracetree.ShortID(ev.EventID), Detail: clipLine(ev.Title, 160)}
	base := candidate{service: service, function: frame.Function, line: int(frame.LineNo), score: 2,
		why: []string{"the deepest error is raised here"}, evidence: []Evidence{evRef}}
	if o.repos == nil {
		base.file = frame.Filename
		a.add(base)
		a.notes = append(a.notes, "no source repositories were configured: the code was not read")
		return
	}
	repo, rel, found := o.repos.Locate(service, frame)
	if !found {
		base.file = frame.Filename
		a.add(base)
		a.notes = append(a.notes, "the crash site's file was not found in the configured repositories")
		return
	}
	base.repo, base.file = repo, rel
	base.evidence = append(base.evidence, Evidence{Kind: "code", Ref: fmt.Sprintf("%s:%s:%d", repo.Name, rel, frame.LineNo), Detail: "crash site: " + frame.Function})
	a.crash = &frameRef{repo: repo, path: rel, function: frame.Function, line: int(frame.LineNo)}
	changed, commit := recentChanges(ctx, repo, releaseOf(ev))
	crash := a.add(base)
	if changed[rel] {
		crash.score += 1
		crash.why = append(crash.why, "its file changed in "+commit)
	}
	// The functions the crash-site function calls before failing.
	lines, err := readRepoLines(repo, rel)
	if err != nil {
		return
	}
	body := functionBody(lines, int(frame.LineNo))
	for _, name := range calledNames(body, frame.Function) {
		def, ok := findDefinition(repo, name)
		if !ok || (def.path == rel && def.line <= int(frame.LineNo) && def.line >= int(frame.LineNo)-len(body)) {
			continue
		}
		c := candidate{repo: repo, service: service, file: def.path, function: name, line: def.line, score: 1,
			why:      []string{"called by " + frame.Function + " just before the failure"},
			evidence: []Evidence{{Kind: "code", Ref: fmt.Sprintf("%s:%s:%d", repo.Name, def.path, def.line), Detail: name + " is called by the failing function"}}}
		if changed[def.path] {
			c.score += 2.5
			c.why = append(c.why, "its file changed in "+commit)
			c.evidence = append(c.evidence, Evidence{Kind: "commit", Ref: commit, Detail: "changed " + def.path})
		}
		if mentionedIn(ev, name) {
			c.score += 0.5
			c.why = append(c.why, "named in the error's breadcrumbs or message")
		}
		a.add(c)
	}
}

// crashFrame is the innermost in-app frame of the outermost exception (or
// of its causes, or of the threads).
func crashFrame(ev *wire.Event) (wire.Frame, bool) {
	if ex := ev.Exception(); ex != nil {
		for i := len(ex.Values) - 1; i >= 0; i-- {
			st := ex.Values[i].Stacktrace
			if st == nil {
				continue
			}
			for j := len(st.Frames) - 1; j >= 0; j-- {
				if st.Frames[j].IsInApp() {
					return st.Frames[j], true
				}
			}
		}
	}
	return wire.Frame{}, false
}

func releaseOf(ev *wire.Event) string {
	if v := ev.Tag("release"); v != "" {
		return v
	}
	var r struct {
		Version string `json:"version"`
	}
	if len(ev.Release) > 0 && wire.Decode(ev.Release, &r) == nil {
		return r.Version
	}
	return ""
}

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

func readRepoLines(repo *Repo, rel string) ([]string, error) {
	_, abs, err := repo.resolvePath(rel)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

var defRE = regexp.MustCompile(`^\s*(func\b|def\b|async\s+def\b|function\b|async\s+function\b|export\s+(async\s+)?function\b|((public|private|protected|static|final|override|suspend)\s+)+[\w<>\[\],?]+\s+\w+\s*\()`)

// functionBody returns the lines of the function that contains line (1
// based), from its definition to line.
func functionBody(lines []string, line int) []string {
	if line < 1 || line > len(lines) {
		return nil
	}
	start := line - 1
	for start > 0 && !defRE.MatchString(lines[start]) && line-start < 200 {
		start--
	}
	return lines[start:line]
}

var callRE = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*\(`)

var notCallees = map[string]bool{
	"if": true, "for": true, "while": true, "switch": true, "return": true, "func": true, "def": true, "function": true,
	"print": true, "len": true, "make": true, "append": true, "new": true, "panic": true, "Sprintf": true, "Errorf": true,
	"str": true, "int": true, "dict": true, "list": true, "isinstance": true, "super": true, "catch": true, "await": true,
	"fmt": true, "String": true, "Error": true, "require": true, "typeof": true, "Number": true, "JSON": true,
}

// calledNames lists the functions called in a body, in order, except the
// function itself.
func calledNames(body []string, self string) []string {
	if i := strings.LastIndexAny(self, ".:"); i >= 0 {
		self = self[i+1:]
	}
	self = strings.Trim(self, "()*")
	seen := map[string]bool{}
	var out []string
	for i, l := range body {
		if i == 0 {
			continue // the definition line
		}
		code := l
		if j := strings.Index(code, "//"); j >= 0 {
			code = code[:j]
		}
		if j := strings.Index(code, "#"); j >= 0 {
			code = code[:j]
		}
		for _, m := range callRE.FindAllStringSubmatch(code, -1) {
			n := m[1]
			if notCallees[n] || n == self || seen[n] || len(n) < 3 {
				continue
			}
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

type definition struct {
	path string
	line int
}

// findDefinition finds where a function is defined in a repository
// (Go, Python, JavaScript/TypeScript, Java-style).
func findDefinition(repo *Repo, name string) (definition, bool) {
	q := regexp.QuoteMeta(name)
	re := regexp.MustCompile(`^\s*(func(\s*\([^)]*\))?\s+` + q + `\s*[(\[]|(async\s+)?def\s+` + q + `\s*\(|(export\s+)?(async\s+)?function\s+` + q + `\s*\(|(export\s+)?(const|let|var)\s+` + q + `\s*=|` + q + `\s*\([^)]*\)\s*(:\s*[\w<>\[\], ]+)?\s*\{$|(public|private|protected|static|\s)+[\w<>\[\]]+\s+` + q + `\s*\()`)
	var found definition
	ok := false
	_ = filepath.WalkDir(repo.Path, func(p string, d os.DirEntry, err error) error {
		if err != nil || ok {
			return nil
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "vendor", "dist", "build", "__pycache__", ".venv":
				return filepath.SkipDir
			}
			return nil
		}
		if !isSourceFile(d.Name()) || strings.HasSuffix(d.Name(), "_test.go") || strings.Contains(d.Name(), ".test.") || strings.HasPrefix(d.Name(), "test_") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for n := 1; sc.Scan(); n++ {
			if re.MatchString(sc.Text()) {
				rel, err := filepath.Rel(repo.Path, p)
				if err == nil {
					found, ok = definition{path: filepath.ToSlash(rel), line: n}, true
				}
				return filepath.SkipAll
			}
		}
		return nil
	})
	return found, ok
}

func isSourceFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".go", ".py", ".js", ".ts", ".tsx", ".jsx", ".mjs", ".java", ".kt", ".rb", ".php", ".cs", ".rs", ".scala", ".swift":
		return true
	}
	return false
}

// mentionedIn reports whether a name appears in the event's messages or
// breadcrumbs.
func mentionedIn(ev *wire.Event, name string) bool {
	if strings.Contains(ev.Title, name) {
		return true
	}
	if bc := ev.Breadcrumbs(); bc != nil {
		for _, b := range bc.Values {
			if strings.Contains(b.Message, name) || strings.Contains(string(b.Data), name) {
				return true
			}
		}
	}
	return false
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

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// spanCandidates looks for repeated work in the transactions: sequential
// repeated queries (N+1), parallel duplicate queries (a cache stampede),
// repeated outgoing calls (a retry storm), and finds the code that issues
// them.
func (o *Offline) spanCandidates(ctx context.Context, a *analysis) {
	for _, n := range a.txns {
		st, err := o.in.SpanTree(ctx, n.ID)
		if err != nil {
			continue
		}
		for _, row := range st.Waterfall() {
			if row.Kind != tracetree.WaterfallGroup || row.Repeat < 5 {
				continue
			}
			op := row.Op
			switch {
			case strings.HasPrefix(op, "db") && row.MaxParallel <= 1 && row.Repeat >= 10:
				o.queryCandidate(a, n, row, "N+1: the same query ran "+fmt.Sprint(row.Repeat)+" times one after another", "sql")
			case strings.HasPrefix(op, "db") && row.MaxParallel >= 4:
				o.queryCandidate(a, n, row, fmt.Sprintf("stampede: the same query ran %d times, %d at once", row.Repeat, row.MaxParallel), "cache")
			case strings.HasPrefix(op, "http.client"):
				o.queryCandidate(a, n, row, fmt.Sprintf("the same call was made %d times", row.Repeat), "retry")
			}
		}
	}
}

// stampedeCandidates looks for concurrent sibling transactions of one
// endpoint that each run the same slow query: many requests missing the
// same cache entry at once.
func (o *Offline) stampedeCandidates(ctx context.Context, a *analysis) {
	if o.in.Tree == nil {
		return
	}
	for _, parent := range subtree(focusRoot(o.in.Tree)) {
		groups := map[string][]*tracetree.Node{}
		for _, c := range parent.Children {
			if c.Kind == tracetree.KindTransaction {
				k := c.Project + "\x00" + c.Op + "\x00" + c.Name
				groups[k] = append(groups[k], c)
			}
		}
		for _, g := range groups {
			if len(g) < 3 || !overlapping(g) {
				continue
			}
			// The slowest db query shared by at least three of them.
			count := map[string]int{}
			for _, n := range g {
				seen := map[string]bool{}
				for _, sp := range n.Spans {
					if strings.HasPrefix(sp.Op, "db") && !seen[sp.Description] && float64(sp.Duration) >= 0.3*n.DurationMS {
						seen[sp.Description] = true
						count[sp.Description]++
					}
				}
			}
			for desc, n := range count {
				if n < 3 {
					continue
				}
				row := tracetree.WaterfallRow{Label: "db - " + desc, Op: "db", Repeat: n, MaxParallel: n}
				o.queryCandidate(a, g[0], row, fmt.Sprintf("stampede: %d concurrent %s requests each ran the same slow query", len(g), g[0].Name), "cache")
			}
		}
	}
}

// overlapping reports whether the transactions ran at the same time.
func overlapping(ns []*tracetree.Node) bool {
	var latestStart, earliestEnd float64
	for i, n := range ns {
		if i == 0 || float64(n.Start) > latestStart {
			latestStart = float64(n.Start)
		}
		if i == 0 || float64(n.End) < earliestEnd {
			earliestEnd = float64(n.End)
		}
	}
	return latestStart < earliestEnd
}

var sqlTableRE = regexp.MustCompile(`(?i)\b(?:from|into|update|join)\s+["'\x60]?([A-Za-z_][\w.]*)`)

// queryCandidate finds the code behind a repeated span group: for an N+1,
// the function issuing the query and the caller that loops over it; for a
// stampede, the cache wrapper around the function issuing the query; for
// repeated calls, the retry code.
func (o *Offline) queryCandidate(a *analysis, txn *tracetree.Node, row tracetree.WaterfallRow, why, kind string) {
	if o.repos == nil {
		return
	}
	ev := Evidence{Kind: "span", Ref: tracetree.ShortID(txn.ID), Detail: clipLine(row.Label, 120) + " — " + why}
	bonus := 0.0
	if a.timeouts {
		bonus = 1
	}
	for _, r := range o.repos.ForProject(txn.Project) {
		repo := o.mustRepo(r.Name)
		if repo == nil {
			continue
		}
		code := func(path string, line int, detail string) Evidence {
			return Evidence{Kind: "code", Ref: fmt.Sprintf("%s:%s:%d", repo.Name, path, line), Detail: detail}
		}
		if kind == "retry" {
			a.searches = append(a.searches, searchCall{repo: repo.Name, query: "retr"})
			if def, fn, ok := enclosingMatch(repo, "retr", true); ok {
				a.add(candidate{repo: repo, service: txn.Project, file: def.path, function: fn, line: def.line, score: 1.5 + bonus,
					why: []string{why + ", through this retry code"}, evidence: []Evidence{ev, code(def.path, def.line, "retry logic: "+fn)}})
			}
			continue
		}
		m := sqlTableRE.FindStringSubmatch(row.Label)
		if m == nil {
			continue
		}
		table := m[1]
		a.searches = append(a.searches, searchCall{repo: repo.Name, query: table})
		def, query, ok := enclosingMatch(repo, table, false)
		if !ok {
			continue
		}
		if kind == "sql" && lineInLoop(repo, def.path, def.line) {
			a.add(candidate{repo: repo, service: txn.Project, file: def.path, function: query, line: def.line, score: 2 + bonus,
				why: []string{why + ": " + query + " issues it once per item in a loop"}, evidence: []Evidence{ev, code(def.path, def.line, query+" runs the query in a loop")}})
			continue
		}
		if kind == "sql" {
			a.add(candidate{repo: repo, service: txn.Project, file: def.path, function: query, line: def.line, score: 1 + bonus,
				why: []string{why + " (issued by " + query + ")"}, evidence: []Evidence{ev, code(def.path, def.line, "issues the query: "+query)}})
		}
		for _, site := range callSites(repo, query) {
			switch kind {
			case "sql":
				if !site.inLoop {
					continue
				}
				a.add(candidate{repo: repo, service: txn.Project, file: site.path, function: site.function, line: site.line, score: 2 + bonus,
					why:      []string{why + ": " + site.function + " calls " + query + " once per item in a loop"},
					evidence: []Evidence{ev, code(site.path, site.line, site.function+" calls "+query+" in a loop")}})
			case "cache":
				// The wrapper the query function is handed to (or called
				// through) on a cache miss.
				for _, name := range calledNames([]string{"", site.text}, query) {
					d, ok := findDefinition(repo, name)
					if !ok || !(strings.Contains(strings.ToLower(d.path), "cache") || strings.Contains(strings.ToLower(name), "cache")) {
						continue
					}
					a.add(candidate{repo: repo, service: txn.Project, file: d.path, function: name, line: d.line, score: 2.5 + bonus,
						why:      []string{why + ": on a miss every request recomputes through " + name + " (no single-flight or early refresh)"},
						evidence: []Evidence{ev, code(d.path, d.line, "cache wrapper around "+query)}})
				}
			}
		}
	}
}

// lineInLoop reports whether a line of a file is inside a loop of its
// function.
func lineInLoop(repo *Repo, path string, line int) bool {
	lines, err := readRepoLines(repo, path)
	if err != nil || line < 1 || line > len(lines) {
		return false
	}
	return inLoop(lines, line-1)
}

func inLoop(lines []string, i int) bool {
	body := functionBody(lines, i+1)
	l := lines[i]
	indent := len(l) - len(strings.TrimLeft(l, " \t"))
	for j := i; j >= max(0, i-8) && j > i-len(body); j-- {
		k := lines[j]
		if loopRE.MatchString(k) && (j == i || len(k)-len(strings.TrimLeft(k, " \t")) < indent) {
			return true
		}
	}
	return false
}

// callSite is a line that mentions a function outside its definition.
type callSite struct {
	path, function, text string
	line                 int
	inLoop               bool
}

var loopRE = regexp.MustCompile(`^\s*(for\b|while\b)|\.(map|forEach|flatMap)\(|\bfor\s*\(`)

// callSites finds the lines of a repository that call or pass name, with
// the function they are in and whether they are inside a loop.
func callSites(repo *Repo, name string) []callSite {
	var out []callSite
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`)
	walkAppSources(repo, func(rel string, lines []string) bool {
		for i, l := range lines {
			if !re.MatchString(l) || defRE.MatchString(l) {
				continue
			}
			body := functionBody(lines, i+1)
			if len(body) == 0 {
				continue
			}
			fn := defName(body[0])
			if fn == "" || fn == name {
				continue
			}
			out = append(out, callSite{path: rel, function: fn, text: l, line: i + 1, inLoop: inLoop(lines, i)})
		}
		return false
	})
	return out
}

// walkAppSources reads the application's source files of a repository
// (not tests, vendored code, builds or virtualenvs) until visit says
// stop.
func walkAppSources(repo *Repo, visit func(rel string, lines []string) (stop bool)) {
	_ = filepath.WalkDir(repo.Path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "vendor", "dist", "build", "__pycache__", ".venv", "tests", "test", "__tests__":
				return filepath.SkipDir
			}
			return nil
		}
		if !isSourceFile(d.Name()) || strings.HasSuffix(d.Name(), "_test.go") || strings.HasPrefix(d.Name(), "test_") || strings.Contains(d.Name(), ".test.") {
			return nil
		}
		rel, _ := filepath.Rel(repo.Path, p)
		rel = filepath.ToSlash(rel)
		lines, err := readRepoLines(repo, rel)
		if err != nil {
			return nil
		}
		if visit(rel, lines) {
			return filepath.SkipAll
		}
		return nil
	})
}

func (o *Offline) mustRepo(name string) *Repo {
	r, err := o.repos.Get(name)
	if err != nil {
		return nil
	}
	return r
}

// enclosingMatch finds the first line mentioning pattern (in a function
// whose name contains it, when inName) and returns its function.
func enclosingMatch(repo *Repo, pattern string, inName bool) (definition, string, bool) {
	pat := strings.ToLower(pattern)
	var found definition
	var fn string
	ok := false
	walkAppSources(repo, func(rel string, lines []string) bool {
		for i, l := range lines {
			low := strings.ToLower(l)
			if inName {
				if defRE.MatchString(l) && strings.Contains(low, pat) {
					if name := defName(l); name != "" {
						found, fn, ok = definition{path: rel, line: i + 1}, name, true
						return true
					}
				}
				continue
			}
			if strings.Contains(low, pat) && !defRE.MatchString(l) {
				body := functionBody(lines, i+1)
				if len(body) > 0 && defRE.MatchString(body[0]) {
					if name := defName(body[0]); name != "" {
						found, fn, ok = definition{path: rel, line: i + 1}, name, true
						return true
					}
				}
				// A module-level constant (a query kept in a variable):
				// the function that uses it.
				if c := constantAbove(lines, i); c != "" {
					for _, site := range callSites(repo, c) {
						found, fn, ok = definition{path: site.path, line: site.line}, site.function, true
						return true
					}
				}
			}
		}
		return false
	})
	return found, fn, ok
}

var constRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]+)?=`)

// constantAbove returns the name of the module-level assignment a line
// belongs to (a multi-line string constant), or "".
func constantAbove(lines []string, i int) string {
	for j := i; j >= 0 && j > i-30; j-- {
		l := lines[j]
		if l != "" && l[0] != ' ' && l[0] != '\t' && l[0] != ')' && l[0] != '"' && l[0] != '\'' {
			if m := constRE.FindStringSubmatch(l); m != nil {
				return m[1]
			}
			return ""
		}
	}
	return ""
}

var defNameRE = regexp.MustCompile(`(?:func(?:\s*\([^)]*\))?\s+|def\s+|function\s+|(?:const|let|var)\s+)([A-Za-z_][\w]*)|([A-Za-z_][\w]*)\s*\(`)

func defName(line string) string {
	m := defNameRE.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	if m[1] != "" {
		return m[1]
	}
	if notCallees[m[2]] {
		return ""
	}
	return m[2]
}

// profileCandidates weighs the hottest app function of profiled
// transactions on the failing path, when it dominates the time.
func (o *Offline) profileCandidates(ctx context.Context, a *analysis) {
	for _, n := range a.profiled {
		pt, err := o.in.ProfileTree(ctx, n.ID)
		if err != nil || len(pt.Hot) == 0 || pt.TotalMS <= 0 {
			continue
		}
		hot := pt.Hot[0]
		share := hot.SelfMS / pt.TotalMS
		if share < 0.3 {
			continue
		}
		why := fmt.Sprintf("the hottest function of %s's profile (%.0f%% of the sampled time in its own code)", n.Project, share*100)
		score := 1.0
		if share >= 0.5 {
			score += 1
		}
		if a.timeouts {
			score += 1.5
		}
		file, line := hot.Location, 0
		if i := strings.LastIndex(file, ":"); i > 0 {
			fmt.Sscanf(file[i+1:], "%d", &line)
			file = file[:i]
		}
		c := candidate{service: n.Project, function: bareFunction(hot.Function), file: file, line: line, score: score,
			why: []string{why}, evidence: []Evidence{{Kind: "profile", Ref: tracetree.ShortID(n.ID), Detail: why}}}
		if o.repos != nil {
			if repo, rel, ok := o.repos.Locate(n.Project, wire.Frame{Filename: file, AbsPath: file}); ok {
				c.repo, c.file = repo, rel
			}
		}
		a.add(c)
	}
}

func bareFunction(f string) string {
	if i := strings.Index(f, " ("); i > 0 {
		return f[:i]
	}
	return f
}

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
