package mcp

import (
	"context"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
)

// openDemo opens the embedded demo incident as an investigation (no
// model: the tools only read).
func openDemo(t *testing.T) *investigation.Investigation {
	t.Helper()
	srv, err := local.New(demo.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	c, err := sentryapi.New(sentryapi.Options{BaseURL: "http://dataset.test", Org: demo.OrgSlug, Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := investigation.Open(context.Background(), investigation.Options{
		Source: investigation.Source{
			Client: c, Label: demo.Label, Dataset: demo.Dataset(), Demo: true,
			Target: sentryapi.Target{Kind: sentryapi.TargetShortID, Issue: demo.IssueShortID},
			Ref:    agent.Source{Kind: "demo", Name: demo.Incident},
		},
		CacheDir: t.TempDir(),
		Model:    investigation.ModelConfig{Offline: true},
		Policy:   investigation.Policy{Headless: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inv.Close() })
	return inv
}

// connect serves tools in memory and returns a client session of the
// SDK's own client.
func connect(t *testing.T, tools Tools) *sdk.ClientSession {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, ct := sdk.NewInMemoryTransports()
	ss, err := NewServer(tools, Options{Version: "test"}).Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test-client", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func call(t *testing.T, cs *sdk.ClientSession, name string, args any) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: a protocol error: %v", name, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError
}

// The tools offered are the agent's read-only tools with their own names,
// descriptions and schemas; writing and report tools are not offered.
func TestToolsList(t *testing.T) {
	inv := openDemo(t)
	cs := connect(t, inv)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	want := []string{agent.ToolTraceTree, agent.ToolErrorEvent, agent.ToolTransactionSpans, agent.ToolProfile, agent.ToolCompareHealthy,
		agent.ToolListRepos, agent.ToolSearchCode, agent.ToolReadFile}
	if got := strings.Join(names, ","); got != strings.Join(want, ",") && !sameSet(names, want) {
		t.Fatalf("tools %v, want %v", names, want)
	}
	defs := map[string]agent.Tool{}
	for _, d := range inv.ReadOnlyTools() {
		defs[d.Name] = d
	}
	for _, tool := range res.Tools {
		d := defs[tool.Name]
		if tool.Description != d.Description || tool.Annotations == nil || !tool.Annotations.ReadOnlyHint {
			t.Errorf("%s: description or annotations differ from the agent's", tool.Name)
		}
		// The schema as the client received it is the agent's, through JSON.
		var wantSchema any
		b, _ := json.Marshal(inputSchema(d.Parameters))
		json.Unmarshal(b, &wantSchema)
		if !reflect.DeepEqual(tool.InputSchema, wantSchema) {
			t.Errorf("%s: schema %v, want %v", tool.Name, tool.InputSchema, wantSchema)
		}
	}
	if _, ok := defs[agent.ToolTraceTree].Parameters["properties"].(map[string]any)["budget"]; !ok {
		t.Errorf("get_trace_tree has no budget parameter: %v", defs[agent.ToolTraceTree].Parameters)
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

var errorID = regexp.MustCompile(`ERROR: .* id=([0-9a-f]{8})`)

// Calls return what the agent's tools return; bad calls are tool errors
// the client can read, and the session goes on.
func TestToolsCall(t *testing.T) {
	inv := openDemo(t)
	cs := connect(t, inv)

	tree, isErr := call(t, cs, agent.ToolTraceTree, map[string]any{"budget": 4000})
	if isErr || !strings.Contains(tree, "Trace ") {
		t.Fatalf("get_trace_tree (error %v):\n%s", isErr, tree)
	}
	m := errorID.FindStringSubmatch(tree)
	if m == nil {
		t.Fatalf("no error id in the tree:\n%s", tree)
	}
	ev, isErr := call(t, cs, agent.ToolErrorEvent, map[string]any{"id": m[1]})
	direct, derr := inv.CallTool(context.Background(), agent.ToolErrorEvent, json.RawMessage(`{"id":"`+m[1]+`"}`), 0)
	if isErr || derr != nil || ev != direct {
		t.Errorf("get_error_event differs from the investigation's tool (error %v, %v)", isErr, derr)
	}
	repos, isErr := call(t, cs, agent.ToolListRepos, nil)
	if isErr || !strings.Contains(repos, "payments") {
		t.Errorf("list_repositories (error %v):\n%s", isErr, repos)
	}

	for _, tc := range []struct {
		name string
		tool string
		args any
		want string
	}{
		{"unknown id", agent.ToolErrorEvent, map[string]any{"id": "ffffffff"}, ""},
		{"missing id", agent.ToolErrorEvent, map[string]any{}, ""},
		{"wrong type", agent.ToolTraceTree, map[string]any{"budget": "lots"}, ""},
		{"outside the repositories", agent.ToolReadFile, map[string]any{"repo": "payments", "path": "../../../../etc/passwd"}, ""},
		{"not an object", agent.ToolSearchCode, json.RawMessage(`[1, 2]`), "JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, isErr := call(t, cs, tc.tool, tc.args)
			if !isErr || !strings.HasPrefix(text, "Error: ") || !strings.Contains(text, tc.want) {
				t.Errorf("isError %v: %q", isErr, text)
			}
			if strings.Contains(text, "root:x:0") {
				t.Errorf("read outside the sandbox: %q", text)
			}
		})
	}
	// The session still answers.
	if again, isErr := call(t, cs, agent.ToolTraceTree, nil); isErr || again == "" {
		t.Errorf("after the errors: %v %q", isErr, again)
	}
	// An unknown tool is the protocol's error, not a crash.
	if _, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "propose_patch"}); err == nil {
		t.Error("a writing tool was callable")
	}
}

// panicky is a tool set whose tool panics and whose error quotes a
// secret and a terminal escape.
type panicky struct{}

func (panicky) ReadOnlyTools() []agent.Tool {
	return []agent.Tool{{Name: "boom", Description: "panics", Parameters: map[string]any{"type": "object"}}, {Name: "leak", Description: "fails"}}
}

func (panicky) CallTool(_ context.Context, name string, _ json.RawMessage, _ int) (string, error) {
	if name == "boom" {
		panic("index out of range")
	}
	return "", errorString("token=sk-live-abcdefabcdefabcdefabcdef1234 \x1b]0;pwned\x07 not found")
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestToolFailuresAreSafe(t *testing.T) {
	cs := connect(t, panicky{})
	text, isErr := call(t, cs, "boom", nil)
	if !isErr || !strings.Contains(text, "bug") {
		t.Errorf("a panic: %v %q", isErr, text)
	}
	text, isErr = call(t, cs, "leak", nil)
	if !isErr || strings.Contains(text, "sk-live") || strings.Contains(text, "\x1b") || !strings.Contains(text, "not found") {
		t.Errorf("an error quoting data: %q", text)
	}
}
