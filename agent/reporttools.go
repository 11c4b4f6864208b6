package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// The report tools are how the model moves through the phases: it reports
// the root cause, then a solution plan, then (optionally) proposes a patch,
// then finishes. Each is recorded in the run's report.

var evidenceSchema = map[string]any{
	"type": "array",
	"items": objectSchema([]string{"kind", "ref", "detail"}, map[string]any{
		"kind":   map[string]any{"type": "string", "enum": []string{"error", "transaction", "span", "profile", "code", "commit", "breadcrumb"}},
		"ref":    stringProp("an event id prefix from the tree, a span id, repo:path:line, or a commit"),
		"detail": stringProp("what this shows, in one sentence"),
	}),
}

type rootCauseArgs struct {
	Summary     string      `json:"summary"`
	Service     string      `json:"service"`
	Repo        string      `json:"repo"`
	File        string      `json:"file"`
	Function    string      `json:"function"`
	Line        int         `json:"line"`
	Explanation string      `json:"explanation"`
	Confidence  string      `json:"confidence"`
	Evidence    []Evidence  `json:"evidence"`
	Chain       []ChainStep `json:"causal_chain"`
	// Alternatives are other candidates, weaker than the root cause.
	Alternatives []RootCause `json:"alternatives"`
}

type solutionArgs struct {
	Steps []string `json:"steps"`
}

type finishArgs struct {
	Summary string   `json:"summary"`
	Notes   []string `json:"notes"`
}

