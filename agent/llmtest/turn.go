package llmtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// Finish reasons a turn can end with (Turn.Finish).
const (
	FinishStop          = "stop"
	FinishToolCalls     = "tool_calls"
	FinishLength        = "length"
	FinishContentFilter = "content_filter"
)

// Names of the delta field that carries reasoning (Turn.ReasoningField).
const (
	// FieldReasoningContent is what DeepSeek, vLLM and llama.cpp server send.
	FieldReasoningContent = "reasoning_content"
	// FieldReasoning is what OpenRouter and Ollama send.
	FieldReasoning = "reasoning"
)

// Turn scripts the answer to one POST /v1/chat/completions. Build it with
// the package functions of the same names and chain methods; every method
// returns a new Turn, so a Turn value can be reused as a prefix:
//
//	llmtest.Reasoning("The price is null.").Text("Checking the event.").
//		Tool("get_error_event", `{"id":"214e70f1"}`)
//
// The zero Turn answers an empty assistant message with finish_reason
// "stop".
type Turn struct {
	steps   []step
	expects []func(Request) error
	headers [][2]string

	status  int    // != 0: answer this HTTP error instead of a completion
	errBody []byte // the error body for status

	finish         string // "" = inferred
	noFinish       bool
	usage          *usage
	reasoningField string
	toolStyle      toolStyle
	pace           time.Duration
	rate           float64 // data lines a second (0: not paced by rate)
	model          string
	noDone         bool
	cutAfter       int
	asJSON         bool
	tools          int // tool calls so far, for their indexes
}

type stepKind int

const (
	stepText stepKind = iota
	stepReasoning
	stepTool
	stepDelay
	stepHang
	stepCut
	stepMalformed
	stepStreamError
	stepRaw
	stepHeaders
)

type step struct {
	kind  stepKind
	parts []string // text, reasoning or argument fragments
	id    string   // tool call id ("" = generated)
	name  string   // tool name
	index int      // tool call index
	d     time.Duration
	raw   string // stepRaw: SSE text; stepStreamError: the error JSON
}

type usage struct{ prompt, completion int }

type toolStyle int

const (
	toolsOpenAI toolStyle = iota // id, type and name in the first chunk only
	toolsRepeatID
	toolsWhole
)

func (t Turn) with(s step) Turn {
	t.steps = append(slices.Clip(t.steps), s)
	return t
}

// Text starts a turn that streams text, split into word-sized chunks.
func Text(s string) Turn { return Turn{}.Text(s) }

// Text streams s as content deltas, one chunk per word with its leading
// white space ("Looking at the trace" → "Looking", " at", " the", " trace").
func (t Turn) Text(s string) Turn { return t.with(step{kind: stepText, parts: words(s)}) }

// TextChunks starts a turn that streams exactly these content deltas.
func TextChunks(chunks ...string) Turn { return Turn{}.TextChunks(chunks...) }

// TextChunks streams exactly these content deltas, one chunk each.
func (t Turn) TextChunks(chunks ...string) Turn {
	return t.with(step{kind: stepText, parts: slices.Clone(chunks)})
}

// Reasoning starts a turn that streams reasoning.
func Reasoning(s string) Turn { return Turn{}.Reasoning(s) }

// Reasoning streams s as reasoning deltas split like Text, in the field
// chosen by ReasoningField (reasoning_content by default).
func (t Turn) Reasoning(s string) Turn { return t.with(step{kind: stepReasoning, parts: words(s)}) }

// ReasoningChunks streams exactly these reasoning deltas, one chunk each.
func (t Turn) ReasoningChunks(chunks ...string) Turn {
	return t.with(step{kind: stepReasoning, parts: slices.Clone(chunks)})
}

// ReasoningField names the delta field that carries this turn's reasoning:
// FieldReasoningContent (default) or FieldReasoning.
func (t Turn) ReasoningField(name string) Turn {
	t.reasoningField = name
	return t
}

// Tool starts a turn that calls a tool.
func Tool(name, arguments string) Turn { return Turn{}.Tool(name, arguments) }

// Tool streams a function tool call with the next index (0, 1, …) and the
// generated id "call_<turn>_<index>" (<turn> is the turn's 1-based position
// in the script). The arguments are split at fixed, arbitrary rune
// boundaries into fragments of 1 to 7 bytes, so keys, strings and escapes
// are cut mid-way.
func (t Turn) Tool(name, arguments string) Turn { return t.ToolID("", name, arguments) }

// ToolID is Tool with a chosen call id.
func (t Turn) ToolID(id, name, arguments string) Turn {
	return t.toolStep(id, name, splitArgs(arguments))
}

// ToolParts streams a tool call whose arguments arrive as exactly these
// fragments, one chunk each.
func (t Turn) ToolParts(name string, fragments ...string) Turn {
	return t.toolStep("", name, slices.Clone(fragments))
}

