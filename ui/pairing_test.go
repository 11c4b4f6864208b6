package ui

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/tracehound/tracehound/investigation"
)

// sharedConfigs opens the demo once and gives a host's and a guest's
// configuration over that one investigation, wired the way the share
// command wires them: selections relayed as FollowMsg.
func sharedConfigs(t *testing.T, guest investigation.Participant) (host, g Config, relay *followRelay) {
	t.Helper()
	base := demoConfig(t, askReadOnly)
	var once sync.Once
	var inv *investigation.Investigation
	var openErr error
	open := func(ctx context.Context, progress Progress) (*investigation.Investigation, error) {
		once.Do(func() { inv, openErr = base.Open(context.Background(), progress) })
		return inv, openErr
	}
	hostP := investigation.Participant{ID: "host", Name: "hana", CanApprove: true, CanMessage: true}
	here := []investigation.Participant{hostP, guest}
	relay = &followRelay{}
	host = Config{Source: "demo data", Demo: true, Open: open, Participant: hostP,
		Pairing: &Pairing{Host: true, HostID: hostP.ID, Join: "ssh -p 2222 NAME@127.0.0.1", Here: here, Selected: relay.selected}}
	g = Config{Source: "demo data", Demo: true, Open: open, Participant: guest,
		Pairing: &Pairing{HostID: hostP.ID, Here: here, Selected: relay.selected}}
	return host, g, relay
}

type followRelay struct {
	mu  sync.Mutex
	out []FollowMsg
}

func (r *followRelay) selected(who investigation.Participant, node string, pane int) {
	r.mu.Lock()
	r.out = append(r.out, FollowMsg{Who: who, Node: node, Pane: pane})
	r.mu.Unlock()
}

func (r *followRelay) last(id string) (FollowMsg, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.out) - 1; i >= 0; i-- {
		if r.out[i].Who.ID == id {
			return r.out[i], true
		}
	}
	return FollowMsg{}, false
}

func TestPairingGuestFollowsTheHostAndTalksToTheChat(t *testing.T) {
	guestP := investigation.Participant{ID: "ssh:alice", Name: "alice"}
	hostCfg, guestCfg, relay := sharedConfigs(t, guestP)
	host := newAppHarness(t, hostCfg, 140, 45)
	host.untilScreen("here: hana (you), alice · join: ssh -p 2222 NAME@127.0.0.1")
	guest := newAppHarness(t, guestCfg, 140, 45)
	guest.untilScreen("here: hana, alice (you)")

	// The host moves; the guest, following, lands on the same node and
	// pane; without following, the guest's cursor is its own.
	host.press("g", "j", "j")
	at, ok := relay.last("host")
	if !ok || at.Node == "" {
		t.Fatalf("the host's selection was not published: %+v", relay.out)
	}
	guest.deliver(at)
	if n := guest.m.tree.Selected(); n != nil && n.ID == at.Node {
		t.Fatalf("the guest followed without asking")
	}
	guest.press("f")
	guest.untilScreen("following hana")
	if n := guest.m.tree.Selected(); n == nil || n.ID != at.Node {
		t.Fatalf("f did not move the guest to the host's node %s (at %v)", at.Node, n)
	}
	host.press("j")
	next, _ := relay.last("host")
	guest.deliver(next)
	if n := guest.m.tree.Selected(); n == nil || n.ID != next.Node {
		t.Fatalf("the guest did not follow the host's next move")
	}
	guest.press("f") // nobody else to follow: back to its own cursor
	guest.untilScreen("following nobody")

	// The host starts the agent (every call asks); the guest may not
	// answer, and says so; its message goes to the chat, not the agent.
	host.press("a")
	host.untilScreen("awaiting approval")
	guest.untilScreen("Waiting for the host to approve")
	guest.press("3", "a")
	guest.untilScreen("Only the host approves tool calls here")
	if host.m.chat.pendingItem() == nil {
		t.Fatal("the guest's a answered the approval")
	}
	guest.press("i")
	guest.typeText("look at the signer")
	guest.press("enter")
	host.untilScreen("alice (to the others; not sent to the agent)")
	if !strings.Contains(host.screen(), "look at the signer") {
		t.Errorf("the host does not see the guest's message:\n%s", host.screen())
	}
	// The host answers; both see the run go on.
	host.press("a")
	host.until("the call to run", func() bool { return host.m.chat.pendingItem() == nil })
}
