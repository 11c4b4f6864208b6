package incident

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi"
)

// hexID derives a stable hex id of n characters from a name, so ids do not
// change when unrelated parts of the story do.
func hexID(n int, parts ...string) string {
	sum := sha256.Sum256([]byte("tracehound-demo/checkout-auth/" + strings.Join(parts, "/")))
	return hex.EncodeToString(sum[:])[:n]
}

// rng is a small deterministic generator (splitmix64) for timing jitter.
type rng struct{ state uint64 }

func newRNG(seed string) *rng {
	sum := sha256.Sum256([]byte(seed))
	return &rng{state: binary.LittleEndian.Uint64(sum[:8])}
}

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// between returns a float in [lo, hi) rounded to 0.1.
func (r *rng) between(lo, hi float64) float64 {
	f := float64(r.next()>>11) / float64(1<<53)
	v := lo + f*(hi-lo)
	return float64(int64(v*10)) / 10
}

// µs is a point in time in microseconds since the epoch.
type µs = int64

func usOf(t time.Time) µs { return t.UnixMicro() }

func ms(v float64) µs {
	if v < 0 {
		return -µs(-v*1000 + 0.5)
	}
	return µs(v*1000 + 0.5)
}

func ts(t µs) sentryapi.Timestamp { return sentryapi.Timestamp(float64(t) / 1e6) }

func iso(t µs) string {
	return time.UnixMicro(t).UTC().Format("2006-01-02T15:04:05.000000Z")
}

func isoMS(t µs) string {
	return time.UnixMicro(t).UTC().Format("2006-01-02T15:04:05.000Z")
}

func raw(v any) sentryapi.Raw {
	b, err := sentryapi.Encode(v)
	if err != nil {
		panic(err)
	}
	return b
}

func extra(kv ...any) sentryapi.Extra {
	if len(kv)%2 != 0 {
		panic("extra: odd arguments")
	}
	e := sentryapi.Extra{}
	for i := 0; i < len(kv); i += 2 {
		e[kv[i].(string)] = raw(kv[i+1])
	}
	return e
}

func ptr[T any](v T) *T { return &v }

// sources indexes the source trees of the dataset.
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
// needle (or, for "=text", whose trimmed text is text); it panics if there is
// none or more than one.
func (s *sources) find(repo, path, needle string) int {
	found := 0
	exact, whole := strings.CutPrefix(needle, "=")
	for i, l := range s.file(repo, path) {
		if (whole && strings.TrimSpace(l) == exact) || (!whole && strings.Contains(l, needle)) {
			if found != 0 {
				panic(fmt.Errorf("%s/%s: %q is on lines %d and %d; make the needle unique", repo, path, needle, found, i+1))
			}
			found = i + 1
		}
	}
	if found == 0 {
		panic(fmt.Errorf("%s/%s: no line contains %q", repo, path, needle))
	}
	return found
}

// col returns the 1-based column of sub in the line (sub must be on it).
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
