package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/agent"
)

// benchAnswer is a paragraph-and-list markdown answer as models write
// them, about 1.4k characters.
var benchAnswer = strings.Repeat("The **payments** service answers `500` because auth-service rejects the signature; "+
	"the canonical request changed in release v2.14.0.\n\n- one: `CanonicalRequest` signs the query\n- two: the verifier compares\n\n", 6)

// BenchmarkChatStream is a frame while a long answer streams into a long
// transcript: one ~24-character delta applied, then the chat pane drawn
// (90×30). The transcript holds 40 earlier answers and tool cards; each
// answer is 60 deltas, then the next step starts, so the cost per frame
// is that of a realistic open block, not of the whole conversation.
func BenchmarkChatStream(b *testing.B) {
	c := NewChat(NewStyles(true))
	c.Started()
	step := 0
	for ; step < 40; step++ {
		c.Apply(agent.Event{Kind: agent.EventTextDelta, Step: step, Text: benchAnswer})
		cl := chatCall(fmt.Sprintf("call_%d", step), "get_error_event", `{"id":"214e70f1"}`, func(cl *agent.Call) {
			cl.ReadOnly, cl.Output = true, strings.Repeat("frame line\n", 40)
		})
		c.Apply(agent.Event{Kind: agent.EventToolProposed, Step: step, Call: cl})
		c.Apply(agent.Event{Kind: agent.EventToolDone, Step: step, Call: cl})
		c.Apply(agent.Event{Kind: agent.EventStepDone, Step: step})
	}
	c.View(90, 30, true)
	deltas := chatDeltas(agent.EventTextDelta, 0, benchAnswer, 24)
	i := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e := deltas[i%len(deltas)]
		if i%len(deltas) == 0 {
			step++
		}
		e.Step = step
		c.Apply(e)
		if s := c.View(90, 30, true); len(s) == 0 {
			b.Fatal("empty frame")
		}
		i++
	}
}
