// The offline analyzer's span and profile candidates: repeated queries
// (N+1), stampedes, retries and profile hot spots.

package agent

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/tracetree"
)

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
			// The code that sends the repeated request: the line naming
			// its path, and the loop around the request — on that line's
			// function, or in a function it hands the request to.
			p := requestPath(row.Label)
			if p == "" {
				continue
			}
			a.searches = append(a.searches, searchCall{repo: repo.Name, query: p})
			if def, fn, ok := loopAroundRequest(repo, p); ok {
				a.add(candidate{repo: repo, service: txn.Project, file: def.path, function: fn, line: def.line, score: 3.5 + bonus,
					why: []string{why + "; " + fn + " sends it again in a loop"}, evidence: []Evidence{ev, code(def.path, def.line, fn+" repeats the request in a loop")}})
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

// requestPath is the URL path of a span label ("http.client - POST
// http://shipping.internal:8080/v1/rates" → /v1/rates).
func requestPath(label string) string {
	for _, f := range strings.Fields(label) {
		if u, err := url.Parse(f); err == nil && u.Host != "" && len(u.Path) > 1 {
			return u.Path
		}
		if strings.HasPrefix(f, "/") && len(f) > 1 {
			return strings.SplitN(f, "?", 2)[0]
		}
	}
	return ""
}

// requestCallRE is a line that sends an HTTP request.
var requestCallRE = regexp.MustCompile(`(?i)\.(request|do|post|get|put|send|exchange|execute)\(|\bfetch\(|urlopen\(`)

// loopAroundRequest finds the function that repeats a request: the line
// naming the path, if it is in a loop, else a function called on that line
// whose body sends a request inside a loop.
func loopAroundRequest(repo *Repo, path string) (definition, string, bool) {
	var found definition
	var fn string
	ok := false
	walkAppSources(repo, func(rel string, lines []string) bool {
		for i, l := range lines {
			if !strings.Contains(l, path) {
				continue
			}
			body := functionBody(lines, i+1)
			if len(body) == 0 || !defRE.MatchString(body[0]) {
				continue
			}
			if inLoop(lines, i) {
				found, fn, ok = definition{path: rel, line: i + 1}, defName(body[0]), true
				return true
			}
			for _, name := range calledNames([]string{"", l}, defName(body[0])) {
				d, dok := findDefinition(repo, name)
				if !dok {
					continue
				}
				dl, err := readRepoLines(repo, d.path)
				if err != nil {
					continue
				}
				for j := d.line; j < len(dl) && j < d.line+60; j++ {
					if j > d.line && defRE.MatchString(dl[j]) && indentOf(dl[j]) <= indentOf(dl[d.line-1]) {
						break
					}
					if requestCallRE.MatchString(dl[j]) && inLoop(dl, j) {
						found, fn, ok = d, name, true
						return true
					}
				}
			}
		}
		return false
	})
	return found, fn, ok
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }
