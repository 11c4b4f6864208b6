package dataset

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// Manifest is dataset.json: what the dataset is, and the issue commands
// open when given none.
type Manifest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Demo marks made-up data (the embedded demo and eval incidents).
	Demo bool `json:"demo"`
	// Issue is the default issue: an id or a short id.
	Issue string `json:"issue"`
}

// Expected is expected.json: an incident's known root cause, for evals.
type Expected struct {
	Service     string `json:"service"`
	Repo        string `json:"repo"`
	File        string `json:"file"`
	Function    string `json:"function"`
	Explanation string `json:"explanation"`
	// Holdout marks an incident of the eval's holdout part: scored only
	// when a change to the analyzer is done, never while tuning it.
	Holdout bool `json:"holdout,omitzero"`
}

// ReadManifest reads dataset.json; a dataset without one has the zero
// Manifest.
func ReadManifest(fsys fs.FS) (Manifest, error) {
	var m Manifest
	if err := ReadJSON(fsys, ManifestFile, &m); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, err
	}
	return m, nil
}

// ReadJSON decodes the file name of fsys into v the way the client
// decodes responses. A decoding error names the file; a missing file is an
// error that matches fs.ErrNotExist.
func ReadJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	if err := wire.Decode(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
