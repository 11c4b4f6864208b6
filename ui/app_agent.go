package ui

import (
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/investigation"
)

// The explorer's side of the agent: starting the run, listening to the
// investigation's events (text deltas in frames), and carrying out what
// the chat pane asks for (its intents).

// startAgent starts the investigation (or continues a paused one), with a
// first message from the user when text is set; after a finished run, a
// message starts a follow-up run over the same conversation.
func (m *Model) startAgent(text string) tea.Cmd {
	if m.inv == nil {
		return nil
	}
	if !m.mayDrive() {
		if text != "" {
			if err := m.inv.Chat(m.who(), text); err != nil {
				m.setStatus(err.Error())
			}
			return nil
		}
		m.setStatus("Only the host starts or steers the agent here (they can share with --guest-drive); i sends a message to the chat.")
		return nil
	}
	running := m.started && !m.finished
	var err error
	if text == "" {
		err = m.inv.Start(m.ctx)
	} else {
		err = m.inv.Send(m.ctx, m.who(), text, false)
	}
	switch {
	case errors.Is(err, investigation.ErrFinished):
		m.setStatus("the investigation is finished: its report is in the chat; press i there to ask a follow-up")
		return nil
	case err != nil:
		m.chat.Notice(err.Error())
		return nil
	case running:
		return nil // continued, or told
	}
	prov, analyzer, _ := m.inv.Provider()
	m.provider, m.analyzer = prov.Name(), analyzer
	m.chat.SetFollowUps(analyzer == "llm")
	m.started, m.finished = true, false
	m.chat.Started()
	return nil
}

// listen waits for the investigation's next events. Text and reasoning
// deltas are held until a frame has passed since the last batch was
// shown, and go with everything that arrived meanwhile; any other event
// goes at once, with what is queued before it.
func (m *Model) listen() tea.Cmd {
	sub, ctx := m.sub, m.ctx
	due := m.lastAgent.Add(streamFrame)
	return func() tea.Msg {
		e, ok := sub.Next(ctx)
		if !ok {
			return agentMsg{ok: false, sub: sub}
		}
		if onlyText([]agent.Event{e}) {
			if wait := time.Until(due); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
				}
			}
		}
		more, _ := sub.Drain()
		return agentMsg{events: append([]agent.Event{e}, more...), ok: true, sub: sub}
	}
}

// onlyText reports whether events are only streamed text, reasoning and
// token counts: what changes nothing but the agent pane.
func onlyText(events []agent.Event) bool {
	for _, e := range events {
		switch e.Kind {
		case agent.EventTextDelta, agent.EventReasoningDelta, agent.EventUsage:
		default:
			return false
		}
	}
	return true
}

// applyEvent shows an event in the chat and the status bar; it returns
// the chat's command (the bell when a call awaits approval).
func (m *Model) applyEvent(e agent.Event) tea.Cmd {
	if e.Kind == agent.EventUsage && m.analyzer != "llm" {
		// The offline analyzer sends nothing to a model: no token count.
		return nil
	}
	cmd := m.chat.Apply(e)
	switch e.Kind {
	case agent.EventPhase:
		m.phase = e.Phase
	case agent.EventUsage:
		if e.Usage != nil {
			m.usage.PromptTokens += e.Usage.PromptTokens
			m.usage.CompletionTokens += e.Usage.CompletionTokens
			m.usage.ContextTokens, m.usage.ContextWindow = e.Usage.ContextTokens, e.Usage.ContextWindow
		}
	case agent.EventFinished:
		m.finished = true
		if m.inv != nil {
			m.chat.noteHandoff(m.inv.TranscriptID())
		}
	}
	return cmd
}

func (m *Model) agentEvent(msg agentMsg) tea.Cmd {
	if msg.sub != m.sub {
		return nil // the subscription of an investigation replaced since
	}
	if !msg.ok {
		m.finished = true
		return nil
	}
	now := time.Now()
	m.lastAgent = now
	if onlyText(msg.events) {
		m.lastText = now
		if now.Sub(m.lastSpin) >= tickEvery {
			m.chat.Tick()
			m.lastSpin = now
		}
	}
	var cmds []tea.Cmd
	for _, e := range msg.events {
		m.runSeen(e)
		cmds = append(cmds, m.applyEvent(e))
		switch e.Kind {
		case agent.EventToolAwaiting:
			if m.who().CanApprove {
				m.focus = paneChat
			}
		case agent.EventToolDone:
			// Follow the agent through the trace: the node it looked at.
			if e.Call != nil && e.Call.Node != "" && m.tree != nil && m.focus != paneTree {
				if n := m.in.Tree.Get(e.Call.Node); n != nil && m.tree.selectNode(n) {
					cmds = append(cmds, m.selectionChanged())
				}
			}
		}
	}
	cmds = append(cmds, m.listen())
	return tea.Batch(cmds...)
}

// intent carries out what the chat pane asked for.
func (m *Model) intent(it Intent) tea.Cmd {
	switch it.Kind {
	case IntentStart:
		return m.startAgent(it.Text)
	case IntentContinue:
		if !m.mayDrive() {
			m.setStatus("Only the host continues the agent here.")
			return nil
		}
		if m.inv != nil {
			m.inv.Continue()
		}
	case IntentDecide:
		if m.inv != nil {
			if err := m.inv.Decide(m.who(), it.CallID, it.Decision); err != nil {
				m.setStatus(err.Error())
			}
		}
	case IntentSend, IntentInterrupt:
		if !m.started || m.finished {
			// A first message starts the run, then steers it.
			return m.startAgent(it.Text)
		}
		if !m.mayDrive() {
			return m.startAgent(it.Text) // to the chat
		}
		if err := m.inv.Send(m.ctx, m.who(), it.Text, it.Kind == IntentInterrupt); err != nil {
			m.chat.Notice(err.Error())
		}
	case IntentCancel:
		if !m.mayDrive() {
			m.setStatus("Only the host stops the agent here.")
			return nil
		}
		if m.inv != nil {
			m.inv.Cancel()
			m.setStatus("cancelling the investigation…")
		}
	case IntentDrill:
		if d := m.chat.DrillFor(it.CallID); d != nil {
			m.drill = d
		}
		if it.Node != "" && m.tree != nil {
			if n := m.in.Tree.Get(it.Node); n != nil && m.tree.selectNode(n) {
				return m.selectionChanged()
			}
		}
	}
	return nil
}
