package ui

import (
	"fmt"
	"image/color"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/tracetree"
)

// This file is the detail pane: the tabs (Spans, Error, Profile) of the
// node selected in the trace tree, the loading and failure states, and
// scrolling. Each tab's content is a dtPane (waterfall.go,
// errorpane.go, profilepane.go) that renders lines once per width and
// theme; View only cuts the visible window out of them.

// DetailTab is one tab of the detail pane.
type DetailTab int

const (
	// TabSpans is the span waterfall of a transaction.
	TabSpans DetailTab = iota
	// TabError is an error event: exception chain, stack, breadcrumbs.
	TabError
	// TabProfile is a transaction's CPU profile as a call tree.
	TabProfile
	// TabCompare is a transaction against a healthy trace of it.
	TabCompare
	dtNumTabs
)

// String is the tab's title.
func (t DetailTab) String() string {
	switch t {
	case TabSpans:
		return "Spans"
	case TabError:
		return "Error"
	case TabProfile:
		return "Profile"
	case TabCompare:
		return "Compare"
	}
	return fmt.Sprintf("DetailTab(%d)", int(t))
}

// dtPane is the content of one tab.
type dtPane interface {
	// layout prepares the content for width w and the styles st; it is
	// cheap when neither changed since the last call.
	layout(st *Styles, w int)
	// count is the number of content lines.
	count() int
	// line is content line i, styled; it may be wider than w when the
	// content scrolls horizontally (see wide).
	line(i int) string
	// wide is the width of the widest line.
	wide() int
	// version changes whenever the lines change for the same width and
	// styles (something was expanded or collapsed).
	version() int
	// enter toggles what the pane expands (row attributes, system frames,
	// small nodes); sel is the selected content line or -1.
	enter(sel int)
	// hint names what enter does, for the tab line ("" if nothing).
	hint() string
}

// dtSelecting is a pane with a selected line that j/k move (the
// waterfall): the detail pane keeps the selection visible.
type dtSelecting interface {
	dtPane
	// move moves the selection by delta rows (clamped); to -1<<30 or
	// 1<<30 for the first or last row.
	move(delta int)
	// selected is the content line of the selection and how many lines
	// it takes (the row and its open attributes).
	selected() (line, n int)
	// selectedLine renders the selected line highlighted.
	selectedLine(bg color.Color) string
}

// dtTabState is one tab's content and scroll position.
type dtTabState struct {
	id     string
	pane   dtPane
	off, x int  // first visible line, first visible column
	placed bool // the initial scroll position was applied
}

// Detail is the detail pane. It is a plain component: the app calls its
// methods from its Update and View and draws the border around it.
type Detail struct {
	st   *Styles
	tabs []DetailTab
	tab  DetailTab
	// missing says why the selected node has no such tab ("" for the
	// tabs it has); such tabs show dimmed, and [ ] skip them.
	missing [dtNumTabs]string

	ts [dtNumTabs]dtTabState
	// recent are panes shown before, oldest first, for instant revisits.
	recent []dtTabState

	// status, when set, replaces the content: loading or failed.
	status   int // dtStatusNone, dtStatusLoading, dtStatusFailed
	what     string
	err      error
	spin     int
	lastRows int // content lines shown by the last View, for paging

	memo struct {
		key  dtViewKey
		text string
		ok   bool
	}
}

const (
	dtStatusNone = iota
	dtStatusLoading
	dtStatusFailed
)

// dtSpinner are the frames of the loading spinner.
var dtSpinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// NewDetail returns an empty detail pane with the given styles.
func NewDetail(st *Styles) *Detail {
	if st == nil {
		st = NewStyles(true)
	}
	return &Detail{st: st}
}

// SetStyles switches the styles (light or dark background); the content
// is rendered again with them.
func (d *Detail) SetStyles(st *Styles) {
	if st != nil {
		d.st = st
		d.memo.ok = false
	}
}

// Loading shows what is being fetched ("fetching the spans of
// 1fdbda14…"), centred with a spinner that Tick advances, until the
// content or a failure arrives.
func (d *Detail) Loading(what string) {
	d.status, d.what, d.err = dtStatusLoading, what, nil
	d.memo.ok = false
}

// Failed shows that loading what ("the spans of 1fdbda14") failed: the
// error, which says what the user can do, and how to retry. It stays until
// the next Show or Loading.
func (d *Detail) Failed(what string, err error) {
	d.status, d.what, d.err = dtStatusFailed, what, err
	d.memo.ok = false
}

