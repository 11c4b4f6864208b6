// The offline analyzer's producer search: from the failure back to the
// service that sent the bad field or value, and to the function in its
// repository that writes it; and the configuration defaults read on the
// failing path. Every rule here is about a shape of evidence, never about a
// particular service, function or field.

package agent

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tracehound/tracehound/tracetree"
)

// writeSite is a line of a repository that writes a field.
type writeSite struct {
	path, function string
	line           int
	text           string
	// calls is a function of the repository the written value is computed
	// by (`signature: sign(body)`), if any.
	calls string
}

// writeREs are the shapes of a line that writes a field named k into an
// object: a quoted key ("k": / 'k': / "k" =>), an unquoted JS/Ruby key
// (k: …), a keyword argument (k=…), a put("k", …) and a Go struct tag
// (json:"k") whose field is then written by its Go name.
func writeREs(k string) []*regexp.Regexp {
	q := regexp.QuoteMeta(k)
	return []*regexp.Regexp{
		regexp.MustCompile(`["']` + q + `["']\s*(:|=>)`),
		regexp.MustCompile(`(^|[\s{,(])` + q + `\s*:[^:]`),
		regexp.MustCompile(`(^|[\s(,])` + q + `\s*=[^=]`),
		regexp.MustCompile(`\.put\(\s*"` + q + `"`),
	}
}

var (
	goTagRE   = regexp.MustCompile("^\\s*([A-Z]\\w*)\\s+[^`]*`[^`]*json:\"([^\",]+)")
	valueCall = regexp.MustCompile(`(?:[:=]>?)\s*(?:await\s+)?([A-Za-z_][A-Za-z0-9_]*)\(`)
)

// writeSites finds where a repository writes field k: the lines of the
// shapes writeREs lists, in a function; for a Go struct field tagged
// json:"k", the composite literals and assignments that set the field.
func writeSites(repo *Repo, k string) []writeSite {
	res := writeREs(k)
	var goFields []string
	var out []writeSite
	walkAppSources(repo, func(rel string, lines []string) bool {
		for i, l := range lines {
			if m := goTagRE.FindStringSubmatch(l); m != nil && m[2] == k {
				goFields = append(goFields, m[1])
				continue
			}
			for _, re := range res {
				if re.MatchString(l) && !isDeclarationOnly(l) && !defRE.MatchString(l) {
					if ws, ok := siteAt(rel, lines, i); ok {
						out = append(out, ws)
					}
					break
				}
			}
		}
		return false
	})
	for _, f := range goFields {
		lit := regexp.MustCompile(`(^|[\s{,])` + regexp.QuoteMeta(f) + `\s*:[^:=]|\.` + regexp.QuoteMeta(f) + `\s*=[^=]`)
		walkAppSources(repo, func(rel string, lines []string) bool {
			for i, l := range lines {
				if lit.MatchString(l) {
					if ws, ok := siteAt(rel, lines, i); ok {
						out = append(out, ws)
					}
				}
			}
			return false
		})
	}
	return out
}

// isDeclarationOnly reports a type's field declaration (`email: string;`,
// `email?: string`), which names a field without writing it.
func isDeclarationOnly(l string) bool {
	t := strings.TrimSpace(l)
	return regexp.MustCompile(`^\w+\??\s*:\s*(string|number|boolean|int|float|Date|\w+\[\])\s*;?$`).MatchString(t)
}

func siteAt(rel string, lines []string, i int) (writeSite, bool) {
	body := functionBody(lines, i+1)
	if len(body) == 0 || !defRE.MatchString(body[0]) {
		return writeSite{}, false
	}
	name := defName(body[0])
	if name == "" {
		return writeSite{}, false
	}
	ws := writeSite{path: rel, function: name, line: i + 1, text: strings.TrimSpace(lines[i])}
	if m := valueCall.FindStringSubmatch(lines[i]); m != nil && !notCallees[m[1]] && m[1] != name {
		ws.calls = m[1]
	}
	return ws, true
}

