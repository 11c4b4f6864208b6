package sdkevent_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/ingest/sdkevent"
	"github.com/tracehound/tracehound/internal/fixtures"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// TestConformance decodes every SDK-format event and checks the
// API form keeps what tracehound reads: frames with their context lines,
// spans, breadcrumbs, request, tags, the trace link.
func TestConformance(t *testing.T) {
	dir := fixtures.Dir()
	if dir == "" {
		t.Skip("../shared/fixtures/sentry is not present")
	}
	entries, err := os.ReadDir(filepath.Join(dir, "ingest"))
	if err != nil {
		t.Fatalf("fixtures folder is present but ingest/ is unreadable: %v", err)
	}
	if len(entries) == 0 {
		t.Fatal("no ingest fixtures")
	}
	for _, e := range entries {
		name := "ingest/" + e.Name()
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			var raw map[string]any
			if err := json.Unmarshal(data, &raw); err != nil {
				t.Fatal(err)
			}
			ev, err := sdkevent.Decode(data)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if ev.EventID == "" && raw["event_id"] != nil {
				t.Errorf("event id lost")
			}
			if spans, ok := raw["spans"].([]any); ok {
				if got := len(ev.Spans()); got != len(spans) {
					t.Errorf("%d spans, want %d", got, len(spans))
				}
				for _, s := range ev.Spans() {
					if s.SpanID == "" || s.Timestamp < s.StartTimestamp || s.Timestamp == 0 {
						t.Errorf("span lost its id or times: %+v", s)
						break
					}
				}
			}
			exc := raw["exception"]
			if exc == nil {
				exc = raw["sentry.interfaces.Exception"]
			}
			if exc != nil {
				x := ev.Exception()
				if x == nil || len(x.Values) == 0 {
					t.Fatalf("exception lost")
				}
				frames, withCtx := 0, 0
				for _, v := range x.Values {
					if v.Stacktrace == nil {
						continue
					}
					for _, f := range v.Stacktrace.Frames {
						frames++
						if len(f.Context) > 0 {
							withCtx++
							found := false
							for _, c := range f.Context {
								found = found || c.Line == f.LineNo
							}
							if !found {
								t.Errorf("frame %s: context does not contain line %d", f.Function, f.LineNo)
							}
						}
					}
				}
				if frames == 0 {
					t.Errorf("frames lost")
				}
				if strings.Contains(string(data), "context_line") && withCtx == 0 {
					t.Errorf("context lines lost")
				}
				if ev.Title == "" {
					t.Errorf("no title")
				}
			}
			if raw["breadcrumbs"] != nil || raw["sentry.interfaces.Breadcrumbs"] != nil {
				if ev.Breadcrumbs() == nil || len(ev.Breadcrumbs().Values) == 0 {
					t.Errorf("breadcrumbs lost")
				}
			}
			if raw["request"] != nil || raw["sentry.interfaces.Http"] != nil {
				if ev.Request() == nil {
					t.Errorf("request lost")
				}
			}
			if tags, ok := raw["tags"]; ok && tags != nil && len(ev.Tags) == 0 {
				t.Errorf("tags lost")
			}
			if ctx, ok := raw["contexts"].(map[string]any); ok && ctx["trace"] != nil && ev.TraceID() == "" {
				t.Errorf("trace context lost")
			}
			if raw["type"] == "transaction" && (ev.Type != "transaction" || ev.StartTimestamp == 0) {
				t.Errorf("transaction: type %q start %v", ev.Type, ev.StartTimestamp)
			}
			// The API form round-trips through the API decoder.
			b, err := wire.Encode(ev)
			if err != nil {
				t.Fatal(err)
			}
			var back wire.Event
			if err := wire.Decode(b, &back); err != nil {
				t.Fatalf("API form does not decode: %v", err)
			}
			if len(back.Entries) != len(ev.Entries) {
				t.Errorf("entries %d → %d after a round trip", len(ev.Entries), len(back.Entries))
			}
		})
	}
}
