package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/charmbracelet/x/term"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/tracetree"
	"github.com/tracehound/tracehound/ui"
)

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// lockedBuffer collects what would go to stderr while the TUI owns the
// screen; it is printed after the UI exits.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// runTUI opens the explorer on a target (the dataset's default issue when
// empty), or on a saved investigation (resume).
//
// updates, when set, makes the explorer live (`serve --tui`): it reloads
// when new data arrives, following the latest issue when no TARGET was
// given.
func runTUI(ctx context.Context, a *app, m *modelFlags, arg string, resume *agent.TranscriptData, resumePath string, updates <-chan struct{}) error {
	src, t, err := a.openTarget(ctx, arg)
	if err != nil {
		return err
	}
	if t.Kind == sentryapi.TargetProfile {
		return usagef("%s is a profile; open its issue or trace", arg)
	}
	_, release := a.holdStderr()
	defer release()
	target := arg
	if target == "" {
		target = src.DefaultIssue
	}
	opts, err := a.invOptions(m, src, t, target)
	if err != nil {
		return err
	}
	opts.PauseBetweenPhases = true
	if dir, err := a.stateDir(); err == nil {
		opts.TranscriptDir = dir
	} else {
		opts.Notify("the investigation will not be saved: " + err.Error())
	}
	if resume != nil {
		opts.Header, opts.Resume, opts.ResumePath = resume.Header, resume, resumePath
	}
	cfg := ui.Config{
		Source: src.Label, Demo: src.Demo,
		Open: func(ctx context.Context, progress ui.Progress) (*investigation.Investigation, error) {
			opts := opts
			if updates != nil && arg == "" {
				if latest, err := src.Client.LatestIssues(ctx, 1); err == nil && len(latest) > 0 {
					opts.Source.Target = sentryapi.Target{Kind: sentryapi.TargetIssue, Issue: string(latest[0].ID)}
				}
			}
			opts.Progress = progress.Step
			// A slow Sentry, or a big trace coming, is shown on the
			// loading screen as one line that updates: a progress bar.
			a.setWaitHook(loadingBar(progress.Bar), true)
			defer a.setWaitHook(nil, true)
			inv, err := investigation.Open(ctx, opts)
			return inv, coreError(err)
		},
		Link:    sentryLink,
		Updates: updates,
		Resumed: resume != nil,
	}
	return ui.Run(ctx, cfg)
}

// loadingBar turns the reports of slow requests into the loading screen's
// bar line (ui.Progress.Bar): of the requests under way,
// the one that has received the most (the trace, when one is coming); the
// line goes when the last one ends.
func loadingBar(bar func(string)) func(sentryapi.Progress) {
	var mu sync.Mutex
	open := map[string]sentryapi.Progress{}
	return func(p sentryapi.Progress) {
		mu.Lock()
		defer mu.Unlock()
		key := p.Host + p.Path
		if p.Done {
			delete(open, key)
		} else {
			open[key] = p
		}
		var best *sentryapi.Progress
		for _, q := range open {
			if best == nil || q.Bytes > best.Bytes || q.Bytes == best.Bytes && q.Path < best.Path {
				best = &q
			}
		}
		if best == nil {
			bar("")
			return
		}
		bar(best.Bar(24))
	}
}

// sentryLink is the web link of a node: its issue for errors, the trace
// view for transactions.
func sentryLink(in *agent.Incident, n *tracetree.Node) string {
	base := ""
	if in.Issue != nil && in.Issue.Permalink != "" {
		p := in.Issue.Permalink
		if i := strings.Index(p, "/issues/"); i > 0 {
			base = p[:i]
		}
	}
	if base == "" {
		return ""
	}
	switch n.Kind {
	case tracetree.KindError, tracetree.KindOccurrence:
		if n.IssueID != 0 {
			return fmt.Sprintf("%s/issues/%d/events/%s/", base, n.IssueID, n.ID)
		}
	case tracetree.KindTransaction:
		return fmt.Sprintf("%s/explore/traces/trace/%s/?node=txn-%s", base, in.TraceID(), n.ID)
	}
	return ""
}

// holdStderr is for while a full-screen program owns the terminal:
// messages for stderr wait until the screen is back (release prints
// them), and reports of slow requests are not kept for later (the
// loading screen shows them; the status bar may, through setWaitHook).
// It returns the real stderr, for what must be printed after release.
func (a *app) holdStderr() (stderr io.Writer, release func()) {
	stderr = a.stderr
	held := &lockedBuffer{}
	a.stderr = held
	a.setWaitHook(nil, true)
	return stderr, func() {
		a.setWaitHook(nil, false)
		a.stderr = stderr
		if held.b.Len() > 0 {
			stderr.Write(held.b.Bytes())
		}
	}
}