// producerCandidates walks back from the failure to where the bad field or
// value was made. The failure's request body was written by the service
// that sent the request (the caller, the parent transaction on the failing
// path); a field the failing code reads from a successful answer was
// written by the service called (response-shaped failures).
func (o *Offline) producerCandidates(ctx context.Context, a *analysis) {
	if o.repos == nil || len(a.failures) == 0 {
		return
	}
	done := 0
	for _, f := range a.failures {
		if done >= 2 || !f.serious() {
			continue
		}
		if cs := clues(f); len(cs) > 0 && f.txn != nil && f.txn.Parent != nil {
			caller := enclosingTxn(f.txn.Parent)
			if caller != nil {
				// HTTP's own division of blame: a 4xx answer says the
				// request was bad (the sender is suspect), a 5xx that the
				// server failed (its own code is).
				role, weight := "sent the request the failure rejected", 1.0
				switch {
				case clientErrorStatus(f.txn.Status):
					role += fmt.Sprintf(" (%s: the request was refused as bad)", f.txn.Status)
				case failedStatus(f.txn.Status):
					weight = 0.4
				}
				for i := range cs {
					cs[i].score *= weight
				}
				o.searchProducer(a, f, caller.Project, cs, role)
				done++
			}
		}
		if cs := responseClues(f); len(cs) > 0 && f.txn != nil {
			for _, c := range f.txn.Children {
				if c.Kind == tracetree.KindTransaction && !failedStatus(c.Status) && c.Start <= f.node.Start {
					o.searchProducer(a, f, c.Project, cs, "answered the request whose response the failing code reads")
				}
			}
		}
	}
}

// clientErrorStatus is a span status Sentry derives from a 4xx answer.
func clientErrorStatus(s string) bool {
	switch s {
	case "invalid_argument", "unauthenticated", "permission_denied", "not_found", "already_exists", "failed_precondition", "out_of_range":
		return true
	}
	return false
}

func enclosingTxn(n *tracetree.Node) *tracetree.Node {
	for ; n != nil; n = n.Parent {
		if n.Kind == tracetree.KindTransaction {
			return n
		}
	}
	return nil
}

// nullErrorRE matches errors about a missing (null) value being used.
var nullErrorRE = regexp.MustCompile(`(?i)NoneType|undefined|null|\bnil\b|NullPointer|not subscriptable|has no (attribute|field|key)`)

// dataReadRE finds a read of a field from received data: ["k"], get("k"),
// fetch("k"), getString("k").
var dataReadRE = regexp.MustCompile(`(?:\[|\b(?:get|fetch|getString|getInt|path)\()\s*["']([A-Za-z_][A-Za-z0-9_]*)["']`)

// responseClues are the fields the failing code reads from data it
// received (get("plan"), ["unit_price"]) where it fails, when the error
// names the field or is about a missing value: what a service it called
// should have answered.
func responseClues(f *failure) []clue {
	if len(f.frames) == 0 {
		return nil
	}
	inner := f.frames[len(f.frames)-1]
	var near strings.Builder // the failing function's lines up to the failure
	for _, c := range inner.Context {
		if c.Line <= inner.LineNo {
			near.WriteString(c.Text + "\n")
		}
	}
	named := standaloneWords(f.text)
	isNull := nullErrorRE.MatchString(f.text)
	var out []clue
	seen := map[string]bool{}
	for _, m := range dataReadRE.FindAllStringSubmatch(near.String(), -1) {
		k := m[1]
		if seen[k] || len(k) < 2 {
			continue
		}
		seen[k] = true
		switch {
		case named[normName(k)]:
			out = append(out, clue{key: k, path: k, score: 3, why: []string{fmt.Sprintf("the error names %s, which the failing code reads from data it received", k)}})
		case isNull && strings.Contains(frameLine(inner), m[0]):
			out = append(out, clue{key: k, path: k, score: 2.5, why: []string{fmt.Sprintf("the failing line reads %s from data it received and the error is about a missing value", k)}})
		}
	}
	return out
}

