package llmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"
)

// responder plays one turn to one request.
type responder struct {
	s    *Server
	w    http.ResponseWriter
	ctx  context.Context
	req  Request
	turn Turn

	id, model string
	started   bool      // status line and headers sent
	lines     int       // data lines sent
	first     time.Time // when the first data line was sent (Rate)
	deltas    int       // content, reasoning and tool-call chunks sent
	roleSent  bool
}

// Wire forms of the response.
type chunkJSON struct {
	ID      string          `json:"id"`
	Object  string          `json:"object"`
	Created int64           `json:"created"`
	Model   string          `json:"model"`
	Choices []choiceJSON    `json:"choices"`
	Usage   json.RawMessage `json:"usage,omitempty"`
}

type choiceJSON struct {
	Index        int       `json:"index"`
	Delta        deltaJSON `json:"delta"`
	Logprobs     *struct{} `json:"logprobs"`
	FinishReason *string   `json:"finish_reason"`
}

type deltaJSON struct {
	Role             string          `json:"role,omitempty"`
	Content          *string         `json:"content,omitempty"`
	ReasoningContent *string         `json:"reasoning_content,omitempty"`
	Reasoning        *string         `json:"reasoning,omitempty"`
	ToolCalls        []toolDeltaJSON `json:"tool_calls,omitempty"`
}

type toolDeltaJSON struct {
	Index    int          `json:"index"`
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function functionJSON `json:"function"`
}

type functionJSON struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type usageJSON struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func (p *responder) setHeaders(contentType string) {
	h := p.w.Header()
	h.Set("Content-Type", contentType)
	for _, kv := range p.turn.headers {
		if http.CanonicalHeaderKey(kv[0]) == "Content-Type" {
			h.Set(kv[0], kv[1])
		} else {
			h.Add(kv[0], kv[1])
		}
	}
}

func (p *responder) start() {
	if p.started {
		return
	}
	p.started = true
	p.setHeaders("text/event-stream; charset=utf-8")
	p.w.Header().Set("Cache-Control", "no-cache")
	p.w.WriteHeader(http.StatusOK)
}

// write sends raw stream text and flushes it; false once the client is gone.
func (p *responder) write(s string) bool {
	p.start()
	if _, err := io.WriteString(p.w, s); err != nil {
		return false
	}
	if err := http.NewResponseController(p.w).Flush(); err != nil {
		return false
	}
	return p.ctx.Err() == nil
}

// line sends one "data: …" line, after the turn's pace if it is not the
// first.
func (p *responder) line(data string) bool {
	if p.lines > 0 && !p.pause(p.turn.pace) {
		return false
	}
	if r := p.turn.rate; r > 0 {
		if p.lines == 0 {
			p.first = time.Now()
		} else if due := p.first.Add(time.Duration(float64(p.lines) / r * float64(time.Second))); !p.pause(time.Until(due)) {
			return false
		}
	}
	p.lines++
	if !p.write("data: " + data + "\n\n") {
		return false
	}
	if p.lines == p.turn.cutAfter {
		p.cut()
		return false
	}
	return true
}

func (p *responder) chunk(choices []choiceJSON, usage json.RawMessage) bool {
	if usage == nil && p.req.IncludeUsage {
		usage = json.RawMessage("null")
	}
	b, err := json.Marshal(chunkJSON{
		ID: p.id, Object: "chat.completion.chunk", Created: created, Model: p.model,
		Choices: choices, Usage: usage,
	})
	if err != nil {
		panic(err) // the types above always marshal
	}
	return p.line(string(b))
}

// delta sends one choice-0 chunk; the first one carries the role.
func (p *responder) delta(d deltaJSON, finish *string) bool {
	if !p.roleSent {
		d.Role = "assistant"
		p.roleSent = true
	}
	return p.chunk([]choiceJSON{{Index: 0, Delta: d, FinishReason: finish}}, nil)
}

func (p *responder) reasoningDelta(s string) deltaJSON {
	if p.turn.reasoningField == FieldReasoning {
		return deltaJSON{Reasoning: &s}
	}
	return deltaJSON{ReasoningContent: &s}
}

func (p *responder) toolID(st step) string {
	if st.id != "" {
		return st.id
	}
	return fmt.Sprintf("call_%d_%d", p.req.Turn, st.index)
}

func (p *responder) finishReason() *string {
	if p.turn.noFinish {
		return nil
	}
	r := p.turn.finish
	if r == "" {
		r = FinishStop
		if p.turn.tools > 0 {
			r = FinishToolCalls
		}
	}
	return &r
}

