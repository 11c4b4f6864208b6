package ui

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/agent"
)

// The chat pane's keys: navigation, approvals, the input and what each
// sends to the app as an Intent.

func (c *Chat) key(m tea.KeyPressMsg) (Intent, tea.Cmd) {
	k := m.String()
	var cmd tea.Cmd
	handled := Intent{Kind: IntentHandled}
	switch c.mode {
	case modeEdit:
		switch k {
		case "esc":
			c.closeInput()
			return handled, nil
		case "ctrl+s":
			return c.submitEdit(), nil
		}
		c.editErr = ""
		c.edit, cmd = c.edit.Update(m)
		return handled, cmd
	case modeReason:
		switch k {
		case "esc":
			c.closeInput()
			return handled, nil
		case "enter":
			id := c.target
			reason := strings.TrimSpace(c.reason.Value())
			c.closeInput()
			return c.decide(id, agent.Decision{Kind: agent.Deny, Reason: reason}), nil
		}
		c.reason, cmd = c.reason.Update(m)
		return handled, cmd
	case modeTyping:
		switch k {
		case "esc":
			c.input.Blur()
			c.mode = modeNav
			return handled, nil
		case "enter", "alt+enter", "ctrl+enter", "ctrl+j":
			text := strings.TrimSpace(c.input.Value())
			if text == "" {
				return handled, nil
			}
			c.input.Reset()
			c.input.Blur()
			c.mode = modeNav
			return c.send(text, k != "enter"), nil
		}
		c.input, cmd = c.input.Update(m)
		return handled, cmd
	}

	// Navigation mode: keys are commands.
	if k != "x" {
		c.stopAt = time.Time{}
	}
	pending := c.pendingItem()
	if pending != nil && c.observer && (k == "a" || k == "s" || k == "S" || k == "d" || k == "e") {
		c.add(&chatItem{kind: itemNote, text: "Only the host approves tool calls here; press i to tell the others what you think."})
		c.follow = true
		return handled, nil
	}
	switch k {
	case "esc":
		if c.selected != "" {
			c.selected = ""
			return handled, nil
		}
		return Intent{}, nil // the app's: it leaves the pane
	case "x":
		if !c.Running() {
			return Intent{}, nil
		}
		if !c.stopAt.IsZero() && c.now().Sub(c.stopAt) <= stopWindow {
			c.stopAt = time.Time{}
			c.cancelling = true
			return Intent{Kind: IntentCancel}, nil
		}
		c.stopAt = c.now()
		return handled, nil
	case "a":
		if pending != nil {
			return c.decide(pending.card.call.ID, agent.Decision{Kind: agent.ApproveOnce}), nil
		}
		if !c.Running() {
			return c.start(""), nil
		}
	case "s":
		if pending != nil {
			return c.decide(pending.card.call.ID, agent.Decision{Kind: agent.ApproveSession}), nil
		}
	case "S":
		if pending != nil && pending.card.call.ReadOnly {
			return c.decide(pending.card.call.ID, agent.Decision{Kind: agent.ApproveSession, Scope: agent.ScopeReadOnly}), nil
		}
	case "d":
		if pending != nil {
			c.mode, c.target = modeReason, pending.card.call.ID
			c.reason.Reset()
			return handled, c.reason.Focus()
		}
	case "e":
		if pending != nil {
			c.mode, c.target, c.editErr = modeEdit, pending.card.call.ID, ""
			args := pending.card.call.Args
			if len(bytes.TrimSpace(args)) == 0 {
				args = json.RawMessage("{}")
			}
			c.edit.SetValue(prettyJSON(args))
			return handled, c.edit.Focus()
		}
	case "c":
		if c.paused != "" && c.running {
			c.paused = ""
			return Intent{Kind: IntentContinue}, nil
		}
	case "i", "/":
		if c.Running() && !c.steerable() && !c.talk {
			c.add(&chatItem{kind: itemNote, text: offlineNoMessages})
			c.follow = true
			return handled, nil
		}
		c.mode = modeTyping
		return handled, c.input.Focus()
	case "r":
		c.expanded = !c.expanded
		return handled, nil
	case "enter":
		if it := c.cards[c.selected]; it != nil {
			return Intent{Kind: IntentDrill, CallID: it.card.call.ID, Node: it.card.call.Node}, nil
		}
		if pending != nil {
			return Intent{Kind: IntentDrill, CallID: pending.card.call.ID, Node: pending.card.call.Node}, nil
		}
		if !c.Running() {
			return c.start(""), nil
		}
	case "tab", "shift+tab":
		// Through the cards and around; the pane keeps the focus (esc
		// leaves it).
		c.selectCard(k == "tab")
		return handled, nil
	case "j", "down":
		c.scroll(1)
		return handled, nil
	case "k", "up":
		c.scroll(-1)
		return handled, nil
	case "pgdown", "space":
		c.scroll(max(c.vh-1, 1))
		return handled, nil
	case "pgup":
		c.scroll(-max(c.vh-1, 1))
		return handled, nil
	case "ctrl+d":
		c.scroll(max(c.vh/2, 1))
		return handled, nil
	case "ctrl+u":
		c.scroll(-max(c.vh/2, 1))
		return handled, nil
	case "g", "home":
		c.offset, c.follow = 0, false
		return handled, nil
	case "G", "end":
		c.follow = true
		return handled, nil
	}
	return Intent{}, nil
}

