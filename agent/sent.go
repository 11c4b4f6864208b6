package agent

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/tracehound/tracehound/tracetree"
)

// What the model saw: every request records, before it goes to the
// provider, the messages exactly as they are handed to it — scrubbed,
// capped and compacted (fitMessages) — in an EventContext. Only the
// messages that are new or changed since the run's previous request are
// in the event (a transcript stays linear in the conversation's size);
// ModelContext folds the events back into the last request. The view of
// the model's context is built from these events, never recomputed.

// SentMessage is one message of a request as the provider received it.
type SentMessage struct {
	// Index is the message's position in the request.
	Index      int        `json:"i"`
	Role       string     `json:"role"`
	Name       string     `json:"name,omitempty"` // the tool, on a tool result
	ToolCallID string     `json:"tool_call_id,omitempty"`
	Content    string     `json:"content,omitempty"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	// Tokens is the message's size as the context budget counts it
	// (tracetree.CountTokens plus the per-message overhead).
	Tokens int `json:"tokens"`
	// Summarised says the content is not the message as first made: it
	// was summarised or cut to fit the context window.
	Summarised bool `json:"summarised,omitempty"`
	// Step is the model step of the request that first sent this
	// content.
	Step int `json:"step"`
}

// SentContext is an EventContext's payload: one request's context.
type SentContext struct {
	// Total is how many messages the request had; Messages are those
	// that differ from the previous request's message at their index.
	Total    int           `json:"total"`
	Messages []SentMessage `json:"messages,omitempty"`
	// Tokens is the messages' size as the budget counts it, Budget what
	// they may use, ToolTokens the tool schemas' size, Window the
	// model's context window.
	Tokens     int `json:"tokens"`
	Budget     int `json:"budget"`
	ToolTokens int `json:"tool_tokens"`
	Window     int `json:"window"`
	// Tools are the tools offered; ToolChoice the one forced ("" none).
	Tools      []string `json:"tools,omitempty"`
	ToolChoice string   `json:"tool_choice,omitempty"`
	// Model is the provider's name.
	Model string `json:"model,omitempty"`
}

// ModelContext is the context of the last request of a run, folded from
// its EventContext events.
type ModelContext struct {
	Messages []SentMessage
	// Requests counts the requests seen; Step is the last one's step.
	Requests, Step                     int
	Tokens, Budget, ToolTokens, Window int
	Tools                              []string
	ToolChoice, Model                  string
}

// Apply folds one request's context in.
func (c *ModelContext) Apply(step int, s *SentContext) {
	if s == nil {
		return
	}
	if s.Total < len(c.Messages) {
		c.Messages = c.Messages[:s.Total]
	}
	for len(c.Messages) < s.Total {
		c.Messages = append(c.Messages, SentMessage{Index: len(c.Messages)})
	}
	for _, m := range s.Messages {
		if m.Index >= 0 && m.Index < len(c.Messages) {
			c.Messages[m.Index] = m
		}
	}
	c.Requests++
	c.Step = step
	c.Tokens, c.Budget, c.ToolTokens, c.Window = s.Tokens, s.Budget, s.ToolTokens, s.Window
	c.Tools, c.ToolChoice, c.Model = s.Tools, s.ToolChoice, s.Model
}

// send records the request's context (EventContext) and hands the
// request to the provider.
func (r *Run) send(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error) {
	r.publish(Event{Kind: EventContext, Context: r.sentContext(req)})
	return r.opts.Provider.Complete(ctx, req, h)
}

// sentContext is req's context with only what changed since the previous
// request.
func (r *Run) sentContext(req ChatRequest) *SentContext {
	s := &SentContext{Total: len(req.Messages), Budget: r.requestBudget(),
		Window: r.opts.Provider.ContextWindow(), ToolChoice: req.ToolChoice, Model: r.opts.Provider.Name()}
	if len(req.Tools) > 0 {
		// The tools of this request (a structured retry may offer one, or none).
		b, _ := json.Marshal(req.Tools)
		s.ToolTokens = tracetree.CountTokens(string(b)) + 1
	}
	for _, t := range req.Tools {
		s.Tools = append(s.Tools, t.Name)
	}
	sent := make([]string, len(req.Messages))
	for i, m := range req.Messages {
		n := messageTokens(m)
		s.Tokens += n
		sent[i] = sentKey(m)
		if i < len(r.lastSent) && r.lastSent[i] == sent[i] {
			continue
		}
		s.Messages = append(s.Messages, SentMessage{
			Index: i, Role: m.Role, Name: m.Name, ToolCallID: m.ToolCallID, Content: m.Content,
			ToolCalls: m.ToolCalls, Tokens: n, Step: r.step,
			Summarised: r.shrunk[i],
		})
	}
	r.lastSent = sent
	return s
}

// sentKey identifies a sent message's content, to send only changes.
func sentKey(m Message) string {
	var b strings.Builder
	b.WriteString(m.Role + "\x00" + m.ToolCallID + "\x00" + m.Content)
	for _, tc := range m.ToolCalls {
		b.WriteString("\x00" + tc.ID + "\x00" + tc.Name + "\x00" + tc.Arguments)
	}
	return b.String()
}

// ContextPart is one section of the first message (the incident): its
// heading ("" for the lines before the first) and its size.
type ContextPart struct {
	Heading string
	Text    string
	Tokens  int
}

// FirstMessageParts splits the first message at its "## " headings and
// counts each part with the tokenizer the context budget uses.
func FirstMessageParts(s string) []ContextPart {
	var parts []ContextPart
	cur := ContextPart{}
	flush := func() {
		if strings.TrimSpace(cur.Text) != "" || cur.Heading != "" {
			cur.Tokens = tracetree.CountTokens(cur.Text)
			parts = append(parts, cur)
		}
	}
	for _, l := range strings.SplitAfter(s, "\n") {
		if h, ok := strings.CutPrefix(l, "## "); ok {
			flush()
			cur = ContextPart{Heading: strings.TrimSpace(h)}
		}
		cur.Text += l
	}
	flush()
	return parts
}