func (t Turn) toolStep(id, name string, parts []string) Turn {
	s := step{kind: stepTool, id: id, name: name, index: t.tools, parts: parts}
	t.tools++
	return t.with(s)
}

// RepeatToolIDs sends each tool call's id and type in every one of its
// chunks, not only the first (some servers do).
func (t Turn) RepeatToolIDs() Turn {
	t.toolStyle = toolsRepeatID
	return t
}

// WholeToolCalls sends each tool call in one chunk with its id, name and
// complete arguments (Ollama does).
func (t Turn) WholeToolCalls() Turn {
	t.toolStyle = toolsWhole
	return t
}

// Finish sets the finish_reason of the final chunk. By default it is
// FinishToolCalls when the turn calls a tool and FinishStop otherwise.
func (t Turn) Finish(reason string) Turn {
	t.finish = reason
	t.noFinish = false
	return t
}

// NoFinishReason leaves finish_reason null in every chunk: the stream ends
// (with [DONE]) without saying why.
func (t Turn) NoFinishReason() Turn {
	t.noFinish = true
	return t
}

// Usage sets the token counts of the usage chunk. A usage chunk (choices
// empty, before [DONE]) is sent only when the request asks for it with
// stream_options.include_usage, as OpenAI does; without Usage its counts
// are prompt_tokens = len(request body)/4 and completion_tokens = the
// number of content, reasoning and tool-call chunks sent.
func (t Turn) Usage(promptTokens, completionTokens int) Turn {
	t.usage = &usage{promptTokens, completionTokens}
	return t
}

// Model sets the model name in the chunks (default: the request's model).
func (t Turn) Model(name string) Turn {
	t.model = name
	return t
}

// Header adds a response header (x-ratelimit-remaining-requests, …); a
// Content-Type replaces the default one.
func (t Turn) Header(key, value string) Turn {
	t.headers = append(slices.Clip(t.headers), [2]string{key, value})
	return t
}

// Expect adds a check on the incoming request, run before the turn
// answers; an error is reported with t.Errorf and the turn answers anyway.
func (t Turn) Expect(check func(Request) error) Turn {
	t.expects = append(slices.Clip(t.expects), check)
	return t
}

// Pace waits d before every data line after the first (chunks, the finish
// and usage chunks, [DONE]), honouring the request's context.
func (t Turn) Pace(d time.Duration) Turn {
	t.pace = d
	return t
}

// Rate sends the data lines at perSecond lines a second on a fixed
// schedule from the first (line n is due n/perSecond after it), so a long
// stream keeps its rate however long each write takes: Text(s).Rate(100)
// is a model streaming 100 tokens a second. Pauses honour the request's
// context as Pace does; Rate and Pace add up.
func (t Turn) Rate(perSecond float64) Turn {
	t.rate = perSecond
	return t
}

// Delay starts a turn with a pause.
func Delay(d time.Duration) Turn { return Turn{}.Delay(d) }

// Delay pauses d at this point of the stream. The pause ends early when the
// client goes away (request context done) and the turn then stops. Placed
// before the first chunk it delays the response headers too (see the
// package doc).
func (t Turn) Delay(d time.Duration) Turn { return t.with(step{kind: stepDelay, d: d}) }

// Hang starts a turn that never answers.
func Hang() Turn { return Turn{}.Hang() }

// Hang stops at this point and waits until the client cancels (or the test
// ends): nothing after it is sent.
func (t Turn) Hang() Turn { return t.with(step{kind: stepHang}) }

// Cut starts a turn that drops the connection before answering anything.
func Cut() Turn { return Turn{}.Cut() }

// Cut closes the connection at this point without ending the HTTP response
// (no final chunk of the chunked encoding, no [DONE]): the client reads
// an unexpected EOF. Nothing after it is sent.
func (t Turn) Cut() Turn { return t.with(step{kind: stepCut}) }

// CutAfter closes the connection, as Cut does, right after the n-th data
// line of the stream (counting every chunk: deltas, tool-call fragments,
// the finish and usage chunks), wherever that falls, e.g. inside a tool
// call's arguments.
func (t Turn) CutAfter(n int) Turn {
	t.cutAfter = n
	return t
}

// NoDone ends the response cleanly after the finish (and usage) chunks but
// without the "data: [DONE]" line.
func (t Turn) NoDone() Turn {
	t.noDone = true
	return t
}

// Malformed sends, at this point, a data line whose JSON is cut off (a
// chunk truncated mid-string), then goes on with the rest of the turn.
func (t Turn) Malformed() Turn { return t.with(step{kind: stepMalformed}) }

