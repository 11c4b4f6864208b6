package llmtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/shared"

	"github.com/tracehound/tracehound/agent/llmtest"
)

// newClient is the real openai-go client pointed at the fake.
func newClient(srv *llmtest.Server, opts ...option.RequestOption) openai.Client {
	return openai.NewClient(append([]option.RequestOption{
		option.WithBaseURL(srv.URL()),
		option.WithAPIKey("test-key"),
	}, opts...)...)
}

func params(tools ...string) openai.ChatCompletionNewParams {
	p := openai.ChatCompletionNewParams{
		Model: "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("You investigate production incidents."),
			openai.UserMessage("Why does checkout crash?"),
		},
	}
	for _, name := range tools {
		p.Tools = append(p.Tools, openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name:       name,
			Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"id": map[string]any{"type": "string"}}},
		}))
	}
	return p
}

// result is what one streamed call produced.
type result struct {
	chunks []openai.ChatCompletionChunk
	acc    openai.ChatCompletionAccumulator
	err    error
}

func stream(t *testing.T, ctx context.Context, client openai.Client, p openai.ChatCompletionNewParams) result {
	t.Helper()
	var r result
	s := client.Chat.Completions.NewStreaming(ctx, p)
	defer s.Close()
	for s.Next() {
		c := s.Current()
		if !r.acc.AddChunk(c) {
			t.Errorf("accumulator rejected chunk %d: %s", len(r.chunks), c.RawJSON())
		}
		r.chunks = append(r.chunks, c)
	}
	r.err = s.Err()
	return r
}

