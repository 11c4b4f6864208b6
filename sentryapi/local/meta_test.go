package local

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tracehound/tracehound/internal/fixtures"
	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree/tracegen"
)

// Counting a trace token by token (for files too big to decode) gives
// what counting the decoded trace gives, on generated traces, the shared
// fixtures and the loose shapes countMeta accepts.
func TestCountMetaFromMatchesDecoded(t *testing.T) {
	inputs := map[string][]byte{
		"generated": tracegen.GenerateJSON(tracegen.Config{Spans: 3000, Errors: 7, Seed: 3}),
		"kind after children": []byte(`[{"event_id":"a","op":"http","transaction_id":"t1","children":[{"event_id":"b","event_type":"span","op":"db","transaction_id":"t1"}],"errors":[{"event_id":"e1"}],"event_type":"span"},
			{"event_id":"x","children":[{"event_type":"span","op":"db"}],"event_type":"error"},
			{"id":"e2","issue_id":"12","children":[{"event_type":"span","op":"skipped"}]},
			{"event_id":"u","event_type":"uptime_check","children":[{"event_type":"span","op":"ok"}],"occurrences":[{"id":"o1"},{"event_id":"o1"}]},
			{"event_id":"o2","event_type":"occurrence"},
			{"event_id":"n","issue_id":0,"op":"plain","errors":"not an array","children":{"not":"an array"}}]`),
	}
	if dir := fixtures.Dir(); dir != "" {
		for _, name := range []string{"api/cli-trace-spans.json", "api/openapi-example-trace.json"} {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				t.Fatal(err)
			}
			inputs[name] = b
		}
	}
	for name, data := range inputs {
		var tr wire.Trace
		if _, err := wire.DecodeLenient(data, &tr); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := countMeta(tr)
		got, err := countMetaFrom(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}
