package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// ModelConfig says how to reach a model.
type ModelConfig struct {
	BaseURL string // OPENAI_BASE_URL; default https://api.openai.com/v1
	APIKey  string // OPENAI_API_KEY; local servers accept any
	Model   string // --model / TRACEHOUND_MODEL
	// ContextWindow overrides the known window of the model (0: known
	// models' window, else DefaultContextWindow).
	ContextWindow int
	// Headers are extra HTTP headers (proxies, OpenRouter attribution…).
	Headers map[string]string
	// MaxRetries for rate limits and transient errors (default 3).
	MaxRetries int
	// HTTPClient is for tests; nil uses the default.
	HTTPClient *http.Client
}

// DefaultContextWindow is assumed for unknown models: small enough for
// most local models.
const DefaultContextWindow = 32_000

// knownWindows are context windows of common models, by name prefix
// (longest prefix wins).
var knownWindows = map[string]int{
	"gpt-4o": 128_000, "gpt-4o-mini": 128_000, "gpt-4.1": 1_047_576, "gpt-4-turbo": 128_000, "gpt-4": 8_192,
	"gpt-5": 400_000, "o1": 200_000, "o3": 200_000, "o4-mini": 200_000, "gpt-3.5-turbo": 16_385,
	"llama3.1": 128_000, "llama3.2": 128_000, "llama3.3": 128_000, "llama3": 8_192, "qwen2.5": 32_768, "qwen3": 40_960,
	"qwen2.5-coder": 32_768, "mistral": 32_768, "mixtral": 32_768, "deepseek-r1": 128_000, "deepseek-v3": 128_000,
	"deepseek-chat": 128_000, "deepseek-coder": 128_000, "gemma2": 8_192, "gemma3": 128_000, "phi3": 128_000, "phi4": 16_384,
	"claude": 200_000, "gemini": 1_000_000,
}

// WindowFor returns the context window of a model name.
func WindowFor(model string) int {
	m := strings.ToLower(model)
	if i := strings.LastIndex(m, "/"); i >= 0 {
		m = m[i+1:] // openrouter-style vendor/model
	}
	best, window := 0, DefaultContextWindow
	for prefix, w := range knownWindows {
		if strings.HasPrefix(m, prefix) && len(prefix) > best {
			best, window = len(prefix), w
		}
	}
	return window
}

// OpenAI is a Provider for any OpenAI-compatible Chat Completions server
// (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio, OpenRouter).
type OpenAI struct {
	cfg    ModelConfig
	client openai.Client
	window int
}

// NewOpenAI returns a provider for cfg.
func NewOpenAI(cfg ModelConfig) (*OpenAI, error) {
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("no model: pass --model or set TRACEHOUND_MODEL (list the server's models with `tracehound models`)")
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	opts := []option.RequestOption{option.WithMaxRetries(cfg.MaxRetries), option.WithRequestTimeout(5 * time.Minute)}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
	}
	key := cfg.APIKey
	if key == "" {
		key = "not-needed" // local servers ignore it; the SDK wants one
	}
	opts = append(opts, option.WithAPIKey(key))
	for k, v := range cfg.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(cfg.HTTPClient))
	}
	w := cfg.ContextWindow
	if w <= 0 {
		w = WindowFor(cfg.Model)
	}
	return &OpenAI{cfg: cfg, client: openai.NewClient(opts...), window: w}, nil
}

// Name is the model's name.
func (p *OpenAI) Name() string { return p.cfg.Model }

// ContextWindow is the model's context window.
func (p *OpenAI) ContextWindow() int { return p.window }

