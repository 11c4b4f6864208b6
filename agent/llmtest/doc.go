// Package llmtest is a scripted fake of an OpenAI-compatible Chat
// Completions server, for tests of the agent and the UI. It is a real HTTP
// server on loopback (httptest) speaking real SSE, so the code under test
// is the openai-go client users run; no test reaches the network.
//
// # Script
//
// A Server answers each POST /v1/chat/completions with the next Turn of its
// script, in arrival order, one turn per request: a request the client
// retries uses the next turn too. Turns are built with package functions
// and chained methods of the same names:
//
//	srv := llmtest.NewServer(t,
//		// 1: think, say something, call a tool (finish_reason "tool_calls").
//		llmtest.Reasoning("The unit price is null after the promotion.").
//			Text("Let me open the checkout error.").
//			Tool("get_error_event", `{"id":"214e70f1"}`),
//		// 2: rate limited; openai-go retries by itself and gets turn 3.
//		llmtest.RateLimited(10*time.Millisecond),
//		// 3: check what reached the model, then answer (finish "stop").
//		llmtest.Text("Pricing returns a null unit price.").Expect(func(r llmtest.Request) error {
//			if m, ok := r.ToolResult("call_1_0"); !ok || !strings.HasPrefix(m.Content, "user denied:") {
//				return fmt.Errorf("no denial for call_1_0 in %+v", r.Messages)
//			}
//			return nil
//		}),
//	).WithModels("gpt-4o-mini", "qwen2.5-coder:7b")
//	client := openai.NewClient(option.WithBaseURL(srv.URL()), option.WithAPIKey("test-key"))
//	// … or OPENAI_BASE_URL=srv.URL() for code that reads the environment.
//	// After the run: srv.Requests() holds every request, decoded.
//
// Building blocks, in stream order:
//
//   - Text(s) streams s one word per chunk ("Looking", " at", " the",
//     " trace"); TextChunks(a, b, …) streams exactly those deltas.
//   - Reasoning(s) / ReasoningChunks(…) stream reasoning deltas in the field
//     named by ReasoningField: FieldReasoningContent "reasoning_content"
//     (DeepSeek, vLLM, llama.cpp; the default) or FieldReasoning "reasoning"
//     (OpenRouter, Ollama).
//   - Tool(name, args) streams a function call with the next index (0, 1,
//     …) and id "call_<turn>_<index>", <turn> being the turn's 1-based
//     position in the script; ToolID chooses the id. The arguments are cut
//     at rune boundaries into 1–7 byte fragments; ToolParts(name, frags…)
//     chooses them. By default the first chunk of a call carries index, id,
//     type "function", name and arguments "", later ones only index and an
//     arguments fragment (OpenAI's shape); RepeatToolIDs repeats id and type
//     in every chunk, WholeToolCalls sends each call in one chunk (Ollama).
//   - Delay(d) pauses; Pace(d) pauses before every data line but the first;
//     Rate(n) sends n data lines a second on a fixed schedule (a model
//     streaming n tokens a second; LongMarkdown(words) is a long answer to
//     stream). Pauses end when the client goes away, and the turn then stops.
//   - Faults: Status(code, msg), RateLimited(retryAfter), Unauthorized(),
//     ServerError(), ErrorJSON(code, body) answer an HTTP error (see
//     below); Cut() closes the connection mid-response, CutAfter(n) after
//     the n-th chunk; Malformed() sends a
//     data line of truncated JSON; StreamError(msg) sends an error event in
//     the 200 stream and ends it; Hang() waits until the client cancels;
//     NoDone() ends cleanly without [DONE]; NoFinishReason() never sets
//     finish_reason; AsJSON() answers a streaming request with a plain JSON
//     completion; Raw(s) writes SSE text verbatim (": keep-alive\n\n").
//   - Finish(reason) overrides the finish reason (FinishStop, FinishLength,
//     FinishToolCalls, FinishContentFilter), Usage(prompt, completion) the
//     token counts, Model(name) the model echoed, Header(k, v) adds a
//     response header, Expect(check) checks the request (an error goes to
//     t.Errorf; the turn answers anyway).
//
// Push appends turns while the client runs. When the script is exhausted
// the server answers 500 with the OpenAI error message "llmtest: no scripted
// turn left for request N" and X-Should-Retry: false (so openai-go does not
// retry), and reports it with t.Errorf: a test never hangs on a missing
// turn. Any other path (a base URL without /v1 gives POST
// /chat/completions) is a 404 and a t.Errorf. GET /v1/models lists
// WithModels (default DefaultModel); GET /v1/models/{id} answers one or 404
// model_not_found. RequireAPIKey(key) answers 401 invalid_api_key to any
// request without "Authorization: Bearer key" (no turn used). NewServer
// registers a t.Cleanup that ends pending pauses and hangs and closes the
// server.
//
// # What goes on the wire
//
// A streamed turn answers 200, Content-Type "text/event-stream;
// charset=utf-8", and one "data: <json>\n\n" line per chunk:
//
//	{"id":"chatcmpl-llmtest-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini",
//	 "choices":[{"index":0,"delta":{"role":"assistant","content":"Looking"},"logprobs":null,"finish_reason":null}]}
//
// Every chunk of a response has the same id ("chatcmpl-llmtest-<N>", N the
// request number) and the request's model. The first delta carries role
// "assistant". After the steps come a chunk with an empty delta and the
// finish_reason; then, only if the request set stream_options.include_usage
// (all earlier chunks then carry "usage":null), a chunk with "choices":[]
// and "usage":{prompt_tokens, completion_tokens, total_tokens}; then
// "data: [DONE]". The status line and headers go out with the first line
// written: a Delay or Hang before any chunk keeps the client waiting for
// the response itself (NewStreaming blocks), after a chunk it stalls an open
// stream (Next blocks). A request without "stream": true gets one
// chat.completion JSON object built from the same turn.
//
// Status(code, msg) answers {"error":{"message":msg,"type":…,"param":null,
// "code":…}} with type and code as OpenAI sets them for that status (401
// invalid_api_key, 404 model_not_found, 429 type "requests" code
// "rate_limit_exceeded", 5xx type "server_error", code null). RateLimited
// adds Retry-After (seconds, rounded up), Retry-After-Ms and
// X-Ratelimit-{Limit,Remaining,Reset}-{Requests,Tokens}.
//
// # openai-go v3 (v3.96.0), as these tests pin it down
//
// Streaming. client.Chat.Completions.NewStreaming sends the params with
// "stream": true added; it returns only once response headers arrived (or
// the context ended, or the retries ran out) and never returns an error
// itself: iterate, then read stream.Err(). Call stream.Close when you stop
// early. The SSE decoder ignores Content-Type and comment lines; "data:
// [DONE]" ends the stream; a data line whose JSON has a
// top-level "error" key ends it with an error.
//
// Accumulator. openai.ChatCompletionAccumulator.AddChunk concatenates
// content, refusal and each tool call's name and arguments by tool-call
// index (id and type taken from any chunk that has them) and sums usage.
// It takes finish_reason (and model) from the latest chunk that has them
// at all: a chunk for the choice after the finish chunk, with
// finish_reason null, clears it, so record the first non-empty
// finish_reason yourself. It returns false, ignoring the chunk, if the
// chunk id changes mid-stream or an index is out of range. It does not
// keep reasoning. Read tool calls from acc.Choices[0].Message.ToolCalls
// once the stream ended (JustFinishedToolCall is documented as unreliable
// with parallel tool calls), and append acc.Choices[0].Message.ToParam()
// to the history before the tool messages (openai.ToolMessage(result,
// call.ID)). acc.Choices is empty when no chunk had a choice: check its
// length before indexing. Usage comes only when the params set
// StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage:
// openai.Bool(true)}, in a last chunk whose Choices is empty, so check
// len(chunk.Choices) before reading a delta.
//
// Reasoning. openai-go has no field for reasoning deltas; they land in
// delta.JSON.ExtraFields under the server's field name, whose entries
// report Valid() == false (no typed decoder) but keep the raw JSON ("" when
// absent, "null", or a quoted string). Read both names:
//
//	func reasoningDelta(d openai.ChatCompletionChunkChoiceDelta) string {
//		for _, name := range []string{"reasoning_content", "reasoning"} {
//			var s string
//			if raw := d.JSON.ExtraFields[name].Raw(); raw != "" && json.Unmarshal([]byte(raw), &s) == nil && s != "" {
//				return s
//			}
//		}
//		return ""
//	}
//
// d.RawJSON() is the delta's raw JSON too. A non-streamed completion has
// it in message.JSON.ExtraFields the same way.
//
// Retries. By default a request is retried twice (3 attempts) on 408, 409,
// 429, any 5xx, and on a connection error before the response (including
// Cut() before any chunk); a response header X-Should-Retry: true/false
// overrides that. The wait is Retry-After-Ms, else Retry-After (seconds or
// an HTTP date), else 0.5s·2^n minus up to 25% jitter, capped at 8s; a
// server-directed wait above the maximum retry delay (2 minutes) stops
// retrying and returns the error at once. option.WithMaxRetries(n) sets
// the retries (0: one attempt), option.WithMaxRetryDelay(d) the cap,
// option.WithRequestTimeout(d) a per-attempt timeout; the context bounds
// them all. Each attempt sends X-Stainless-Retry-Count (Request.RetryCount).
// Nothing is retried once a 200 stream has begun: a cut, malformed or
// error-event stream is the agent's to retry.
//
// Errors, as stream.Err() returns them:
//   - HTTP status ≥ 400: *openai.Error (errors.As) with StatusCode, Type,
//     Code, Message, Param, RawJSON() and Response (its headers: Retry-After,
//     x-ratelimit-*). Its Error() is only "OpenAI API error: 429 Too Many
//     Requests": show Message to the user. A non-JSON body leaves the
//     fields empty.
//   - Cut(): an error wrapping io.ErrUnexpectedEOF.
//   - Malformed(): a *json.SyntaxError.
//   - StreamError(msg): *ssestream.StreamError, Message "received error
//     while streaming: {…}", Event.Data the raw JSON.
//   - context cancelled, before the headers or mid-stream: context.Canceled
//     (errors.Is), promptly; the request is not retried.
//
// Not errors: a stream that ends cleanly without [DONE] (NoDone), a stream
// without finish_reason (NoFinishReason), and a 200 non-SSE body (AsJSON),
// which yields no chunk at all. The agent must treat a missing
// finish_reason as a truncated answer.
//
// Client set-up. openai.NewClient first reads OPENAI_BASE_URL,
// OPENAI_API_KEY, OPENAI_ORG_ID, OPENAI_PROJECT_ID and
// OPENAI_CUSTOM_HEADERS from the environment; options passed to it win.
// Paths are relative ("chat/completions", "models"), so the base URL must
// include /v1 (WithBaseURL adds the trailing slash). The key goes out as
// "Authorization: Bearer <key>". The default HTTP client waits at most 10
// minutes for response headers and has no overall timeout: use the context.
package llmtest
