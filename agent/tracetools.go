package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/tracetree"
)

// Default budgets of the trace tools' texts, in tokens.
const (
	treeToolBudget    = 3000
	eventToolBudget   = 3000
	spansToolBudget   = 3000
	profileToolBudget = 2500
	compareToolBudget = 2500
)

type idArgs struct {
	ID     string `json:"id"`
	Budget int    `json:"budget"`
}

func parseID(raw json.RawMessage) (idArgs, error) {
	var a idArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("arguments do not match the schema: %v", err)
	}
	a.ID = strings.TrimSpace(a.ID)
	if a.ID == "" {
		return a, fmt.Errorf("id is required: an id (or unique prefix) from the trace tree")
	}
	if a.Budget < 0 {
		a.Budget = 0
	}
	return a, nil
}

func budgetOr(b, def int) int {
	if b <= 0 {
		return def
	}
	return min(b, 4*def)
}

// Tools are the trace tools over this incident: the same texts as the CLI
// views (tracehound tree, event, spans, profile).
func (in *Incident) Tools() []Tool {
	idSchema := objectSchema([]string{"id"}, map[string]any{
		"id":     stringProp("an event id from the trace tree (the id= value, or any unique prefix of 4+ characters)"),
		"budget": intProp("optional: most tokens the result may take"),
	})
	return []Tool{
		{
			Name:        ToolTraceTree,
			Description: "The trace as a tree of transactions (services) with connected errors, the path to the issue's event marked with ▶. Use a larger budget to see more transactions.",
			Parameters:  objectSchema(nil, map[string]any{"budget": intProp("most tokens the tree may take (default 3000)")}),
			ReadOnly:    true,
			Run: func(ctx context.Context, raw json.RawMessage) (Result, error) {
				var a idArgs
				_ = json.Unmarshal(raw, &a)
				text, err := in.TreeText(budgetOr(a.Budget, treeToolBudget))
				return Result{Text: text}, err
			},
		},
		{
			Name:        ToolErrorEvent,
			Description: "A connected error's details: exception chain with the crash site first, in-app frames with source lines and the variables they use, breadcrumbs, request and tags.",
			Parameters:  idSchema,
			ReadOnly:    true,
			Run:         in.nodeView(in.ErrorText, eventToolBudget),
		},
		{
			Name:        ToolTransactionSpans,
			Description: "The spans of one transaction: timings, the critical path, repeated queries grouped (N+1), gaps, failed spans and their key attributes.",
			Parameters:  idSchema,
			ReadOnly:    true,
			Run:         in.nodeView(in.SpansText, spansToolBudget),
		},
		{
			Name:        ToolProfile,
			Description: "The CPU profile of a transaction marked \"profile available\": a call tree of the application's functions with total and self time, system code folded into its caller, and the hottest functions.",
			Parameters:  idSchema,
			ReadOnly:    true,
			Run:         in.nodeView(in.ProfileText, profileToolBudget),
		},
		{
			Name:        ToolCompareHealthy,
			Description: "Compare a transaction of this trace with the same transaction in a healthy trace (the newest one in which it ran with status ok and no errors, or healthy_trace): the spans that appear or vanish, durations changed beyond noise, status and attribute changes (releases among them), errors only the failing trace has, repeats whose count changed, and the first point where the two diverge. Use it to see what changed compared with a request that worked.",
			Parameters: objectSchema(nil, map[string]any{
				"id":            stringProp("optional: a transaction (or error) id from the trace tree; default the transaction of the issue's event"),
				"healthy_trace": stringProp("optional: the 32-hex id of a trace to compare with, instead of searching for a healthy one"),
				"budget":        intProp("optional: most tokens the result may take"),
			}),
			ReadOnly: true,
			Summary:  compareSummary,
			Run:      in.runCompare,
		},
	}
}

type compareArgs struct {
	ID           string `json:"id"`
	HealthyTrace string `json:"healthy_trace"`
	Budget       int    `json:"budget"`
}

func (in *Incident) runCompare(ctx context.Context, raw json.RawMessage) (Result, error) {
	var a compareArgs
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a); err != nil {
			return Result{}, fmt.Errorf("arguments do not match the schema: %v", err)
		}
	}
	n, err := in.CompareTarget(a.ID)
	if err != nil {
		return Result{}, err
	}
	text, err := in.CompareText(ctx, n.ID, a.HealthyTrace, budgetOr(max(a.Budget, 0), compareToolBudget))
	return Result{Text: text, Node: n.ID}, err
}

// compareSummary is a compare call in one line: which transaction, with
// which trace.
func compareSummary(raw json.RawMessage) string {
	var a compareArgs
	_ = json.Unmarshal(raw, &a)
	what := "the issue's transaction"
	if id := strings.TrimSpace(a.ID); id != "" {
		what = tracetree.ShortID(redact.SanitizeLine(id))
	}
	with := "a healthy trace (search)"
	if h := strings.TrimSpace(a.HealthyTrace); h != "" {
		with = "trace " + tracetree.ShortID(redact.SanitizeLine(h))
	}
	return what + " vs " + with
}

// nodeView is the Run of a tool that shows one trace node: it parses the
// id (and budget), renders the view and names the node for the UI.
func (in *Incident) nodeView(view func(context.Context, string, int) (string, error), budget int) func(context.Context, json.RawMessage) (Result, error) {
	return func(ctx context.Context, raw json.RawMessage) (Result, error) {
		a, err := parseID(raw)
		if err != nil {
			return Result{}, err
		}
		text, err := view(ctx, a.ID, budgetOr(a.Budget, budget))
		return Result{Text: text, Node: in.nodeID(a.ID)}, err
	}
}

// nodeID resolves an id to the full id of its node, for the UI ("" when it
// does not resolve).
func (in *Incident) nodeID(id string) string {
	if in.Tree == nil {
		return ""
	}
	if n, err := in.Tree.Resolve(id); err == nil {
		return n.ID
	}
	return ""
}
