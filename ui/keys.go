package ui

import "charm.land/bubbles/v2/key"

// keyMap holds every binding; the help screen is generated from it.
type keyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Collapse, Expand, Enter                 key.Binding
	NextPane, PrevPane, Pane1, Pane2, Pane3 key.Binding
	Filter, NextMatch, PrevMatch            key.Binding
	NextError, PrevError                    key.Binding
	Agent, Copy, Link, Zoom, Tabs           key.Binding
	Help, Quit, Reload                      key.Binding
}

func newKeyMap() keyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Up:        b([]string{"k", "up"}, "↑/k", "up"),
		Down:      b([]string{"j", "down"}, "↓/j", "down"),
		Top:       b([]string{"g", "home"}, "g", "top"),
		Bottom:    b([]string{"G", "end"}, "G", "bottom"),
		PageUp:    b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown:  b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Collapse:  b([]string{"h", "left"}, "←/h", "collapse / parent"),
		Expand:    b([]string{"l", "right"}, "→/l", "expand"),
		Enter:     b([]string{"enter"}, "enter", "open in the detail pane"),
		NextPane:  b([]string{"tab"}, "tab", "next pane"),
		PrevPane:  b([]string{"shift+tab"}, "shift+tab", "previous pane"),
		Pane1:     b([]string{"1"}, "1", "trace tree"),
		Pane2:     b([]string{"2"}, "2", "detail"),
		Pane3:     b([]string{"3"}, "3", "agent chat"),
		Filter:    b([]string{"/"}, "/", "filter the tree"),
		NextMatch: b([]string{"n"}, "n", "next match"),
		PrevMatch: b([]string{"N"}, "N", "previous match"),
		NextError: b([]string{"e"}, "e", "next error"),
		PrevError: b([]string{"E"}, "E", "previous error"),
		Agent:     b([]string{"a"}, "a", "start / continue the agent"),
		Copy:      b([]string{"y"}, "y", "copy the selected id"),
		Link:      b([]string{"o"}, "o", "show and copy the Sentry link"),
		Zoom:      b([]string{"z"}, "z", "zoom the focused pane"),
		Tabs:      b([]string{"[", "]"}, "[ ]", "detail tabs: spans / error / profile"),
		Help:      b([]string{"?"}, "?", "help"),
		Reload:    b([]string{"R"}, "R", "reload the incident (live: the latest issue)"),
		Quit:      b([]string{"q", "ctrl+c"}, "q", "quit"),
	}
}

// ShortHelp is the status bar's hint line: the same keys as the help
// screen, with shorter words.
func (k keyMap) ShortHelp() []key.Binding {
	short := func(b key.Binding, desc string) key.Binding {
		b.SetHelp(b.Help().Key, desc)
		return b
	}
	return []key.Binding{short(k.NextError, "next error"), short(k.Enter, "open"), short(k.Agent, "agent"),
		short(k.NextPane, "pane"), short(k.Filter, "filter"), short(k.Help, "help"), short(k.Quit, "quit")}
}

// FullHelp is the help screen, in columns.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Collapse, k.Expand, k.Enter},
		{k.NextPane, k.PrevPane, k.Pane1, k.Pane2, k.Pane3, k.Zoom, k.Tabs},
		{k.Filter, k.NextMatch, k.PrevMatch, k.NextError, k.PrevError, k.Copy, k.Link},
		{k.Agent, k.Reload, k.Help, k.Quit},
	}
}
