package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Probe asks the model a few tiny questions to learn what it supports:
// streaming, tool calls, parallel tool calls, a forced tool choice,
// response_format json_schema, and the field its reasoning comes in. What
// it learns is saved in the provider's capability cache. A failure that
// is not about a feature (the server is unreachable, the key is wrong)
// ends the probe with that error.
func (p *OpenAI) Probe(ctx context.Context) (ModelCaps, error) {
	caps := p.Capabilities()
	weather := ToolSpec{Name: "get_weather", Description: "The current weather of a city.",
		Parameters: objectSchema([]string{"city"}, map[string]any{"city": stringProp("the city")})}
	ask := func(req ChatRequest, prompt string) (*Completion, int, error) {
		req.Messages = []Message{{Role: "user", Content: prompt}}
		req.MaxOutputTokens = 300
		chunks := 0
		comp, err := p.Complete(ctx, req, StreamHandler{
			OnText:      func(string) { chunks++ },
			OnReasoning: func(string) { chunks++ },
		})
		if comp != nil && comp.ReasoningField != "" {
			caps.ReasoningField = comp.ReasoningField
		}
		return comp, chunks, err
	}
	fatal := func(err error) bool {
		var me *ModelError
		return err != nil && (!errors.As(err, &me) || me.StatusCode == 401 || me.StatusCode == 403 || me.StatusCode == 404 || me.StatusCode == 429)
	}

	// Streaming: a short answer in several chunks.
	_, chunks, err := ask(ChatRequest{}, "Count from 1 to 5, separated by spaces.")
	if fatal(err) {
		return caps, err
	}
	caps.Streaming = Absent // no chunk: the server does not stream
	if err == nil && chunks > 0 {
		caps.Streaming = Works
	}

	// Tool calls, one then two in one turn.
	comp, _, err := ask(ChatRequest{Tools: []ToolSpec{weather}}, "What is the weather in Paris? Use the get_weather tool.")
	if fatal(err) {
		return caps, err
	}
	caps.ToolCalls = feature(err, comp != nil && len(comp.Message.ToolCalls) > 0 && comp.Message.ToolCalls[0].Name == "get_weather")
	if caps.ToolCalls == Works {
		comp, _, err = ask(ChatRequest{Tools: []ToolSpec{weather}}, "What is the weather in Paris and in Berlin? Call get_weather for both cities at once, in one answer.")
		if fatal(err) {
			return caps, err
		}
		caps.ParallelToolCalls = feature(err, comp != nil && len(comp.Message.ToolCalls) >= 2)
	} else {
		caps.ParallelToolCalls = Absent
	}

	// A forced tool: the model would rather greet.
	comp, _, err = ask(ChatRequest{Tools: []ToolSpec{weather}, ToolChoice: weather.Name}, "Say hello.")
	if fatal(err) {
		return caps, err
	}
	caps.ForcedToolChoice = feature(err, comp != nil && len(comp.Message.ToolCalls) > 0 && comp.Message.ToolCalls[0].Name == weather.Name)

	// json_schema.
	schema := strictSchema(objectSchema([]string{"city", "country"}, map[string]any{"city": stringProp("a city"), "country": stringProp("its country")}))
	comp, _, err = ask(ChatRequest{JSONSchema: &JSONSchema{Name: "city", Schema: schema, Strict: true}}, "Name a large city.")
	if fatal(err) {
		return caps, err
	}
	ok := false
	if comp != nil {
		var v struct{ City, Country string }
		ok = json.Unmarshal([]byte(strings.TrimSpace(comp.Message.Content)), &v) == nil && v.City != ""
	}
	caps.JSONSchema = feature(err, ok)

	p.RecordCapabilities(caps)
	return p.Capabilities(), nil
}

// feature reads one probe: refused by the server, not followed by the
// model, or working.
func feature(err error, worked bool) Support {
	switch {
	case rejected(err):
		return Rejected
	case err != nil || !worked:
		return Ignored
	}
	return Works
}

// CapsTable formats capabilities as the rows `tracehound models --probe`
// prints.
func CapsTable(list []ModelCaps) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-28s %-9s %-10s %-8s %-11s %-11s %s\n", "MODEL", "STREAMING", "TOOL CALLS", "PARALLEL", "FORCED TOOL", "JSON SCHEMA", "REASONING FIELD")
	for _, c := range list {
		rf := c.ReasoningField
		if rf == "" {
			rf = "-"
		}
		fmt.Fprintf(&b, "%-28s %-9s %-10s %-8s %-11s %-11s %s\n", c.Model, c.Streaming, c.ToolCalls, c.ParallelToolCalls, c.ForcedToolChoice, c.JSONSchema, rf)
	}
	return b.String()
}