// reasoningDelta reads the reasoning text of a delta, whichever field the
// server used: openai-go has no field for it, so it lands in
// JSON.ExtraFields, whose entries report Valid() == false (no typed
// decoder) but keep the raw JSON: a quoted string, or null.
func reasoningDelta(d openai.ChatCompletionChunkChoiceDelta) string {
	for _, name := range []string{"reasoning_content", "reasoning"} {
		var s string
		if raw := d.JSON.ExtraFields[name].Raw(); raw != "" && json.Unmarshal([]byte(raw), &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

func TestStreamedText(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.Text("Looking at the trace, the pricing call returned null."))
	r := stream(t, context.Background(), newClient(srv), params())
	if r.err != nil {
		t.Fatal(r.err)
	}
	msg := r.acc.Choices[0].Message
	if msg.Content != "Looking at the trace, the pricing call returned null." {
		t.Errorf("content = %q", msg.Content)
	}
	if msg.Role != "assistant" || r.acc.Choices[0].FinishReason != "stop" {
		t.Errorf("role %q finish %q", msg.Role, r.acc.Choices[0].FinishReason)
	}
	// 9 words, then the finish chunk.
	if len(r.chunks) != 10 {
		t.Errorf("got %d chunks, want 10", len(r.chunks))
	}
	if got := r.chunks[1].Choices[0].Delta.Content; got != " at" {
		t.Errorf("second delta = %q", got)
	}
	if r.acc.ID != "chatcmpl-llmtest-1" || r.acc.Model != "gpt-4o-mini" {
		t.Errorf("id %q model %q", r.acc.ID, r.acc.Model)
	}

	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	q := reqs[0]
	if q.APIKey() != "test-key" || q.Header.Get("Authorization") != "Bearer test-key" {
		t.Errorf("Authorization = %q", q.Header.Get("Authorization"))
	}
	if q.Model != "gpt-4o-mini" || !q.Stream || q.IncludeUsage || q.RetryCount() != 0 || q.Turn != 1 {
		t.Errorf("request = %+v", q)
	}
	if len(q.Messages) != 2 || q.Messages[0].Role != "system" || q.Last().Content != "Why does checkout crash?" {
		t.Errorf("messages = %+v", q.Messages)
	}
	if string(q.Fields["stream"]) != "true" {
		t.Errorf("stream field = %s", q.Fields["stream"])
	}
}

func TestTextChunksAndFinish(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t,
		llmtest.TextChunks("The N+1", " pattern", " is in cart").Finish(llmtest.FinishLength),
		llmtest.TextChunks("no reason").NoFinishReason(),
	)
	client := newClient(srv)
	r := stream(t, context.Background(), client, params())
	if r.err != nil || r.acc.Choices[0].Message.Content != "The N+1 pattern is in cart" || r.acc.Choices[0].FinishReason != "length" {
		t.Errorf("err %v content %q finish %q", r.err, r.acc.Choices[0].Message.Content, r.acc.Choices[0].FinishReason)
	}
	r = stream(t, context.Background(), client, params())
	if r.err != nil || len(r.chunks) != 1 || r.acc.Choices[0].FinishReason != "" {
		t.Errorf("err %v chunks %d finish %q", r.err, len(r.chunks), r.acc.Choices[0].FinishReason)
	}
}

func TestAccumulatorTakesTheLatestFinishReason(t *testing.T) {
	t.Parallel()
	chunk := func(finish string) string {
		return `data: {"id":"chatcmpl-llmtest-1","object":"chat.completion.chunk","created":1700000000,"model":"m",` +
			`"choices":[{"index":0,"delta":{},"finish_reason":` + finish + `}]}` + "\n\n"
	}
	srv := llmtest.NewServer(t, llmtest.TextChunks("done").Raw(chunk(`"stop"`)).Raw(chunk("null")).NoFinishReason())
	r := stream(t, context.Background(), newClient(srv), params())
	if r.err != nil || len(r.chunks) != 3 {
		t.Fatalf("err %v, %d chunks", r.err, len(r.chunks))
	}
	if r.chunks[1].Choices[0].FinishReason != "stop" || r.acc.Choices[0].FinishReason != "" {
		t.Errorf("finish in chunk %q, accumulated %q", r.chunks[1].Choices[0].FinishReason, r.acc.Choices[0].FinishReason)
	}
}

func TestSplitToolArguments(t *testing.T) {
	t.Parallel()
	args := `{"id":"214e70f1","why":"a \"quoted\" price: é→null"}`
	srv := llmtest.NewServer(t, llmtest.Text("Let me open the error.").Tool("get_error_event", args))
	r := stream(t, context.Background(), newClient(srv), params("get_error_event"))
	if r.err != nil {
		t.Fatal(r.err)
	}
	choice := r.acc.Choices[0]
	if choice.FinishReason != "tool_calls" || choice.Message.Content != "Let me open the error." {
		t.Errorf("finish %q content %q", choice.FinishReason, choice.Message.Content)
	}
	if len(choice.Message.ToolCalls) != 1 {
		t.Fatalf("tool calls = %+v", choice.Message.ToolCalls)
	}
	tc := choice.Message.ToolCalls[0]
	if tc.ID != "call_1_0" || tc.Type != "function" || tc.Function.Name != "get_error_event" {
		t.Errorf("tool call = %+v", tc)
	}
	if tc.Function.Arguments != args || !json.Valid([]byte(tc.Function.Arguments)) {
		t.Errorf("arguments = %s", tc.Function.Arguments)
	}
	fragments := 0
	for _, c := range r.chunks {
		if len(c.Choices) > 0 && len(c.Choices[0].Delta.ToolCalls) > 0 {
			d := c.Choices[0].Delta.ToolCalls[0]
			if fragments > 0 && (d.ID != "" || d.Function.Name != "") {
				t.Errorf("fragment %d repeats id or name: %s", fragments, c.RawJSON())
			}
			fragments++
		}
	}
	if fragments < 10 {
		t.Errorf("arguments came in %d chunks, want many", fragments)
	}
}

func TestParallelToolCalls(t *testing.T) {
	t.Parallel()
	two := llmtest.Tool("get_error_event", `{"id":"214e70f1"}`).
		ToolID("call_spans", "get_spans", `{"transaction":"9a1c3e5b"}`)
	for name, turn := range map[string]llmtest.Turn{
		"openai style":  two,
		"repeated ids":  two.RepeatToolIDs(),
		"whole at once": two.WholeToolCalls(),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.NewServer(t, turn)
			r := stream(t, context.Background(), newClient(srv), params("get_error_event", "get_spans"))
			if r.err != nil {
				t.Fatal(r.err)
			}
			calls := r.acc.Choices[0].Message.ToolCalls
			if len(calls) != 2 {
				t.Fatalf("tool calls = %+v", calls)
			}
			want := [][3]string{
				{"call_1_0", "get_error_event", `{"id":"214e70f1"}`},
				{"call_spans", "get_spans", `{"transaction":"9a1c3e5b"}`},
			}
			for i, w := range want {
				got := [3]string{calls[i].ID, calls[i].Function.Name, calls[i].Function.Arguments}
				if got != w {
					t.Errorf("call %d = %q, want %q", i, got, w)
				}
			}
			if r.acc.Choices[0].FinishReason != "tool_calls" {
				t.Errorf("finish = %q", r.acc.Choices[0].FinishReason)
			}
		})
	}
}

