package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/investigation"
)

// Progress.Bar is the loading screen's progress bar:
// shown under the steps, replaced by the next one, removed by "";
// the steps stay as they were.
func TestLoadingProgressBar(t *testing.T) {
	step := make(chan struct{})
	cfg := Config{Source: "dataset big", Open: func(ctx context.Context, progress Progress) (*investigation.Investigation, error) {
		progress.Step("fetching trace 0123abcd")
		progress.Bar("reading the trace ███░░░  50%  226.1 MiB of 452.3 MiB · 500,000 spans · 9s")
		<-step
		progress.Bar("reading the trace ██████ 100%  452.3 MiB of 452.3 MiB · 1,000,000 spans · 18s")
		<-step
		progress.Bar("")
		progress.Step("building the tree")
		<-step
		return nil, errors.New("stop here")
	}}
	a := newAppHarness(t, cfg, 120, 20)
	a.untilScreen("500,000 spans")
	step <- struct{}{}
	a.untilScreen("1,000,000 spans")
	if s := a.screen(); strings.Contains(s, "500,000") || strings.Count(s, "reading the trace") != 1 {
		t.Errorf("the bar was not replaced:\n%s", s)
	}
	step <- struct{}{}
	a.untilScreen("building the tree")
	s := a.screen()
	if strings.Contains(s, "reading the trace") || !strings.Contains(s, "fetching trace 0123abcd") {
		t.Errorf("the bar was not removed, or a step went:\n%s", s)
	}
	step <- struct{}{}
	a.untilScreen("Could not load the incident")
}
