package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/redact"
)

// Hand-offs from the agent pane: y copies the selected card or, with
// none selected, the report (OSC 52, as the tree's y copies an id); v
// opens what the model saw; a finished run says how to hand it off.

// copiedMsg tells the app what was copied, for the status bar.
type copiedMsg string

// copyText puts text on the clipboard (OSC 52) and says so on the
// status bar. Everything copied is scrubbed and made safe to paste.
func copyText(what, text string) tea.Cmd {
	text = redact.Text(text)
	n := strings.Count(strings.TrimRight(text, "\n"), "\n") + 1
	note := fmt.Sprintf("copied %s (%d lines) to the clipboard (OSC 52)", what, n)
	if n == 1 {
		note = fmt.Sprintf("copied %s to the clipboard (OSC 52)", what)
	}
	return tea.Batch(tea.SetClipboard(text), statusNote(note))
}

// copyFromChat copies the selected card, else the report; it says what
// there is to copy otherwise.
func (c *Chat) copyFromChat() tea.Cmd {
	if it := c.cards[c.selected]; it != nil && c.selected != "" {
		call := it.card.call
		return copyText("the "+clean(call.Name)+" card", cardText(call))
	}
	if rep := lastReport(&c.red); rep != nil {
		return copyText("the report", rep.Markdown())
	}
	return statusNote("Nothing to copy yet: the report comes at the end; tab selects a tool card to copy it.")
}

// cardText is a tool card as text: the call, its arguments, its outcome
// and its full output.
func cardText(call agent.Call) string {
	var b strings.Builder
	b.WriteString(call.Name)
	if s := agent.CallSummary(call); s != "" {
		b.WriteString(" " + s)
	}
	b.WriteString("\n")
	if len(call.Args) > 0 {
		b.WriteString("arguments: " + string(call.Args) + "\n")
	}
	if call.Reason != "" {
		b.WriteString("reason: " + call.Reason + "\n")
	}
	if call.Output != "" {
		b.WriteString("\n" + strings.TrimRight(call.Output, "\n") + "\n")
	}
	return b.String()
}

// handoffNote is the line a finished run ends with: how to hand it off.
func handoffNote(id string) string {
	s := "Hand it off: y copies the report (or the selected card) · v shows what the model saw"
	if id != "" {
		s += " · tracehound export-report " + id + " --as postmortem (or summary, pr, context)"
	}
	return s
}

// noteHandoff adds the hand-off line to a finished run that has a report.
func (c *Chat) noteHandoff(id string) {
	if lastReport(&c.red) == nil {
		return
	}
	c.add(&chatItem{kind: itemNote, text: handoffNote(id)})
}
