package investigation

import (
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/redact"
)

// The model's-eye view: the context of the last request exactly as the
// model received it (the run's EventContext events folded by the
// reducer), with the sizes the context budget counted. Nothing is
// recomputed: the texts are the ones handed to the provider.

// ContextBlock is one message of the view: its heading and its text as
// sent. Message is its index in the request (-1 for a block that is not
// a message).
type ContextBlock struct {
	Heading string
	Text    string
	Message int
}

// ModelContextBlocks lays out the model's context: an introduction, then
// one block per message. With the offline analyzer (analyzer
// "heuristic") no model was asked: the view says so and shows the tool
// results the analyzer's calls returned to it.
func ModelContextBlocks(c *agent.ModelContext, analyzer string) (intro string, blocks []ContextBlock) {
	var b strings.Builder
	heuristic := analyzer == "heuristic"
	switch {
	case c == nil || c.Requests == 0:
		if heuristic {
			return "No model is involved: the offline analyzer (heuristics, not an LLM) has not made a call yet.\n", nil
		}
		return "Nothing has been sent to a model yet: start the investigation (a), and this view shows the exact context of the last request.\n", nil
	case heuristic:
		b.WriteString("No model saw anything: the offline analyzer is heuristics, not an LLM, and nothing was sent over the network.\n")
		b.WriteString("It reads the incident directly; below are the tool results its calls returned to it, as the run handed them over (scrubbed and capped as a model's would be).\n")
	default:
		fmt.Fprintf(&b, "The context the model %s received in its last request (step %d of the run; %d requests in all), exactly as sent: scrubbed of secrets, tool results capped, and summarised where the window required it.\n",
			redact.Line(c.Model), c.Step, c.Requests)
		tools := "no tools offered"
		if len(c.Tools) > 0 {
			tools = fmt.Sprintf("tool schemas %s tokens (%d tools)", thousands(c.ToolTokens), len(c.Tools))
		}
		fmt.Fprintf(&b, "Messages %s tokens of a %s-token budget · %s · window %s tokens",
			thousands(c.Tokens), thousands(c.Budget), tools, thousands(c.Window))
		if c.ToolChoice != "" {
			fmt.Fprintf(&b, " · forced tool %s", redact.Line(c.ToolChoice))
		}
		b.WriteString("\nCounts are tracehound's tokenizer, the one the budget uses (the model's own may differ a little).\n")
	}
	args := map[string]string{}
	for _, m := range c.Messages {
		for _, tc := range m.ToolCalls {
			args[tc.ID] = tc.Arguments
		}
	}
	for _, m := range c.Messages {
		if heuristic && m.Role != "tool" {
			continue
		}
		blocks = append(blocks, ContextBlock{Heading: messageHeading(m, args[m.ToolCallID]), Text: m.Content, Message: m.Index})
		if m.Role == "user" && m.Index <= 1 && !heuristic {
			// The incident: its parts and their sizes.
			var parts []string
			for _, p := range agent.FirstMessageParts(m.Content) {
				h := p.Heading
				if h == "" {
					h = "issue"
				}
				parts = append(parts, fmt.Sprintf("%s %s", redact.Line(h), thousands(p.Tokens)))
			}
			blocks[len(blocks)-1].Heading += "\n   parts (tokens): " + strings.Join(parts, " · ")
		}
	}
	if heuristic && len(blocks) == 0 {
		b.WriteString("\n(The analyzer has not received any tool result yet.)\n")
	}
	return b.String(), blocks
}

// messageHeading names a message: its number, what it is, its size.
// args are a tool result's call arguments.
func messageHeading(m agent.SentMessage, args string) string {
	var what string
	switch m.Role {
	case "system":
		what = "system prompt"
	case "user":
		what = "user message"
		if m.Index <= 1 {
			what = "first message: the incident"
		}
	case "assistant":
		what = fmt.Sprintf("the model's answer (step %d)", m.Step)
		var calls []string
		for _, tc := range m.ToolCalls {
			calls = append(calls, redact.Line(tc.Name)+" "+redact.Line(clipArgs(tc.Arguments)))
		}
		if len(calls) > 0 {
			what += " → " + strings.Join(calls, ", ")
		}
	case "tool":
		what = "tool result: " + redact.Line(m.Name)
		if a := clipArgs(args); a != "" && a != "{}" {
			what += " " + redact.Line(a)
		}
	default:
		what = redact.Line(m.Role)
	}
	h := fmt.Sprintf("%d · %s · %s tokens", m.Index+1, what, thousands(m.Tokens))
	if m.Summarised {
		h += fmt.Sprintf(" · summarised to fit the context window (as sent from step %d on)", m.Step)
	}
	return h
}

// ModelContextText is the model's-eye view as text: the introduction,
// then each message under a rule with its heading, its text verbatim.
func ModelContextText(c *agent.ModelContext, analyzer string) string {
	intro, blocks := ModelContextBlocks(c, analyzer)
	var b strings.Builder
	b.WriteString("# What the model saw\n\n" + intro)
	for _, bl := range blocks {
		b.WriteString("\n━━ " + bl.Heading + "\n")
		if bl.Text == "" {
			b.WriteString("(no text)\n")
			continue
		}
		b.WriteString(bl.Text)
		if !strings.HasSuffix(bl.Text, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// ReplayContext folds a saved investigation's requests into the model's
// context of its last request.
func ReplayContext(d *agent.TranscriptData) *agent.ModelContext {
	c := &agent.ModelContext{}
	for _, e := range d.Events {
		if e.Kind == agent.EventContext {
			c.Apply(e.Step, e.Context)
		}
	}
	return c
}

// clipArgs shortens a call's arguments for a heading.
func clipArgs(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}

// thousands writes n with thousands separators (12,000).
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
