package investigation

import (
	"context"
	"testing"
	"time"

	"github.com/tracehound/tracehound/agent"
)

// A guest's chat line and a join line reach every subscriber (a late one
// through the history), become a chat-only user item and a note, and do
// not make an idle investigation look like a running one.
func TestChatAndPresenceLines(t *testing.T) {
	inv := openDemo(t, Options{Model: ModelConfig{Offline: true}})
	early := inv.Subscribe()
	defer early.Close()
	inv.Presence("alice joined over SSH (2 here)")
	if err := inv.Chat(Participant{ID: "ssh:alice", Name: "alice"}, "  look at the signer  "); err != nil {
		t.Fatal(err)
	}
	if err := inv.Chat(Participant{ID: "ssh:alice", Name: "alice"}, "   "); err == nil {
		t.Error("an empty chat line was accepted")
	}
	late := inv.Subscribe()
	defer late.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for name, sub := range map[string]*Subscription{"early": early, "late": late} {
		var r Reducer
		for range 2 {
			e, ok := sub.Next(ctx)
			if !ok {
				t.Fatalf("%s: the subscription ended", name)
			}
			r.Apply(e)
		}
		if len(r.Items) != 2 {
			t.Fatalf("%s: items = %+v", name, r.Items)
		}
		if it := r.Items[0]; it.Kind != ItemNote || it.Text != "alice joined over SSH (2 here)" {
			t.Errorf("%s: first item = %+v", name, it)
		}
		if it := r.Items[1]; it.Kind != ItemUser || !it.ChatOnly || it.Author != "alice" || it.Text != "look at the signer" {
			t.Errorf("%s: second item = %+v", name, it)
		}
		if r.Running {
			t.Errorf("%s: chat and presence lines made the investigation look running", name)
		}
	}
	if inv.Started() {
		t.Error("a chat line started the run")
	}
	for _, e := range inv.History() {
		if e.Kind != agent.EventPresence && e.Kind != agent.EventChat {
			t.Errorf("unexpected event %v", e.Kind)
		}
	}
}
