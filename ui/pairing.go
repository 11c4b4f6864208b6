package ui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/investigation"
)

// Pairing makes the explorer one of several screens over one shared
// investigation (tracehound share): the incident, the run, the chat and
// the approvals are shared; the cursor, folds, filter, focus, zoom and
// help are each screen's own.
type Pairing struct {
	// Host marks the host's screen: it owns the investigation (closes it
	// when it quits) and shows the join command.
	Host bool
	// HostID is the host participant's ID (whom f follows first).
	HostID string
	// Join is the command a guest types, shown on the host's status bar.
	Join string
	// Selected publishes this screen's selection (a node id and the
	// focused pane), for those who follow it.
	Selected func(who investigation.Participant, node string, pane int)
	// Here is who is here when the screen opens (PresenceMsg updates it).
	Here []investigation.Participant
}

// PresenceMsg says who is here (the host first).
type PresenceMsg struct {
	Here []investigation.Participant
}

// FollowMsg is a participant's selection: the node and the pane in focus.
type FollowMsg struct {
	Who  investigation.Participant
	Node string
	Pane int
}

// who is the participant this screen acts as.
func (m *Model) who() investigation.Participant {
	if m.cfg.Participant.ID != "" {
		return m.cfg.Participant
	}
	return investigation.LocalUser
}

// presence handles the list of who is here.
func (m *Model) presence(msg PresenceMsg) {
	m.here = msg.Here
	if m.following != "" && m.participant(m.following) == nil {
		m.setStatus("stopped following: they left")
		m.following = ""
	}
}

func (m *Model) participant(id string) *investigation.Participant {
	for i := range m.here {
		if m.here[i].ID == id {
			return &m.here[i]
		}
	}
	return nil
}

// follow moves this screen to the followed participant's selection.
func (m *Model) follow(msg FollowMsg) tea.Cmd {
	if m.lastSeen == nil {
		m.lastSeen = map[string]FollowMsg{}
	}
	m.lastSeen[msg.Who.ID] = msg
	if m.following == "" || msg.Who.ID != m.following {
		return nil
	}
	return m.applyFollow(msg)
}

func (m *Model) applyFollow(msg FollowMsg) tea.Cmd {
	if msg.Pane >= 0 && msg.Pane < len(m.panes) {
		m.focus = pane(msg.Pane)
	}
	if m.tree == nil || m.in == nil || m.in.Tree == nil || msg.Node == "" {
		return nil
	}
	n := m.in.Tree.Get(msg.Node)
	if n == nil || m.tree.Selected() == n {
		return nil
	}
	if m.tree.selectNode(n) {
		return m.selectionChanged()
	}
	return nil
}

// cycleFollow is f: follow the host, then each other participant in turn,
// then no one.
func (m *Model) cycleFollow() tea.Cmd {
	if m.cfg.Pairing == nil {
		return nil
	}
	var order []investigation.Participant
	for _, p := range m.here {
		if p.ID != m.who().ID {
			order = append(order, p)
		}
	}
	next := ""
	if m.following == "" {
		if len(order) > 0 {
			next = order[0].ID
		}
	} else {
		for i, p := range order {
			if p.ID == m.following && i+1 < len(order) {
				next = order[i+1].ID
			}
		}
	}
	m.following = next
	if next == "" {
		if len(order) == 0 {
			m.setStatus("nobody else is here to follow")
		} else {
			m.setStatus("following nobody: your own cursor")
		}
		return nil
	}
	p := m.participant(next)
	m.setStatus("following " + p.Name + " (f: the next one, or stop)")
	if at, ok := m.lastSeen[next]; ok {
		return m.applyFollow(at)
	}
	return nil
}

// publishSelection tells the others where this screen is, when that
// changed.
func (m *Model) publishSelection() {
	if m.cfg.Pairing == nil || m.cfg.Pairing.Selected == nil || m.tree == nil {
		return
	}
	node := ""
	if n := m.tree.Selected(); n != nil {
		node = n.ID
	}
	at := FollowMsg{Who: m.who(), Node: node, Pane: int(m.focus)}
	if at == m.published {
		return
	}
	m.published = at
	m.cfg.Pairing.Selected(at.Who, at.Node, at.Pane)
}

// presenceLine is the status bar's part about the participants: who is
// here, whom this screen follows, and on the host's screen how to join.
func (m *Model) presenceLine() string {
	if m.cfg.Pairing == nil {
		return ""
	}
	var names []string
	for _, p := range m.here {
		n := p.Name
		if p.ID == m.who().ID {
			n += " (you)"
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return ""
	}
	s := "here: " + strings.Join(names, ", ")
	if m.following != "" {
		if p := m.participant(m.following); p != nil {
			s += " · following " + p.Name
		}
	}
	if m.cfg.Pairing.Host && m.cfg.Pairing.Join != "" {
		s += " · join: " + m.cfg.Pairing.Join
	}
	return s
}

// mayDrive says whether this participant may start or steer the agent;
// when not, sending is chat to the others.
func (m *Model) mayDrive() bool { return m.who().CanMessage }

// RunHost runs the host's explorer as Run does, handing its program to
// started before it runs (the share hub sends it presence and follow
// messages).
func RunHost(ctx context.Context, cfg Config, started func(*tea.Program), opts ...tea.ProgramOption) error {
	m := New(ctx, cfg)
	opts = append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	p := tea.NewProgram(m, opts...)
	if started != nil {
		started(p)
	}
	_, err := p.Run()
	m.close()
	return m.exitErr(err)
}

// Detach ends a guest screen's subscription to the shared investigation
// (the investigation goes on for the others).
func (m *Model) Detach() {
	if m.sub != nil {
		m.sub.Close()
	}
}

// StatusMsg shows a line on the status bar for a while (the share hub:
// a refused guest).
type StatusMsg string

// runSeen notices a run someone else started (a shared investigation):
// the screen then shows it as this screen's own start would.
func (m *Model) runSeen(e agent.Event) {
	if m.started || m.inv == nil || e.Kind == agent.EventChat || e.Kind == agent.EventPresence || !m.inv.Started() {
		return
	}
	if prov, analyzer, err := m.inv.Provider(); err == nil {
		m.provider, m.analyzer = prov.Name(), analyzer
		m.chat.SetFollowUps(analyzer == "llm")
	}
	m.started, m.finished = true, false
	m.chat.Started()
}
