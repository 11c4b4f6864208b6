package agent

import (
	"context"
	"encoding/json"
)

// Tool is what the model can call: data (name, description, JSON schema,
// whether it writes) plus a function. Every tool is also a CLI subcommand
// that prints the same text, so a person can see exactly what the model saw.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON schema of the arguments (an object schema).
	Parameters map[string]any
	// ReadOnly tools may run without asking (by policy); writing tools
	// always ask the user first.
	ReadOnly bool
	// Record tools only write the run's own report (report_root_cause,
	// report_solution, finish): they never ask, whatever the policy.
	Record bool
	// Validate, when set, checks the arguments before the user is asked to
	// approve a call and returns a preview for the approval card (e.g. the
	// diff of a patch). An error goes back to the model; the user is not
	// bothered with a call that cannot succeed.
	Validate func(ctx context.Context, args json.RawMessage) (preview string, err error)
	// Run executes the call. An error is returned to the model as the
	// tool's result ("Error: …"), and the run continues.
	Run func(ctx context.Context, args json.RawMessage) (Result, error)
}

// Result is a tool's output.
type Result struct {
	// Text is what the model reads (capped by the agent against the
	// context window before it is sent; the full text stays available to
	// the UI).
	Text string
	// Node is the id of the trace node the result is about (an error, a
	// transaction), so the UI can jump to it when the user drills in.
	Node string
	// Repo and Path name the file a code tool read or changed.
	Repo, Path string
	// Commit is set by a patch that was applied: the branch and commit.
	Branch, Commit string
}

// schema helpers for tool parameter definitions.

func objectSchema(required []string, props map[string]any) map[string]any {
	if required == nil {
		required = []string{}
	}
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

func stringProp(desc string) map[string]any {
	return map[string]any{"type": "string", "description": desc}
}

func intProp(desc string) map[string]any {
	return map[string]any{"type": "integer", "description": desc}
}

func boolProp(desc string) map[string]any {
	return map[string]any{"type": "boolean", "description": desc}
}
