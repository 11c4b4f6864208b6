package tracetree

import (
	"path/filepath"
	"testing"

	"github.com/tracehound/tracehound/internal/goldenfile"
)

// golden compares got with testdata/golden/<name>, or rewrites the file
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "golden", name), got)
}