// searchProducer looks in a producing service's repositories for the
// functions that write the implicated fields.
func (o *Offline) searchProducer(a *analysis, f *failure, service string, cs []clue, role string) {
	if len(cs) > 3 {
		cs = cs[:3]
	}
	for _, r := range o.repos.ForProject(service) {
		repo := o.mustRepo(r.Name)
		if repo == nil {
			continue
		}
		for _, c := range cs {
			sites := writeSites(repo, c.key)
			how := "writes the field " + c.path
			if len(sites) == 0 {
				// A renamed or dropped field: the producer writes a
				// similar name, or the object's other fields.
				sites, how = similarWrites(repo, c)
			}
			a.searches = append(a.searches, searchCall{repo: repo.Name, query: c.key})
			for _, s := range dedupeSites(sites) {
				o.addProducer(a, f, repo, service, c, s, how, role)
			}
		}
	}
}

// similarWrites finds, for a field the producer does not write under its
// name, the writes of a name that contains it or is contained in it
// (plan → plan_id), else the function writing most of the object's other
// fields.
func similarWrites(repo *Repo, c clue) ([]writeSite, string) {
	want := normName(c.key)
	var out []writeSite
	keyRE := regexp.MustCompile(`["']?([A-Za-z_][A-Za-z0-9_]*)["']?\s*(?::|=>)`)
	walkAppSources(repo, func(rel string, lines []string) bool {
		for i, l := range lines {
			for _, m := range keyRE.FindAllStringSubmatch(l, -1) {
				n := normName(m[1])
				if n != want && len(n) >= 3 && (strings.HasPrefix(n, want) || strings.HasPrefix(want, n)) && !isDeclarationOnly(l) {
					if ws, ok := siteAt(rel, lines, i); ok {
						out = append(out, ws)
					}
				}
			}
		}
		return false
	})
	if len(out) > 0 {
		return out, "writes a field of a similar name in place of " + c.path
	}
	if len(c.siblings) >= 2 {
		best, bestN := []writeSite(nil), 1
		counts := map[string]int{}
		first := map[string]writeSite{}
		for _, s := range c.siblings {
			if s == c.key {
				continue
			}
			for _, ws := range writeSites(repo, s) {
				k := ws.path + "\x00" + ws.function
				counts[k]++
				if _, ok := first[k]; !ok {
					first[k] = ws
				}
			}
		}
		for k, n := range counts {
			if n > bestN {
				best, bestN = []writeSite{first[k]}, n
			}
		}
		if len(best) > 0 {
			return best, fmt.Sprintf("builds the object that carries %s (it writes %d of its other fields)", c.path, bestN)
		}
	}
	return nil, ""
}

func dedupeSites(ss []writeSite) []writeSite {
	seen := map[string]bool{}
	var out []writeSite
	for _, s := range ss {
		k := s.path + "\x00" + s.function
		if !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
		if len(out) == 4 {
			break
		}
	}
	return out
}

// addProducer scores a write site. The evidence: the producer writes the
// field the failure implicates (the base); the value the failure shows is
// a literal on the write line; the value is computed by a function of the
// producer's repository (that function made it: it ranks first, the write
// site follows).
func (o *Offline) addProducer(a *analysis, f *failure, repo *Repo, service string, c clue, s writeSite, how, role string) {
	score := 2 + c.score*0.8
	why := append([]string{fmt.Sprintf("%s %s; %s", s.function, how, service+" "+role)}, c.why...)
	ev := []Evidence{
		{Kind: "error", Ref: tracetree.ShortID(f.ev.EventID), Detail: clipLine(f.ev.Title, 120)},
		{Kind: "code", Ref: fmt.Sprintf("%s:%s:%d", repo.Name, s.path, s.line), Detail: clipLine(s.text, 120)},
	}
	if c.value != "" && len(c.value) >= 2 && strings.Contains(s.text, c.value) {
		score += 1.5
		why = append(why, fmt.Sprintf("the value %s is written literally there", clipLine(c.value, 40)))
	}
	if s.calls != "" {
		if def, ok := findDefinition(repo, s.calls); ok {
			a.add(candidate{repo: repo, service: service, file: def.path, function: s.calls, line: def.line, score: score + 1,
				why:      append([]string{fmt.Sprintf("%s computes the value %s writes into %s", s.calls, s.function, c.path)}, why...),
				evidence: append(ev, Evidence{Kind: "code", Ref: fmt.Sprintf("%s:%s:%d", repo.Name, def.path, def.line), Detail: s.calls + " is defined here"})})
			score -= 1
		}
	}
	a.add(candidate{repo: repo, service: service, file: s.path, function: s.function, line: s.line, score: score, why: why, evidence: ev, producer: true})
}