func TestToolLoopWithExpectAndPush(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.Tool("get_error_event", `{"id":"214e70f1"}`))
	client := newClient(srv)
	p := params("get_error_event")
	r := stream(t, context.Background(), client, p)
	if r.err != nil {
		t.Fatal(r.err)
	}
	// The agent sends the assistant message back, then the tool's answer.
	call := r.acc.Choices[0].Message.ToolCalls[0]
	p.Messages = append(p.Messages, r.acc.Choices[0].Message.ToParam(),
		openai.ToolMessage("user denied: wrong event, use the checkout one", call.ID))

	srv.Push(llmtest.Text("Understood.").Expect(func(q llmtest.Request) error {
		res, ok := q.ToolResult("call_1_0")
		if !ok || res.Content != "user denied: wrong event, use the checkout one" {
			return fmt.Errorf("tool result for call_1_0 = %+v, %v", res, ok)
		}
		asst := q.Messages[len(q.Messages)-2]
		if asst.Role != "assistant" || len(asst.ToolCalls) != 1 || asst.ToolCalls[0].Arguments != `{"id":"214e70f1"}` {
			return fmt.Errorf("assistant message = %+v", asst)
		}
		if !q.HasTool("get_error_event") {
			return fmt.Errorf("tools = %v", q.Tools)
		}
		return nil
	}))
	r = stream(t, context.Background(), client, p)
	if r.err != nil || r.acc.Choices[0].Message.Content != "Understood." {
		t.Errorf("err %v content %q", r.err, r.acc.Choices[0].Message.Content)
	}
	if srv.Remaining() != 0 || len(srv.Requests()) != 2 {
		t.Errorf("remaining %d, %d requests", srv.Remaining(), len(srv.Requests()))
	}
}

