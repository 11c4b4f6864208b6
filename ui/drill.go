package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
)

// Drill is the drill-in view of one tool call: what it was about, its
// arguments, the preview it was approved with (a patch's diff), and its
// full output (the card shows the first lines; the model may have been
// given a capped version). Keys: j/k ↑/↓, pgup/pgdown (space), ctrl+u/d,
// g/G (home/end) scroll; q or esc closes (Closed reports it; the app may
// also close it itself).
type Drill struct {
	st   *Styles
	call agent.Call

	scroller
	closed bool
	width  int // the body's layout width
}

// NewDrill returns the drill-in view of call.
func NewDrill(st *Styles, call agent.Call) *Drill {
	return &Drill{st: st, call: call}
}

// SetStyles switches the styles.
func (d *Drill) SetStyles(st *Styles) {
	d.st = st
	d.lines = nil
}

// Closed reports whether q or esc was pressed.
func (d *Drill) Closed() bool { return d.closed }

// Update scrolls, or closes on q/esc.
func (d *Drill) Update(msg tea.Msg) tea.Cmd {
	d.closed = d.scroller.update(msg) || d.closed
	return nil
}

// scroller scrolls an overlay's body: j/k ↑/↓, pgup/pgdown (space),
// ctrl+u/d, g/G (home/end) and the wheel; q and esc close.
type scroller struct {
	offset int
	// lines is the body laid out, vh the height of the last View.
	lines []string
	vh    int
}

// update scrolls for msg; it reports whether msg closes the overlay.
func (s *scroller) update(msg tea.Msg) (closed bool) {
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		page := max(s.vh-1, 1)
		switch m.String() {
		case "q", "esc":
			return true
		case "j", "down":
			s.scroll(1)
		case "k", "up":
			s.scroll(-1)
		case "pgdown", "space", "f":
			s.scroll(page)
		case "pgup", "b":
			s.scroll(-page)
		case "ctrl+d":
			s.scroll(max(s.vh/2, 1))
		case "ctrl+u":
			s.scroll(-max(s.vh/2, 1))
		case "g", "home":
			s.offset = 0
		case "G", "end":
			s.offset = s.maxOffset()
		}
	case tea.MouseWheelMsg:
		switch m.Button {
		case tea.MouseWheelUp:
			s.scroll(-3)
		case tea.MouseWheelDown:
			s.scroll(3)
		}
	}
	return false
}

func (s *scroller) maxOffset() int { return max(len(s.lines)-s.vh, 0) }

func (s *scroller) scroll(n int) {
	s.offset = min(max(s.offset+n, 0), s.maxOffset())
}

// position is "lines a–b of n" (or "empty").
func (s *scroller) position() string {
	if n := len(s.lines); n > 0 {
		return fmt.Sprintf("lines %d–%d of %d", s.offset+1, min(s.offset+s.vh, n), n)
	}
	return "empty"
}

// visible are the lines in view, padded to vh.
func (s *scroller) visible() []string {
	s.offset = min(max(s.offset, 0), s.maxOffset())
	end := min(s.offset+s.vh, len(s.lines))
	out := append([]string(nil), s.lines[s.offset:end]...)
	for len(out) < s.vh {
		out = append(out, "")
	}
	return out
}

// overlayKeys is the key line at the bottom of an overlay: scrolling,
// extra keys, closing.
func overlayKeys(st *Styles, extra ...[2]string) string {
	key := func(k, what string) string { return st.StatusKey.Render(k) + " " + st.StatusBar.Render(what) }
	sep := st.Faint.Render(" · ")
	parts := []string{key("j/k", "scroll"), key("pgup/pgdn", "page"), key("g/G", "top/bottom")}
	for _, e := range extra {
		parts = append(parts, key(e[0], e[1]))
	}
	parts = append(parts, key("q/esc", "close"))
	return strings.Join(parts, sep)
}

// View draws the call in exactly w×h cells: a title line, the scrolling
// body and a line of keys.
func (d *Drill) View(w, h int) string {
	if w <= 0 || h <= 0 {
		return block(nil, w, h)
	}
	if d.lines == nil || d.width != w {
		d.width = w
		d.lines = d.body(w)
	}
	footerH := 0
	if h >= 3 {
		footerH = 1
	}
	d.vh = max(h-1-footerH, 0)

	st := d.st
	title := st.Accent.Render("▌ ") + st.Title.Render(clean(d.call.Name))
	if arg := mainArg(d.call); arg != "" {
		title += "  " + st.Subtle.Render(arg)
	}
	pos := st.Faint.Render(d.position())
	if gap := w - lipgloss.Width(title) - lipgloss.Width(pos); gap >= 2 {
		title += strings.Repeat(" ", gap) + pos
	}
	out := make([]string, 0, h)
	out = append(out, title)
	out = append(out, d.visible()...)
	if footerH > 0 {
		out = append(out, overlayKeys(st))
	}
	return block(out, w, h)
}

// body lays the call out at width w.
func (d *Drill) body(w int) []string {
	st, call := d.st, d.call
	var out []string
	section := func(name string) {
		if len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, st.Bold.Render(name))
	}
	var about []string
	if call.Node != "" {
		about = append(about, "trace node "+clean(call.Node))
	}
	if call.Repo != "" {
		about = append(about, "repository "+clean(call.Repo))
	}
	if call.Path != "" {
		about = append(about, "file "+clean(call.Path))
	}
	if call.Duration > 0 {
		about = append(about, "took "+formatDuration(call.Duration))
	}
	if call.Cached {
		about = append(about, "cached (the same call was made before)")
	}
	if len(about) > 0 {
		out = append(out, st.Subtle.Render(strings.Join(about, " · ")))
	}
	section("Arguments")
	if args := argLines(st, call.Args); len(args) > 0 {
		out = append(out, wrapStyled(args, w)...)
	} else {
		out = append(out, st.Faint.Render("(none, or not valid JSON)"))
	}
	if call.Preview != "" {
		section("Preview")
		out = append(out, wrapStyled(diffLines(st, call.Preview, w), w)...)
	}
	if call.Reason != "" {
		section("Reason")
		for _, l := range wrapPlain(call.Reason, w) {
			out = append(out, st.Warn.Render(l))
		}
	}
	section("Output")
	switch {
	case call.Output == "":
		out = append(out, st.Faint.Render("(no output)"))
	default:
		lines := strings.Split(strings.TrimRight(cleanText(call.Output), "\n"), "\n")
		out = append(out, wrapStyled(lines, w)...)
		if call.ModelOutput != "" && call.ModelOutput != call.Output {
			out = append(out, "", st.Faint.Render(fmt.Sprintf("The model was given a capped version of this output (%d of %d lines).",
				strings.Count(call.ModelOutput, "\n")+1, len(lines))))
		}
	}
	return out
}

// wrapStyled hard-wraps (possibly styled) lines at w cells, keeping
// indentation.
func wrapStyled(lines []string, w int) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if lipgloss.Width(l) <= w {
			out = append(out, l)
			continue
		}
		out = append(out, strings.Split(xansi.Hardwrap(l, max(w, 1), true), "\n")...)
	}
	return out
}
