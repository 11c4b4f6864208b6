package tracegen

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// OrgSlug is the organization of a generated dataset.
const OrgSlug = "tracegen"

// Dataset is the trace as the files of a dataset (package dataset's
// layout), keyed by path: the organization, its projects (the services
// the trace crosses) and the trace, so that `tracehound --data DIR
// TRACE_ID` opens it. Events are not included: the explorer then shows a
// transaction's spans from the trace itself. Values are wire types (the
// trace is its JSON, as JSON returns it), for dataset.DirWriter's Put or
// dataset.MemFS's AddJSON; Dataset does no I/O.
func (r *Result) Dataset() map[string]any {
	projects := map[string]wire.Project{}
	var visit func(items []wire.TraceItem)
	visit = func(items []wire.TraceItem) {
		for i := range items {
			it := &items[i]
			if _, ok := projects[it.ProjectSlug]; !ok && it.ProjectSlug != "" {
				projects[it.ProjectSlug] = wire.Project{
					ID:       wire.FlexString(strconv.FormatInt(int64(it.ProjectID), 10)),
					Slug:     it.ProjectSlug,
					Name:     it.ProjectSlug,
					Platform: platformOf(it.SDKName),
				}
			}
			visit(it.Children)
		}
	}
	visit(r.Trace)
	list := make([]wire.Project, 0, len(projects))
	for _, p := range projects {
		list = append(list, p)
	}
	slices.SortFunc(list, func(a, b wire.Project) int { return cmp.Compare(a.Slug, b.Slug) })
	return map[string]any{
		dataset.OrganizationFile:     wire.Organization{ID: "1", Slug: OrgSlug, Name: "tracegen (synthetic)"},
		dataset.ProjectsFile:         list,
		dataset.TracePath(r.TraceID): rawJSON(r.JSON()),
	}
}

// rawJSON is JSON already encoded (the trace), written as it is.
type rawJSON []byte

// MarshalJSON returns the bytes.
func (j rawJSON) MarshalJSON() ([]byte, error) { return j, nil }

// platformOf is the Sentry platform of a service from its SDK's name.
func platformOf(sdk string) string {
	for l, name := range sdkNames {
		if name == sdk {
			return [...]string{python: "python", nodejs: "node", golang: "go", java: "java", browser: "javascript"}[l]
		}
	}
	return "other"
}
