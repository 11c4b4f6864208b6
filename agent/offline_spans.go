// The offline analyzer's span and profile candidates: repeated queries
// (N+1), stampedes, retries and profile hot spots.

package agent

import (
	"context"
	"fmt"
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
