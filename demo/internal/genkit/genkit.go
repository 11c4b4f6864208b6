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

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"
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

// Put adds the dataset file name holding v to files, encoded as every
// dataset file is (dataset.EncodeFile); it panics when the file was
// already written or v does not encode.
func Put(files map[string][]byte, name string, v any) {
	if _, dup := files[name]; dup {
		panic(fmt.Errorf("%s written twice", name))
	}
	b, err := dataset.EncodeFile(v)
	if err != nil {
		panic(fmt.Errorf("%s: %w", name, err))
	}
	files[name] = b
}

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
	b, err := fs.ReadFile(s.fsys, dataset.SourcePath(key))
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
func (s *Sources) Context(repo, path string, line int) []wire.ContextLine {
	l := s.File(repo, path)
	var out []wire.ContextLine
	for n := max(1, line-5); n <= min(len(l), line+5); n++ {
		out = append(out, wire.ContextLine{Line: wire.FlexInt(n), Text: l[n-1]})
	}
	return out
}

// ProfileFrame is a sampled-profile frame as the Python and Node SDKs
// send it, in-app files living under /app/; ok is false for another
// platform (the frame then has no file).
func ProfileFrame(platform, function, module, path, abs string, line, col int, inApp bool) (pf wire.ProfileFrame, ok bool) {
	pf = wire.ProfileFrame{Function: function, Module: module, LineNo: wire.FlexInt(line), ColNo: wire.FlexInt(col), InApp: &inApp}
	switch platform {
	case "python":
		pf.Filename, pf.AbsPath = path, abs
		if inApp {
			pf.AbsPath = "/app/" + path
		}
	case "node":
		pf.Filename = abs
		if inApp {
			pf.Filename = "/app/" + path
		}
		pf.AbsPath = pf.Filename
		pf.Platform = "node"
	default:
		return pf, false
	}
	return pf, true
}

// ProfileTable collects a profile's frames and stacks, each once. The
// zero value is ready to use.
type ProfileTable struct {
	Frames   []wire.ProfileFrame
	Stacks   [][]int
	frameIdx map[string]int
	stackIdx map[string]int
}

// Frame returns the id of the frame, adding it when new.
func (t *ProfileTable) Frame(pf wire.ProfileFrame) int {
	if t.frameIdx == nil {
		t.frameIdx = map[string]int{}
	}
	key := fmt.Sprintf("%s|%s|%s|%d", pf.Module, pf.Function, pf.Filename, pf.LineNo)
	if i, ok := t.frameIdx[key]; ok {
		return i
	}
	t.Frames = append(t.Frames, pf)
	t.frameIdx[key] = len(t.Frames) - 1
	return len(t.Frames) - 1
}

// Stack returns the id of a stack of frame ids (leaf first, as Sentry
// stores them), adding it when new.
func (t *ProfileTable) Stack(leafFirst []int) int {
	if t.stackIdx == nil {
		t.stackIdx = map[string]int{}
	}
	key := fmt.Sprint(leafFirst)
	if i, ok := t.stackIdx[key]; ok {
		return i
	}
	t.Stacks = append(t.Stacks, leafFirst)
	t.stackIdx[key] = len(t.Stacks) - 1
	return len(t.Stacks) - 1
}

// Hourly spreads an issue's last-day events (n of them, the last in the
// last hour) over the 24 hours before lastSeen, never before firstSeen
// (both µs), by shop traffic per local hour (UTC+1): evenings busy,
// nights quiet. The result is Sentry's stats["24h"].
func Hourly(firstSeen, lastSeen int64, n int) [][2]int64 {
	end := (lastSeen/1e6/3600 + 1) * 3600
	weights := make([]float64, 24)
	total := 0.0
	for i := range 24 {
		h := end - int64(24-i)*3600
		if h+3600 <= firstSeen/1e6 {
			continue
		}
		w := 1.0
		switch local := (h/3600 + 1) % 24; {
		case local < 7:
			w = 0.35
		case local >= 18:
			w = 1.5
		}
		weights[i] = w
		total += w
	}
	n-- // the last event is in the last hour
	left := n
	var out [][2]int64
	for i := range 24 {
		c := 0
		if weights[i] > 0 {
			c = int(float64(n)*weights[i]/total + 0.5)
		}
		if i == 23 || c > left {
			c = left
		}
		left -= c
		if i == 23 {
			c++
		}
		out = append(out, [2]int64{end - int64(24-i)*3600, int64(c)})
	}
	return out
}
