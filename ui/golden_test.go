package ui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
)

// updateGolden rewrites the golden files under testdata/ instead of
// comparing with them; review the diff before committing it.
var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/ (review the diff)")

// plainScreen is a view as a person reads it: no styling, no padding at
// the ends of lines.
func plainScreen(view string) string {
	lines := strings.Split(xansi.Strip(view), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// golden compares got with testdata/file (rewritten with -update).
func golden(t *testing.T, file, got string) {
	t.Helper()
	got = strings.TrimRight(plainScreen(got), "\n") + "\n"
	path := filepath.Join("testdata", file)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./ui -run '%s' -update writes it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (go test ./ui -update rewrites it; review the diff):\n--- got\n%s\n--- want\n%s", file, path, got, want)
	}
}