func (c *Chat) start(text string) Intent {
	c.starting, c.finished, c.cancelling = true, false, false
	if text != "" {
		c.add(&chatItem{kind: itemUser, text: text, queued: true})
	}
	c.follow = true
	return Intent{Kind: IntentStart, Text: text}
}

func (c *Chat) send(text string, interrupt bool) Intent {
	if !c.Running() {
		return c.start(text)
	}
	c.add(&chatItem{kind: itemUser, text: text, queued: true, interrupt: interrupt})
	c.paused = ""
	c.follow = true
	if interrupt {
		return Intent{Kind: IntentInterrupt, Text: text}
	}
	return Intent{Kind: IntentSend, Text: text}
}

func (c *Chat) decide(id string, d agent.Decision) Intent {
	if it := c.cards[id]; it != nil {
		switch d.Kind {
		case agent.ApproveOnce:
			it.card.decided = "approved"
		case agent.ApproveSession:
			it.card.decided = "approved for the session"
			if d.Scope == agent.ScopeReadOnly {
				it.card.decided = "approved, with every read-only tool, for the session"
			}
		case agent.Deny:
			it.card.decided = "denying…"
		case agent.Edit:
			it.card.decided = "approved with edited arguments"
		}
		it.ver++
	}
	return Intent{Kind: IntentDecide, CallID: id, Decision: d}
}

func (c *Chat) submitEdit() Intent {
	text := strings.TrimSpace(c.edit.Value())
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		c.editErr = "not valid JSON: " + clean(err.Error())
		return Intent{Kind: IntentHandled}
	}
	if _, ok := v.(map[string]any); !ok {
		c.editErr = "the arguments must be a JSON object ({…})"
		return Intent{Kind: IntentHandled}
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(text)); err != nil {
		c.editErr = "not valid JSON: " + clean(err.Error())
		return Intent{Kind: IntentHandled}
	}
	id := c.target
	c.closeInput()
	return c.decide(id, agent.Decision{Kind: agent.Edit, Args: json.RawMessage(b.Bytes())})
}

func (c *Chat) closeInput() {
	c.reason.Blur()
	c.edit.Blur()
	c.input.Blur()
	c.mode, c.target, c.editErr = modeNav, "", ""
}

// scroll moves the view by n lines; reaching the bottom turns following
// back on.
func (c *Chat) scroll(n int) {
	maxOff := max(c.total-c.vh, 0)
	if c.follow {
		c.offset = maxOff
	}
	c.offset = min(max(c.offset+n, 0), maxOff)
	c.follow = c.offset >= maxOff
}

// selectCard moves the selection to the next or previous card, around
// from the last to the first; without a selection it starts from the
// cards in view. It returns false when there is no card.
func (c *Chat) selectCard(forward bool) bool {
	var ids []string
	var tops []int
	for _, sp := range c.spans {
		if sp.it.kind == itemCard && sp.it.card.call.ID != "" {
			ids = append(ids, sp.it.card.call.ID)
			tops = append(tops, sp.top)
		}
	}
	cur := -1
	for i, id := range ids {
		if id == c.selected {
			cur = i
		}
	}
	next := -1
	switch {
	case len(ids) == 0:
	case cur >= 0 && forward:
		next = (cur + 1) % len(ids)
	case cur >= 0:
		next = (cur + len(ids) - 1) % len(ids)
	case forward:
		// The first card in view, else the first below it.
		next = len(ids) - 1
		for i, t := range tops {
			if t >= c.offset {
				next = i
				break
			}
		}
	default:
		// The last card in view, else the last above it.
		next = 0
		for i, t := range tops {
			if t < c.offset+c.vh {
				next = i
			}
		}
	}
	if next < 0 || next >= len(ids) {
		c.selected = ""
		return false
	}
	c.selected = ids[next]
	c.reveal = c.cards[c.selected]
	return true
}

// selectedIndex is the selected card's position among the cards (1 is
// the first; 0 when none is selected) and how many there are.
func (c *Chat) selectedIndex() (i, n int) {
	for _, it := range c.items {
		if it.kind == itemCard && it.card.call.ID != "" {
			n++
			if it.card.call.ID == c.selected {
				i = n
			}
		}
	}
	return i, n
}
