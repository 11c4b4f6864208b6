package ui

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/agent"
)

// localSourceKey marks a frame whose source lines were read from a local
// checkout (its value: the repository-relative path), not sent by the SDK.
const localSourceKey = "tracehound.localSource"

// withLocalSource returns ev with source lines filled in from the
// configured checkouts for the in-app frames the SDK sent without any
// (sentry-go sends none). ev itself, shared with the agent, is not
// changed.
func withLocalSource(ev *wire.Event, repos *agent.Repos, project string) *wire.Event {
	if ev == nil || repos == nil || repos.Len() == 0 {
		return ev
	}
	if project == "" {
		project = ev.ProjectSlug
	}
	out := *ev
	out.Entries = slices.Clone(ev.Entries)
	changed := false
	for i := range out.Entries {
		e := &out.Entries[i]
		if e.Type != wire.EntryException || e.Exception == nil {
			continue
		}
		exc := *e.Exception
		exc.Values = slices.Clone(exc.Values)
		for j := range exc.Values {
			v := &exc.Values[j]
			if v.Stacktrace == nil {
				continue
			}
			st := *v.Stacktrace
			st.Frames = slices.Clone(st.Frames)
			for k := range st.Frames {
				f := &st.Frames[k]
				if len(f.Context) > 0 || !f.IsInApp() {
					continue
				}
				ctx, where, ok := repos.SourceContext(project, *f, 5)
				if !ok {
					continue
				}
				f.Context = ctx
				f.Extra = maps.Clone(f.Extra)
				if f.Extra == nil {
					f.Extra = wire.Extra{}
				}
				b, _ := json.Marshal(where)
				f.Extra[localSourceKey] = b
				changed = true
			}
			v.Stacktrace = &st
		}
		e.Exception = &exc
	}
	if !changed {
		return ev
	}
	return &out
}

// localSourceOf is the checkout path a frame's lines came from ("" when
// the SDK sent them).
func localSourceOf(f *wire.Frame) string {
	raw, ok := f.Extra[localSourceKey]
	if !ok {
		return ""
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}
