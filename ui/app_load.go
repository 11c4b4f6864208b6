package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/investigation"
)

// Loading the investigation: the first load with its progress, reloads
// when new data arrives (live mode) or on R, and putting the loaded
// investigation into the panes.

// waitUpdate waits for the next live update (nil when not live).
func (m *Model) waitUpdate() tea.Cmd {
	ch := m.cfg.Updates
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return updateMsg{}
	}
}

// reload loads the incident again in the background, keeping the screen.
func (m *Model) reload() tea.Cmd {
	if m.reloading || m.loading {
		m.reloadAgain = true
		return nil
	}
	m.reloading = true
	ctx, open := m.ctx, m.cfg.Open
	return func() tea.Msg {
		quiet := func(string) {} // a reload keeps the explorer on screen
		inv, err := open(ctx, Progress{Step: quiet, Bar: quiet})
		return reloadedMsg{inv, err}
	}
}

// reloaded swaps in a reloaded incident, keeping the selected node when
// it is still there.
func (m *Model) reloaded(msg reloadedMsg) tea.Cmd {
	m.reloading = false
	var next tea.Cmd
	if m.reloadAgain {
		m.reloadAgain = false
		next = m.reload()
	}
	if msg.err != nil {
		m.setStatus("Reloading failed: " + msg.err.Error())
		return next
	}
	if m.started {
		if msg.inv != nil {
			msg.inv.Close()
		}
		m.setStatus("New data arrived; the agent's investigation goes on over what it started with.")
		return next
	}
	var prev string
	if m.tree != nil && m.tree.Selected() != nil {
		prev = m.tree.Selected().ID
	}
	m.loadErr = nil
	m.setInvestigation(msg.inv)
	if m.in.Tree == nil {
		return next
	}
	m.tree = newTreePane(m.st, m.in.Tree)
	if prev != "" {
		if n, err := m.in.Tree.Resolve(prev); err == nil && n != nil {
			m.tree.selectNode(n)
		}
	}
	m.prefetch()
	t := m.in.Tree
	what := "this trace"
	if m.in.Issue != nil {
		what = m.in.Issue.ShortID + "'s trace"
	}
	m.setStatus(fmt.Sprintf("Live: new data — %s has %s and %s.", what, plural(t.Transactions, "transaction"), plural(t.Errors, "error")))
	return tea.Batch(next, m.selectionChanged())
}

// load runs the loader in the background, streaming its progress.
func (m *Model) load() tea.Cmd {
	ch := make(chan progressMsg, 16)
	done := make(chan loadedMsg, 1)
	go func() {
		send := func(msg progressMsg) {
			select {
			case ch <- msg:
			default:
			}
		}
		inv, err := m.cfg.Open(m.ctx, Progress{
			Step: func(s string) { send(progressMsg{text: s}) },
			Bar:  func(s string) { send(progressMsg{text: s, bar: true}) },
		})
		done <- loadedMsg{inv, err}
		close(ch)
	}()
	var next func() tea.Msg
	next = func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return <-done
		}
		return msg
	}
	m.progressNext = next
	return next
}

func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		return nil
	}
	m.setInvestigation(msg.inv)
	if m.in.Tree != nil {
		m.tree = newTreePane(m.st, m.in.Tree)
	}
	var cmds []tea.Cmd
	cmds = append(cmds, m.selectionChanged())
	// Fetch events in the background, so panes open fast.
	m.prefetch()
	// A resumed investigation's history shows before it continues.
	history, _ := m.sub.Drain()
	for _, e := range history {
		m.applyEvent(e)
	}
	if m.cfg.Resumed {
		m.chat.Notice("resumed: press a to continue the investigation")
	}
	return tea.Batch(append(cmds, m.listen())...)
}

// setInvestigation makes inv the explorer's investigation (closing the one
// it replaces) and subscribes to its events.
func (m *Model) setInvestigation(inv *investigation.Investigation) {
	if m.inv != nil && m.inv != inv {
		m.inv.Close()
	}
	m.inv = inv
	m.in, m.repos = inv.Incident(), inv.Repos()
	m.fetcher.stop()
	m.fetcher.cache = detailCache{} // fetched from the incident replaced
	m.sub = inv.Subscribe()
}
