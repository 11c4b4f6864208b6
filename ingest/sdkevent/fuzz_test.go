package sdkevent_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tracehound/tracehound/ingest/sdkevent"
	"github.com/tracehound/tracehound/internal/fixtures"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

func FuzzDecode(f *testing.F) {
	if dir := fixtures.Dir(); dir != "" {
		for _, n := range []string{"ingest/sample-python-modern.json", "ingest/sample-java.json", "ingest/sample-transaction.json", "ingest/sentry-go-transaction-event.json"} {
			if b, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{`{"exception":[{"type":"E","stacktrace":{"frames":[{"lineno":2,"pre_context":["a","b","c"],"context_line":"x"}]}}],"tags":{"a":1}}`,
		``, `null`, `{}`, `[]`, `"str"`, `{"a":`, "\xff\xfe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := sdkevent.Decode(data)
		if err != nil {
			return
		}
		out, err := wire.Encode(ev)
		if err != nil {
			t.Fatalf("converted event does not encode: %v", err)
		}
		var back wire.Event
		if err := wire.Decode(out, &back); err != nil {
			t.Fatalf("converted event does not decode: %v", err)
		}
	})
}
