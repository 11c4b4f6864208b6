package llmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Request is one POST /v1/chat/completions as the server received it,
// decoded enough for assertions. Body keeps the exact JSON for anything the
// decoded fields leave out.
type Request struct {
	// N is the 1-based number of this chat completions request on the
	// server, counting every one (rejected, retried and unscripted ones too).
	N int
	// Turn is the 1-based position in the script of the turn that answered
	// it, or 0 when none did (script exhausted, wrong API key, bad body).
	Turn int

	Header http.Header // as received: Authorization, User-Agent, X-Stainless-*
	Body   []byte      // the raw JSON body

	Model        string
	Stream       bool // "stream": true
	IncludeUsage bool // "stream_options": {"include_usage": true}
	Messages     []Message
	// Tools lists the names of the function tools offered, in order.
	Tools []string
	// Fields holds every top-level field of the body, raw, for checks on
	// parameters without a decoded field here (temperature, tool_choice,
	// parallel_tool_calls, max_completion_tokens, …).
	Fields map[string]json.RawMessage
}

// Message is one entry of the request's messages.
type Message struct {
	Role string // system, developer, user, assistant, tool
	// Content is the text: the string content, or the text parts of an
	// array content joined with no separator.
	Content    string
	Name       string
	ToolCallID string     // role "tool": the call this result answers
	ToolCalls  []ToolCall // role "assistant": the calls it made
	Raw        json.RawMessage
}

// ToolCall is a tool call the client sent back inside an assistant message.
type ToolCall struct {
	ID        string
	Type      string
	Name      string
	Arguments string
}

// APIKey returns the bearer token of the Authorization header ("" if none).
func (r Request) APIKey() string {
	v := r.Header.Get("Authorization")
	if k, ok := strings.CutPrefix(v, "Bearer "); ok {
		return k
	}
	return ""
}

// RetryCount returns the client's retry number for this request, from the
// X-Stainless-Retry-Count header openai-go sends (0 for a first attempt, 1
// for its first retry, …); -1 when the header is absent.
func (r Request) RetryCount() int {
	n, err := strconv.Atoi(r.Header.Get("X-Stainless-Retry-Count"))
	if err != nil {
		return -1
	}
	return n
}

// Last returns the last message (zero Message if there is none).
func (r Request) Last() Message {
	if len(r.Messages) == 0 {
		return Message{}
	}
	return r.Messages[len(r.Messages)-1]
}

// ToolResult returns the role "tool" message answering the call with the
// given id.
func (r Request) ToolResult(callID string) (Message, bool) {
	for _, m := range r.Messages {
		if m.Role == "tool" && m.ToolCallID == callID {
			return m, true
		}
	}
	return Message{}, false
}

// HasTool reports whether a function tool of that name was offered.
func (r Request) HasTool(name string) bool {
	for _, n := range r.Tools {
		if n == name {
			return true
		}
	}
	return false
}

// wire forms of the request body.
type wireRequest struct {
	Model         string `json:"model"`
	Stream        bool   `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Messages []json.RawMessage `json:"messages"`
	Tools    []struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
		Custom struct {
			Name string `json:"name"`
		} `json:"custom"`
	} `json:"tools"`
}

type wireMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       string          `json:"name"`
	ToolCallID string          `json:"tool_call_id"`
	ToolCalls  []struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Function struct {
			Name      string `json:"name"`
			Arguments string `json:"arguments"`
		} `json:"function"`
	} `json:"tool_calls"`
}

// decodeRequest fills r's decoded fields from body.
func decodeRequest(r *Request, body []byte) error {
	r.Body = body
	if err := json.Unmarshal(body, &r.Fields); err != nil {
		return fmt.Errorf("request body is not a JSON object: %w", err)
	}
	var w wireRequest
	if err := json.Unmarshal(body, &w); err != nil {
		return fmt.Errorf("request body does not look like chat completions params: %w", err)
	}
	r.Model = w.Model
	r.Stream = w.Stream
	r.IncludeUsage = w.StreamOptions != nil && w.StreamOptions.IncludeUsage
	for _, t := range w.Tools {
		name := t.Function.Name
		if name == "" {
			name = t.Custom.Name
		}
		r.Tools = append(r.Tools, name)
	}
	for i, raw := range w.Messages {
		var wm wireMessage
		if err := json.Unmarshal(raw, &wm); err != nil {
			return fmt.Errorf("messages[%d]: %w", i, err)
		}
		content, err := contentText(wm.Content)
		if err != nil {
			return fmt.Errorf("messages[%d].content: %w", i, err)
		}
		m := Message{
			Role:       wm.Role,
			Content:    content,
			Name:       wm.Name,
			ToolCallID: wm.ToolCallID,
			Raw:        raw,
		}
		for _, tc := range wm.ToolCalls {
			m.ToolCalls = append(m.ToolCalls, ToolCall{
				ID:        tc.ID,
				Type:      tc.Type,
				Name:      tc.Function.Name,
				Arguments: tc.Function.Arguments,
			})
		}
		r.Messages = append(r.Messages, m)
	}
	return nil
}

// contentText turns a message content (null, a string, or an array of
// parts) into its text.
func contentText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var parts []struct {
		Type    string `json:"type"`
		Text    string `json:"text"`
		Refusal string `json:"refusal"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
		b.WriteString(p.Refusal)
	}
	return b.String(), nil
}
