package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestMCPOverStdio runs `tracehound mcp --demo` as a real MCP client does:
// the SDK's own client execs the binary and speaks over its stdin/stdout
// pipes. tools/list has the agent's read-only tools; tools/call answers
// with the views, and bad arguments with a tool error (the process keeps
// serving).
func TestMCPOverStdio(t *testing.T) {
	bin := build(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.Command(bin, "mcp", "--demo")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir(), "XDG_STATE_HOME="+t.TempDir(), "TRACEHOUND_MODEL=", "OPENAI_BASE_URL=")
	// exec copies the server's stderr from its own goroutine while the
	// test reads it: the writer is locked.
	var stderr lockedBuilder
	cmd.Stderr = &stderr
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "e2e", Version: "1"}, nil).Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect: %v\nstderr:\n%s", err, stderr.String())
	}
	defer cs.Close()
	if init := cs.InitializeResult(); init.ServerInfo.Name != "tracehound" || !strings.Contains(init.Instructions, "STOREFRONT-4Z") {
		t.Errorf("initialize: %+v", init)
	}

	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	for _, want := range []string{"get_trace_tree", "get_error_event", "get_transaction_spans", "get_profile", "compare_with_healthy", "list_repositories", "search_code", "read_file"} {
		if !strings.Contains(","+strings.Join(names, ",")+",", ","+want+",") {
			t.Errorf("tools/list lacks %s: %v", want, names)
		}
	}
	if len(names) != 8 {
		t.Errorf("%d tools: %v", len(names), names)
	}

	text := func(res *sdk.CallToolResult) string {
		var b strings.Builder
		for _, c := range res.Content {
			if tc, ok := c.(*sdk.TextContent); ok {
				b.WriteString(tc.Text)
			}
		}
		return b.String()
	}
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "get_trace_tree", Arguments: map[string]any{"budget": 2000}})
	if err != nil || res.IsError || !strings.Contains(text(res), "STOREFRONT-4Z") {
		t.Fatalf("get_trace_tree: %v %v\n%s", err, res != nil && res.IsError, text(res))
	}
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "search_code", Arguments: map[string]any{"query": "signature"}})
	if err != nil || res.IsError || !strings.Contains(text(res), "auth") {
		t.Errorf("search_code: %v\n%s", err, text(res))
	}
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "get_transaction_spans", Arguments: map[string]any{"id": 42}})
	if err != nil || !res.IsError || !strings.HasPrefix(text(res), "Error: ") {
		t.Errorf("bad arguments: %v %+v", err, res)
	}
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "list_repositories"})
	if err != nil || res.IsError {
		t.Errorf("after a bad call: %v %+v", err, res)
	}
	if !strings.Contains(stderr.String(), "serving on stdio") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// lockedBuilder is a strings.Builder safe to write from one goroutine
// (exec's stderr copier) and read from another (the test).
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