func (r *Run) reportTools() []Tool {
	return []Tool{
		{
			Name: ToolReportRootCause,
			Description: "Report the root cause once the evidence supports it: the service, file and function where the fault is, " +
				"why it produces the errors seen, the causal chain across services from the fault to the symptom, and the evidence " +
				"(event ids, spans, file:line, commits). The user may stop here or ask you to go on.",
			Parameters: objectSchema([]string{"summary", "service", "explanation", "evidence", "causal_chain"}, map[string]any{
				"summary":     stringProp("two or three sentences for the incident channel"),
				"service":     stringProp("the service (Sentry project) where the fault is"),
				"repo":        stringProp("the repository, as list_repositories names it"),
				"file":        stringProp("path of the file in the repository"),
				"function":    stringProp("the function at fault"),
				"line":        intProp("the line at fault, if known"),
				"explanation": stringProp("why this fault produces the observed errors"),
				"confidence":  map[string]any{"type": "string", "enum": []string{"high", "medium", "low"}},
				"evidence":    evidenceSchema,
				"causal_chain": map[string]any{"type": "array", "items": objectSchema([]string{"service", "what"}, map[string]any{
					"service": stringProp("service"), "what": stringProp("what happened there"), "evidence": evidenceSchema,
				})},
				"alternatives": map[string]any{"type": "array", "maxItems": 2, "items": objectSchema([]string{"service", "explanation"}, map[string]any{
					"service": stringProp("service"), "repo": stringProp("repository"), "file": stringProp("file"),
					"function": stringProp("function"), "line": intProp("line"), "explanation": stringProp("why it could be the cause, and why it ranks lower"),
					"confidence": map[string]any{"type": "string", "enum": []string{"high", "medium", "low"}}, "evidence": evidenceSchema,
				})},
			}),
			ReadOnly: true, Record: true,
			Summary: rootCauseSummary,
			Run: func(ctx context.Context, raw json.RawMessage) (Result, error) {
				var a rootCauseArgs
				if err := json.Unmarshal(raw, &a); err != nil {
					return Result{}, fmt.Errorf("arguments do not match the schema: %v", err)
				}
				if strings.TrimSpace(a.Service) == "" || strings.TrimSpace(a.Explanation) == "" {
					return Result{}, fmt.Errorf("service and explanation are required")
				}
				r.report.Summary = a.Summary
				r.report.RootCause = &RootCause{Service: a.Service, Repo: a.Repo, File: a.File, Function: a.Function, Line: a.Line,
					Explanation: a.Explanation, Confidence: a.Confidence, Evidence: a.Evidence}
				r.report.Chain = a.Chain
				r.report.Structured = viaTool
				r.report.Alternatives = nil
				for _, alt := range a.Alternatives {
					if strings.TrimSpace(alt.Service) != "" && len(r.report.Alternatives) < 2 {
						r.report.Alternatives = append(r.report.Alternatives, alt)
					}
				}
				r.phaseReported(PhaseSolution)
				return Result{Text: "Root cause recorded. Now propose a solution plan with report_solution (concrete, ordered steps), or continue if the user asked for something else."}, nil
			},
		},
		{
			Name:        ToolReportSolution,
			Description: "Report the solution plan: concrete, ordered steps (code change, config, rollback, test to add). Then propose a patch with propose_patch if a code change fixes it, or call finish.",
			Parameters: objectSchema([]string{"steps"}, map[string]any{
				"steps": map[string]any{"type": "array", "items": stringProp("one step")},
			}),
			ReadOnly: true, Record: true,
			Summary: solutionSummary,
			Run: func(ctx context.Context, raw json.RawMessage) (Result, error) {
				var a solutionArgs
				if err := json.Unmarshal(raw, &a); err != nil {
					return Result{}, fmt.Errorf("arguments do not match the schema: %v", err)
				}
				if len(a.Steps) == 0 {
					return Result{}, fmt.Errorf("give at least one step")
				}
				r.report.Solution = a.Steps
				r.phaseReported(PhasePatch)
				return Result{Text: "Solution plan recorded. If a code change fixes the issue, propose it with propose_patch (with a unit test when the repository has tests); then call finish."}, nil
			},
		},
		{
			Name:        ToolFinish,
			Description: "End the investigation. Give a final summary if it changed since report_root_cause, and any caveats.",
			Parameters: objectSchema(nil, map[string]any{
				"summary": stringProp("final summary (optional)"),
				"notes":   map[string]any{"type": "array", "items": stringProp("a caveat or follow-up")},
			}),
			ReadOnly: true, Record: true,
			Run: func(ctx context.Context, raw json.RawMessage) (Result, error) {
				var a finishArgs
				if err := json.Unmarshal(raw, &a); err != nil {
					return Result{}, fmt.Errorf("arguments do not match the schema: %v", err)
				}
				if a.Summary != "" {
					r.report.Summary = a.Summary
				}
				r.report.Notes = append(r.report.Notes, a.Notes...)
				r.publish(Event{Kind: EventPhase, Phase: PhaseDone, Report: r.snapshot()})
				r.completed = true
				r.finish("finished", nil)
				return Result{Text: "Done."}, nil
			},
		},
	}
}

// rootCauseSummary is `service file`.
func rootCauseSummary(args json.RawMessage) string {
	m := argMap(args)
	s := argString(m, "service")
	if f := argString(m, "file"); f != "" {
		s += " " + f
	}
	return s
}

// solutionSummary is `N steps`.
func solutionSummary(args json.RawMessage) string {
	if steps, ok := argMap(args)["steps"].([]any); ok {
		return fmt.Sprintf("%d steps", len(steps))
	}
	return ""
}

// recordPatch notes a proposed patch in the report: applied (with its
// branch and commit) or not (denied, or a headless run).
func (r *Run) recordPatch(args json.RawMessage, res *Result, preview string) {
	var a struct {
		Repo        string `json:"repo"`
		Diff        string `json:"diff"`
		Explanation string `json:"explanation"`
	}
	if json.Unmarshal(args, &a) != nil {
		return
	}
	p := &PatchInfo{Repo: a.Repo, Explanation: a.Explanation, Diff: a.Diff}
	if res != nil && res.Commit != "" {
		p.Applied, p.Branch, p.Commit = true, res.Branch, res.Commit
	}
	r.report.Patch = p
}

// snapshot copies the report as it stands (saved in transcripts so a
// resumed run keeps what was already found).
func (r *Run) snapshot() *Report {
	c := *r.report
	return &c
}
