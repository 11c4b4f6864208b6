package demo

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
)

//go:generate go run ./internal/gen

//go:embed all:_incidents
var incidents embed.FS

// Incident is the name of the demo incident (its directory name), the one
// Dataset returns.
const Incident = "checkout-auth"

// OrgSlug is the organization slug of the demo dataset.
const OrgSlug = "acme"

// Label marks demo data wherever the UI shows where data comes from.
const Label = "demo data"

// Dataset returns the demo incident as a dataset (see package dataset).
// Files stored as NAME.embed appear as NAME (go.mod, not go.mod.embed).
func Dataset() fs.FS {
	fsys, err := IncidentDataset(Incident)
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return fsys
}

// Incidents lists the names of the embedded incidents: the demo incident
// first, then the eval incidents (small made-up incidents, each with a known
// root cause in expected.json) in name order.
func Incidents() []string {
	entries, err := fs.ReadDir(incidents, "_incidents")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	names := []string{Incident}
	for _, e := range entries {
		if e.IsDir() && e.Name() != Incident {
			names = append(names, e.Name())
		}
	}
	return names
}

// IncidentDataset returns the named embedded incident (one of Incidents) in
// the dataset layout (see package dataset), with the .embed suffix stripped as in
// Dataset.
func IncidentDataset(name string) (fs.FS, error) {
	if !slices.Contains(Incidents(), name) {
		return nil, fmt.Errorf("no embedded incident %q (have %v)", name, Incidents())
	}
	sub, err := fs.Sub(incidents, "_incidents/"+name)
	if err != nil {
		return nil, err
	}
	return StripEmbedSuffix(sub), nil
}
