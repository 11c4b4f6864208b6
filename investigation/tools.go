package investigation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/agent"
)

// ReadOnlyTools are the tools of the investigation that only read: the
// trace tools and the code tools that do not write (no patch, no report
// tools). Front ends for other agents (the MCP server) offer these.
func (inv *Investigation) ReadOnlyTools() []agent.Tool {
	var out []agent.Tool
	for _, t := range inv.Tools() {
		if t.ReadOnly && !t.Record {
			out = append(out, t)
		}
	}
	return out
}

// CallTool runs a read-only tool by name with JSON arguments and returns
// the text the model would get: secrets scrubbed, capped for a context
// window of window tokens (0: the investigation's provider's, else
// 128,000). A writing tool, or an unknown one, is refused.
func (inv *Investigation) CallTool(ctx context.Context, name string, args json.RawMessage, window int) (string, error) {
	var tool *agent.Tool
	tools := inv.ReadOnlyTools()
	for i := range tools {
		if tools[i].Name == name {
			tool = &tools[i]
		}
	}
	if tool == nil {
		names := make([]string, len(tools))
		for i, t := range tools {
			names[i] = t.Name
		}
		return "", fmt.Errorf("no read-only tool named %q; the tools are: %s", name, strings.Join(names, ", "))
	}
	if len(strings.TrimSpace(string(args))) == 0 {
		args = json.RawMessage("{}")
	}
	if !json.Valid(args) {
		return "", fmt.Errorf("the arguments of %s are not valid JSON", name)
	}
	if window <= 0 {
		window = 128_000
		if p, _, err := inv.Provider(); err == nil && p.Name() != agent.OfflineName {
			window = p.ContextWindow()
		}
	}
	res, err := tool.Run(ctx, args)
	if err != nil {
		return "", err
	}
	return agent.ModelOutput(res.Text, window), nil
}