// ShowSpans shows the span waterfall of a transaction. id identifies the
// content: showing a recently shown id again (with the same tree) brings
// back its scroll position, selection and open rows. It clears a loading
// or failed state and, when that state was showing or the active tab has
// nothing to show, makes the Spans tab active.
func (d *Detail) ShowSpans(id string, t *tracetree.SpanTree) {
	d.show(TabSpans, id, func(p dtPane) bool {
		x, ok := p.(*detailSpans)
		return ok && x.t == t
	}, func() dtPane {
		if t == nil {
			return nil
		}
		return newDetailSpans(t)
	})
}

// ShowEvent shows an error event; issueShortID (may be "") is shown next
// to the issue id. See ShowSpans for id and the active tab.
func (d *Detail) ShowEvent(id string, ev *wire.Event, issueShortID string) {
	d.show(TabError, id, func(p dtPane) bool {
		x, ok := p.(*detailError)
		return ok && x.ev == ev && x.shortID == issueShortID
	}, func() dtPane {
		if ev == nil {
			return nil
		}
		return newDetailError(ev, issueShortID)
	})
}

// ShowProfile shows a profile's call tree. See ShowSpans for id and the
// active tab.
func (d *Detail) ShowProfile(id string, pt *tracetree.ProfileTree) {
	d.show(TabProfile, id, func(p dtPane) bool {
		x, ok := p.(*detailProfile)
		return ok && x.t == pt
	}, func() dtPane {
		if pt == nil {
			return nil
		}
		return newDetailProfile(pt)
	})
}

// ShowCompare shows a comparison with a healthy trace. See ShowSpans for
// id and the active tab.
func (d *Detail) ShowCompare(id string, c *agent.Comparison) {
	d.show(TabCompare, id, func(p dtPane) bool {
		x, ok := p.(*detailCompare)
		return ok && x.c == c
	}, func() dtPane {
		if c == nil {
			return nil
		}
		return newDetailCompare(c)
	})
}

// dtRecent is how many panes the detail pane keeps for revisits.
const dtRecent = 12

// show puts content on a tab: the current pane when it already shows it,
// a recent one that did, or a new one from build.
func (d *Detail) show(tab DetailTab, id string, same func(dtPane) bool, build func() dtPane) {
	cur := d.ts[tab]
	if cur.pane == nil || cur.id != id || !same(cur.pane) {
		next, ok := d.recall(id, same)
		if !ok {
			next = dtTabState{id: id, pane: build()}
			if cur.id == id && cur.pane != nil && next.pane != nil {
				// New data for the same node: keep the position.
				next.off, next.x, next.placed = cur.off, cur.x, cur.placed
			}
		}
		d.remember(cur)
		d.ts[tab] = next
	}
	if d.status != dtStatusNone || d.ts[d.tab].pane == nil || !d.hasTab(d.tab) {
		d.tab = tab
	}
	if !d.hasTab(tab) && len(d.tabs) > 0 {
		d.tabs = append(d.tabs, tab)
		dtSortTabs(d.tabs)
	}
	d.status, d.what, d.err = dtStatusNone, "", nil
	d.memo.ok = false
}

// remember keeps a tab's state for a later revisit.
func (d *Detail) remember(s dtTabState) {
	if s.pane == nil {
		return
	}
	d.recent = slices.DeleteFunc(d.recent, func(x dtTabState) bool { return x.pane == s.pane })
	d.recent = append(d.recent, s)
	if len(d.recent) > dtRecent {
		d.recent = slices.Delete(d.recent, 0, len(d.recent)-dtRecent)
	}
}

// recall takes back a remembered state of id whose pane shows the same
// data.
func (d *Detail) recall(id string, same func(dtPane) bool) (dtTabState, bool) {
	for i := len(d.recent) - 1; i >= 0; i-- {
		if s := d.recent[i]; s.id == id && same(s.pane) {
			d.recent = slices.Delete(d.recent, i, i+1)
			return s, true
		}
	}
	return dtTabState{}, false
}

// SetTabs sets the tabs the selected node has, in the order Spans, Error,
// Profile; the content of the other tabs is dropped. When the active tab
// is not among them, the first one becomes active.
func (d *Detail) SetTabs(tabs ...DetailTab) {
	d.tabs = d.tabs[:0]
	for _, t := range tabs {
		if t >= 0 && t < dtNumTabs && !d.hasTab(t) {
			d.tabs = append(d.tabs, t)
		}
	}
	dtSortTabs(d.tabs)
	for t := range dtNumTabs {
		if !d.hasTab(t) {
			d.remember(d.ts[t])
			d.ts[t] = dtTabState{}
		}
	}
	if !d.hasTab(d.tab) && len(d.tabs) > 0 {
		d.tab = d.tabs[0]
	}
	d.memo.ok = false
}

// AddTab puts tab on the tab line of the selected node (the Compare tab,
// which only C opens), keeping the others.
func (d *Detail) AddTab(tab DetailTab) {
	if tab >= 0 && tab < dtNumTabs && !d.hasTab(tab) {
		d.tabs = append(d.tabs, tab)
		dtSortTabs(d.tabs)
		d.memo.ok = false
	}
}