func TestReasoningDeltas(t *testing.T) {
	t.Parallel()
	for _, field := range []string{llmtest.FieldReasoningContent, llmtest.FieldReasoning} {
		t.Run(field, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.NewServer(t, llmtest.Reasoning("The unit price is null after the promotion.").
				ReasoningField(field).Text("Pricing returns null."))
			r := stream(t, context.Background(), newClient(srv), params())
			if r.err != nil {
				t.Fatal(r.err)
			}
			var reasoning strings.Builder
			for _, c := range r.chunks {
				if len(c.Choices) == 0 {
					continue
				}
				d := c.Choices[0].Delta
				reasoning.WriteString(reasoningDelta(d))
				if f, ok := d.JSON.ExtraFields[field]; ok && f.Valid() {
					t.Errorf("extra field %s reports Valid(); the package doc says it does not", field)
				}
				// The raw JSON of the delta has it too.
				var raw map[string]json.RawMessage
				if err := json.Unmarshal([]byte(d.RawJSON()), &raw); err != nil {
					t.Fatal(err)
				}
				if _, ok := d.JSON.ExtraFields[field]; ok && raw[field] == nil {
					t.Errorf("raw delta %s lacks %s", d.RawJSON(), field)
				}
			}
			if reasoning.String() != "The unit price is null after the promotion." {
				t.Errorf("reasoning = %q", reasoning.String())
			}
			// The accumulator keeps content, not reasoning.
			if r.acc.Choices[0].Message.Content != "Pricing returns null." {
				t.Errorf("content = %q", r.acc.Choices[0].Message.Content)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t,
		llmtest.Text("Done.").Usage(1200, 34),
		llmtest.Text("Done."),
		llmtest.Text("Done.").Usage(1200, 34),
	)
	client := newClient(srv)
	p := params()
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	r := stream(t, context.Background(), client, p)
	if r.err != nil {
		t.Fatal(r.err)
	}
	u := r.acc.Usage
	if u.PromptTokens != 1200 || u.CompletionTokens != 34 || u.TotalTokens != 1234 {
		t.Errorf("usage = %+v", u)
	}
	last := r.chunks[len(r.chunks)-1]
	if len(last.Choices) != 0 || !last.JSON.Usage.Valid() {
		t.Errorf("last chunk = %s", last.RawJSON())
	}
	if !srv.Requests()[0].IncludeUsage {
		t.Error("request did not ask for usage")
	}

	// Without Usage the counts are derived: completion = delta chunks sent.
	r = stream(t, context.Background(), client, p)
	if r.err != nil || r.acc.Usage.CompletionTokens != 1 || r.acc.Usage.PromptTokens == 0 {
		t.Errorf("err %v usage %+v", r.err, r.acc.Usage)
	}

	// Not asked for: no usage chunk.
	r = stream(t, context.Background(), client, params())
	if r.err != nil || r.acc.Usage.TotalTokens != 0 || len(r.chunks[len(r.chunks)-1].Choices) == 0 {
		t.Errorf("err %v usage %+v", r.err, r.acc.Usage)
	}
}

func TestCutStream(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t,
		llmtest.Text("Looking at the trace").Cut(),
		llmtest.Text("Looking at the trace").NoDone(),
	)
	client := newClient(srv)
	r := stream(t, context.Background(), client, params())
	if !errors.Is(r.err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want unexpected EOF", r.err)
	}
	if len(r.chunks) != 4 || r.acc.Choices[0].Message.Content != "Looking at the trace" || r.acc.Choices[0].FinishReason != "" {
		t.Errorf("%d chunks, content %q finish %q", len(r.chunks), r.acc.Choices[0].Message.Content, r.acc.Choices[0].FinishReason)
	}

	// A clean end without [DONE] is no error for openai-go.
	r = stream(t, context.Background(), client, params())
	if r.err != nil || r.acc.Choices[0].FinishReason != "stop" {
		t.Errorf("err %v finish %q", r.err, r.acc.Choices[0].FinishReason)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests: a cut stream must not be retried", n)
	}
}

func TestCutInsideToolArguments(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.Tool("get_error_event", `{"id":"214e70f1"}`).CutAfter(4))
	r := stream(t, context.Background(), newClient(srv), params("get_error_event"))
	if !errors.Is(r.err, io.ErrUnexpectedEOF) || len(r.chunks) != 4 {
		t.Fatalf("err %v, %d chunks", r.err, len(r.chunks))
	}
	args := r.acc.Choices[0].Message.ToolCalls[0].Function.Arguments
	if args != `{"id":"214` || json.Valid([]byte(args)) {
		t.Errorf("arguments so far = %q", args)
	}
}

func TestCutBeforeHeadersIsRetried(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.Cut(), llmtest.Text("ok"))
	r := stream(t, context.Background(), newClient(srv, option.WithMaxRetryDelay(time.Millisecond)), params())
	if r.err != nil || r.acc.Choices[0].Message.Content != "ok" {
		t.Errorf("err %v content %q", r.err, r.acc.Choices[0].Message.Content)
	}
	if reqs := srv.Requests(); len(reqs) != 2 || reqs[1].RetryCount() != 1 {
		t.Errorf("requests = %d", len(reqs))
	}
}

func TestRateLimitThenSuccess(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t,
		llmtest.RateLimited(5*time.Millisecond),
		llmtest.ServerError().Header("Retry-After-Ms", "1"),
		llmtest.Text("Recovered."),
	)
	// Default: 2 retries, so 3 attempts in all.
	r := stream(t, context.Background(), newClient(srv), params())
	if r.err != nil || r.acc.Choices[0].Message.Content != "Recovered." {
		t.Fatalf("err %v content %q", r.err, r.acc.Choices[0].Message.Content)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, q := range reqs {
		if q.RetryCount() != i || q.Turn != i+1 {
			t.Errorf("request %d: retry count %d turn %d", i, q.RetryCount(), q.Turn)
		}
	}
}

func TestRateLimitNoRetries(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.RateLimited(5*time.Millisecond))
	r := stream(t, context.Background(), newClient(srv, option.WithMaxRetries(0)), params())
	var apiErr *openai.Error
	if !errors.As(r.err, &apiErr) {
		t.Fatalf("err = %v (%T)", r.err, r.err)
	}
	if apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" || apiErr.Type != "requests" ||
		!strings.HasPrefix(apiErr.Message, "Rate limit reached") {
		t.Errorf("api error = %d %q %q %q", apiErr.StatusCode, apiErr.Code, apiErr.Type, apiErr.Message)
	}
	if apiErr.Error() != "OpenAI API error: 429 Too Many Requests" {
		t.Errorf("Error() = %q", apiErr.Error())
	}
	h := apiErr.Response.Header
	if h.Get("Retry-After") != "1" || h.Get("Retry-After-Ms") != "5" || h.Get("X-Ratelimit-Remaining-Requests") != "0" {
		t.Errorf("headers = %v", h)
	}
	if len(srv.Requests()) != 1 {
		t.Errorf("%d requests", len(srv.Requests()))
	}
}

