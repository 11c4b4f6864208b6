// Package genkit holds what the demo generators (internal/incident for
// the checkout-auth incident, internal/scenario for the other incidents)
// share: a deterministic random generator and the reader of a dataset's
// source trees that places frames on real lines.
package genkit

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io/fs"
	"strings"

	"github.com/tracehound/tracehound/sentryapi"
)

// RNG is a small deterministic generator (splitmix64) for timing jitter.
type RNG struct{ state uint64 }

// NewRNG seeds a generator from a string.
func NewRNG(seed string) *RNG {
	sum := sha256.Sum256([]byte(seed))
	return &RNG{state: binary.LittleEndian.Uint64(sum[:8])}
}

// Next returns the next 64 random bits.
func (r *RNG) Next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Between returns a float in [lo, hi) rounded down to 0.1.
func (r *RNG) Between(lo, hi float64) float64 {
	f := float64(r.Next()>>11) / float64(1<<53)
	v := lo + f*(hi-lo)
	return float64(int64(v*10)) / 10
}

// Intn returns an int in [0, n).
func (r *RNG) Intn(n int) int { return int(r.Next() % uint64(n)) }

// Sources reads the source trees of a dataset (sources/{repo}/{path}),
// each file once.
type Sources struct {
	fsys  fs.FS
	lines map[string][]string
}

// NewSources reads the sources of the dataset fsys.
func NewSources(fsys fs.FS) *Sources {
	return &Sources{fsys: fsys, lines: map[string][]string{}}
}

// File returns the lines of a source file; it panics when there is none.
func (s *Sources) File(repo, path string) []string {
	key := repo + "/" + path
	if l, ok := s.lines[key]; ok {
		return l
	}
	b, err := fs.ReadFile(s.fsys, "sources/"+key)
	if err != nil {
		panic(fmt.Errorf("source file: %w", err))
	}
	l := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	s.lines[key] = l
	return l
}

// Find returns the 1-based number of the one line of the file that
// contains marker (or, for "=text", whose trimmed text is text); it panics
// if there is none or more than one.
func (s *Sources) Find(repo, path, marker string) int {
	found := 0
	exact, whole := strings.CutPrefix(marker, "=")
	for i, l := range s.File(repo, path) {
		if (whole && strings.TrimSpace(l) == exact) || (!whole && strings.Contains(l, marker)) {
			if found != 0 {
				panic(fmt.Errorf("%s/%s: %q is on lines %d and %d; make the marker unique", repo, path, marker, found, i+1))
			}
			found = i + 1
		}
	}
	if found == 0 {
		panic(fmt.Errorf("%s/%s: no line contains %q", repo, path, marker))
	}
	return found
}

// Col returns the 1-based column of sub in the line (sub must be on it).
func (s *Sources) Col(repo, path string, line int, sub string) int {
	l := s.File(repo, path)[line-1]
	i := strings.Index(l, sub)
	if i < 0 {
		panic(fmt.Errorf("%s/%s:%d: %q not on the line", repo, path, line, sub))
	}
	return i + 1
}

// Context returns the line and up to five lines either side.
func (s *Sources) Context(repo, path string, line int) []sentryapi.ContextLine {
	l := s.File(repo, path)
	var out []sentryapi.ContextLine
	for n := max(1, line-5); n <= min(len(l), line+5); n++ {
		out = append(out, sentryapi.ContextLine{Line: sentryapi.FlexInt(n), Text: l[n-1]})
	}
	return out
}
