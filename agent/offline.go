package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/tracetree"
)

// OfflineName is how the offline analyzer names itself: it is not an LLM.
const OfflineName = "offline analyzer (heuristic, not an LLM)"

// Offline is the analyzer that works with no model: a deterministic
// Provider that plays the investigation through the same tools and events
// as a model would (so the user sees and approves the same calls) and
// produces the same report shape, labelled heuristic. It follows the chain
// of connected errors to the deepest failure, reads its in-app frames and
// the code they call, weighs recent changes, repeated spans, parallel
// duplicate queries, retries and profile hot spots, and names a probable
// root cause with its evidence. It proposes no patch.
type Offline struct {
	in    *Incident
	repos *Repos

	step     int
	analysis *analysis
	// queued are the plan's calls not made yet: a completion makes at most
	// one call of each tool, so that a denial with a reason can skip the
	// rest of that kind before they are asked for.
	queued []ToolCall
}

// NewOffline returns the offline analyzer for an incident; repos may be
// nil (no code is read then).
func NewOffline(in *Incident, repos *Repos) *Offline { return &Offline{in: in, repos: repos} }

// Name says what it is.
func (o *Offline) Name() string { return OfflineName }

// ContextWindow is large: nothing is sent to a model.
func (o *Offline) ContextWindow() int { return 1_000_000 }

// analysis is what the analyzer found.
type analysis struct {
	chain      []*tracetree.Node // errors from the symptom to the deepest
	path       []*tracetree.Node // the failing path's transactions, outermost first
	failures   []*failure        // the errors on it, deepest and most serious first
	deepest    *tracetree.Node
	deepEvent  *wire.Event
	crash      *frameRef
	txns       []*tracetree.Node // transactions worth looking at
	profiled   []*tracetree.Node
	candidates []*candidate
	searches   []searchCall
	notes      []string
	timeouts   bool
}

type frameRef struct {
	repo     *Repo
	path     string
	function string
	line     int
}

type candidate struct {
	// producer marks a candidate found by walking back from the failure
	// (a writer of the implicated field, a configuration read), not at the
	// crash site.
	producer bool
	repo     *Repo
	service  string
	file     string
	function string
	line     int
	score    float64
	why      []string
	evidence []Evidence
}

type searchCall struct {
	repo, query string
}

// Complete plays the next step of the fixed plan.
func (o *Offline) Complete(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if o.analysis == nil {
		o.analysis = o.analyze(ctx)
	}
	a := o.analysis
	have := map[string]bool{}
	for _, t := range req.Tools {
		have[t.Name] = true
	}
	say := func(s string) {
		if h.OnText != nil {
			h.OnText(s)
		}
	}
	denied := deniedTools(req.Messages)
	var calls []ToolCall
	add := func(name string, args any) {
		if !have[name] || denied[name] {
			return
		}
		b, _ := json.Marshal(args)
		calls = append(calls, ToolCall{ID: fmt.Sprintf("offline_%d_%d", o.step, len(calls)), Name: name, Arguments: string(b)})
	}
	if last := lastUserRedirect(req.Messages); last != "" && o.step > 0 {
		say("(The offline analyzer follows a fixed plan and cannot take instructions; configure a model to steer the investigation.) ")
	}
	var text string
	for _, c := range o.queued {
		if !denied[c.Name] {
			calls = append(calls, c)
		}
	}
	o.queued = nil
	for len(calls) == 0 && o.step < 6 {
		switch o.step {
		case 0:
			text = o.narrateChain()
			for _, n := range a.chain {
				add(ToolErrorEvent, map[string]string{"id": tracetree.ShortID(n.ID)})
			}
		case 1:
			if len(a.txns) > 0 || len(a.profiled) > 0 {
				text = "Checking the spans of the transactions on the failing path, and their profiles."
			}
			for _, n := range a.txns {
				add(ToolTransactionSpans, map[string]string{"id": tracetree.ShortID(n.ID)})
			}
			for _, n := range a.profiled {
				add(ToolProfile, map[string]string{"id": tracetree.ShortID(n.ID)})
			}
		case 2:
			if len(a.candidates) > 0 {
				text = "Reading the code of the most likely places."
			}
			for _, s := range a.searches {
				add(ToolSearchCode, map[string]any{"query": s.query, "repo": s.repo})
			}
			for i, c := range a.candidates {
				if i == 2 {
					break
				}
				if c.repo != nil && c.file != "" {
					start := max(1, c.line-15)
					add(ToolReadFile, map[string]any{"repo": c.repo.Name, "path": c.file, "start_line": start, "end_line": c.line + 25})
				}
			}
		case 3:
			rc, alts, chain, summary := o.rootCause()
			if rc == nil {
				text = "No root cause could be established from the data available."
				add(ToolFinish, map[string]any{"summary": "The offline analyzer could not establish a root cause.", "notes": a.notes})
				break
			}
			text = fmt.Sprintf("Most likely root cause: %s in %s (%s).", orDash(rc.Function), orDash(rc.File), rc.Service)
			add(ToolReportRootCause, map[string]any{
				"summary": summary, "service": rc.Service, "repo": rc.Repo, "file": rc.File, "function": rc.Function,
				"line": rc.Line, "explanation": rc.Explanation, "confidence": rc.Confidence, "evidence": rc.Evidence,
				"causal_chain": chain, "alternatives": alts,
			})
		case 4:
			add(ToolReportSolution, map[string]any{"steps": o.solution()})
		case 5:
			notes := append([]string{"Produced by the offline analyzer: deterministic heuristics, not an LLM. It proposes no patch; configure a model (--model, OPENAI_BASE_URL) for a deeper investigation and a fix."}, a.notes...)
			add(ToolFinish, map[string]any{"notes": notes})
		}
		o.step++
	}
	calls, o.queued = onePerTool(calls)
	if text != "" {
		say(text)
	}
	msg := Message{Role: "assistant", Content: text, ToolCalls: calls}
	finish := "tool_calls"
	if len(calls) == 0 {
		finish = "stop"
	}
	return &Completion{Message: msg, FinishReason: finish}, nil
}

