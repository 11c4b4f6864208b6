package sentryapi_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// addFixtureSeeds seeds a fuzz target with the named public fixtures (when
// the folder is present) plus a few hand-made edge cases.
func addFixtureSeeds(f *testing.F, names []string, extra ...string) {
	if dir := fixturesDir(f); dir != "" {
		for _, n := range names {
			if b, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range append(extra, ``, `null`, `{}`, `[]`, `"str"`, `{"a":`, "\xff\xfe") {
		f.Add([]byte(s))
	}
}

// roundTrip decodes with decode; when that succeeds, encoding and decoding
// again must succeed too (nothing we accept becomes unreadable).
func roundTrip[T any](t *testing.T, data []byte) {
	var v T
	if err := wire.Decode(data, &v); err != nil {
		return
	}
	out, err := wire.Encode(&v)
	if err != nil {
		t.Fatalf("accepted input does not re-encode: %v", err)
	}
	var w T
	if err := wire.Decode(out, &w); err != nil {
		t.Fatalf("re-encoded output does not decode: %v\n%s", err, out)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	addFixtureSeeds(f, []string{"api/event.json", "api/trace-event.json", "api/performance-event.json", "api/openapi-example-issue-event.json"},
		`{"entries":[{"type":"exception","data":{"value":{"type":"E","value":"v"}}}]}`,
		`{"entries":[{"type":"exception","data":{"values":"nope"}},{"type":"spans","data":[{"span_id":"a","start_timestamp":"x"}]}]}`,
		`{"entries":[{"type":"exception","data":{"values":[{"stacktrace":{"frames":[{"lineNo":"12","context":[[1,null],["2","x"]]}]}}]}}]}`)
	f.Fuzz(func(t *testing.T, data []byte) { roundTrip[wire.Event](t, data) })
}

func FuzzDecodeTrace(f *testing.F) {
	addFixtureSeeds(f, []string{"api/openapi-example-trace.json", "api/cli-trace-spans.json"},
		`[{"event_id":"a","children":[{"event_id":"b","errors":[{"event_id":"c","issue_id":"12"}]}],"start_timestamp":"2026-01-01T00:00:00Z"}]`,
		`[{"event_type":"error","project_id":"1.0","duration":"3"}]`)
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip[wire.Trace](t, data)
		if lt, err := wire.DecodeLegacyTrace(data); err == nil {
			_ = lt.ToTrace()
		}
	})
}

func FuzzDecodeProfile(f *testing.F) {
	addFixtureSeeds(f, []string{"profiles/relay-sample-v1-valid.json", "profiles/vroom-node.json", "api/transaction-profile-v1.json"},
		`{"profile":{"frames":[{"lineno":"3"}],"stacks":[[0,5]],"samples":[{"stack_id":"9","thread_id":1e3,"elapsed_since_start_ns":"-4"}]}}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip[wire.Profile](t, data)
		roundTrip[wire.ChunkResponse](t, data)
	})
}
