package tracegen

import (
	"testing"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// TestDataset: the generated files make a dataset that reads back as the
// same trace, with a project for every service the trace crosses.
func TestDataset(t *testing.T) {
	r := Generate(configs["many services"])
	fsys := dataset.NewMemFS()
	for name, v := range r.Dataset() {
		fsys.AddJSON(name, v)
	}
	d, err := dataset.Open(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var org wire.Organization
	if err := d.Decode(dataset.OrganizationFile, &org); err != nil || org.Slug != OrgSlug {
		t.Fatalf("organization: %+v, %v", org, err)
	}
	projects, err := d.Projects()
	if err != nil {
		t.Fatal(err)
	}
	var tr wire.Trace
	if err := d.Decode(dataset.TracePath(r.TraceID), &tr); err != nil {
		t.Fatal(err)
	}
	b, err := wire.Encode(tr)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(r.JSON()) {
		t.Fatalf("the trace read back differs from the generated one (%d bytes vs %d)", len(b), len(r.JSON()))
	}
	slugs := map[string]bool{}
	var visit func([]wire.TraceItem)
	visit = func(items []wire.TraceItem) {
		for i := range items {
			slugs[items[i].ProjectSlug] = true
			visit(items[i].Children)
		}
	}
	visit(tr)
	if len(projects) != len(slugs) {
		t.Fatalf("%d projects for %d services", len(projects), len(slugs))
	}
	for _, p := range projects {
		var wp wire.Project
		if err := wire.Decode(p.Raw, &wp); err != nil {
			t.Fatal(err)
		}
		if !slugs[p.Slug] || p.ID == "" || wp.Platform == "other" || wp.Platform == "" {
			t.Errorf("project %s", p.Raw)
		}
	}
}