// Models lists the server's models.
func (p *OpenAI) Models(ctx context.Context) ([]string, error) {
	page, err := p.client.Models.List(ctx)
	if err != nil {
		return nil, explainAPIError(err, p.cfg)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	sort.Strings(ids)
	return ids, nil
}

// Complete streams one completion. Tool-call arguments split over many
// chunks and several calls in one turn are assembled by index; reasoning
// text sent as reasoning_content (DeepSeek, vLLM, llama.cpp) or reasoning
// (OpenRouter, Ollama) is passed to h.OnReasoning. A stream that ends
// without a finish reason is an error: the step can be retried.
func (p *OpenAI) Complete(ctx context.Context, req ChatRequest, h StreamHandler) (*Completion, error) {
	params := openai.ChatCompletionNewParams{
		Model:         shared.ChatModel(p.cfg.Model),
		Messages:      toOpenAIMessages(req.Messages),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}
	for _, t := range req.Tools {
		params.Tools = append(params.Tools, openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: t.Name, Description: openai.String(t.Description), Parameters: shared.FunctionParameters(t.Parameters),
		}))
	}
	stream := p.client.Chat.Completions.NewStreaming(ctx, params)
	defer stream.Close()

	var (
		text, reasoning strings.Builder
		calls           = map[int64]*ToolCall{}
		order           []int64
		finish          string
		usage           Usage
	)
	for stream.Next() {
		chunk := stream.Current()
		if chunk.JSON.Usage.Valid() || chunk.Usage.TotalTokens > 0 {
			usage.PromptTokens = int(chunk.Usage.PromptTokens)
			usage.CompletionTokens = int(chunk.Usage.CompletionTokens)
			usage.ContextTokens = usage.PromptTokens
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			d := ch.Delta
			if d.Content != "" {
				text.WriteString(d.Content)
				if h.OnText != nil {
					h.OnText(d.Content)
				}
			}
			if r := reasoningOf(d); r != "" {
				reasoning.WriteString(r)
				if h.OnReasoning != nil {
					h.OnReasoning(r)
				}
			}
			for _, tc := range d.ToolCalls {
				c, ok := calls[tc.Index]
				if !ok {
					c = &ToolCall{}
					calls[tc.Index] = c
					order = append(order, tc.Index)
				}
				if tc.ID != "" {
					c.ID = tc.ID
				}
				if tc.Function.Name != "" {
					c.Name += tc.Function.Name
				}
				c.Arguments += tc.Function.Arguments
			}
			if ch.FinishReason != "" {
				finish = string(ch.FinishReason)
			}
		}
	}
	if err := stream.Err(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, explainAPIError(err, p.cfg)
	}
	if finish == "" {
		return nil, &ModelError{Msg: fmt.Sprintf("the model's stream ended before the answer was complete (%d characters received); the step can be retried", text.Len())}
	}
	msg := Message{Role: "assistant", Content: text.String(), Reasoning: reasoning.String()}
	for i, idx := range order {
		c := calls[idx]
		if c.ID == "" {
			c.ID = fmt.Sprintf("call_%d_%d", time.Now().UnixNano(), i) // some local servers omit ids
		}
		msg.ToolCalls = append(msg.ToolCalls, *c)
	}
	return &Completion{Message: msg, FinishReason: finish, Usage: usage}, nil
}

// reasoningOf reads the non-standard reasoning fields of a delta.
func reasoningOf(d openai.ChatCompletionChunkChoiceDelta) string {
	for _, key := range []string{"reasoning_content", "reasoning"} {
		f, ok := d.JSON.ExtraFields[key]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal([]byte(f.Raw()), &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

// toOpenAIMessages converts the conversation.
func toOpenAIMessages(msgs []Message) []openai.ChatCompletionMessageParamUnion {
	out := make([]openai.ChatCompletionMessageParamUnion, 0, len(msgs))
	for _, m := range msgs {
		switch m.Role {
		case "system":
			out = append(out, openai.SystemMessage(m.Content))
		case "user":
			out = append(out, openai.UserMessage(m.Content))
		case "tool":
			out = append(out, openai.ToolMessage(m.Content, m.ToolCallID))
		case "assistant":
			a := openai.ChatCompletionAssistantMessageParam{}
			if m.Content != "" {
				a.Content.OfString = openai.String(m.Content)
			}
			for _, tc := range m.ToolCalls {
				args := tc.Arguments
				if !json.Valid([]byte(args)) {
					args = "{}" // the server would reject the history otherwise
				}
				a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
					OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
						ID: tc.ID, Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: tc.Name, Arguments: args},
					},
				})
			}
			out = append(out, openai.ChatCompletionMessageParamUnion{OfAssistant: &a})
		}
	}
	return out
}

// explainAPIError turns the SDK's errors into what the user can do. The
// API key is never included.
func explainAPIError(err error, cfg ModelConfig) error {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		msg := apiErr.Message
		if msg == "" {
			msg = http.StatusText(apiErr.StatusCode)
		}
		hint := ""
		switch apiErr.StatusCode {
		case 401, 403:
			hint = "check OPENAI_API_KEY for this server"
		case 404:
			hint = fmt.Sprintf("the model %q or the endpoint does not exist on %s; list models with `tracehound models`", cfg.Model, baseOr(cfg.BaseURL))
		case 429:
			hint = "rate limited or out of quota, still after retries; wait and resume the run"
		default:
			if apiErr.StatusCode >= 500 {
				hint = "the model server failed; resume the run later"
			}
		}
		out := fmt.Sprintf("model server %s answered %d: %s", baseOr(cfg.BaseURL), apiErr.StatusCode, msg)
		if hint != "" {
			out += " (" + hint + ")"
		}
		return &ModelError{StatusCode: apiErr.StatusCode, Msg: out, Err: apiErr}
	}
	return &ModelError{Msg: fmt.Sprintf("model server %s: %v", baseOr(cfg.BaseURL), err), Err: err}
}

// ModelError is a failure of the model server or of its answer: a
// refused request, an unreachable server, a stalled or broken stream.
// errors.As finds it under a run's error (the CLI's "model" exit code).
// Its message never contains the API key.
type ModelError struct {
	// StatusCode is the HTTP status the server answered, 0 when none.
	StatusCode int
	Msg        string
	// Err is the cause, when there is one.
	Err error
}

func (e *ModelError) Error() string { return e.Msg }
func (e *ModelError) Unwrap() error { return e.Err }

// Rejected reports whether the server refused the request itself (400,
// 422): typically a parameter it does not support, such as a forced
// tool_choice or a response_format.
func (e *ModelError) Rejected() bool {
	return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
}

func baseOr(u string) string {
	if u == "" {
		return "https://api.openai.com/v1"
	}
	return u
}
