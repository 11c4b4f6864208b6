// The offline analyzer's crash-site candidates: the innermost in-app frame
// of an error and the functions it calls.

package agent

import (
	"context"
	"fmt"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/tracetree"
)

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
