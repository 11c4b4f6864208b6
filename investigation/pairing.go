package investigation

import (
	"errors"
	"strings"
	"time"

	"github.com/tracehound/tracehound/agent"
)

// Chat posts a participant's line to everyone's chat without giving it to
// the model: what a guest who may not steer the agent says to the others
// (the host can forward it). It is saved with the transcript, as the
// audit of who said what.
func (inv *Investigation) Chat(who Participant, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return errors.New("an empty message")
	}
	inv.side(agent.Event{Kind: agent.EventChat, Text: text, By: who.label()})
	return nil
}

// Presence posts a system line about the participants (who joined, who
// left) to every chat, and saves it with the transcript.
func (inv *Investigation) Presence(text string) {
	inv.side(agent.Event{Kind: agent.EventPresence, Text: text})
}

// side publishes an event that is not the run's.
func (inv *Investigation) side(e agent.Event) {
	e.Time = time.Now()
	inv.hub.publish(e)
	inv.mu.Lock()
	tr := inv.tr
	inv.mu.Unlock()
	if tr != nil {
		tr.Sink(e, nil)
	}
}
