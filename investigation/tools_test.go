package investigation

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/agent"
)

// The read-only tools are offered by name and answer with the text the
// model would get; writing tools are refused.
func TestReadOnlyToolsAndCallTool(t *testing.T) {
	inv := openDemo(t, Options{})
	var names []string
	for _, tool := range inv.ReadOnlyTools() {
		names = append(names, tool.Name)
		if !tool.ReadOnly || tool.Record {
			t.Errorf("%s is not a read-only tool", tool.Name)
		}
	}
	for _, want := range []string{agent.ToolTraceTree, agent.ToolErrorEvent, agent.ToolSearchCode, agent.ToolReadFile} {
		if !slices.Contains(names, want) {
			t.Errorf("read-only tools %v lack %s", names, want)
		}
	}
	if slices.Contains(names, agent.ToolProposePatch) || slices.Contains(names, agent.ToolFinish) {
		t.Errorf("read-only tools %v include a writing or report tool", names)
	}
	text, err := inv.CallTool(context.Background(), agent.ToolTraceTree, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	want, err := inv.Incident().TreeText(3000)
	if err != nil || text != agent.ModelOutput(want, 128_000) || !strings.Contains(text, "▶") {
		t.Errorf("get_trace_tree answered\n%s\nwant the tree text", text)
	}
	small, err := inv.CallTool(context.Background(), agent.ToolTraceTree, json.RawMessage(`{"budget":12000}`), 2000)
	if err != nil || !strings.Contains(small, "omitted") {
		t.Errorf("a small window does not cap the result: %v\n%s", err, small)
	}
	if _, err := inv.CallTool(context.Background(), agent.ToolProposePatch, json.RawMessage(`{}`), 0); err == nil {
		t.Error("propose_patch was callable")
	}
	if _, err := inv.CallTool(context.Background(), agent.ToolErrorEvent, json.RawMessage(`{"id":`), 0); err == nil {
		t.Error("invalid JSON was accepted")
	}
}
