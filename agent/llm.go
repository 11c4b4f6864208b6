package agent

import (
	"context"
	"encoding/json"
	"time"
)

// Message is one message of the conversation with the model, in a form
// independent of any client library, so transcripts can be saved and
// resumed and the offline analyzer can take part.
type Message struct {
	Role       string     `json:"role"` // system, user, assistant, tool
	Content    string     `json:"content,omitempty"`
	Reasoning  string     `json:"reasoning,omitempty"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
	// Name is the tool's name on tool messages.
	Name string `json:"name,omitempty"`
	// FromUser marks a user message typed during the run (a redirect).
	FromUser bool `json:"from_user,omitempty"`
}

// ToolCall is a call the model asked for. Arguments are kept exactly as
// the model produced them (they may not be valid JSON).
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// ToolSpec is what the model is told about a tool.
type ToolSpec struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Parameters  map[string]any `json:"parameters"`
}

// ChatRequest is one completion request.
type ChatRequest struct {
	Messages []Message
	Tools    []ToolSpec
	// ToolChoice forces a call of the tool of that name ("": the model
	// chooses).
	ToolChoice string
	// JSONSchema asks for an answer that is a JSON object of this schema
	// (response_format json_schema).
	JSONSchema *JSONSchema
	// MaxOutputTokens lowers the provider's cap on the answer for this
	// request (0: the provider's cap).
	MaxOutputTokens int
}

// JSONSchema is a structured-output format.
type JSONSchema struct {
	Name   string
	Schema map[string]any
	Strict bool
}

// StreamHandler receives a completion's deltas as they arrive.
type StreamHandler struct {
	OnText      func(string)
	OnReasoning func(string)
	// OnWaiting is called every few seconds while no token has arrived
	// yet, with the time waited so far.
	OnWaiting func(time.Duration)
}

// Completion is a finished model step.
type Completion struct {
	Message      Message // the assistant message (content, reasoning, tool calls)
	FinishReason string
	Usage        Usage
	// Truncated is true when the answer was cut at the output cap
	// (OutputCap tokens), by tracehound or by the server.
	Truncated bool
	OutputCap int
	// ReasoningField names the field the server sent reasoning in
	// (reasoning_content, reasoning), if any.
	ReasoningField string
}

// Provider completes conversations: an OpenAI-compatible server, or the
// offline analyzer.
type Provider interface {
	// Name is the model's name, or "offline analyzer".
	Name() string
	// ContextWindow is how many tokens the model reads at most.
	ContextWindow() int
	// Complete runs one step, streaming deltas to h. It honours ctx.
	Complete(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error)
}

// specs turns tools into what the model is told.
func specs(tools []Tool) []ToolSpec {
	out := make([]ToolSpec, 0, len(tools))
	for _, t := range tools {
		out = append(out, ToolSpec{Name: t.Name, Description: t.Description, Parameters: t.Parameters})
	}
	return out
}

// canonicalArgs normalises JSON arguments for duplicate detection: keys
// sorted, whitespace removed. Invalid JSON is returned as is.
func canonicalArgs(args string) string {
	var v any
	if err := json.Unmarshal([]byte(args), &v); err != nil {
		return args
	}
	b, err := json.Marshal(v) // encoding/json sorts map keys
	if err != nil {
		return args
	}
	return string(b)
}