func TestRateLimitLongerThanMaxRetryDelay(t *testing.T) {
	t.Parallel()
	// openai-go gives up at once when the server asks to wait longer than
	// its maximum retry delay (2 minutes unless option.WithMaxRetryDelay).
	srv := llmtest.NewServer(t, llmtest.RateLimited(5*time.Minute), llmtest.Text("too late"))
	r := stream(t, context.Background(), newClient(srv), params())
	var apiErr *openai.Error
	if !errors.As(r.err, &apiErr) || apiErr.StatusCode != 429 {
		t.Fatalf("err = %v", r.err)
	}
	if len(srv.Requests()) != 1 || srv.Remaining() != 1 {
		t.Errorf("%d requests", len(srv.Requests()))
	}
}

func TestHTTPErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		turn     llmtest.Turn
		status   int
		code     string
		attempts int
	}{
		{llmtest.Unauthorized(), 401, "invalid_api_key", 1}, // not retried
		{llmtest.Status(404, "The model `gpt-9` does not exist"), 404, "model_not_found", 1},
		{llmtest.Status(400, "context_length_exceeded"), 400, "", 1},
		{llmtest.ServerError().Header("Retry-After-Ms", "1"), 500, "", 3},                           // retried twice
		{llmtest.ServerError().Header("X-Should-Retry", "false"), 500, "", 1},                       // server says no
		{llmtest.ErrorJSON(502, "<html>Bad Gateway</html>").Header("Retry-After", "0"), 502, "", 3}, // not JSON
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			srv := llmtest.NewServer(t, tc.turn, tc.turn, tc.turn)
			r := stream(t, context.Background(), newClient(srv), params())
			var apiErr *openai.Error
			if !errors.As(r.err, &apiErr) {
				t.Fatalf("err = %v (%T)", r.err, r.err)
			}
			if apiErr.StatusCode != tc.status || apiErr.Code != tc.code {
				t.Errorf("status %d code %q; raw %s", apiErr.StatusCode, apiErr.Code, apiErr.RawJSON())
			}
			if n := len(srv.Requests()); n != tc.attempts {
				t.Errorf("%d attempts, want %d", n, tc.attempts)
			}
		})
	}
}

func TestMalformedChunk(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.Text("Looking").Malformed().Text("never read"))
	r := stream(t, context.Background(), newClient(srv), params())
	var syntaxErr *json.SyntaxError
	if !errors.As(r.err, &syntaxErr) {
		t.Errorf("err = %v (%T), want a *json.SyntaxError", r.err, r.err)
	}
	if len(r.chunks) != 1 || r.acc.Choices[0].Message.Content != "Looking" {
		t.Errorf("%d chunks", len(r.chunks))
	}
}

func TestStreamErrorEvent(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.Text("Looking").StreamError("model overloaded"))
	r := stream(t, context.Background(), newClient(srv), params())
	var streamErr *ssestream.StreamError
	if !errors.As(r.err, &streamErr) || !strings.Contains(streamErr.Message, "model overloaded") {
		t.Fatalf("err = %v (%T)", r.err, r.err)
	}
	var body struct {
		Error struct{ Message, Type string }
	}
	if err := json.Unmarshal(streamErr.Event.Data, &body); err != nil || body.Error.Message != "model overloaded" {
		t.Errorf("event data %s: %v", streamErr.Event.Data, err)
	}
}

func TestRawAndPace(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.TextChunks("a").Raw(": keep-alive\n\n").TextChunks("b", "c").Pace(time.Millisecond))
	r := stream(t, context.Background(), newClient(srv), params())
	if r.err != nil || r.acc.Choices[0].Message.Content != "abc" {
		t.Errorf("err %v content %q", r.err, r.acc.Choices[0].Message.Content)
	}
}

