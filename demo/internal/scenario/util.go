package scenario

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi"
)

// Fixed facts shared by every incident: one made-up organization.
const (
	OrgSlug = "acme"
	orgName = "Acme Shop (demo)"
	orgID   = "1150472"
)

// hexID derives a stable hex id of n characters from the incident's name and
// parts, so ids do not change when unrelated parts of an incident do.
func (in *Incident) hexID(n int, parts ...string) string {
	sum := sha256.Sum256([]byte("tracehound-demo/" + in.Name + "/" + strings.Join(parts, "/")))
	return hex.EncodeToString(sum[:])[:n]
}

// issueNumber derives a stable numeric issue id.
func (in *Incident) issueNumber(shortID string) int64 {
	v, _ := strconv.ParseUint(in.hexID(12, "issue", shortID), 16, 64)
	return 6200000000 + int64(v%700000000)
}

// RNG is a small deterministic generator (splitmix64) for timing jitter.
type RNG struct{ state uint64 }

// NewRNG seeds a generator from a string.
func NewRNG(seed string) *RNG {
	sum := sha256.Sum256([]byte(seed))
	return &RNG{state: binary.LittleEndian.Uint64(sum[:8])}
}

func (r *RNG) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Between returns a float in [lo, hi) rounded down to 0.1.
func (r *RNG) Between(lo, hi float64) float64 {
	f := float64(r.next()>>11) / float64(1<<53)
	v := lo + f*(hi-lo)
	return float64(int64(v*10)) / 10
}

// Intn returns an int in [0, n).
func (r *RNG) Intn(n int) int { return int(r.next() % uint64(n)) }

func ts(t µs) sentryapi.Timestamp { return sentryapi.Timestamp(float64(t) / 1e6) }

func iso(t µs) string { return time.UnixMicro(t).UTC().Format("2006-01-02T15:04:05.000000Z") }

func parseISO(s string) µs {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

func raw(v any) sentryapi.Raw {
	b, err := sentryapi.Encode(v)
	if err != nil {
		panic(err)
	}
	return b
}

func toExtra(m map[string]any) sentryapi.Extra {
	if len(m) == 0 {
		return nil
	}
	e := sentryapi.Extra{}
	for k, v := range m {
		e[k] = raw(v)
	}
	return e
}

func ptr[T any](v T) *T { return &v }

// sources reads the source trees of a dataset.
type sources struct {
	fsys  fs.FS
	lines map[string][]string
}

func (s *sources) file(repo, path string) []string {
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

// find returns the 1-based number of the one line of the file that contains
// marker (or, for "=text", whose trimmed text is text); it panics if there
// is none or more than one.
func (s *sources) find(repo, path, marker string) int {
	found := 0
	exact, whole := strings.CutPrefix(marker, "=")
	for i, l := range s.file(repo, path) {
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

// col returns the 1-based column of sub in the line.
func (s *sources) col(repo, path string, line int, sub string) int {
	l := s.file(repo, path)[line-1]
	i := strings.Index(l, sub)
	if i < 0 {
		panic(fmt.Errorf("%s/%s:%d: %q not on the line", repo, path, line, sub))
	}
	return i + 1
}

// context returns the line and up to five lines either side.
func (s *sources) context(repo, path string, line int) []sentryapi.ContextLine {
	l := s.file(repo, path)
	var out []sentryapi.ContextLine
	for n := max(1, line-5); n <= min(len(l), line+5); n++ {
		out = append(out, sentryapi.ContextLine{Line: sentryapi.FlexInt(n), Text: l[n-1]})
	}
	return out
}