func (p *responder) usage() usageJSON {
	u := usageJSON{PromptTokens: len(p.req.Body) / 4, CompletionTokens: p.deltas}
	if p.turn.usage != nil {
		u.PromptTokens, u.CompletionTokens = p.turn.usage.prompt, p.turn.usage.completion
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

// forever is a pause that only the client or the server's end stops.
const forever = time.Duration(math.MaxInt64)

// pause waits d; false when the client went away or the server is closing,
// in which case the connection is dropped so that the client sees an error,
// not the clean end of a short answer.
func (p *responder) pause(d time.Duration) bool {
	switch p.s.wait(p.ctx, d) {
	case waited:
		return true
	case closing:
		if conn, _, err := http.NewResponseController(p.w).Hijack(); err == nil {
			_ = conn.Close()
		}
	}
	return false
}

// cut closes the connection under the response, whatever was sent.
func (p *responder) cut() {
	conn, _, err := http.NewResponseController(p.w).Hijack()
	if err != nil {
		p.s.t.Errorf("llmtest: request %d: cannot cut the connection: %v", p.req.N, err)
		return
	}
	_ = conn.Close()
}

// malformed is a chunk cut off mid-string.
func (p *responder) malformed() string {
	return fmt.Sprintf(`{"id":%q,"object":"chat.completion.chunk","created":%d,"model":%q,"choices":[{"index":0,"delta":{"content":"trunc`,
		p.id, created, p.model)
}

func (p *responder) serveError() {
	for _, st := range p.turn.steps {
		switch st.kind {
		case stepDelay:
			if !p.pause(st.d) {
				return
			}
		case stepHang:
			p.pause(forever)
			return
		}
	}
	p.setHeaders("application/json")
	p.w.WriteHeader(p.turn.status)
	_, _ = p.w.Write(p.turn.errBody)
}

func (p *responder) serveStream() {
	for _, st := range p.turn.steps {
		ok := true
		switch st.kind {
		case stepText:
			for _, part := range st.parts {
				if ok = p.delta(deltaJSON{Content: &part}, nil); !ok {
					break
				}
				p.deltas++
			}
		case stepReasoning:
			for _, part := range st.parts {
				if ok = p.delta(p.reasoningDelta(part), nil); !ok {
					break
				}
				p.deltas++
			}
		case stepTool:
			ok = p.streamTool(st)
		case stepDelay:
			ok = p.pause(st.d)
		case stepHang:
			p.pause(forever)
			return
		case stepCut:
			p.cut()
			return
		case stepMalformed:
			ok = p.line(p.malformed())
		case stepStreamError:
			p.line(st.raw)
			return
		case stepRaw:
			ok = p.write(st.raw)
		case stepHeaders:
			ok = p.write("")
		}
		if !ok {
			return
		}
	}
	if finish := p.finishReason(); finish != nil {
		if !p.delta(deltaJSON{}, finish) {
			return
		}
	}
	if p.req.IncludeUsage {
		u, _ := json.Marshal(p.usage())
		if !p.chunk([]choiceJSON{}, u) {
			return
		}
	}
	if !p.turn.noDone {
		p.line("[DONE]")
	} else {
		p.start()
	}
}

func (p *responder) streamTool(st step) bool {
	id := p.toolID(st)
	if p.turn.toolStyle == toolsWhole {
		p.deltas++
		return p.delta(deltaJSON{ToolCalls: []toolDeltaJSON{{
			Index: st.index, ID: id, Type: "function",
			Function: functionJSON{Name: st.name, Arguments: strings.Join(st.parts, "")},
		}}}, nil)
	}
	first := toolDeltaJSON{Index: st.index, ID: id, Type: "function", Function: functionJSON{Name: st.name}}
	if !p.delta(deltaJSON{ToolCalls: []toolDeltaJSON{first}}, nil) {
		return false
	}
	p.deltas++
	for _, frag := range st.parts {
		d := toolDeltaJSON{Index: st.index, Function: functionJSON{Arguments: frag}}
		if p.turn.toolStyle == toolsRepeatID {
			d.ID, d.Type = id, "function"
		}
		if !p.delta(deltaJSON{ToolCalls: []toolDeltaJSON{d}}, nil) {
			return false
		}
		p.deltas++
	}
	return true
}

// serveJSON answers with one chat.completion object.
func (p *responder) serveJSON() {
	var content, reasoning strings.Builder
	hasContent := false
	type toolCallJSON struct {
		ID       string       `json:"id"`
		Type     string       `json:"type"`
		Function functionJSON `json:"function"`
	}
	var calls []toolCallJSON
	for _, st := range p.turn.steps {
		switch st.kind {
		case stepText:
			hasContent = true
			p.deltas += len(st.parts)
			content.WriteString(strings.Join(st.parts, ""))
		case stepReasoning:
			p.deltas += len(st.parts)
			reasoning.WriteString(strings.Join(st.parts, ""))
		case stepTool:
			p.deltas += 1 + len(st.parts)
			calls = append(calls, toolCallJSON{ID: p.toolID(st), Type: "function",
				Function: functionJSON{Name: st.name, Arguments: strings.Join(st.parts, "")}})
		case stepDelay:
			if !p.pause(st.d) {
				return
			}
		case stepHang:
			p.pause(forever)
			return
		case stepCut:
			p.cut()
			return
		case stepMalformed:
			p.setHeaders("application/json")
			p.w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(p.w, p.malformed())
			return
		case stepStreamError:
			p.setHeaders("application/json")
			p.w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(p.w, st.raw)
			return
		}
	}
	msg := map[string]any{"role": "assistant", "content": nil, "refusal": nil}
	if hasContent {
		msg["content"] = content.String()
	}
	if reasoning.Len() > 0 {
		msg[p.turn.reasoningField] = reasoning.String()
	}
	if len(calls) > 0 {
		msg["tool_calls"] = calls
	}
	b, _ := json.Marshal(map[string]any{
		"id": p.id, "object": "chat.completion", "created": created, "model": p.model,
		"choices": []any{map[string]any{
			"index": 0, "message": msg, "logprobs": nil, "finish_reason": p.finishReason(),
		}},
		"usage": p.usage(),
	})
	p.setHeaders("application/json")
	p.w.WriteHeader(http.StatusOK)
	_, _ = p.w.Write(b)
}
