package investigation

import (
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/redact"
)

// Markdown renders display items as the chat of an investigation in
// markdown: the same items the explorer's chat draws (messages with their
// author, the model's text, tool calls with their outcome and who decided
// them, phases, the report, errors and notes). Reasoning is left out (it
// is the model's scratch). Every text from the run is scrubbed of secrets
// and made safe to print.
func Markdown(items []*Item) string {
	var b strings.Builder
	inList := false // consecutive tool calls make one list
	for _, it := range items {
		if inList && it.Kind != ItemTool && it.Kind != ItemReasoning {
			b.WriteString("\n")
			inList = false
		}
		switch it.Kind {
		case ItemUser:
			who := it.Author
			if who == "" {
				who = LocalUser.Name
			}
			fmt.Fprintf(&b, "> **%s:** %s\n\n", redact.Line(who), quoteLines(redact.Text(it.Text)))
		case ItemText:
			if t := strings.TrimSpace(redact.Text(it.Text)); t != "" {
				b.WriteString(t + "\n\n")
			}
		case ItemTool:
			b.WriteString(toolLine(it) + "\n")
			inList = true
		case ItemPhase:
			fmt.Fprintf(&b, "### %s\n\n", redact.Line(it.Text))
			if it.Detail != "" {
				b.WriteString(redact.Text(it.Detail) + "\n\n")
			}
		case ItemReport:
			// The report's own markdown, its headings one level down.
			for _, l := range strings.Split(strings.TrimSpace(it.Report.Markdown()), "\n") {
				if strings.HasPrefix(l, "#") {
					l = "#" + l
				}
				b.WriteString(l + "\n")
			}
			b.WriteString("\n")
		case ItemError:
			fmt.Fprintf(&b, "> ✗ %s\n\n", quoteLines(redact.Text(it.Text)))
		case ItemNote:
			fmt.Fprintf(&b, "_%s_\n\n", redact.Line(it.Text))
		}
	}
	if inList {
		b.WriteString("\n")
	}
	return b.String()
}

// toolLine is "- `name` summary — outcome (decision by who)".
func toolLine(it *Item) string {
	c := it.Call
	s := "- `" + redact.Line(c.Name) + "`"
	if sum := agent.CallSummary(*c); sum != "" {
		s += " " + redact.Line(sum)
	}
	s += " — " + map[ToolState]string{
		ToolProposed: "proposed", ToolAwaiting: "waiting for approval", ToolRunning: "running",
		ToolDone: "done", ToolFailed: "failed", ToolDenied: "denied", ToolNotRun: "not run",
	}[it.State]
	if c.Reason != "" && (it.State == ToolFailed || it.State == ToolDenied) {
		s += ": " + redact.Line(c.Reason)
	}
	if d := it.Decision; d != nil && d.By != "" {
		s += fmt.Sprintf(" (%s by %s)", strings.ReplaceAll(d.Kind.String(), "_", " "), redact.Line(d.By))
	}
	return s
}

// quoteLines continues a multi-line text inside a quote.
func quoteLines(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n> ")
}

// ReplayItems reduces a saved investigation's events to display items.
func ReplayItems(d *agent.TranscriptData) []*Item {
	var r Reducer
	for _, e := range d.Replay() {
		r.Apply(e)
	}
	return r.Items
}
