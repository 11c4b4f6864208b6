package demo

import (
	"embed"
	"io/fs"
)

//go:generate go run ./internal/gen

//go:embed all:_incidents
var incidents embed.FS

// Incident is the name of the embedded incident (its directory name).
const Incident = "checkout-auth"

// OrgSlug is the organization slug of the demo dataset.
const OrgSlug = "acme"

// Label marks demo data wherever the UI shows where data comes from.
const Label = "demo data"

// Dataset returns the embedded incident in the sentryapi/local dataset
// layout. Files stored as NAME.embed appear as NAME (go.mod, not
// go.mod.embed).
func Dataset() fs.FS {
	sub, err := fs.Sub(incidents, "_incidents/"+Incident)
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return StripEmbedSuffix(sub)
}
