package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
)

// The chat pane's drawing: the title line, the transcript of items and
// cards, and the footer with its key hints.

// View draws the pane in exactly w×h cells: a title line (status and
// token usage), the transcript, and the input or the approval choices.
func (c *Chat) View(w, h int, focused bool) string {
	if w <= 0 || h <= 0 {
		return block(nil, w, h)
	}
	if !c.stopAt.IsZero() && c.now().Sub(c.stopAt) > stopWindow {
		c.stopAt = time.Time{}
	}
	footer := c.footer(w, h)
	vh := max(h-1-len(footer), 0)
	lines := make([]string, 0, h)
	lines = append(lines, c.titleLine(w))
	lines = append(lines, c.transcript(w, vh, focused)...)
	for len(lines) < 1+vh {
		lines = append(lines, "")
	}
	lines = append(lines, footer...)
	return block(lines, w, h)
}

// titleLine is the status of the run and the context used.
func (c *Chat) titleLine(w int) string {
	st := c.st
	left := st.Title.Render("Agent")
	var status string
	switch {
	case c.cancelling:
		status = st.Warn.Render("cancelling…")
	case c.pendingItem() != nil:
		status = st.Accent.Render("⏸ awaiting your approval")
	case c.paused != "" && c.running:
		status = st.Accent.Render("⏸ paused")
	case c.Running() && c.waiting != "":
		status = st.Info.Render(spinnerFrames[c.frame%len(spinnerFrames)] + " " + c.waiting)
	case c.Running():
		status = st.Info.Render(spinnerFrames[c.frame%len(spinnerFrames)] + " investigating")
	case c.finished:
		status = st.Subtle.Render("finished")
	default:
		status = st.Faint.Render("not started")
	}
	left += " " + status
	if i, n := c.selectedIndex(); i > 0 {
		left += st.Faint.Render(fmt.Sprintf("  card %d of %d", i, n))
	}
	if below := c.total - c.vh - c.offset; !c.follow && below > 0 {
		left += st.Faint.Render(fmt.Sprintf("  ↓ %d more", below))
	}
	right := ""
	if c.hasUsage {
		used := c.usage.ContextTokens
		if used == 0 {
			used = c.usage.PromptTokens
		}
		right = formatTokens(used)
		if c.usage.ContextWindow > 0 {
			right += " / " + formatTokens(c.usage.ContextWindow)
		}
		right += " tokens"
		rs := st.Subtle
		if c.usage.ContextWindow > 0 && used*100 >= c.usage.ContextWindow*85 {
			rs = st.Warn
		}
		right = rs.Render(right)
	}
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if right == "" || gap < 1 {
		if gap < 1 && right != "" && lipgloss.Width(right) < w {
			return fit(left, w-lipgloss.Width(right)-1) + " " + right
		}
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// footer is the bottom of the pane: a hint or the approval choices, and
// the input (or the reason input, or the arguments editor).
func (c *Chat) footer(w, h int) []string {
	st := c.st
	room := h - 2 // keep the title and one line of transcript
	if room <= 0 {
		return nil
	}
	sep := st.Faint.Render(" · ")
	var hint string
	var body []string
	switch c.mode {
	case modeReason:
		hint = st.Warn.Render("Deny "+clean(c.cards[c.target].card.call.Name)) + sep + c.keyHints(w-lipgloss.Width(clean(c.cards[c.target].card.call.Name))-8,
			keyHint{"enter", "send the denial", "deny"}, keyHint{"esc", "back", "back"})
		c.reason.SetWidth(max(w-lipgloss.Width(c.reason.Prompt)-1, 1))
		body = []string{c.reason.View()}
	case modeEdit:
		if c.editErr != "" {
			hint = st.Error.Render(c.editErr)
		} else {
			hint = st.Accent.Render("Edit the arguments") + sep + c.keyHints(w-21,
				keyHint{"ctrl+s", "approve with them", "approve"}, keyHint{"esc", "back", "back"})
		}
		eh := min(max(c.edit.LineCount()+1, 3), 12, room-1)
		if eh < 1 {
			eh = 1
		}
		c.edit.SetWidth(w)
		c.edit.SetHeight(eh)
		body = strings.Split(c.edit.View(), "\n")
	default:
		iw := max(w-lipgloss.Width(c.input.Prompt)-1, 1)
		c.input.Placeholder = xansi.Truncate(c.placeholder(), iw, "…")
		c.input.SetWidth(iw)
		body = []string{c.input.View()}
		switch {
		case !c.stopAt.IsZero():
			hint = st.Warn.Render("press x again to stop the run")
		case c.pendingItem() != nil && c.mode == modeTyping:
			hint = st.Accent.Render("Approval requested") + sep + c.keyHints(w-21, keyHint{"esc", "leave the input to answer", "leave input"})
		case c.pendingItem() != nil && c.observer:
			hint = c.keyHints(w, keyHint{"i", "message the others", "message"}, keyHint{"enter", "open", "open"})
		case c.pendingItem() != nil && c.pendingItem().card.call.ReadOnly:
			hint = c.keyHints(w, keyHint{"a", "approve once", "once"}, keyHint{"s", "session", "session"},
				keyHint{"S", "all reads", "reads"}, keyHint{"d", "deny…", "deny"}, keyHint{"e", "edit args", "edit"}, keyHint{"enter", "open", "open"})
		case c.pendingItem() != nil:
			hint = c.keyHints(w, keyHint{"a", "approve once", "once"}, keyHint{"s", "approve for session", "session"},
				keyHint{"d", "deny…", "deny"}, keyHint{"e", "edit args", "edit"}, keyHint{"enter", "open", "open"})
		case c.mode == modeTyping:
			hint = c.keyHints(w, keyHint{"enter", "queue for the next step", "queue"}, keyHint{"alt+enter", "interrupt now", "interrupt"},
				keyHint{"esc", "leave", "leave"})
		case c.paused != "" && c.running && c.steerable():
			hint = c.keyHints(w, keyHint{"c", "continue", "continue"}, keyHint{"i", "redirect", "redirect"}, keyHint{"tab/shift+tab", "cards", "cards"},
				keyHint{"esc", "leave", "leave"})
		case c.paused != "" && c.running:
			hint = c.keyHints(w, keyHint{"c", "continue", "continue"}, keyHint{"tab/shift+tab", "cards", "cards"}, keyHint{"esc", "leave", "leave"})
		case c.Running() && c.steerable():
			hint = c.keyHints(w, keyHint{"i", "message", "message"}, keyHint{"tab/shift+tab", "cards", "cards"}, keyHint{"r", "reasoning", "reasoning"},
				keyHint{"x x", "stop", "stop"}, keyHint{"esc", "leave", "leave"})
		case c.Running():
			hint = c.keyHints(w, keyHint{"tab/shift+tab", "cards", "cards"}, keyHint{"x x", "stop", "stop"}, keyHint{"esc", "leave", "leave"})
		case c.finished:
			hint = c.keyHints(w, keyHint{"y", "copy report", "copy"}, keyHint{"v", "what the model saw", "model saw"},
				keyHint{"tab/shift+tab", "select a card", "cards"}, keyHint{"enter", "open it", "open"},
				keyHint{"g/G", "top/bottom", "top/end"}, keyHint{"esc", "leave", "leave"})
		default:
			hint = c.keyHints(w, keyHint{"a", "start", "start"}, keyHint{"i", "start with a message", "message"})
		}
	}
	out := body
	if room > len(body) && h >= 6 {
		out = append([]string{hint}, body...)
	}
	if len(out) > room {
		out = out[len(out)-room:]
	}
	return out
}

// keyHint is a key and what it does, long and short.
type keyHint struct{ key, long, short string }

// keyHints renders key hints in w cells: the long descriptions when they
// fit, else the short ones.
func (c *Chat) keyHints(w int, hs ...keyHint) string {
	st := c.st
	sep := st.Faint.Render(" · ")
	render := func(short bool) string {
		parts := make([]string, len(hs))
		for i, h := range hs {
			what := h.long
			if short {
				what = h.short
			}
			parts[i] = st.StatusKey.Render(h.key) + " " + st.StatusBar.Render(what)
		}
		return strings.Join(parts, sep)
	}
	if s := render(false); lipgloss.Width(s) <= w {
		return s
	}
	// The short words; then fewer hints, the last ones first.
	for len(hs) > 1 && lipgloss.Width(render(true)) > w {
		hs = hs[:len(hs)-1]
	}
	return render(true)
}

// placeholder is what the empty input says: what the user can do now.
func (c *Chat) placeholder() string {
	switch {
	case c.mode == modeTyping && c.talk:
		return "Message the others (the host can forward it to the agent)…"
	case c.mode == modeTyping:
		return "Tell the agent…"
	case c.pendingItem() != nil && c.observer:
		return "Waiting for the host to approve the call above — press i to message the others"
	case c.pendingItem() != nil:
		return "Approve or deny the call above — or press i to tell the agent something"
	case c.paused != "" && c.running:
		what := "Paused"
		switch c.paused {
		case agent.PhaseSolution:
			what = "Root cause reported"
		case agent.PhasePatch:
			what = "Solution plan reported"
		}
		if !c.steerable() {
			return what + " — press c to continue"
		}
		return what + " — press c to continue, or i to redirect"
	case c.Running() && !c.steerable():
		return "The offline analyzer follows a fixed plan (it takes no messages)"
	case c.Running():
		return "Press i to tell the agent something"
	case c.finished:
		if c.followUps {
			return "The investigation ended — its report is above; press i to ask a follow-up"
		}
		return "The investigation ended — its report and every tool result are above"
	default:
		return "Press a to start the investigation"
	}
}

// transcript lays the items out at width w and returns the vh lines in
// view, following the bottom, revealing a card, or where the user
// scrolled.
func (c *Chat) transcript(w, vh int, focused bool) []string {
	pending := c.pendingItem()
	c.spans = c.spans[:0]
	total := 0
	var prev *chatItem
	for _, it := range c.items {
		lines := c.itemLines(it, w, focused, it == pending)
		if len(lines) == 0 {
			continue
		}
		gap := prev != nil && !(prev.kind == itemCard && it.kind == itemCard)
		if gap {
			total++ // a blank line between blocks, none between cards
		}
		c.spans = append(c.spans, itemSpan{it: it, top: total, n: len(lines), gap: gap})
		total += len(lines)
		prev = it
	}
	c.total, c.vh = total, vh
	maxOff := max(total-vh, 0)
	if r := c.reveal; r != nil {
		if r.kind == itemCard && r != pending && r.card.call.ID != c.selected {
			r = nil // decided, or no longer selected, before it was shown
		}
		for _, sp := range c.spans {
			if sp.it == r {
				off := c.offset
				if c.follow {
					off = maxOff
				}
				switch {
				case sp.n > vh || sp.top < off:
					off = sp.top
				case sp.top+sp.n > off+vh:
					off = sp.top + sp.n - vh
				}
				c.offset = min(max(off, 0), maxOff)
				c.follow = c.offset >= maxOff
				break
			}
		}
		c.reveal = nil
	}
	if c.follow {
		c.offset = maxOff
	}
	c.offset = min(max(c.offset, 0), maxOff)
	out := make([]string, 0, vh)
	end := c.offset + vh
	for _, sp := range c.spans {
		if sp.top+sp.n <= c.offset {
			continue
		}
		if sp.gap && sp.top-1 >= c.offset && sp.top-1 < end {
			out = append(out, "")
		}
		if sp.top >= end {
			break
		}
		for i := max(c.offset-sp.top, 0); i < sp.n && sp.top+i < end; i++ {
			out = append(out, sp.it.lines[i])
		}
	}
	return out
}

// itemLines renders an item at width w, from its cache when nothing it
// depends on changed.
func (c *Chat) itemLines(it *chatItem, w int, focused, pending bool) []string {
	key := itemKey{width: w, ver: it.ver, gen: c.gen, valid: true}
	switch it.kind {
	case itemReasoning:
		key.expanded = c.expanded
	case itemCard:
		key.selected = c.selected != "" && it.card.call.ID == c.selected
		key.focused = focused
		key.pending = pending
		if it.card.status == cardRunning {
			key.frame = c.frame
			key.now = c.now().Truncate(100 * time.Millisecond)
		}
	}
	if it.key == key {
		return it.lines
	}
	it.key = key
	it.lines = c.renderItem(it, key)
	return it.lines
}

func (c *Chat) renderItem(it *chatItem, k itemKey) []string {
	st, w := c.st, k.width
	switch it.kind {
	case itemText:
		return it.md.lines(&c.md, w, st.Dark)
	case itemReport:
		out := []string{rule(st, "final report", w)}
		return append(out, it.md.lines(&c.md, w, st.Dark)...)
	case itemReasoning:
		size := formatTokens(len(it.rs.src)) + " chars"
		if !k.expanded {
			return []string{st.Faint.Render("▸ reasoning (" + size + ", r to expand) " + it.rs.lastLine())}
		}
		out := []string{st.Faint.Render("▾ reasoning (" + size + ", r to collapse)")}
		for _, l := range it.rs.lines(max(w-2, 1)) {
			out = append(out, st.Faint.Render("  "+l))
		}
		return out
	case itemUser:
		bar := st.Accent.Render("▍ ")
		who := "you"
		if it.author != "" {
			who = clean(it.author) // a guest's name
		}
		label := st.Accent.Render(who)
		switch {
		case it.queued && it.interrupt:
			label += st.Faint.Render(" — interrupting the agent…")
		case it.queued:
			label += st.Faint.Render(" — queued for the agent's next step")
		}
		out := []string{bar + label}
		for _, l := range wrapPlain(it.text, max(w-2, 1)) {
			out = append(out, bar+l)
		}
		return out
	case itemCard:
		sel := k.selected
		v := cardView{width: w, selected: sel, pending: k.pending, frame: k.frame, now: c.now()}
		lines := it.card.render(st, v)
		if sel && !k.focused && !k.pending && len(lines) > 0 {
			lines[0] = st.SelectedUnfocused.Render(ansiStripFit(lines[0], w))
		}
		return lines
	case itemRule:
		out := []string{rule(st, it.text, w)}
		if it.sub != "" {
			for _, l := range wrapPlain(it.sub, w) {
				out = append(out, st.Subtle.Render(l))
			}
		}
		return out
	case itemError:
		var out []string
		for i, l := range wrapPlain(it.text, max(w-2, 1)) {
			p := "  "
			if i == 0 {
				p = "✗ "
			}
			out = append(out, st.Error.Render(p+l))
		}
		var hint string
		switch it.errState {
		case errRunning:
			hint = "The run goes on; press i to tell the agent how to proceed."
		case errEnded:
			hint = "The run stopped. `tracehound resume` lists saved investigations to continue one."
		case errNoStart:
			hint = "Fix this, then press a to try again."
		}
		if hint != "" {
			for _, l := range wrapPlain(hint, w) {
				out = append(out, st.Subtle.Render(l))
			}
		}
		return out
	case itemNote:
		var out []string
		for _, l := range wrapPlain(it.text, w) {
			out = append(out, st.Faint.Render(l))
		}
		return out
	}
	return nil
}

// ansiStripFit is a line's text without styles, fitted to w (to restyle
// it whole).
func ansiStripFit(s string, w int) string {
	return fit(xansi.Strip(s), w)
}

// rule is "──── text ────" across w cells.
func rule(st *Styles, text string, w int) string {
	text = " " + clean(text) + " "
	tw := lipgloss.Width(text)
	if tw+4 > w {
		return st.Accent.Render(fit(strings.TrimSpace(text), w))
	}
	left := (w - tw) / 2
	right := w - tw - left
	return st.Faint.Render(strings.Repeat("─", left)) + st.Accent.Render(text) + st.Faint.Render(strings.Repeat("─", right))
}

// formatTokens is a count as people read it: 850, 12.3k, 128k, 1.1M.
func formatTokens(n int) string {
	trim := func(s string) string { return strings.TrimSuffix(s, ".0") }
	switch {
	case n < 1000:
		return strconv.Itoa(n)
	case n < 100_000:
		return trim(fmt.Sprintf("%.1f", float64(n)/1000)) + "k"
	case n < 1_000_000:
		return strconv.Itoa((n+500)/1000) + "k"
	default:
		return trim(fmt.Sprintf("%.1f", float64(n)/1e6)) + "M"
	}
}
