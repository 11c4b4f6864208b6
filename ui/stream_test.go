package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/agent/llmtest"
	"github.com/tracehound/tracehound/investigation"
)

// TestStreamIsShownInFrames: a model streaming a long answer as fast as
// it can reaches the explorer in batches (what streamed during a frame),
// not in one message a word; while only text streams, the tree and the
// detail pane are not drawn again (their boxes are kept); and the whole
// answer ends up on screen.
func TestStreamIsShownInFrames(t *testing.T) {
	answer := llmtest.LongMarkdown(300)
	srv := llmtest.NewServer(t, llmtest.Text(answer).Rate(1000)).Forever(llmtest.Hang())
	cfg := demoConfig(t, func(o *investigation.Options) {
		o.Model = investigation.ModelConfig{OpenAI: agent.ModelConfig{BaseURL: srv.URL(), APIKey: "test-key", Model: "gpt-test"}}
	})
	a := newAppHarness(t, cfg, 140, 45)
	a.untilScreen("Exception")
	a.press("a")
	var batches, deltas, kept, textBatches int
	streamed := func() string {
		for _, it := range a.m.chat.red.Items {
			if it.Kind == investigation.ItemText {
				return it.Text
			}
		}
		return ""
	}
	deadline := time.After(60 * time.Second)
	for streamed() != answer {
		select {
		case msg := <-a.msgs:
			am, isAgent := msg.(agentMsg)
			tree := a.m.boxes[paneTree].lines
			a.deliver(msg)
			a.raw() // the frame, as the runtime draws it after each message
			if !isAgent {
				continue
			}
			batches++
			n := 0
			for _, e := range am.events {
				if e.Kind == agent.EventTextDelta {
					n++
				}
			}
			deltas += n
			if n > 0 && onlyText(am.events) && a.m.started {
				textBatches++
				if len(tree) > 0 && len(a.m.boxes[paneTree].lines) > 0 && &tree[0] == &a.m.boxes[paneTree].lines[0] {
					kept++
				}
			}
		case <-deadline:
			t.Fatalf("the answer did not stream within 60 s (%d of %d bytes); the screen:\n%s", len(streamed()), len(answer), a.screen())
		}
	}
	if words := len(strings.Fields(answer)); deltas < words/2 {
		t.Errorf("%d deltas for %d words: the model's stream was not word by word", deltas, words)
	}
	if batches*2 > deltas {
		t.Errorf("%d messages for %d deltas: streamed text is not batched by frame", batches, deltas)
	}
	if textBatches == 0 || kept < textBatches-1 {
		t.Errorf("the tree pane was drawn again for %d of %d batches of streamed text", textBatches-kept, textBatches)
	}
	if s := a.screen(); !strings.Contains(s, "with a query string on both") || !strings.Contains(s, "sides.") {
		t.Errorf("the end of the answer is not on screen:\n%s", s)
	}
	t.Logf("%d deltas in %d messages; tree kept for %d of %d text batches", deltas, batches, kept, textBatches)
	a.checkScreen("after the stream")
}