func lastUserRedirect(msgs []Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].FromUser {
			return msgs[i].Content
		}
		if msgs[i].Role == "assistant" {
			return ""
		}
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// narrateChain describes the chain of connected errors.
func (o *Offline) narrateChain() string {
	a := o.analysis
	if len(a.chain) == 0 {
		return "Offline analyzer (heuristic, not an LLM): the trace has no connected errors to follow."
	}
	var parts []string
	for _, n := range a.chain {
		parts = append(parts, fmt.Sprintf("%s (%s)", orDash(n.IssueShortID), n.Project))
	}
	return "Offline analyzer (heuristic, not an LLM): following the connected errors from the symptom down the trace: " +
		strings.Join(parts, " ← ") + "; the deepest is in " + a.deepest.Project + "."
}

// analyze gathers everything the heuristics need, directly from the
// incident (events are cached, so the tool calls shown cost nothing more).
func (o *Offline) analyze(ctx context.Context) *analysis {
	a := &analysis{}
	in := o.in
	if in == nil || in.Tree == nil {
		a.notes = append(a.notes, "no trace was available")
		if in != nil && in.Event != nil {
			a.deepEvent = in.Event
		}
		o.codeCandidates(ctx, a)
		return a
	}
	a.chain = errorChain(in.Tree)
	a.path = failingPath(in.Tree)
	a.failures = o.gatherFailures(ctx, a.path, a.chain)
	o.chooseOrigin(a)
	for _, n := range a.chain {
		if ev, err := in.EventFor(ctx, n); err == nil && mentionsTimeout(ev) {
			a.timeouts = true
		}
		if p := n.Parent; p != nil && p.Kind == tracetree.KindTransaction && !containsNode(a.txns, p) {
			a.txns = append(a.txns, p)
		}
	}
	// Transactions below the failing path: where repeated or parallel work
	// may hide (N+1, retries, stampedes).
	for _, n := range subtree(focusRoot(in.Tree)) {
		if n.Kind == tracetree.KindTransaction && len(n.Spans) >= 8 && !containsNode(a.txns, n) && len(a.txns) < 6 {
			a.txns = append(a.txns, n)
		}
	}
	for _, n := range a.txns {
		if n.HasProfile() {
			a.profiled = append(a.profiled, n)
		}
	}
	o.codeCandidates(ctx, a)
	o.producerCandidates(ctx, a)
	o.configCandidates(ctx, a)
	o.changeCandidates(ctx, a)
	o.spanCandidates(ctx, a)
	o.stampedeCandidates(ctx, a)
	o.profileCandidates(ctx, a)
	sort.SliceStable(a.candidates, func(i, j int) bool { return a.candidates[i].score > a.candidates[j].score })
	return a
}

func (a *analysis) add(c candidate) *candidate {
	for _, x := range a.candidates {
		if x.repo == c.repo && x.file == c.file && x.function == c.function {
			x.score += c.score
			x.producer = x.producer || c.producer
			x.why = append(x.why, c.why...)
			x.evidence = append(x.evidence, c.evidence...)
			if x.line == 0 {
				x.line = c.line
			}
			return x
		}
	}
	cc := c
	a.candidates = append(a.candidates, &cc)
	return &cc
}

// deniedWithReason starts the result of a call the user denied with a
// reason (run.go writes it, the offline analyzer reads it).
const deniedWithReason = "The user denied this call and said:"

// deniedTools are the tools whose calls the user denied with a reason: the
// analyzer makes no more calls of that kind (its report tools excepted).
func deniedTools(msgs []Message) map[string]bool {
	out := map[string]bool{}
	for _, m := range msgs {
		if m.Role == "tool" && m.Name != "" && strings.HasPrefix(m.Content, deniedWithReason) {
			switch m.Name {
			case ToolReportRootCause, ToolReportSolution, ToolFinish:
			default:
				out[m.Name] = true
			}
		}
	}
	return out
}

// onePerTool keeps the first call of each tool and returns the others to
// be made later, in order.
func onePerTool(calls []ToolCall) (now, later []ToolCall) {
	seen := map[string]bool{}
	for _, c := range calls {
		if seen[c.Name] {
			later = append(later, c)
			continue
		}
		seen[c.Name] = true
		now = append(now, c)
	}
	return now, later
}
