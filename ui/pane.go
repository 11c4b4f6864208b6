package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Pane is one pane of the explorer: the trace tree, the detail tabs, the
// agent. The app owns the layout, the focus, the overlays (help,
// drill-in) and the keys that work everywhere; a pane draws itself into
// the rectangle it is given and answers the keys it declares. The help
// screen and the status bar's hints are generated from the panes'
// Bindings, so a key a pane answers is a key the user can find.
//
// Adding a pane is one file with a type that implements Pane, plus its
// line in Model.registerPanes (see README.md).
type Pane interface {
	// Title names the pane on its border ("Trace"); the app numbers it
	// ("1 Trace") and keeps the number and the name when the border is
	// narrow.
	Title() string
	// Bindings are the keys the pane answers while it has the focus,
	// with their help. A disabled binding is listed in the help but not
	// offered in the status bar.
	Bindings() []Binding
	// Update handles a key, a mouse wheel or a paste while the pane has
	// the focus; handled says the pane used it, so the app does not act
	// on it too.
	Update(msg tea.Msg) (cmd tea.Cmd, handled bool)
	// View draws the pane in exactly w×h cells (inside its border).
	View(w, h int, focused bool) string
}

// Optional parts of a pane.
type (
	// paneLabel is a pane with a note after its title ("offline
	// analyzer"), cut before the title when the border is narrow.
	paneLabel interface{ Label() string }
	// paneCapture is a pane with a text input: while Capturing, every
	// key goes to it first, including the ones the app binds (q, tab,
	// digits).
	paneCapture interface{ Capturing() bool }
	// paneStyled takes the styles when the terminal's background is
	// known (dark or light).
	paneStyled interface{ SetStyles(*Styles) }
	// paneAnimated has a spinner or a timed hint: Tick advances it, and
	// the app's ticker runs while Animating says so.
	paneAnimated interface {
		Tick()
		Animating() bool
	}
)

// Binding is a key with its help: Keys are what tea.KeyPressMsg.String()
// says ("k", "up"), Help().Key how the help spells them ("↑/k"),
// Help().Desc what the key does. Short, when set, is the word the status
// bar shows for it; bindings without one are only in the help screen.
type Binding struct {
	key.Binding
	Short string
}

// bind is a binding: keys, how the help shows them, what they do, and
// the status bar's word ("" for none).
func bind(keys []string, helpKey, desc, short string) Binding {
	return Binding{Binding: key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc)), Short: short}
}

// keys is a shorthand for bind's key list.
func keys(k ...string) []string { return k }

// enabled returns b enabled or not (a key that does nothing now, e.g.
// approve with no call pending, stays in the help but leaves the status
// bar).
func (b Binding) enabled(on bool) Binding {
	b.SetEnabled(on)
	return b
}

// matches reports whether msg is one of b's keys (enabled or not).
func (b Binding) matches(msg tea.KeyPressMsg) bool {
	k := msg.String()
	for _, x := range b.Keys() {
		if x == k {
			return true
		}
	}
	return false
}

// paneTitle is a pane's border title: its number and name, then its
// label when there is room, else as much of the label as fits.
func paneTitle(i int, p Pane, room int) string {
	t := string(rune('1'+i)) + " " + p.Title()
	l, ok := p.(paneLabel)
	if !ok || l.Label() == "" {
		return t
	}
	label := clean(l.Label())
	full := t + " · " + label
	if ansi.StringWidth(full) <= room {
		return full
	}
	// A label with a parenthesis loses it first ("offline analyzer
	// (heuristic, not an LLM)" → "offline analyzer").
	if j := strings.Index(label, " ("); j > 0 {
		if short := t + " · " + label[:j]; ansi.StringWidth(short) <= room {
			return short
		}
	}
	if room-ansi.StringWidth(t)-3 >= 6 {
		return ansi.Truncate(full, room, "…")
	}
	return t
}

// statusMsg is a note a pane gives the status bar ("No other tab for
// this node: …"); the app shows it for a while.
type statusMsg string

// statusNote is the command that sends a pane's note to the status bar.
func statusNote(s string) tea.Cmd { return func() tea.Msg { return statusMsg(s) } }