var (
	// durationRE finds a duration literal: 40 * time.Millisecond, 40ms,
	// Duration.ofMillis(40), timeout=0.04 (seconds).
	durationRE = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*\*\s*time\.(Millisecond|Second)|(\d+(?:\.\d+)?)\s*(ms|s)\b|ofMillis\((\d+)\)|ofSeconds\((\d+)\)`)
	timeoutKW  = regexp.MustCompile(`(?i)timeout|deadline`)
	// configReadRE is a read of configuration with a default: an
	// environment variable, a property, a setting.
	configReadRE = regexp.MustCompile(`(?i)getenv|environ(\.get|\[)|getProperty|process\.env|ENV\.fetch|ENV\[|config\.get|settings\.get|os\.LookupEnv|envOr|getInt|getBool`)
)

// configCandidates looks for the configuration read on the failing path:
//   - a call cut by a deadline, and a timeout the failing service sets to
//     about the time the call took (the default was too short);
//   - a value the error shows (limit … 0) that a configuration read takes
//     as its default;
//   - a failing call's URL that contains a base URL written in the
//     caller's code (a configured address).
func (o *Offline) configCandidates(ctx context.Context, a *analysis) {
	if o.repos == nil || o.in == nil || o.in.Tree == nil {
		return
	}
	for _, f := range a.failures {
		if !f.serious() {
			continue
		}
		if timeoutRE.MatchString(f.text) {
			o.timeoutConfig(a, f)
		}
		o.defaultConfig(a, f)
	}
	o.urlConfig(a)
}

// cutCall is the failing transaction's outgoing call that ended by a
// deadline, and how long it took.
func cutCall(txn *tracetree.Node) (desc string, ms float64, ok bool) {
	if txn == nil {
		return "", 0, false
	}
	for _, sp := range txn.Spans {
		if strings.HasPrefix(sp.Op, "http.client") && (sp.Status == "deadline_exceeded" || sp.Status == "cancelled") {
			return sp.Description, float64(sp.Duration), true
		}
	}
	return "", 0, false
}

func (o *Offline) timeoutConfig(a *analysis, f *failure) {
	desc, took, ok := cutCall(f.txn)
	o.eachLine(f.service, func(repo *Repo, rel string, lines []string, i int) {
		l := lines[i]
		m := durationRE.FindStringSubmatch(l)
		if m == nil || !timeoutKW.MatchString(l) {
			return
		}
		ws, found := siteAt(rel, lines, i)
		if !found {
			return
		}
		d := literalDuration(m)
		score := 2.5
		why := []string{fmt.Sprintf("%s sets a timeout of %s on the failing service", ws.function, d)}
		if ok && d > 0 {
			// Which timeout fired (not that it is wrong: a cut call
			// always lasts about its timeout).
			ratio := float64(d.Milliseconds()) / max(took, 0.001)
			if ratio > 0.7 && ratio < 1.5 {
				score += 0.5
				why = append(why, fmt.Sprintf("the call %s was cut after %.0fms, about that timeout", clipLine(desc, 60), took))
			}
		}
		// A deadline under 100ms leaves a network call no room for a slow
		// moment: likely too short in itself.
		if d > 0 && d < 100*time.Millisecond {
			score += 1.5
			why = append(why, fmt.Sprintf("%s is short for a call to another service", d))
		}
		a.add(configCandidate(repo, f, rel, ws.function, i+1, l, score, why))
	})
}

// configCandidate is a configuration read found from a failure.
func configCandidate(repo *Repo, f *failure, rel, function string, line int, text string, score float64, why []string) candidate {
	return candidate{repo: repo, service: f.service, file: rel, function: function, line: line, score: score, why: why, producer: true,
		evidence: []Evidence{{Kind: "error", Ref: tracetree.ShortID(f.ev.EventID), Detail: clipLine(f.ev.Title, 120)},
			{Kind: "code", Ref: fmt.Sprintf("%s:%s:%d", repo.Name, rel, line), Detail: clipLine(strings.TrimSpace(text), 120)}}}
}

// eachLine visits every line of the application code of a service's
// repositories.
func (o *Offline) eachLine(service string, visit func(repo *Repo, rel string, lines []string, i int)) {
	for _, r := range o.repos.ForProject(service) {
		repo := o.mustRepo(r.Name)
		if repo == nil {
			continue
		}
		walkAppSources(repo, func(rel string, lines []string) bool {
			for i := range lines {
				visit(repo, rel, lines, i)
			}
			return false
		})
	}
}

func literalDuration(m []string) time.Duration {
	num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	switch {
	case m[1] != "" && m[2] == "Millisecond":
		return time.Duration(num(m[1]) * float64(time.Millisecond))
	case m[1] != "":
		return time.Duration(num(m[1]) * float64(time.Second))
	case m[3] != "" && m[4] == "ms":
		return time.Duration(num(m[3]) * float64(time.Millisecond))
	case m[3] != "":
		return time.Duration(num(m[3]) * float64(time.Second))
	case m[5] != "":
		return time.Duration(num(m[5]) * float64(time.Millisecond))
	case m[6] != "":
		return time.Duration(num(m[6]) * float64(time.Second))
	}
	return 0
}

var badValueRE = regexp.MustCompile(`(?i)(?:was|got|is|=|:)\s*(-?\d+(?:\.\d+)?)\b`)

func (o *Offline) defaultConfig(a *analysis, f *failure) {
	var values []string
	for _, m := range badValueRE.FindAllStringSubmatch(f.text, -1) {
		values = append(values, m[1])
	}
	if len(values) == 0 {
		return
	}
	o.eachLine(f.service, func(repo *Repo, rel string, lines []string, i int) {
		l := lines[i]
		if !configReadRE.MatchString(l) {
			return
		}
		for _, v := range values {
			if !regexp.MustCompile(`[,(]\s*"?` + regexp.QuoteMeta(v) + `"?\s*\)`).MatchString(l) {
				continue
			}
			if ws, ok := siteAt(rel, lines, i); ok {
				a.add(configCandidate(repo, f, rel, ws.function, i+1, l, 5.5,
					[]string{fmt.Sprintf("%s reads a setting whose default is %s, the value the error shows", ws.function, v)}))
			}
		}
	})
}

var urlLitRE = regexp.MustCompile(`["'](https?://[^"'\s]{6,})["']`)

// urlConfig: a failing outgoing call whose URL contains a base URL written
// in the calling service's code.
func (o *Offline) urlConfig(a *analysis) {
	for _, txn := range a.path {
		for _, sp := range txn.Spans {
			if !strings.HasPrefix(sp.Op, "http.client") || !failedStatus(sp.Status) {
				continue
			}
			_, u, _ := strings.Cut(sp.Description, " ")
			if !strings.Contains(u, "://") {
				continue
			}
			for _, r := range o.repos.ForProject(txn.Project) {
				repo := o.mustRepo(r.Name)
				if repo == nil {
					continue
				}
				walkAppSources(repo, func(rel string, lines []string) bool {
					for i, l := range lines {
						for _, m := range urlLitRE.FindAllStringSubmatch(l, -1) {
							base := strings.TrimRight(m[1], "/")
							if !strings.HasPrefix(u, base) || strings.Count(base, "/") < 3 {
								continue // a bare host says nothing about the path
							}
							ws, ok := siteAt(rel, lines, i)
							if !ok {
								continue
							}
							a.add(candidate{repo: repo, service: txn.Project, file: rel, function: ws.function, line: i + 1, score: 4, producer: true,
								why: []string{fmt.Sprintf("%s configures the base URL %s that the failing call %s was built on", ws.function, base, clipLine(sp.Description, 80))},
								evidence: []Evidence{{Kind: "span", Ref: sp.SpanID, Detail: clipLine(sp.Description, 120) + " (" + sp.Status + ")"},
									{Kind: "code", Ref: fmt.Sprintf("%s:%s:%d", repo.Name, rel, i+1), Detail: clipLine(strings.TrimSpace(l), 120)}}})
						}
					}
					return false
				})
			}
		}
	}
}
