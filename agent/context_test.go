package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/tracetree"
)

// windowed is a scripted provider with a small context window.
type windowed struct {
	*fakeProvider
	window int
}

func (w windowed) ContextWindow() int { return w.window }

func specTokensOf(tools []Tool) int {
	b, _ := json.Marshal(specs(tools))
	return tracetree.CountTokens(string(b))
}

// TestContextFitsSmallModels: with an 8k-token window, the first message
// and every later request leave room for the answer; old tool results are
// summarised when the window fills, and the run says so.
func TestContextFitsSmallModels(t *testing.T) {
	in, _ := loadDemo(t)
	big := func(ctx context.Context, args json.RawMessage) (Result, error) {
		return Result{Text: strings.Repeat("line of a long tool result "+string(args)+"\n", 600)}, nil
	}
	steps := []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){}
	for i := range 8 {
		steps = append(steps, call("dump", fmt.Sprintf(`{"q":"%d"}`, i)))
	}
	steps = append(steps, call("report_root_cause", rootCause), call("finish", `{}`))
	p := windowed{&fakeProvider{steps: steps}, 8192}
	tools := append(in.Tools(), Tool{Name: "dump", Description: "dumps", ReadOnly: true,
		Parameters: objectSchema(nil, map[string]any{"q": stringProp("q")}), Run: big})
	var notices []string
	var saved []string
	r := Start(context.Background(), Options{Provider: p, Incident: in, Tools: tools, Sink: func(e Event, m *Message) {
		if e.Kind == EventNotice {
			saved = append(saved, e.Text)
		}
	}})
	for e := range r.Events() {
		if e.Kind == EventNotice {
			notices = append(notices, e.Text)
		}
	}
	rep, err := r.Wait()
	if err != nil || !rep.Complete {
		t.Fatalf("report %+v err %v", rep, err)
	}
	room := 8192 - DefaultMaxOutputTokens(8192) - specTokensOf(r.opts.Tools)
	reqs := p.requests()
	for i, req := range reqs {
		if n := requestTokens(req.Messages); n > room {
			t.Errorf("request %d: %d tokens of messages, more than the %d that leave room for the answer", i+1, n, room)
		}
	}
	t.Logf("room %d, specs %d, first request %d tokens, last %d; notices %q", room, specTokensOf(r.opts.Tools), requestTokens(reqs[0].Messages), requestTokens(reqs[len(reqs)-1].Messages), notices)
	first := reqs[0].Messages[1].Content
	if !strings.Contains(first, "## The trace") || !strings.Contains(first, "STOREFRONT-4Z") || strings.Contains(first, "[…") {
		t.Errorf("the first message does not fit whole in 8k:\n%s", first)
	}
	last := reqs[len(reqs)-1].Messages
	summarised := 0
	for _, m := range last {
		if m.Role == "tool" && strings.HasPrefix(m.Content, "[earlier result of dump {\"q\":") {
			summarised++
		}
	}
	if summarised == 0 {
		t.Error("no tool result was summarised")
	}
	if len(notices) == 0 || !strings.HasPrefix(notices[0], "context compacted to fit the model's 8192-token window") || len(saved) != len(notices) {
		t.Errorf("notices %q (transcript %q)", notices, saved)
	}
	// The run keeps the whole results: only what is sent is summarised.
	for _, m := range r.Messages() {
		if m.Role == "tool" && strings.HasPrefix(m.Content, "[earlier result") {
			t.Fatal("the conversation itself was compacted")
		}
	}
}
