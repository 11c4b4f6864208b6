package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// A structured report from every model. When the model ends a phase in
// prose without calling the phase's report tool, the run asks once more,
// in the first way the model supports:
//
//  1. the report tool, forced (tool_choice naming it);
//  2. response_format json_schema with the tool's schema (strict);
//  3. a plain request for the JSON object, parsed leniently (code fences,
//     text around it, the object wrapped in {"name":…,"arguments":…});
//  4. the prose itself, read into a report marked "unstructured", with the
//     services, files and functions it names as evidence candidates.
//
// What worked and what did not is recorded per model (ModelCaps): in the
// transcript as a notice, and, for a provider that keeps them
// (capabilityKeeper), in a cache, so the next run goes straight to what
// works.

// Structured-output methods, as Report.Structured names them.
const (
	viaTool         = "tool"
	viaForcedTool   = "forced_tool"
	viaJSONSchema   = "json_schema"
	viaJSON         = "json"
	viaUnstructured = "unstructured"
)

// capabilityKeeper is a provider that remembers what its model supports.
type capabilityKeeper interface {
	Capabilities() ModelCaps
	RecordCapabilities(ModelCaps)
}

// phaseTool is the report tool the current phase waits for ("" when the
// model may end here).
func (r *Run) phaseTool() string {
	switch {
	case r.report.RootCause == nil:
		return "report_root_cause"
	case len(r.report.Solution) == 0:
		return "report_solution"
	}
	return ""
}

// structure turns a phase the model ended in prose into a report, once
// per phase. It returns true when the loop should go on (the report was
// recorded and the model is asked to continue, or the run stopped).
func (r *Run) structure(prose string) bool {
	name := r.phaseTool()
	if name == "" || r.opts.Analyzer != "llm" || r.structured[name] {
		return false
	}
	if r.structured == nil {
		r.structured = map[string]bool{}
	}
	r.structured[name] = true
	tool, ok := r.toolByName(name)
	if !ok {
		return false
	}
	caps := r.capabilities()
	before := caps
	defer func() {
		if caps != before {
			r.recordCapabilities(caps, before)
		}
	}()

	// 1. The report tool, forced.
	if caps.ForcedToolChoice.worth() {
		r.publish(Event{Kind: EventNotice, Text: fmt.Sprintf("the model answered in prose: asking it again with %s forced (tool_choice)", name)})
		ask := Message{Role: "user", Content: fmt.Sprintf("Report what you concluded now by calling %s with the evidence you have.", name)}
		comp, err := r.structuredStep(ChatRequest{Tools: specs([]Tool{*tool}), ToolChoice: name}, ask)
		switch {
		case rejected(err):
			caps.ForcedToolChoice = Rejected
		case err != nil:
			r.finish("the model step failed; the run can be resumed", err)
			return true
		default:
			if tc, ok := callOf(comp, name); ok {
				r.addMessage(ask)
				msg := comp.Message
				msg.ToolCalls = []ToolCall{tc}
				r.addMessage(msg)
				r.handleCall(tc)
				if r.phaseTool() != name {
					caps.ForcedToolChoice = Works
					r.setStructured(name, viaForcedTool)
					r.phaseDone()
					return true
				}
			}
			caps.ForcedToolChoice = Ignored
		}
	}

	// 2. response_format json_schema.
	schema := strictSchema(tool.Parameters)
	if caps.JSONSchema.worth() {
		r.publish(Event{Kind: EventNotice, Text: fmt.Sprintf("asking the model for its %s as JSON (response_format json_schema)", phaseWhat(name))})
		ask := Message{Role: "user", Content: fmt.Sprintf("Give what you concluded as the JSON object of %s: %s", name, tool.Description)}
		comp, err := r.structuredStep(ChatRequest{JSONSchema: &JSONSchema{Name: name, Schema: schema, Strict: true}}, ask)
		switch {
		case rejected(err):
			caps.JSONSchema = Rejected
		case err != nil:
			r.finish("the model step failed; the run can be resumed", err)
			return true
		default:
			if r.applyJSON(tool, ask, comp) {
				caps.JSONSchema = Works
				r.setStructured(name, viaJSONSchema)
				r.phaseDone()
				return true
			}
			caps.JSONSchema = Ignored
		}
	}

	// 3. A plain request for the JSON object.
	if caps.PlainJSON.worth() {
		r.publish(Event{Kind: EventNotice, Text: fmt.Sprintf("asking the model for its %s as a plain JSON object", phaseWhat(name))})
		ask := Message{Role: "user", Content: fmt.Sprintf("Reply with only a JSON object, no other text, with these fields: %s", describeSchema(tool.Parameters))}
		comp, err := r.structuredStep(ChatRequest{}, ask)
		switch {
		case err != nil && !rejected(err):
			r.finish("the model step failed; the run can be resumed", err)
			return true
		case err == nil && r.applyJSON(tool, ask, comp):
			caps.PlainJSON = Works
			r.setStructured(name, viaJSON)
			r.phaseDone()
			return true
		}
		caps.PlainJSON = Ignored
	}

	// 4. The prose itself.
	if r.unstructured(name, prose) {
		r.setStructured(name, viaUnstructured)
		r.publish(Event{Kind: EventNotice, Text: fmt.Sprintf("the model gave no structured %s: it is read from its prose and marked unstructured", phaseWhat(name))})
		r.phaseDone()
		return true
	}
	return false
}

