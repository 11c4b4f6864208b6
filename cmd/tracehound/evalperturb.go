package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// perturb returns the case as a run sees it: unchanged for the plain run;
// without the repositories' history for no-history; with the services and
// the application's functions consistently renamed for renamed (in every
// file: events, trace, sources, expected.json).
func perturb(run string, c evalCase) (evalCase, error) {
	switch run {
	case runNoHistory:
		c.fsys = withoutHistory{c.fsys}
		c.label += " (no history)"
	case runRenamed:
		fsys, want, err := renamed(c.fsys)
		if err != nil {
			return c, fmt.Errorf("rename %s: %w", c.name, err)
		}
		c.fsys, c.want = fsys, want
		c.label += " (renamed)"
	}
	return c, nil
}

// withoutHistory hides a dataset's history/: its repositories are then
// materialised as one import commit each, with no change to point at.
type withoutHistory struct{ fs.FS }

func (h withoutHistory) Open(name string) (fs.File, error) {
	if name == "history" || strings.HasPrefix(name, "history/") {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return h.FS.Open(name)
}

// renamed copies a dataset with every service slug and every function its
// in-app frames (and expected.json) name replaced, as a whole word, by a
// neutral name derived from it: in file contents and in paths, except
// JSON object keys. An analyzer that reasons from evidence scores the same.
func renamed(fsys fs.FS) (fs.FS, expected, error) {
	var want expected
	if err := readJSON(fsys, dataset.ExpectedFile, &want); err != nil {
		return nil, want, err
	}
	names, err := renameTable(fsys, want)
	if err != nil {
		return nil, want, err
	}
	var olds []string
	for o := range names {
		olds = append(olds, o)
	}
	slices.SortFunc(olds, func(a, b string) int { return len(b) - len(a) }) // longest first
	for i, o := range olds {
		olds[i] = regexp.QuoteMeta(o)
	}
	re := regexp.MustCompile(`\b(` + strings.Join(olds, "|") + `)\b`)
	replace := func(s string, jsonKeys bool) string {
		var b strings.Builder
		last := 0
		for _, m := range re.FindAllStringIndex(s, -1) {
			if jsonKeys && strings.HasPrefix(s[m[1]:], `":`) {
				continue // an object key: the format's, not the incident's
			}
			b.WriteString(s[last:m[0]])
			b.WriteString(names[s[m[0]:m[1]]])
			last = m[1]
		}
		b.WriteString(s[last:])
		return b.String()
	}
	out := fstest.MapFS{}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out[replace(p, false)] = &fstest.MapFile{Data: []byte(replace(string(data), strings.HasSuffix(p, ".json")))}
		return nil
	})
	if err != nil {
		return nil, want, err
	}
	if err := readJSON(out, dataset.ExpectedFile, &want); err != nil {
		return nil, want, err
	}
	return out, want, nil
}

// renameTable maps the names to replace to their neutral names: the
// projects' slugs (svc-<hash>) and the functions of in-app frames
// (fn_<hash>).
func renameTable(fsys fs.FS, want expected) (map[string]string, error) {
	names := map[string]string{}
	short := func(kind, s string) string {
		h := sha256.Sum256([]byte(kind + s))
		return hex.EncodeToString(h[:])[:6]
	}
	var projects []wire.Project
	if err := readJSON(fsys, dataset.ProjectsFile, &projects); err != nil {
		return nil, err
	}
	for _, p := range projects {
		if p.Slug != "" {
			names[p.Slug] = "svc-" + short("svc", p.Slug)
		}
	}
	addFn := func(f string) {
		f = bareFunctionName(f)
		if len(f) >= 4 && !renameKeeps[f] && names[f] == "" {
			names[f] = "fn_" + short("fn", f)
		}
	}
	addFn(want.Function)
	events, err := fs.Glob(fsys, dataset.EventsDir+"/*/*.json")
	if err != nil {
		return nil, err
	}
	for _, p := range events {
		var ev wire.Event
		if err := readJSON(fsys, p, &ev); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		for _, e := range ev.Entries {
			var sts []*wire.Stacktrace
			if e.Exception != nil {
				for _, v := range e.Exception.Values {
					sts = append(sts, v.Stacktrace)
				}
			}
			if e.Threads != nil {
				for _, t := range e.Threads.Values {
					sts = append(sts, t.Stacktrace)
				}
			}
			for _, st := range sts {
				if st == nil {
					continue
				}
				for _, f := range st.Frames {
					if f.IsInApp() {
						addFn(f.Function)
					}
				}
			}
		}
	}
	return names, nil
}

// bareFunctionName is the function's own identifier: "(*T).Method" →
// Method, "Cart#total" → total, "a.b.c" → c.
func bareFunctionName(f string) string {
	f = strings.TrimSuffix(strings.TrimSpace(f), "()")
	if i := strings.LastIndexAny(f, ".#:"); i >= 0 {
		f = f[i+1:]
	}
	return strings.Trim(f, "()* ")
}

// renameKeeps are identifiers a rename must not touch: keywords and
// builtins of the languages in the suite, which a function may share a
// name with.
var renameKeeps = map[string]bool{
	"main": true, "init": true, "new": true, "call": true, "self": true, "this": true, "super": true,
	"function": true, "return": true, "class": true, "def": true, "func": true, "type": true, "from": true,
	"import": true, "export": true, "async": true, "await": true, "static": true, "public": true, "private": true,
	"String": true, "Error": true, "error": true, "string": true, "json": true, "http": true,
}
