package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/redact"
)

// exportAs are export-report's --as values and what each prints.
var exportAs = []struct{ name, what string }{
	{"report", "the report (markdown, or --format json)"},
	{"chat", "the whole conversation as the explorer's chat shows it (= --chat)"},
	{"context", "what the model saw: its last request's messages exactly as sent, with their token counts"},
	{"postmortem", "a postmortem draft: impact, timeline, root cause, fix, follow-ups"},
	{"summary", "a few lines for the incident channel"},
	{"pr", "a pull request description for the approved patch"},
}

func newExportReportCmd(a *app) *cobra.Command {
	var chat bool
	var as string
	var help []string
	for _, x := range exportAs {
		help = append(help, fmt.Sprintf("  %-11s %s", x.name, x.what))
	}
	cmd := &cobra.Command{
		Use:   "export-report ID",
		Short: "Print a saved investigation's report, conversation, model context or a hand-off (postmortem, chat summary, PR description)",
		Long: `Print a saved investigation (see tracehound resume) in one of these forms (--as):

` + strings.Join(help, "\n") + `

Everything is scrubbed of secrets and safe to paste.`,
		Example: `  tracehound export-report 20261206-2301-storefront-4z-a1b2c3 > incident.md
  tracehound export-report 20261206-2301 --as postmortem
  tracehound export-report 20261206-2301 --as summary | pbcopy`,
		Args: exactArgs(1, "one investigation ID (see `tracehound resume`)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkReportFormat(a); err != nil {
				return err
			}
			if chat {
				if as != "" && as != "chat" {
					return usagef("--chat is --as chat; leave out one of them")
				}
				as = "chat"
			}
			if as == "" {
				as = "report"
			}
			known := false
			for _, x := range exportAs {
				known = known || x.name == as
			}
			if !known {
				var names []string
				for _, x := range exportAs {
					names = append(names, x.name)
				}
				return usagef("--as must be one of %s, not %q", strings.Join(names, ", "), as)
			}
			if a.format == "json" && as != "report" {
				return usagef("--as %s prints markdown; leave out --format json", as)
			}
			dir, err := a.stateDir()
			if err != nil {
				return err
			}
			_, d, err := loadSession(dir, args[0])
			if err != nil {
				return err
			}
			return exportReportAs(a, d, as)
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "what to print: report, chat, context, postmortem, summary, pr")
	cmd.Flags().BoolVar(&chat, "chat", false, "print the investigation's conversation (messages, tool calls and who approved them, phases, the report) as the explorer's chat shows it (= --as chat)")
	return cmd
}

// loadSession finds a saved investigation in dir by its id (or a unique
// prefix) and loads it; an unknown id is a usage error.
func loadSession(dir, id string) (string, *agent.TranscriptData, error) {
	path, err := agent.FindTranscript(dir, id)
	if err != nil {
		return "", nil, usageError{err}
	}
	d, err := agent.LoadTranscript(path)
	if err != nil {
		return "", nil, err
	}
	return path, d, nil
}

// exportReportAs prints a loaded investigation as one form.
func exportReportAs(a *app, d *agent.TranscriptData, as string) error {
	id := d.Header.ID
	switch as {
	case "chat":
		fmt.Fprint(a.stdout, investigation.Markdown(investigation.ReplayItems(d)))
		return nil
	case "context":
		fmt.Fprint(a.stdout, redact.Text(investigation.ModelContextText(investigation.ReplayContext(d), d.Header.Analyzer)))
		return nil
	case "postmortem", "summary", "pr":
		out, err := investigation.RenderHandoff(d, investigation.Handoff(as))
		switch {
		case errors.Is(err, investigation.ErrNoReport):
			return fmt.Errorf("%s has %w; continue it with `tracehound resume %s`", id, err, id)
		case errors.Is(err, investigation.ErrNoApprovedPatch):
			return fmt.Errorf("%s: %w (--as postmortem and --as summary work without one)", id, err)
		case err != nil:
			return err
		}
		fmt.Fprint(a.stdout, out)
		return nil
	}
	if d.Report == nil {
		return fmt.Errorf("%s has no report yet: it stopped before a root cause; continue it with `tracehound resume %s`", id, id)
	}
	if a.format == "json" {
		return a.emitJSON(a.stdout, d.Report)
	}
	md := d.Report.Markdown()
	if !d.Finished {
		md = strings.Replace(md, "\n\n", "\n\n> This investigation did not finish; the report is what was established so far.\n\n", 1)
	}
	fmt.Fprint(a.stdout, md)
	return nil
}