// setStructured records how the root cause was obtained (the solution
// plan's way is in the transcript's notices).
func (r *Run) setStructured(tool, how string) {
	if tool == "report_root_cause" {
		r.report.Structured = how
	}
}

func phaseWhat(tool string) string {
	if tool == "report_solution" {
		return "solution plan"
	}
	return "root cause"
}

// structuredStep asks the model once more, with ask appended (not kept in
// the conversation unless the answer is used).
func (r *Run) structuredStep(req ChatRequest, ask Message) (*Completion, error) {
	r.step++
	req.Messages = append(r.fitContext(), ask)
	comp, err := r.send(r.ctx, req, StreamHandler{OnWaiting: r.waiting})
	if err != nil {
		return nil, err
	}
	u := comp.Usage
	u.ContextWindow = r.opts.Provider.ContextWindow()
	if u.ContextTokens == 0 {
		u.ContextTokens = u.PromptTokens
	}
	r.publish(Event{Kind: EventUsage, Usage: &u})
	return comp, nil
}

func rejected(err error) bool {
	var me *ModelError
	return errors.As(err, &me) && me.Rejected()
}

func callOf(comp *Completion, name string) (ToolCall, bool) {
	for _, tc := range comp.Message.ToolCalls {
		if tc.Name == name {
			return tc, true
		}
	}
	return ToolCall{}, false
}

// applyJSON reads the tool's arguments from a JSON answer and runs the
// report tool with them; false when there is no usable object.
func (r *Run) applyJSON(tool *Tool, ask Message, comp *Completion) bool {
	args, ok := lenientJSON(comp.Message.Content, tool.Name)
	if !ok {
		return false
	}
	if _, err := tool.Run(r.ctx, args); err != nil {
		return false
	}
	r.addMessage(ask)
	r.addMessage(Message{Role: "assistant", Content: comp.Message.Content})
	return true
}

// phaseDone announces the next phase after a report obtained without the
// model's own tool call, pauses like a reported phase does, and tells the
// model to go on.
func (r *Run) phaseDone() {
	next := r.phaseNext
	r.phaseNext = ""
	if next == "" {
		return
	}
	r.publish(Event{Kind: EventPhase, Phase: next, Report: r.snapshot()})
	r.pause()
	switch next {
	case PhaseSolution:
		r.addMessage(Message{Role: "user", Content: "Root cause recorded. Now propose a solution plan with report_solution (concrete, ordered steps)."})
	case PhasePatch:
		r.addMessage(Message{Role: "user", Content: "Solution plan recorded. If a code change fixes the issue, propose it with propose_patch; then call finish."})
	}
}

// capabilities is what is known of the model's structured output.
func (r *Run) capabilities() ModelCaps {
	if r.caps == nil {
		c := ModelCaps{Model: r.opts.Provider.Name()}
		if k, ok := r.opts.Provider.(capabilityKeeper); ok {
			c = k.Capabilities()
		}
		r.caps = &c
	}
	return *r.caps
}

