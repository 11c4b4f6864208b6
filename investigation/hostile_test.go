package investigation

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/sentryapi/local/localtest"
)

// The read-only tools, as the MCP server and a model get them, answer
// over localtest's hostile dataset with its escapes made visible and its
// secrets masked.
func TestCallToolHostileData(t *testing.T) {
	srv, err := local.New(localtest.HostileDataset())
	if err != nil {
		t.Fatal(err)
	}
	c, err := sentryapi.New(sentryapi.Options{BaseURL: "http://dataset.test", Org: "acme", Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Open(context.Background(), Options{
		Source: Source{Client: c, Label: "hostile", Target: sentryapi.Target{Kind: sentryapi.TargetShortID, Issue: "BACKEND-1AB"},
			Ref: agent.Source{Kind: "data"}},
		CacheDir: t.TempDir(),
		Header:   agent.TranscriptHeader{Target: "BACKEND-1AB"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inv.Close() })
	for _, call := range []struct{ name, args string }{
		{agent.ToolTraceTree, `{}`},
		{agent.ToolErrorEvent, `{"id":"0a1b2c3d"}`},
		{agent.ToolTransactionSpans, `{"id":"9e9e9e9e"}`},
		{agent.ToolProfile, `{"id":"9e9e9e9e"}`},
		// Compared with its own trace (the dataset has no other): every
		// description and tag goes through the comparison's text.
		{agent.ToolCompareHealthy, `{"healthy_trace":"` + localtest.TraceID + `"}`},
	} {
		text, err := inv.CallTool(context.Background(), call.name, json.RawMessage(call.args), 0)
		if err != nil {
			t.Errorf("%s %s: %v", call.name, call.args, err)
		}
		for _, l := range localtest.Leaks(text) {
			t.Errorf("%s %s: %s", call.name, call.args, l)
		}
	}
}