// SetMissing says why the selected node has no tab t (why[t] != ""):
// the tab line shows it dimmed with the reason, and ] says it instead of
// doing nothing.
func (d *Detail) SetMissing(why [dtNumTabs]string) {
	d.missing = why
	d.memo.ok = false
}

// Tab is the active tab.
func (d *Detail) Tab() DetailTab { return d.tab }

// SetTab makes tab active.
func (d *Detail) SetTab(tab DetailTab) {
	if tab >= 0 && tab < dtNumTabs {
		d.tab = tab
		d.memo.ok = false
	}
}

func (d *Detail) hasTab(t DetailTab) bool {
	for _, x := range d.tabs {
		if x == t {
			return true
		}
	}
	return false
}

func dtSortTabs(ts []DetailTab) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j] < ts[j-1]; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// shownTabs are the tabs on the tab line: those set with SetTabs, or
// those with content.
func (d *Detail) shownTabs() []DetailTab {
	for _, why := range d.missing {
		if why != "" {
			out := []DetailTab{TabSpans, TabError, TabProfile} // every tab, some dimmed
			if d.hasTab(TabCompare) {
				out = append(out, TabCompare)
			}
			return out
		}
	}
	if len(d.tabs) > 0 {
		return d.tabs
	}
	var out []DetailTab
	for t := range dtNumTabs {
		if d.ts[t].pane != nil || t == d.tab {
			out = append(out, t)
		}
	}
	return out
}

// Busy reports whether the loading spinner is up (Tick changes the view).
func (d *Detail) Busy() bool { return d.status == dtStatusLoading }

// Tick advances the loading spinner.
func (d *Detail) Tick() {
	d.spin = (d.spin + 1) % len(dtSpinner)
	if d.status == dtStatusLoading {
		d.memo.ok = false
	}
}

// detailKeys are the detail pane's keys.
var detailKeys = struct {
	Move, Page, TopBottom, Sideways, Enter, Tabs, Caused Binding
}{
	Caused:    bind(keys("e"), "e", "on a failed span: open the error it led to", "its error"),
	Move:      bind(keys("j", "k", "down", "up"), "j/k", "select a span (Spans), else scroll", ""),
	Page:      bind(keys("pgup", "pgdown", "ctrl+u", "ctrl+d"), "pgup/pgdn", "page up / down", ""),
	TopBottom: bind(keys("g", "G", "home", "end"), "g/G", "top / bottom", ""),
	Sideways:  bind(keys("h", "l", "left", "right"), "h/l", "scroll sideways (wide lines)", ""),
	Enter:     bind(keys("enter"), "enter", "expand: a span's attributes, system frames, small profile nodes", "expand"),
	Tabs:      bind(keys("[", "]"), "[ ]", "previous / next tab", "tab"),
}

// Title is the pane's name on its border.
func (d *Detail) Title() string { return "Detail" }

// Bindings are the pane's keys, for the help and the status bar.
func (d *Detail) Bindings() []Binding {
	k := d.tabContent()
	_, _, failed := d.failedSpan()
	return []Binding{detailKeys.Caused.enabled(failed), detailKeys.Move, detailKeys.Page, detailKeys.TopBottom, detailKeys.Sideways,
		detailKeys.Enter.enabled(k != nil && k.hint() != ""), detailKeys.Tabs}
}

// failedSpan is the selected span of the Spans tab, with its
// transaction's id, when it failed (e opens the error it led to).
func (d *Detail) failedSpan() (txnID, spanID string, ok bool) {
	if d.tab != TabSpans || d.status != dtStatusNone {
		return "", "", false
	}
	p, isSpans := d.ts[TabSpans].pane.(*detailSpans)
	if !isSpans || p.sel < 0 || p.sel >= len(p.rows) || !p.rows[p.sel].Failed {
		return "", "", false
	}
	return d.ts[TabSpans].id, p.rows[p.sel].SpanID, true
}

// tabContent is the active tab's content (nil while loading, failed or
// empty).
func (d *Detail) tabContent() dtPane {
	if d.status != dtStatusNone {
		return nil
	}
	return d.ts[d.tab].pane
}

