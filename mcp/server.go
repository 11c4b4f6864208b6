// Package mcp serves an investigation's read-only tools over the Model
// Context Protocol, so that another agent (an AI editor, a coding agent)
// can read the incident the way tracehound's own agent does: the trace
// tree, the errors, the spans, the profiles, the services' code.
//
// It is a front end like the explorer: the tools, their names, input
// schemas and descriptions are the investigation's own (agent's tool
// definitions, never a second copy), and every call goes through
// investigation.CallTool, so the output is scrubbed and capped exactly
// as the model's is and code reads stay inside the repositories' sandbox.
// A failing call (bad arguments, an unknown id, a file outside the
// repositories, even a panic in a tool) is a tool error (isError) the
// calling agent can read and correct, never a protocol error or a crash.
package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/redact"
)

// Tools is what the server offers: an investigation's read-only tools
// and a way to call them by name (*investigation.Investigation).
type Tools interface {
	ReadOnlyTools() []agent.Tool
	CallTool(ctx context.Context, name string, args json.RawMessage, window int) (string, error)
}

// Options tune the server.
type Options struct {
	// Version is tracehound's version, announced to clients.
	Version string
	// Instructions tell the client what the server is about (the incident).
	Instructions string
	// Window caps each result for a context window of that many tokens (0:
	// the investigation's default).
	Window int
	// Logger receives what the server does (stderr: stdout is the
	// protocol's).
	Logger *slog.Logger
}

// NewServer returns an MCP server offering t's read-only tools.
func NewServer(t Tools, opts Options) *sdk.Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := sdk.NewServer(&sdk.Implementation{Name: "tracehound", Title: "tracehound", Version: firstNonEmpty(opts.Version, "dev")},
		&sdk.ServerOptions{Instructions: opts.Instructions, Logger: opts.Logger})
	for _, tool := range t.ReadOnlyTools() {
		schema := inputSchema(tool.Parameters)
		s.AddTool(&sdk.Tool{
			Name:        tool.Name,
			Description: tool.Description,
			InputSchema: schema,
			Annotations: &sdk.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: new(false)},
		}, handler(t, tool.Name, resolve(schema, opts.Logger), opts))
	}
	return s
}

// inputSchema is the tool's parameter schema, an object schema as MCP
// requires ({"type": "object"} when the tool takes none).
func inputSchema(params map[string]any) map[string]any {
	if params == nil {
		return map[string]any{"type": "object"}
	}
	if _, ok := params["type"]; !ok {
		out := map[string]any{"type": "object"}
		for k, v := range params {
			out[k] = v
		}
		return out
	}
	return params
}

// resolve prepares a tool's schema for checking arguments (nil when the
// schema cannot be resolved: the tool then checks its arguments itself).
func resolve(schema map[string]any, log *slog.Logger) *jsonschema.Resolved {
	b, err := json.Marshal(schema)
	if err != nil {
		return nil
	}
	var sc jsonschema.Schema
	if err := json.Unmarshal(b, &sc); err != nil {
		log.Warn("a tool schema does not decode", "err", err)
		return nil
	}
	rs, err := sc.Resolve(nil)
	if err != nil {
		log.Warn("a tool schema does not resolve", "err", err)
		return nil
	}
	return rs
}

// checkArgs checks a call's arguments against the tool's schema.
func checkArgs(name string, args json.RawMessage, rs *jsonschema.Resolved) error {
	trimmed := strings.TrimSpace(string(args))
	if trimmed == "" || trimmed == "null" {
		args = json.RawMessage("{}")
	} else if !strings.HasPrefix(trimmed, "{") {
		return fmt.Errorf("the arguments of %s must be a JSON object", name)
	}
	if rs == nil {
		return nil
	}
	var v map[string]any
	if err := json.Unmarshal(args, &v); err != nil {
		return fmt.Errorf("the arguments of %s are not valid JSON: %v", name, err)
	}
	if err := rs.Validate(v); err != nil {
		return fmt.Errorf("invalid arguments for %s: %v", name, err)
	}
	return nil
}

func handler(t Tools, name string, rs *jsonschema.Resolved, opts Options) sdk.ToolHandler {
	return func(ctx context.Context, req *sdk.CallToolRequest) (res *sdk.CallToolResult, err error) {
		var args json.RawMessage
		if req != nil && req.Params != nil {
			args = req.Params.Arguments
		}
		defer func() {
			if r := recover(); r != nil {
				opts.Logger.Error("a tool panicked", "tool", name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				res, err = toolError(fmt.Errorf("%s failed inside tracehound (%v); this is a bug, the server keeps running", name, r)), nil
			}
		}()
		if err := checkArgs(name, args, rs); err != nil {
			opts.Logger.Info("bad tool arguments", "tool", name, "err", err)
			return toolError(err), nil
		}
		text, cerr := t.CallTool(ctx, name, args, opts.Window)
		if cerr != nil {
			opts.Logger.Info("tool call failed", "tool", name, "err", cerr)
			return toolError(cerr), nil
		}
		opts.Logger.Info("tool call", "tool", name, "bytes", len(text))
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: text}}}, nil
	}
}

// toolError is a failed call as the calling agent reads it: isError, the
// message as text (scrubbed and sanitised like any result: it may quote
// event data).
func toolError(err error) *sdk.CallToolResult {
	return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: "Error: " + redact.Text(err.Error())}}}
}

// ServeStdio serves the MCP protocol on stdin/stdout until the client
// closes the connection or ctx ends. Nothing else may write to stdout.
func ServeStdio(ctx context.Context, s *sdk.Server) error {
	return s.Run(ctx, &sdk.StdioTransport{})
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