// TestRate: a rated stream carries the whole text, and its data lines
// are never early (line n is due n/rate after the first): the lower bound
// holds however slow the machine is.
func TestRate(t *testing.T) {
	t.Parallel()
	text := llmtest.LongMarkdown(40)
	srv := llmtest.NewServer(t, llmtest.Text(text).Rate(400))
	start := time.Now()
	r := stream(t, context.Background(), newClient(srv), params())
	took := time.Since(start)
	if r.err != nil || r.acc.Choices[0].Message.Content != text {
		t.Fatalf("err %v content %q", r.err, r.acc.Choices[0].Message.Content)
	}
	// The role chunk, one a word, the finish chunk; [DONE] is a line too.
	lines := len(r.chunks) + 1
	if min := time.Duration(lines-1) * time.Second / 400; took < min {
		t.Errorf("%d lines at 400 a second took %v, less than %v", lines, took, min)
	}
}

// TestLongMarkdown: about the words asked for, with every block a
// renderer must handle.
func TestLongMarkdown(t *testing.T) {
	md := llmtest.LongMarkdown(1000)
	if n := len(strings.Fields(md)); n < 1000 || n > 1300 {
		t.Errorf("%d words, want about 1000", n)
	}
	for _, want := range []string{"## 1. ", "### ", "\n- ", "\n  - ", "\n1. ", "```go\n", "\n> ", "| --- |", "**payments**", "`500`"} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in the answer", want)
		}
	}
	if md != llmtest.LongMarkdown(1000) {
		t.Error("not deterministic")
	}
}

// watchdog fails the test if done is not closed in a generous time: a
// liveness bound, not a timing assertion.
func watchdog(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not return after cancel", what)
	}
}

func TestCancelDuringDelay(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.TextChunks("Looking").Delay(time.Hour).Text("never"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := newClient(srv)
	s := client.Chat.Completions.NewStreaming(ctx, params())
	defer s.Close()
	if !s.Next() || s.Current().Choices[0].Delta.Content != "Looking" {
		t.Fatalf("first chunk: %v", s.Err())
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s.Next() {
			t.Errorf("unexpected chunk %s", s.Current().RawJSON())
		}
	}()
	cancel()
	watchdog(t, done, "Next")
	if !errors.Is(s.Err(), context.Canceled) {
		t.Errorf("err = %v", s.Err())
	}
}

func TestCancelWhileHanging(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	srv := llmtest.NewServer(t, llmtest.Hang().Expect(func(llmtest.Request) error {
		close(arrived)
		return nil
	}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		// No headers yet: NewStreaming itself waits.
		client := newClient(srv)
		s := client.Chat.Completions.NewStreaming(ctx, params())
		defer s.Close()
		s.Next()
		err = s.Err()
	}()
	<-arrived
	cancel()
	watchdog(t, done, "NewStreaming")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests: a cancelled request must not be retried", n)
	}
}

func TestCleanupEndsHangingRequests(t *testing.T) {
	t.Parallel()
	done := make(chan error)
	t.Run("server", func(t *testing.T) {
		arrived := make(chan struct{})
		srv := llmtest.NewServer(t, llmtest.TextChunks("a").Hang().Expect(func(llmtest.Request) error {
			close(arrived)
			return nil
		}))
		client := newClient(srv, option.WithMaxRetries(0))
		go func() {
			// Never cancelled: only the server's cleanup ends it.
			s := client.Chat.Completions.NewStreaming(context.Background(), params())
			defer s.Close()
			for s.Next() {
			}
			done <- s.Err()
		}()
		<-arrived
	})
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the server's cleanup left a hanging request")
	}
	if err == nil {
		t.Error("a stream closed by the cleanup should end with an error")
	}
}

func TestModels(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t).WithModels("gpt-4o-mini", "qwen2.5-coder:7b")
	client := newClient(srv)
	page, err := client.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "gpt-4o-mini,qwen2.5-coder:7b" {
		t.Errorf("models = %v", ids)
	}
	m, err := client.Models.Get(context.Background(), "qwen2.5-coder:7b")
	if err != nil || m.ID != "qwen2.5-coder:7b" {
		t.Errorf("get = %+v, %v", m, err)
	}
	_, err = client.Models.Get(context.Background(), "gpt-9")
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "model_not_found" {
		t.Errorf("get missing = %v", err)
	}
	if len(srv.Requests()) != 0 {
		t.Error("model requests are not chat requests")
	}
}

