package agent

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi"
)

func findTool(t *testing.T, tools []Tool, name string) Tool {
	t.Helper()
	for _, tl := range tools {
		if tl.Name == name {
			return tl
		}
	}
	t.Fatalf("no tool %s", name)
	return Tool{}
}

// compare_with_healthy is defined once with the trace tools: read-only,
// with a schema, a summary and the same text as `tracehound compare`.
func TestCompareTool(t *testing.T) {
	in, srv := loadDemo(t)
	tool := findTool(t, in.Tools(), ToolCompareHealthy)
	if !tool.ReadOnly || tool.Parameters["type"] != "object" {
		t.Errorf("tool %+v", tool)
	}
	res, err := tool.Run(context.Background(), json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Text, "First divergence: auth-service function signing.Verify") || res.Node != in.Tree.Focus.Parent.ID {
		t.Errorf("result node %s, text:\n%s", res.Node, res.Text)
	}
	// The same comparison again is not fetched again.
	before := len(srv.Requests())
	again, err := tool.Run(context.Background(), json.RawMessage(`{"id":"`+in.Tree.Focus.ID[:8]+`"}`))
	if err != nil || again.Text != res.Text || len(srv.Requests()) != before {
		t.Errorf("the error's id compares its transaction from the cache: %v, %d requests", err, len(srv.Requests())-before)
	}
	for args, want := range map[string]string{
		`{}`: "the issue's transaction vs a healthy trace (search)",
		`{"id":"3766ca99","healthy_trace":"` + demo.HealthyTraceID + `"}`: "3766ca99 vs trace 5b339684",
	} {
		if got := CallSummary(Call{Name: ToolCompareHealthy, Args: json.RawMessage(args)}); got != want {
			t.Errorf("summary of %s = %q, want %q", args, got, want)
		}
	}
	// No healthy trace: an error that says so and what to do, not an
	// empty comparison.
	_, err = tool.Run(context.Background(), json.RawMessage(`{"id":"4f0aa257"}`))
	var nh *NoHealthyError
	if !errors.As(err, &nh) || !errors.Is(err, sentryapi.ErrNotFound) || !strings.Contains(err.Error(), "healthy_trace") {
		t.Errorf("no healthy trace: %v", err)
	}
	if _, err := tool.Run(context.Background(), json.RawMessage(`{"healthy_trace":"xyz"}`)); err == nil || !strings.Contains(err.Error(), "not a trace id") {
		t.Errorf("bad healthy_trace: %v", err)
	}
}