// StreamError sends, at this point, an error event inside the 200 stream
// — data: {"error":{"message":…,"type":"server_error","code":…}} — as
// vLLM, OpenRouter and OpenAI do for failures after the headers, and ends
// the response there.
func (t Turn) StreamError(message string) Turn {
	return t.with(step{kind: stepStreamError, raw: string(errorJSON(message, "server_error", ""))})
}

// Raw writes s verbatim into the stream at this point, e.g. an SSE comment
// ": keep-alive\n\n" or an event with a type "event: ping\ndata: {}\n\n".
func (t Turn) Raw(s string) Turn { return t.with(step{kind: stepRaw, raw: s}) }

// AsJSON answers with a plain chat.completion JSON body (Content-Type
// application/json) even when the request asked to stream, as a server
// that ignores "stream": true would.
func (t Turn) AsJSON() Turn {
	t.asJSON = true
	return t
}

// Status answers HTTP status code with an OpenAI-style error body
// {"error":{"message":…,"type":…,"param":null,"code":…}}, type and code
// chosen from the status as OpenAI does (401 invalid_api_key, 404
// model_not_found, 429 rate_limit_exceeded, 5xx server_error, …).
// Delay and Hang steps chained to an error turn run before it answers;
// content steps are ignored.
func Status(code int, message string) Turn {
	typ, errCode := "invalid_request_error", ""
	switch {
	case code == http.StatusUnauthorized:
		errCode = "invalid_api_key"
	case code == http.StatusNotFound:
		errCode = "model_not_found"
	case code == http.StatusTooManyRequests:
		typ, errCode = "requests", "rate_limit_exceeded"
	case code >= 500:
		typ = "server_error"
	}
	return ErrorJSON(code, string(errorJSON(message, typ, errCode)))
}

// ErrorJSON answers HTTP status code with body verbatim, as
// application/json unless a Header says otherwise; the body need not be
// JSON (a proxy's HTML page).
func ErrorJSON(code int, body string) Turn {
	return Turn{status: code, errBody: []byte(body)}
}

// RateLimited answers 429 as OpenAI does when a rate limit is hit:
// Retry-After (whole seconds, rounded up), Retry-After-Ms (which openai-go
// prefers, so a few milliseconds keep a retry test fast), and the
// x-ratelimit-* headers with remaining 0 and reset after retryAfter.
func RateLimited(retryAfter time.Duration) Turn {
	ms := retryAfter.Milliseconds()
	secs := int64(math.Ceil(retryAfter.Seconds()))
	reset := retryAfter.String()
	return Status(http.StatusTooManyRequests,
		"Rate limit reached for requests per min (RPM): Limit 60, Used 60, Requested 1. Please try again in "+reset+".").
		Header("Retry-After", strconv.FormatInt(secs, 10)).
		Header("Retry-After-Ms", strconv.FormatInt(ms, 10)).
		Header("X-Ratelimit-Limit-Requests", "60").
		Header("X-Ratelimit-Remaining-Requests", "0").
		Header("X-Ratelimit-Reset-Requests", reset).
		Header("X-Ratelimit-Limit-Tokens", "150000").
		Header("X-Ratelimit-Remaining-Tokens", "149000").
		Header("X-Ratelimit-Reset-Tokens", "400ms")
}

// Unauthorized answers 401 as OpenAI does for a wrong API key.
func Unauthorized() Turn {
	return Status(http.StatusUnauthorized, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.")
}

// ServerError answers 500 as OpenAI does for an internal failure.
func ServerError() Turn {
	return Status(http.StatusInternalServerError, "The server had an error while processing your request. Sorry about that!")
}

// errorJSON renders an OpenAI error object; code "" is null.
func errorJSON(message, typ, code string) []byte {
	var c any
	if code != "" {
		c = code
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": message, "type": typ, "param": nil, "code": c,
	}})
	return b
}

// words splits s into chunks that each start at a run of white space.
func words(s string) []string {
	if s == "" {
		return []string{""}
	}
	var out []string
	start := 0
	prevSpace := true
	for i, r := range s {
		sp := unicode.IsSpace(r)
		if sp && !prevSpace && i > start {
			out = append(out, s[start:i])
			start = i
		}
		prevSpace = sp
	}
	return append(out, s[start:])
}

// argCuts are the fragment sizes, in bytes, that splitArgs cycles through.
var argCuts = []int{3, 1, 6, 2, 7, 4, 5}

// splitArgs cuts s into fragments at rune boundaries.
func splitArgs(s string) []string {
	var out []string
	for i := 0; len(s) > 0; i++ {
		n := min(argCuts[i%len(argCuts)], len(s))
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n++
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

func (t Turn) String() string {
	if t.status != 0 {
		return fmt.Sprintf("llmtest.Turn{HTTP %d}", t.status)
	}
	return fmt.Sprintf("llmtest.Turn{%d steps}", len(t.steps))
}
