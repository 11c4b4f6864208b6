package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/tracehound/tracehound/tracetree"
)

// DefaultStreamTimeout is how long a step waits for anything from the
// model (the first token, or the next chunk) before it gives up.
const DefaultStreamTimeout = 60 * time.Second

// waitTick is how often a step still waiting for its first token says so.
const waitTick = 5 * time.Second

// DefaultMaxOutputTokens sizes the cap on one answer from the context
// window: an eighth of it, between 1,024 and 16,384 tokens.
func DefaultMaxOutputTokens(window int) int { return clampInt(window/8, 1024, 16384) }

// errStalled is the cause of a step cut because the model went silent.
var errStalled = errors.New("stream stalled")

// Complete streams one completion. Tool-call arguments split over many
// chunks and several calls in one turn are assembled by index; reasoning
// text sent as reasoning_content (DeepSeek, vLLM, llama.cpp) or reasoning
// (OpenRouter, Ollama) is passed to h.OnReasoning. The answer is bounded:
// nothing from the model for StreamTimeout ends the step with a
// *ModelError, and text, tool-call arguments or reasoning past
// MaxOutputTokens are cut (Completion.Truncated) — the cap is sent to the
// server too, but servers ignore it. A stream that ends without a finish
// reason is an error: the step can be retried. Every callback of h runs
// on the caller's goroutine.
func (p *OpenAI) Complete(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error) {
	limit := p.cfg.MaxOutputTokens
	if req.MaxOutputTokens > 0 {
		limit = min(limit, req.MaxOutputTokens)
	}
	params := p.params(req, limit)

	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var resp *http.Response
	chunks := make(chan openai.ChatCompletionChunk)
	done := make(chan error, 1)
	go func() {
		stream := p.client.Chat.Completions.NewStreaming(sctx, params, option.WithResponseInto(&resp))
		defer stream.Close()
		for stream.Next() {
			select {
			case chunks <- stream.Current():
			case <-sctx.Done():
				done <- context.Cause(sctx)
				return
			}
		}
		done <- stream.Err()
	}()

	a := newAssembly(limit)
	start := time.Now()
	idle := time.NewTimer(p.cfg.StreamTimeout)
	defer idle.Stop()
	tick := time.NewTicker(waitTick)
	defer tick.Stop()
	var streamErr error
read:
	for {
		select {
		case c := <-chunks:
			idle.Reset(p.cfg.StreamTimeout)
			if a.add(c, h) {
				cancel(errCapped)
				streamErr = <-done
				break read
			}
		case streamErr = <-done:
			break read
		case <-tick.C:
			if !a.started && h.OnWaiting != nil {
				h.OnWaiting(time.Since(start).Round(time.Second))
			}
		case <-idle.C:
			cancel(errStalled)
			<-done
			what := "nothing"
			if a.started {
				what = "nothing more"
			}
			return nil, &ModelError{Msg: fmt.Sprintf("the model sent %s for %s (%d characters received); raise --stream-timeout for a slow local model",
				what, p.cfg.StreamTimeout, a.text.Len()), Err: errStalled}
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if streamErr != nil && !a.truncated {
		var se *json.SyntaxError
		if errors.As(streamErr, &se) {
			return nil, &ModelError{Msg: fmt.Sprintf("model server %s sent a malformed stream (%v) after %d characters; the step can be retried", baseOr(p.cfg.BaseURL), se, a.text.Len()), Err: streamErr}
		}
		return nil, explainAPIError(streamErr, p.cfg)
	}
	if a.chunks == 0 && resp != nil {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ct != "" && ct != "text/event-stream" {
			return nil, &ModelError{Msg: fmt.Sprintf("model server %s answered %s, not a stream of completions: is OPENAI_BASE_URL the API's base (it usually ends in /v1)?", baseOr(p.cfg.BaseURL), ct)}
		}
	}
	if a.finish == "" && !a.truncated {
		return nil, &ModelError{Msg: fmt.Sprintf("the model's stream ended before the answer was complete (%d characters received); the step can be retried", a.text.Len())}
	}
	return a.completion(), nil
}

// errCapped is the cause of a step cut at the output cap.
var errCapped = errors.New("output cap reached")

// params builds the request.
func (p *OpenAI) params(req ChatRequest, limit int) openai.ChatCompletionNewParams {
	params := openai.ChatCompletionNewParams{
		Model:         shared.ChatModel(p.cfg.Model),
		Messages:      toOpenAIMessages(req.Messages),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}
	// OpenAI wants max_completion_tokens (max_tokens is refused by its
	// reasoning models); the compatible servers read max_tokens.
	if isOpenAI(p.cfg.BaseURL) {
		params.MaxCompletionTokens = openai.Int(int64(limit))
	} else {
		params.MaxTokens = openai.Int(int64(limit))
	}
	for _, t := range req.Tools {
		params.Tools = append(params.Tools, openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: t.Name, Description: openai.String(t.Description), Parameters: shared.FunctionParameters(t.Parameters),
		}))
	}
	if req.ToolChoice != "" {
		params.ToolChoice = openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: req.ToolChoice})
	}
	if js := req.JSONSchema; js != nil {
		params.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: js.Name, Schema: js.Schema, Strict: openai.Bool(js.Strict)},
		}}
	}
	return params
}