// Update handles the keys and the mouse wheel when the pane is focused:
// j/k or ↑/↓ move (the selected span row on the Spans tab, else scroll),
// pgup/pgdown and ctrl+u/ctrl+d page, g/G or home/end go to the top or
// bottom, h/l or ←/→ scroll sideways when lines are wider than the pane,
// enter expands (a span's attributes, system frames, small profile
// nodes), [ and ] switch tabs. handled says the key was one of those.
func (d *Detail) Update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if txn, span, ok := d.failedSpan(); ok && detailKeys.Caused.matches(msg) {
			return func() tea.Msg { return openCausedErrorMsg{txnID: txn, spanID: span} }, true
		}
		if detailKeys.Tabs.matches(msg) {
			delta := 1
			if msg.String() == "[" {
				delta = -1
			}
			if note := d.cycleTab(delta); note != "" {
				return statusNote(note), true
			}
			return nil, true
		}
		return nil, d.key(msg.String())
	case tea.MouseWheelMsg:
		sp, _ := d.ts[d.tab].pane.(dtSelecting)
		switch {
		case d.status != dtStatusNone:
		case msg.Button == tea.MouseWheelUp && sp != nil:
			d.scroll(-3)
			d.moveSel(sp, -3)
		case msg.Button == tea.MouseWheelDown && sp != nil:
			d.scroll(3)
			d.moveSel(sp, 3)
		case msg.Button == tea.MouseWheelUp:
			d.scroll(-3)
		case msg.Button == tea.MouseWheelDown:
			d.scroll(3)
		case msg.Button == tea.MouseWheelLeft:
			d.hscroll(-8)
		case msg.Button == tea.MouseWheelRight:
			d.hscroll(8)
		}
		return nil, true
	}
	return nil, false
}

func (d *Detail) key(k string) bool {
	page := max(d.lastRows-1, 1)

	switch k {
	case "[", "]":
		return true // Update switched the tab
	}
	if d.status != dtStatusNone {
		return false
	}
	s := &d.ts[d.tab]
	if s.pane == nil {
		return false
	}
	sp, selecting := s.pane.(dtSelecting)
	switch k {
	case "j", "down":
		if selecting {
			d.moveSel(sp, 1)
		} else {
			d.scroll(1)
		}
	case "k", "up":
		if selecting {
			d.moveSel(sp, -1)
		} else {
			d.scroll(-1)
		}
	case "pgdown", "ctrl+d":
		n := page
		if k == "ctrl+d" {
			n = max(page/2, 1)
		}
		if selecting {
			d.scroll(n)
			d.moveSel(sp, n)
		} else {
			d.scroll(n)
		}
	case "pgup", "ctrl+u":
		n := page
		if k == "ctrl+u" {
			n = max(page/2, 1)
		}
		if selecting {
			d.scroll(-n)
			d.moveSel(sp, -n)
		} else {
			d.scroll(-n)
		}
	case "g", "home":
		if selecting {
			d.moveSel(sp, -1<<30)
		}
		s.off = 0
	case "G", "end":
		if selecting {
			d.moveSel(sp, 1<<30)
		}
		s.off = 1 << 30
	case "h", "left":
		d.hscroll(-8)
	case "l", "right":
		d.hscroll(8)
	case "enter":
		sel := -1
		if selecting {
			sel, _ = sp.selected()
		}
		s.pane.enter(sel)
		if selecting {
			d.follow(sp)
		}
	default:
		return false
	}
	d.memo.ok = false
	return true
}

// cycleTab goes to the next (or previous) tab the node has; with none
// other, it returns why, for the status bar (] never does nothing
// silently).
func (d *Detail) cycleTab(delta int) string {
	var tabs []DetailTab
	for _, t := range d.shownTabs() {
		if d.missing[t] == "" {
			tabs = append(tabs, t)
		}
	}
	if len(tabs) <= 1 {
		var why []string
		for _, t := range d.shownTabs() {
			if d.missing[t] != "" {
				why = append(why, t.String()+": "+d.missing[t])
			}
		}
		note := "No other tab for this node"
		if len(why) > 0 {
			note += ": " + strings.Join(why, "; ")
		}
		return note + "."
	}
	i := 0
	for j, t := range tabs {
		if t == d.tab {
			i = j
		}
	}
	d.tab = tabs[(i+delta+len(tabs))%len(tabs)]
	d.memo.ok = false
	return ""
}

// scroll moves the view by n lines (clamped by View).
func (d *Detail) scroll(n int) {
	s := &d.ts[d.tab]
	s.off = max(s.off+n, 0)
	d.memo.ok = false
}

func (d *Detail) hscroll(n int) {
	s := &d.ts[d.tab]
	s.x = max(s.x+n, 0)
	d.memo.ok = false
}

func (d *Detail) moveSel(sp dtSelecting, delta int) {
	sp.move(delta)
	d.follow(sp)
}

// follow scrolls so that the selection is visible.
func (d *Detail) follow(sp dtSelecting) {
	s := &d.ts[d.tab]
	rows := max(d.lastRows, 1)
	line, n := sp.selected()
	if line < 0 {
		return
	}
	if line < s.off {
		s.off = line
	}
	if end := line + min(n, rows); end > s.off+rows {
		s.off = end - rows
	}
	d.memo.ok = false
}
