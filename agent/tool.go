package agent

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
)

// The tools' names: the model calls them by these, transcripts record
// them, the UI and the MCP server look them up by them.
const (
	ToolTraceTree        = "get_trace_tree"
	ToolErrorEvent       = "get_error_event"
	ToolTransactionSpans = "get_transaction_spans"
	ToolProfile          = "get_profile"
	ToolCompareHealthy   = "compare_with_healthy"
	ToolListRepos        = "list_repositories"
	ToolSearchCode       = "search_code"
	ToolReadFile         = "read_file"
	ToolProposePatch     = "propose_patch"
	ToolReportRootCause  = "report_root_cause"
	ToolReportSolution   = "report_solution"
	ToolFinish           = "finish"
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
	// Summary, when set, says in one line what a call is about (its
	// main argument: the id, the query, the file) for the approval prompt
	// and the tool card. Without it, Summarize picks a likely argument.
	Summary func(args json.RawMessage) string
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

// Summarize is the one-line summary of a call of t with args: t's own
// Summary, else the first of the usual arguments (id, query, path…) that
// is set, else the first string argument as key=value.
func (t *Tool) Summarize(args json.RawMessage) string {
	if t != nil && t.Summary != nil {
		return t.Summary(args)
	}
	return genericSummary(args)
}

// builtinSummaries are the Summary of the built-in tools, for calls known
// by name only (a transcript saved before calls carried their summary).
var builtinSummaries = map[string]func(json.RawMessage) string{
	ToolSearchCode:      searchSummary,
	ToolReadFile:        readSummary,
	ToolProposePatch:    patchSummary,
	ToolReportRootCause: rootCauseSummary,
	ToolReportSolution:  solutionSummary,
	ToolCompareHealthy:  compareSummary,
}

// CallSummary is the one-line summary of a call: the one the run gave it,
// else its built-in tool's, else the likeliest argument.
func CallSummary(c Call) string {
	if c.Summary != "" {
		return c.Summary
	}
	if f := builtinSummaries[c.Name]; f != nil {
		return f(c.Args)
	}
	return genericSummary(c.Args)
}

// argMap decodes a call's arguments for a summary (nil when they are not
// a JSON object).
func argMap(args json.RawMessage) map[string]any {
	var m map[string]any
	if len(args) == 0 || json.Unmarshal(args, &m) != nil {
		return nil
	}
	return m
}

func argString(m map[string]any, k string) string {
	if s, ok := m[k].(string); ok {
		return strings.TrimSpace(s)
	}
	return ""
}

func argInt(m map[string]any, k string) int {
	if f, ok := m[k].(float64); ok {
		return int(f)
	}
	return 0
}

func genericSummary(args json.RawMessage) string {
	m := argMap(args)
	for _, k := range []string{"id", "node", "event_id", "query", "path", "name", "service", "repo"} {
		if s := argString(m, k); s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := argString(m, k); v != "" {
			return k + "=" + v
		}
	}
	return ""
}

// firstLineOf is s up to its first line break, trimmed at the start.
func firstLineOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