func isOpenAI(base string) bool {
	return base == "" || strings.Contains(base, "api.openai.com")
}

// assembly builds a completion from chunks, within the output cap.
type assembly struct {
	limit              int
	text, reasoning    strings.Builder
	textTok, reasonTok int
	argTok             int
	calls              map[int64]*ToolCall
	order              []int64
	finish             string
	usage              Usage
	started, truncated bool
	chunks             int
	reasoningField     string
}

func newAssembly(limit int) *assembly { return &assembly{limit: limit, calls: map[int64]*ToolCall{}} }

// add takes one chunk; true when the answer reached the cap and the
// stream must be cut.
func (a *assembly) add(chunk openai.ChatCompletionChunk, h StreamHandler) bool {
	a.chunks++
	if chunk.JSON.Usage.Valid() || chunk.Usage.TotalTokens > 0 {
		a.usage.PromptTokens = int(chunk.Usage.PromptTokens)
		a.usage.CompletionTokens = int(chunk.Usage.CompletionTokens)
		a.usage.ContextTokens = a.usage.PromptTokens
	}
	for _, ch := range chunk.Choices {
		if ch.Index != 0 {
			continue
		}
		d := ch.Delta
		if d.Content != "" {
			a.started = true
			s, full := a.take(d.Content, &a.textTok, a.argTok)
			a.text.WriteString(s)
			if s != "" && h.OnText != nil {
				h.OnText(s)
			}
			if full {
				return a.cut()
			}
		}
		if r, field := reasoningOf(d); r != "" {
			a.started = true
			a.reasoningField = field
			s, full := a.take(r, &a.reasonTok, 0)
			a.reasoning.WriteString(s)
			if s != "" && h.OnReasoning != nil {
				h.OnReasoning(s)
			}
			if full {
				return a.cut()
			}
		}
		for _, tc := range d.ToolCalls {
			a.started = true
			c, ok := a.calls[tc.Index]
			if !ok {
				c = &ToolCall{}
				a.calls[tc.Index] = c
				a.order = append(a.order, tc.Index)
			}
			if tc.ID != "" {
				c.ID = tc.ID
			}
			if tc.Function.Name != "" {
				c.Name += tc.Function.Name
			}
			s, full := a.take(tc.Function.Arguments, &a.argTok, a.textTok)
			c.Arguments += s
			if full {
				return a.cut()
			}
		}
		if ch.FinishReason != "" && a.finish == "" {
			a.finish = string(ch.FinishReason)
		}
	}
	return false
}

// take adds a delta to a counter within the cap (other is what the rest
// of the answer already used); full when the cap is reached, with the
// part of s that fits.
func (a *assembly) take(s string, used *int, other int) (string, bool) {
	n := tracetree.CountTokens(s)
	room := a.limit - *used - other
	if n <= room {
		*used += n
		return s, false
	}
	if room <= 0 {
		return "", true
	}
	cut := len(s) * room / n
	for cut > 0 && cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut--
	}
	*used += room
	return s[:cut], true
}

func (a *assembly) cut() bool {
	a.truncated = true
	return true
}

func (a *assembly) completion() *Completion {
	msg := Message{Role: "assistant", Content: a.text.String(), Reasoning: a.reasoning.String()}
	for i, idx := range a.order {
		c := a.calls[idx]
		if c.ID == "" {
			c.ID = fmt.Sprintf("call_%d_%d", time.Now().UnixNano(), i) // some local servers omit ids
		}
		msg.ToolCalls = append(msg.ToolCalls, *c)
	}
	finish := a.finish
	if a.truncated {
		finish = "length"
	}
	return &Completion{Message: msg, FinishReason: finish, Usage: a.usage, Truncated: a.truncated || finish == "length",
		OutputCap: a.limit, ReasoningField: a.reasoningField}
}
