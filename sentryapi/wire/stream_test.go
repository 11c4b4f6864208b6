package wire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/internal/fixtures"
)

// streamTargets are the types the client decodes big answers into.
func streamTargets() []func() any {
	return []func() any{
		func() any { return new(Issue) },
		func() any { return new(Event) },
		func() any { return new(Trace) },
		func() any { return new(TraceMeta) },
		func() any { return new(Profile) },
		func() any { return new(ProfileChunk) },
		func() any { return new([]Issue) },
		func() any { return new([]Event) },
		func() any { return new(Organization) },
	}
}

// sameDecode decodes data both ways into a fresh value of newV and
// reports how the results differ ("" when they do not).
func sameDecode(data []byte, newV func() any, slow bool, required ...string) (string, bool) {
	a, b := newV(), newV()
	da, ea := DecodeLenient(data, a, required...)
	var r io.Reader = bytes.NewReader(data)
	if slow {
		// Small reads: the decoder must not depend on read sizes.
		r = smallReads{r, 37}
		if len(data) < 16<<10 {
			r = iotest.OneByteReader(r)
		}
	}
	db, eb := DecodeLenientFrom(r, b, StreamOptions{Required: required})
	if (ea == nil) != (eb == nil) {
		return fmt.Sprintf("errors differ: bytes %v, stream %v", ea, eb), ea == nil
	}
	if ea != nil {
		return "", false
	}
	if !reflect.DeepEqual(a, b) {
		return "values differ", true
	}
	if fmt.Sprint(da) != fmt.Sprint(db) {
		return fmt.Sprintf("dropped differ: bytes %v, stream %v", da, db), true
	}
	return "", true
}

// smallReads reads at most n bytes at a time.
type smallReads struct {
	r io.Reader
	n int
}

func (s smallReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

// valueRanges lists the byte ranges of every value of data (scalars,
// objects and arrays) with its kind.
type valueRange struct {
	start, end int
	kind       jsontext.Kind
}

func valueRanges(t *testing.T, data []byte) []valueRange {
	dec := jsontext.NewDecoder(bytes.NewReader(data), decodeOpts)
	var out []valueRange
	var stack []int
	for {
		// The next value starts after white space, ':' and ','.
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
			off++
		}
		tok, err := dec.ReadToken()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		end := int(dec.InputOffset())
		switch k := tok.Kind(); k {
		case '{', '[':
			stack = append(stack, off)
		case '}', ']':
			start := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			out = append(out, valueRange{start, end, map[jsontext.Kind]jsontext.Kind{'}': '{', ']': '['}[k]})
		default:
			// Object names are tokens too: only values are mutated,
			// and a name followed by ':' is not one.
			rest := bytes.TrimLeft(data[end:], " \t\r\n")
			if k == '"' && len(rest) > 0 && rest[0] == ':' {
				continue
			}
			out = append(out, valueRange{off, end, k})
		}
	}
}

// wrongKind is a value of another JSON kind than k.
func wrongKind(k jsontext.Kind) string {
	switch k {
	case '"':
		return "123"
	case '0':
		return `"x"`
	case '{':
		return `"x"`
	case '[':
		return `{"a":1}`
	}
	return `[1]`
}

// Streaming decodes what the byte decoder decodes, value for value and
// drop for drop: on every fixture, and on a type-mismatch corpus made of
// each fixture with one value of the wrong kind at a time.
func TestStreamDecodeMatchesBytes(t *testing.T) {
	dir := fixtures.Dir()
	if dir == "" {
		t.Skip("fixtures not found (set TRACEHOUND_FIXTURES)")
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") && !strings.Contains(p, "envelopes") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 10 {
		t.Fatalf("only %d fixtures", len(files))
	}
	// The corpus varies the values of the types of big answers (a value
	// of the wrong kind anywhere in them).
	mutated := map[string]bool{"*wire.Trace": true, "*wire.Event": true, "*wire.Profile": true, "*wire.TraceMeta": true}
	mutants := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		for _, newV := range streamTargets() {
			diff, ok := sameDecode(data, newV, true)
			if diff != "" {
				t.Errorf("%s as %T: %s", name, newV(), diff)
			}
			if !ok || !mutated[fmt.Sprintf("%T", newV())] {
				continue
			}
			ranges := valueRanges(t, data)
			step := max(1, len(ranges)/12)
			for i := 0; i < len(ranges); i += step {
				r := ranges[i]
				mut := append(append(append([]byte(nil), data[:r.start]...), wrongKind(r.kind)...), data[r.end:]...)
				mutants++
				if diff, _ := sameDecode(mut, newV, false, "**/event_id"); diff != "" {
					t.Errorf("%s as %T, value at %d (%.40q) of the wrong kind: %s", name, newV(), r.start, data[r.start:r.end], diff)
				}
			}
		}
	}
	t.Logf("%d files, %d mutants", len(files), mutants)
}

// The stream decoder reports the reader's error, counts trace items and
// refuses trailing data like Unmarshal does.
func TestStreamDecodeEdges(t *testing.T) {
	boom := errors.New("connection reset")
	var tr Trace
	_, err := DecodeLenientFrom(io.MultiReader(strings.NewReader(`[{"event_id":"a","children":[`), iotest.ErrReader(boom)), &tr, StreamOptions{})
	if !errors.Is(err, boom) {
		t.Errorf("reader error: %v", err)
	}
	var counts []int
	in := `[{"event_id":"a","children":[{"event_id":"b"},{"event_id":"c","errors":[{"event_id":"e"}]}]}]`
	_, err = DecodeLenientFrom(strings.NewReader(in), &tr, StreamOptions{Items: func(n int) { counts = append(counts, n) }, ItemsEvery: 2})
	if err != nil || fmt.Sprint(counts) != "[2 4 4]" {
		t.Errorf("counts %v, err %v", counts, err)
	}
	if _, err := DecodeLenientFrom(strings.NewReader(`{"id":"1"} {"id":"2"}`), new(Issue), StreamOptions{}); err == nil {
		t.Error("two values decoded without an error")
	}
	if _, err := DecodeLenientFrom(strings.NewReader(`["id"]`), new(Issue), StreamOptions{}); err == nil {
		t.Error("an array decoded into an issue")
	}
	dropped, err := DecodeLenientFrom(strings.NewReader(`{"id":{"n":1}}`), new(Issue), StreamOptions{Required: []string{"/id"}})
	if err == nil || !strings.Contains(err.Error(), "/id, which tracehound needs") {
		t.Errorf("required: %v %v", dropped, err)
	}
}
