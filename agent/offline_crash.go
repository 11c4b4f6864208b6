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

// crashFrame is the innermost in-app frame of the reported exception (or
// of its causes), or of the current thread of a logged message.
func crashFrame(ev *wire.Event) (wire.Frame, bool) {
	fs := inAppFrames(ev)
	if len(fs) == 0 {
		return wire.Frame{}, false
	}
	return fs[len(fs)-1], true
}

// chooseOrigin picks the error the crash site is read from: the deepest
// serious error of the failing path with an in-app frame. When the deepest
// has none (a framework rejected the request before the application's code
// ran) the next one is used, and the report says so.
func (o *Offline) chooseOrigin(a *analysis) {
	var first *failure
	for _, f := range a.failures {
		if first == nil {
			first = f
		}
		if _, ok := crashFrame(f.ev); ok && (f.serious() || first == f) {
			if first != f && first.serious() {
				a.notes = append(a.notes, fmt.Sprintf("the deepest error (%s, %s) has no in-app stack frame; the crash site is read from %s (%s)",
					first.service, clipLine(first.ev.Title, 80), f.service, clipLine(f.ev.Title, 80)))
			}
			a.deepest, a.deepEvent = f.node, f.ev
			return
		}
	}
	if first != nil {
		a.deepest, a.deepEvent = first.node, first.ev
	}
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
