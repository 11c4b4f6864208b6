package ui

import (
	tea "charm.land/bubbletea/v2"
)

// agentPane is the chat as a pane (3): the Chat answers the keys and
// says what it wants done (an Intent), which the app carries out on the
// run. Keys the Chat leaves alone are the app's.
type agentPane struct{ m *Model }

// agentKeys are the agent pane's keys; Chat.key acts on them.
var agentKeys = struct {
	Start, Approve, Session, Reads, Deny, Edit, Continue, Message Binding
	Open, Cards, PrevCard, Reasoning                              Binding
	Scroll, Page, TopBottom, Stop, Leave                          Binding
	Copy, Context                                                 Binding
}{
	Start:     bind(keys("a"), "a", "start the investigation (when idle)", "start"),
	Approve:   bind(keys("a"), "a", "approve the pending call once", "approve"),
	Session:   bind(keys("s"), "s", "approve the call and its tool for the rest of the session", "session"),
	Reads:     bind(keys("S"), "S", "approve a read-only call and every read-only tool for the session", "all reads"),
	Deny:      bind(keys("d"), "d", "deny the call with a reason (the agent reads it and goes on)", "deny"),
	Edit:      bind(keys("e"), "e", "edit the call's JSON arguments (ctrl+s approves them)", "edit"),
	Continue:  bind(keys("c"), "c", "continue after a phase (root cause, plan)", "continue"),
	Message:   bind(keys("i", "/"), "i", "message a model: enter queues it, alt+enter interrupts (the offline analyzer takes none)", "message"),
	Open:      bind(keys("enter"), "enter", "open the selected card's full result", "open"),
	Cards:     bind(keys("tab"), "tab/shift+tab", "next / previous tool card (stays in the pane)", "cards"),
	PrevCard:  bind(keys("shift+tab"), "", "", ""),
	Reasoning: bind(keys("r"), "r", "show or hide the model's reasoning", ""),
	Scroll:    bind(keys("j", "k", "up", "down"), "j/k", "scroll; at the bottom the pane follows new output", ""),
	Page:      bind(keys("pgup", "pgdown", "ctrl+u", "ctrl+d"), "pgup/pgdn", "page up / down", ""),
	TopBottom: bind(keys("g", "G", "home", "end"), "g/G", "top / bottom", ""),
	Stop:      bind(keys("x"), "x x", "stop the run (the first x says so)", "stop"),
	Leave:     bind(keys("esc"), "esc", "clear the card selection, then leave the pane", "leave"),
	Copy:      bind(keys("y"), "y", "copy the selected card, else the report (OSC 52)", "copy"),
	Context:   bind(keys("v"), "v", "what the model saw: its context exactly as sent, beside the answer", "model saw"),
}

func (p agentPane) Title() string { return "Agent" }

// Label names the model, or the offline analyzer.
func (p agentPane) Label() string { return p.m.provider }

func (p agentPane) Capturing() bool { return p.m.chat.Typing() }

func (p agentPane) Bindings() []Binding {
	c, k := p.m.chat, agentKeys
	pit := c.pendingItem()
	pending := pit != nil && !c.observer
	idle := !c.Running() && !c.finished
	talks := (idle || c.steerable() || c.talk) && (!c.finished || c.followUps || c.talk)
	return []Binding{
		k.Start.enabled(idle), k.Approve.enabled(pending), k.Session.enabled(pending), k.Reads.enabled(pending && pit.card.call.ReadOnly),
		k.Deny.enabled(pending), k.Edit.enabled(pending), k.Continue.enabled(c.paused != "" && c.running), k.Message.enabled(talks),
		k.Open, k.Cards, k.PrevCard, k.Reasoning, k.Scroll, k.Page, k.TopBottom, k.Stop.enabled(c.Running()), k.Leave,
		k.Copy.enabled(c.selected != "" || lastReport(&c.red) != nil), k.Context.enabled(c.red.Context.Requests > 0 || c.finished),
	}
}

func (p agentPane) Update(msg tea.Msg) (tea.Cmd, bool) {
	m := p.m
	if k, ok := msg.(tea.KeyPressMsg); ok && !m.chat.Typing() {
		switch {
		case agentKeys.Copy.matches(k):
			return m.chat.copyFromChat(), true
		case agentKeys.Context.matches(k):
			analyzer := m.analyzer
			if m.inv != nil {
				_, analyzer, _ = m.inv.Provider()
			}
			m.drill = newContextView(m.st, m.chat, analyzer)
			return nil, true
		}
	}
	intent, cmd := m.chat.Update(msg)
	if intent.Kind != IntentNone || m.chat.Typing() {
		return tea.Batch(cmd, m.intent(intent)), true
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && agentKeys.Leave.matches(k) {
		m.focus = paneTree // esc with nothing selected leaves the pane
		return cmd, true
	}
	return cmd, cmd != nil
}

func (p agentPane) View(w, h int, focused bool) string { return p.m.chat.View(w, h, focused) }
func (p agentPane) Tick()                              { p.m.chat.Tick() }
func (p agentPane) Animating() bool                    { return p.m.chat.Animating() }
func (p agentPane) SetStyles(st *Styles)               { p.m.chat.SetStyles(st) }