func TestRequireAPIKey(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.Text("hello")).RequireAPIKey("sk-right")
	client := newClient(srv)
	_, err := client.Models.List(context.Background())
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Errorf("models with wrong key: %v", err)
	}
	r := stream(t, context.Background(), newClient(srv), params())
	if !errors.As(r.err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "invalid_api_key" {
		t.Errorf("chat with wrong key: %v", r.err)
	}
	r = stream(t, context.Background(), newClient(srv, option.WithAPIKey("sk-right")), params())
	if r.err != nil || r.acc.Choices[0].Message.Content != "hello" {
		t.Errorf("err %v", r.err)
	}
	if reqs := srv.Requests(); len(reqs) != 2 || reqs[0].Turn != 0 || reqs[1].Turn != 1 {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestNonStreaming(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t,
		llmtest.Reasoning("think").Text("Pricing returns null.").Tool("get_error_event", `{"id":"214e70f1"}`),
	)
	client := newClient(srv)
	c, err := client.Chat.Completions.New(context.Background(), params("get_error_event"))
	if err != nil {
		t.Fatal(err)
	}
	msg := c.Choices[0].Message
	if msg.Content != "Pricing returns null." || len(msg.ToolCalls) != 1 || msg.ToolCalls[0].Function.Arguments != `{"id":"214e70f1"}` ||
		c.Choices[0].FinishReason != "tool_calls" || c.Usage.TotalTokens == 0 {
		t.Errorf("completion = %s", c.RawJSON())
	}
	if f := msg.JSON.ExtraFields["reasoning_content"]; f.Raw() != `"think"` {
		t.Errorf("reasoning = %q", f.Raw())
	}
	if srv.Requests()[0].Stream {
		t.Error("request should not stream")
	}
}

func TestAsJSONToAStreamingRequest(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewServer(t, llmtest.Text("plain").AsJSON())
	r := stream(t, context.Background(), newClient(srv), params())
	// openai-go reads no event from a non-SSE body and reports no error.
	if r.err != nil || len(r.chunks) != 0 {
		t.Errorf("err %v, %d chunks", r.err, len(r.chunks))
	}
}

// recorder is a testing.TB that keeps the errors the server reports.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

func TestScriptExhausted(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	srv := llmtest.NewServer(rec, llmtest.Text("only one"))
	client := newClient(srv)
	stream(t, context.Background(), client, params())
	r := stream(t, context.Background(), client, params())
	var apiErr *openai.Error
	if !errors.As(r.err, &apiErr) || apiErr.StatusCode != http.StatusInternalServerError ||
		apiErr.Message != "llmtest: no scripted turn left for request 2" {
		t.Fatalf("err = %v", r.err)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests: the exhausted answer must not be retried", n)
	}
	errs := rec.errors()
	if len(errs) != 1 || !strings.Contains(errs[0], "no scripted turn left for request 2") {
		t.Errorf("reported %q", errs)
	}
}

func TestExpectFailureIsReported(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	srv := llmtest.NewServer(rec, llmtest.Text("ok").Expect(func(q llmtest.Request) error {
		if _, ok := q.ToolResult("call_1_0"); !ok {
			return errors.New("no tool result for call_1_0")
		}
		return nil
	}))
	r := stream(t, context.Background(), newClient(srv), params())
	if r.err != nil || r.acc.Choices[0].Message.Content != "ok" {
		t.Errorf("the turn answers anyway: %v", r.err)
	}
	errs := rec.errors()
	if len(errs) != 1 || errs[0] != "llmtest: request 1 (turn 1): no tool result for call_1_0" {
		t.Errorf("reported %q", errs)
	}
}

func TestUnknownPathIsReported(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	srv := llmtest.NewServer(rec, llmtest.Text("ok"))
	// A base URL without /v1 is a classic configuration mistake.
	client := openai.NewClient(option.WithBaseURL(strings.TrimSuffix(srv.URL(), "/v1")), option.WithAPIKey("k"))
	r := stream(t, context.Background(), client, params())
	var apiErr *openai.Error
	if !errors.As(r.err, &apiErr) || apiErr.StatusCode != 404 {
		t.Errorf("err = %v", r.err)
	}
	if errs := rec.errors(); len(errs) != 1 || !strings.Contains(errs[0], "POST /chat/completions") {
		t.Errorf("reported %q", errs)
	}
	if srv.Remaining() != 1 {
		t.Error("the turn was used")
	}
}