// recordCapabilities keeps what was learnt, says it in the transcript and
// lets the provider save it for the next run.
func (r *Run) recordCapabilities(now, before ModelCaps) {
	*r.caps = now
	var parts []string
	for _, f := range []struct {
		what    string
		was, is Support
	}{
		{"forced tool_choice", before.ForcedToolChoice, now.ForcedToolChoice},
		{"response_format json_schema", before.JSONSchema, now.JSONSchema},
		{"a plain request for JSON", before.PlainJSON, now.PlainJSON},
	} {
		if f.was != f.is {
			parts = append(parts, f.what+": "+f.is.String())
		}
	}
	r.publish(Event{Kind: EventNotice, Text: fmt.Sprintf("structured output of %s — %s (remembered for the next runs)", now.Model, strings.Join(parts, "; "))})
	if k, ok := r.opts.Provider.(capabilityKeeper); ok {
		k.RecordCapabilities(now)
	}
}

// ---- lenient JSON ----

var fenceRE = regexp.MustCompile("(?s)```[a-zA-Z]*\\s*\\n?(.*?)```")

// lenientJSON finds the JSON object of a tool's arguments in a model's
// answer: inside a code fence or not, with text before or after it, and
// unwrapped from {"name": tool, "arguments": {…}} or {tool: {…}}.
func lenientJSON(s, tool string) (json.RawMessage, bool) {
	candidates := []string{s}
	for _, m := range fenceRE.FindAllStringSubmatch(s, -1) {
		candidates = append([]string{m[1]}, candidates...)
	}
	for _, c := range candidates {
		for i := strings.IndexByte(c, '{'); i >= 0; {
			var obj map[string]json.RawMessage
			dec := json.NewDecoder(strings.NewReader(c[i:]))
			if dec.Decode(&obj) == nil {
				return unwrapArgs(obj, tool), true
			}
			j := strings.IndexByte(c[i+1:], '{')
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	return nil, false
}

func unwrapArgs(obj map[string]json.RawMessage, tool string) json.RawMessage {
	if inner, ok := obj[tool]; ok && len(obj) == 1 {
		return inner
	}
	for _, k := range []string{"arguments", "parameters"} {
		if inner, ok := obj[k]; ok && len(inner) > 0 && inner[0] == '{' {
			return inner
		}
	}
	b, _ := json.Marshal(obj)
	return b
}

// strictSchema makes a tool's schema usable with strict structured
// outputs: every property required, the optional ones nullable, no
// additional properties, at every level.
func strictSchema(s map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range s {
		out[k] = v
	}
	if props, ok := s["properties"].(map[string]any); ok {
		required := map[string]bool{}
		if req, ok := s["required"].([]string); ok {
			for _, r := range req {
				required[r] = true
			}
		}
		np := map[string]any{}
		var keys []string
		for k, v := range props {
			p, _ := v.(map[string]any)
			p = strictSchema(p)
			if !required[k] {
				p = nullable(p)
			}
			np[k] = p
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out["properties"], out["required"], out["additionalProperties"] = np, keys, false
	}
	if items, ok := s["items"].(map[string]any); ok {
		out["items"] = strictSchema(items)
	}
	return out
}

func nullable(p map[string]any) map[string]any {
	if t, ok := p["type"].(string); ok {
		p["type"] = []string{t, "null"}
	}
	if e, ok := p["enum"].([]string); ok {
		vals := make([]any, 0, len(e)+1)
		for _, v := range e {
			vals = append(vals, v)
		}
		p["enum"] = append(vals, nil)
	}
	return p
}

// describeSchema lists a tool's fields for a plain request: name, type,
// required, description.
func describeSchema(s map[string]any) string {
	props, _ := s["properties"].(map[string]any)
	req, _ := s["required"].([]string)
	var keys []string
	for k := range props {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := slices.Contains(req, keys[i]), slices.Contains(req, keys[j])
		if ri != rj {
			return ri
		}
		return keys[i] < keys[j]
	})
	var parts []string
	for _, k := range keys {
		p, _ := props[k].(map[string]any)
		typ, _ := p["type"].(string)
		if typ == "array" {
			if it, ok := p["items"].(map[string]any); ok {
				if t, _ := it["type"].(string); t == "object" {
					typ = "array of objects {" + describeSchema(it) + "}"
				} else {
					typ = "array of " + t
				}
			}
		}
		d := fmt.Sprintf("%q (%s", k, typ)
		if slices.Contains(req, k) {
			d += ", required"
		}
		d += ")"
		if desc, _ := p["description"].(string); desc != "" {
			d += ": " + desc
		}
		parts = append(parts, d)
	}
	return strings.Join(parts, "; ")
}
