package agent

import (
	"encoding/json"
	"fmt"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/tracetree"
)

// Fitting the conversation into the model's context window, small local
// models' 8k included: the request (messages and tool schemas) leaves
// room for the answer (the output cap) and a margin. When it does not
// fit, old material is summarised, oldest first, never the last four
// messages: tool results to their first lines, then long texts of the
// model; then the newest tool results are cut (head and tail), then the
// first message. The transcript says so (a notice) each time more had to
// be summarised.

// outputCapper is a provider with a cap on its answers.
type outputCapper interface{ MaxOutputTokens() int }

// requestBudget is how many tokens the messages may use.
func (r *Run) requestBudget() int {
	window := r.opts.Provider.ContextWindow()
	out := DefaultMaxOutputTokens(window)
	if c, ok := r.opts.Provider.(outputCapper); ok && c.MaxOutputTokens() > 0 {
		out = c.MaxOutputTokens()
	}
	if r.specTokens == 0 {
		b, _ := json.Marshal(specs(r.opts.Tools))
		r.specTokens = tracetree.CountTokens(string(b)) + 1
	}
	margin := max(window*3/100, 256)
	return max(min(window*85/100, window-out-r.specTokens-margin), window/4)
}

// fitMessages returns the messages to send: scrubbed of secrets, escapes
// made visible (redact.Text), and compacted to the budget.
func (r *Run) fitMessages() []Message {
	msgs := make([]Message, len(r.messages))
	sizes := make([]int, len(r.messages))
	total := 0
	for i, m := range r.messages {
		m.Content = redact.Text(m.Content)
		msgs[i] = m
		sizes[i] = messageTokens(m)
		total += sizes[i]
	}
	budget := r.requestBudget()
	r.shrunk = nil
	if total <= budget {
		return msgs
	}
	before := total
	summarised := 0
	args := map[string]string{}
	for _, m := range msgs {
		for _, tc := range m.ToolCalls {
			args[tc.ID] = tc.Arguments
		}
	}
	r.shrunk = map[int]bool{}
	shrink := func(i int, content string) {
		r.shrunk[i] = true
		msgs[i].Content = content
		n := messageTokens(msgs[i])
		total += n - sizes[i]
		sizes[i] = n
	}
	old := max(0, len(msgs)-4)
	// 1. Old tool results, to their first lines.
	for i := 0; i < old && total > budget; i++ {
		if m := msgs[i]; m.Role == "tool" && sizes[i] > 120 {
			shrink(i, fmt.Sprintf("[earlier result of %s %s, summarised to fit the context window (about %d tokens dropped; call the tool again if you need it): %s]",
				m.Name, clip(compactArgs([]byte(args[m.ToolCallID])), 120), sizes[i], firstLines(m.Content, 240)))
			summarised++
		}
	}
	// 2. Old long texts of the model.
	for i := 0; i < old && total > budget; i++ {
		if m := msgs[i]; m.Role == "assistant" && sizes[i] > 300 {
			shrink(i, "[earlier text, summarised to fit the context window] "+firstSentences(m.Content, 2))
			summarised++
		}
	}
	// 3. The newest tool results, head and tail.
	for i := old; i < len(msgs) && total > budget; i++ {
		if m := msgs[i]; m.Role == "tool" && sizes[i] > 200 {
			room := max(200, sizes[i]-(total-budget))
			shrink(i, capText(m.Content, room))
			summarised++
		}
	}
	// 4. The first message (the incident), head and tail.
	for i := 0; i < len(msgs) && total > budget; i++ {
		if msgs[i].Role == "user" {
			room := max(400, sizes[i]-(total-budget))
			shrink(i, capText(msgs[i].Content, room))
			summarised++
			break
		}
	}
	if summarised > r.compacted {
		r.publish(Event{Kind: EventNotice, Text: fmt.Sprintf("context compacted to fit the model's %d-token window: %d earlier messages summarised (about %d → %d tokens; %d left for the tool schemas and the answer)",
			r.opts.Provider.ContextWindow(), summarised, before, total, r.opts.Provider.ContextWindow()-budget)})
	}
	r.compacted = summarised
	return msgs
}

func messageTokens(m Message) int {
	n := tracetree.CountTokens(m.Content) + 8
	for _, tc := range m.ToolCalls {
		n += tracetree.CountTokens(tc.Name) + tracetree.CountTokens(tc.Arguments) + 8
	}
	return n
}

// requestTokens estimates a request's size as fitMessages counts it.
func requestTokens(msgs []Message) int {
	n := 0
	for _, m := range msgs {
		n += messageTokens(m)
	}
	return n
}
