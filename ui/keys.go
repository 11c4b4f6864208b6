package ui

import "fmt"

// appKeys are the keys that work in every pane, unless the focused pane
// uses the key itself (the agent pane's a, e and tab) or a text input
// has the focus. The panes' own keys are their Bindings.
type appKeys struct {
	NextPane, PrevPane, Zoom  Binding
	NextError, PrevError      Binding
	Tabs, Agent, Copy, Link   Binding
	Reload, Help, Quit, Panes Binding
	Compare                   Binding
	// Follow works while sharing (tracehound share).
	Follow Binding
}

func newAppKeys(panes int) appKeys {
	var digits []string
	for i := range panes {
		digits = append(digits, fmt.Sprint(i+1))
	}
	return appKeys{
		NextPane:  bind(keys("tab"), "tab", "next pane (the agent pane: next card; esc leaves it)", "pane"),
		PrevPane:  bind(keys("shift+tab"), "shift+tab", "previous pane", ""),
		Panes:     bind(digits, fmt.Sprintf("1–%d", panes), "go to a pane by its number", ""),
		Zoom:      bind(keys("z"), "z", "zoom the focused pane (z again: back)", ""),
		NextError: bind(keys("e"), "e", "next error, toward the cause (down the causal chain)", "next error"),
		PrevError: bind(keys("E"), "E", "previous error, back toward the symptom", ""),
		Tabs:      bind(keys("[", "]"), "[ ]", "detail tabs: spans / error / profile / compare", ""),
		Compare:   bind(keys("C"), "C", "compare the transaction with a healthy trace of it", ""),
		Agent:     bind(keys("a"), "a", "start the agent, or continue it", "agent"),
		Copy:      bind(keys("y"), "y", "copy the selected node's id", ""),
		Link:      bind(keys("o"), "o", "show and copy the node's Sentry link", ""),
		Reload:    bind(keys("R"), "R", "reload the incident (live: the latest issue)", ""),
		Follow:    bind(keys("f"), "f", "sharing: follow the host's selection and pane, then each guest's, then your own again", ""),
		Help:      bind(keys("?"), "?", "this help", "help"),
		Quit:      bind(keys("q", "ctrl+c"), "q", "quit (asks first while the agent works)", "quit"),
	}
}

// list is every global key in the order the help shows them.
func (k appKeys) list() []Binding {
	return []Binding{k.NextPane, k.PrevPane, k.Panes, k.Zoom, k.NextError, k.PrevError, k.Tabs, k.Compare,
		k.Agent, k.Copy, k.Link, k.Reload, k.Help, k.Quit}
}
