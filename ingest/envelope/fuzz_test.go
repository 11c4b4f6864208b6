package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tracehound/tracehound/internal/fixtures"
)

// fuzzLimits are small so that the fuzzer reaches them.
var fuzzLimits = Limits{MaxEnvelope: 1 << 20, MaxItem: 4 << 10, MaxItems: 16}

// FuzzParse checks that Parse never panics, stays within its limits, keeps
// its promises about items, allocates in proportion to its input, and that
// what it accepts survives being written back with explicit lengths.
// Without -fuzz it runs over the seeds: the fixtures (when present), the
// rejected envelopes of TestParseErrors and a few framing cases.
func FuzzParse(f *testing.F) {
	if d := fixtures.Dir(); d != "" {
		for _, c := range fixtureCases {
			data, err := os.ReadFile(filepath.Join(d, "envelopes", c.file))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, c := range parseErrorCases {
		f.Add([]byte(c.in))
	}
	for _, s := range []string{
		"{}\n{\"type\":\"event\",\"length\":2}\r\n{}\r\n{\"type\":\"attachment\"}\r\nabc",
		"{}\n{\"type\":\"attachment\",\"length\":0}\n\n{\"type\":\"attachment\",\"length\":0}\n",
		"{}\n{\"type\":\"event\"}\n{\"a\":}\n{\"type\":\"frob\"}\n\x00\xff\n{\"length\":1}\nx",
		"{}\n{\"type\":\"attachment\",\"length\":5000}\n" + string(make([]byte, 5000)),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		var env *Envelope
		var err error
		alloc := allocated(func() { env, err = Parse(data, fuzzLimits) })
		if !bytes.Equal(data, orig) {
			t.Fatal("Parse modified its input")
		}
		if err != nil {
			if env != nil {
				t.Fatal("an envelope with an error")
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v wraps neither ErrMalformed nor ErrTooLarge", err)
			}
			return
		}
		// Header copies, one map per item header, error messages: linear
		// in the input, never a copy of the payloads per item.
		if limit := uint64(4*len(data) + 2048*len(env.Items) + 64<<10); alloc > limit {
			t.Errorf("Parse of %d bytes, %d items allocated %d bytes (limit %d)", len(data), len(env.Items), alloc, limit)
		}
		if int64(len(data)) > fuzzLimits.MaxEnvelope || len(env.Items) > fuzzLimits.MaxItems {
			t.Fatalf("accepted %d bytes, %d items, over the limits", len(data), len(env.Items))
		}
		if !json.Valid(env.Header.Raw) {
			t.Fatalf("header %q is not JSON", env.Header.Raw)
		}
		for i, it := range env.Items {
			if !json.Valid(it.Header) || it.Header[0] != '{' {
				t.Fatalf("item %d header %q is not a JSON object", i, it.Header)
			}
			if it.Err != nil {
				if it.Payload != nil {
					t.Fatalf("item %d has both Err (%v) and a payload", i, it.Err)
				}
				continue
			}
			if it.Type == "" {
				t.Fatalf("item %d has no type and no Err", i)
			}
			if int64(len(it.Payload)) > fuzzLimits.MaxItem {
				t.Fatalf("item %d: %d bytes over MaxItem without Err", i, len(it.Payload))
			}
			if jsonTypes[it.Type] && !json.Valid(it.Payload) {
				t.Fatalf("item %d (%s): invalid JSON without Err", i, it.Type)
			}
			if !bytes.Contains(data, it.Payload) {
				t.Fatalf("item %d: payload not from the input", i)
			}
		}
		// Write back the usable items with explicit lengths; they parse to
		// the same items.
		re, kept := encode(t, env)
		env2, err := Parse(re, Limits{MaxEnvelope: 4 * fuzzLimits.MaxEnvelope, MaxItem: fuzzLimits.MaxItem, MaxItems: fuzzLimits.MaxItems})
		if err != nil {
			t.Fatalf("re-encoded envelope: %v\n%q", err, re)
		}
		if env2.Header.EventID != env.Header.EventID || len(env2.Items) != len(kept) {
			t.Fatalf("re-encoded: event id %q, %d items; want %q, %d", env2.Header.EventID, len(env2.Items), env.Header.EventID, len(kept))
		}
		for i, it := range env2.Items {
			if it.Err != nil || it.Type != kept[i].Type || !bytes.Equal(it.Payload, kept[i].Payload) {
				t.Fatalf("re-encoded item %d = %s %q %v, want %s %q", i, it.Type, it.Payload, it.Err, kept[i].Type, kept[i].Payload)
			}
		}
	})
}

// encode writes env's items that have no Err, each header with a length.
func encode(t *testing.T, env *Envelope) ([]byte, []Item) {
	var b bytes.Buffer
	b.Write(env.Header.Raw)
	b.WriteByte('\n')
	var kept []Item
	for _, it := range env.Items {
		if it.Err != nil {
			continue
		}
		var h map[string]json.RawMessage
		if err := json.Unmarshal(it.Header, &h); err != nil {
			t.Fatalf("item header %q: %v", it.Header, err)
		}
		h["length"] = json.RawMessage(fmt.Sprint(len(it.Payload)))
		hdr, err := json.Marshal(h)
		if err != nil {
			t.Fatalf("item header %q: %v", it.Header, err)
		}
		b.Write(hdr)
		b.WriteByte('\n')
		b.Write(it.Payload)
		b.WriteByte('\n')
		kept = append(kept, it)
	}
	return b.Bytes(), kept
}

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
