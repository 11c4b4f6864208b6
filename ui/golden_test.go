package ui

import (
	"path/filepath"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/tracehound/tracehound/internal/goldenfile"
)

// plainScreen is a view as a person reads it: no styling, no padding at
// the ends of lines.
func plainScreen(view string) string {
	lines := strings.Split(xansi.Strip(view), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// golden compares got, as a person reads it, with testdata/file
// (rewritten with -update).
func golden(t *testing.T, file, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", file), strings.TrimRight(plainScreen(got), "\n")+"\n")
}
