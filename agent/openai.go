package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
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
	// StreamTimeout ends a step when nothing arrives from the model for
	// that long, before the first token or mid-stream (0:
	// DefaultStreamTimeout).
	StreamTimeout time.Duration
	// MaxOutputTokens caps each answer: sent to the server and enforced
	// on what is read (0: sized from the context window, see
	// DefaultMaxOutputTokens).
	MaxOutputTokens int
	// Caps remembers what the model supports across runs (nil: this
	// process only).
	Caps *CapsCache
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

	capsMu sync.Mutex
	caps   *ModelCaps
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
	if cfg.StreamTimeout <= 0 {
		cfg.StreamTimeout = DefaultStreamTimeout
	}
	if cfg.MaxOutputTokens <= 0 {
		cfg.MaxOutputTokens = DefaultMaxOutputTokens(w)
	}
	return &OpenAI{cfg: cfg, client: openai.NewClient(opts...), window: w}, nil
}

// MaxOutputTokens is the cap on each answer.
func (p *OpenAI) MaxOutputTokens() int { return p.cfg.MaxOutputTokens }

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

// reasoningOf reads the non-standard reasoning fields of a delta: the
// text and the field's name.
func reasoningOf(d openai.ChatCompletionChunkChoiceDelta) (string, string) {
	for _, key := range []string{"reasoning_content", "reasoning"} {
		f, ok := d.JSON.ExtraFields[key]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal([]byte(f.Raw()), &s) == nil && s != "" {
			return s, key
		}
	}
	return "", ""
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
