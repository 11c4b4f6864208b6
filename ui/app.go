package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/tracetree"
)

// Progress is how Config.Open reports while it loads: Step adds a line to
// the loading screen's steps; Bar sets the line under them, which the next
// Bar replaces (a progress bar; "" removes it).
type Progress struct {
	Step, Bar func(string)
}

// Config is what the command gives the UI: how to open the
// investigation (the incident, its repositories, the model, the approval
// policy, the transcript: see package investigation).
type Config struct {
	// Source says where the data comes from ("demo data", "sentry.io org
	// acme"); Demo marks the embedded demo (labelled on screen).
	Source string
	Demo   bool
	// Open opens the investigation, reporting what it is fetching through
	// progress. The UI closes it when it is done with it.
	Open func(ctx context.Context, progress Progress) (*investigation.Investigation, error)
	// Resumed says the investigation continues a saved one: its history
	// shows in the chat, and the agent pane has its room from the start.
	Resumed bool
	// Link returns the Sentry web link of a node ("" when none).
	Link func(in *agent.Incident, n *tracetree.Node) string
	// Updates, when set, says new data arrived (live mode, `serve --tui`):
	// the explorer loads again (Open may resolve a newer issue) unless the
	// agent has started, and R reloads by hand.
	Updates <-chan struct{}
	// Participant is who this screen acts as (default: the local user).
	Participant investigation.Participant
	// Pairing, when set, makes this screen one of several over a shared
	// investigation (tracehound share).
	Pairing *Pairing
}

type pane int

const (
	paneTree pane = iota
	paneDetail
	paneChat
)

// Model is the top-level Bubble Tea model: it owns the state; the panes
// (see Pane) render into the rectangles it gives them.
type Model struct {
	cfg   Config
	ctx   context.Context
	st    *Styles
	keys  appKeys
	panes []Pane // in focus order: 1, 2, 3

	w, h int

	// Pairing: who is here, whom this screen follows, the last selection
	// seen of each, and this screen's own last published one.
	here      []investigation.Participant
	following string
	lastSeen  map[string]FollowMsg
	published FollowMsg

	// Loading.
	loading bool
	// reloading: a reload is under way; reloadAgain: more data came meanwhile.
	reloading, reloadAgain bool
	progress               []string
	bar                    string // the line under the steps (see Config.Open)
	loadErr                error
	spin                   int

	inv    *investigation.Investigation
	in     *agent.Incident
	repos  *agent.Repos
	tree   *treePane
	detail *Detail
	chat   *Chat
	// drill is the overlay over the panes: a call's full result, or
	// what the model saw (nil when none).
	drill overlay

	focus    pane
	zoom     bool
	showHelp bool
	helpView helpView
	filter   textinput.Model
	filterOn bool

	// The agent: the investigation's events (sub), whether a run was
	// started here, and what the events said.
	sub      *investigation.Subscription
	started  bool
	provider string
	analyzer string
	phase    agent.Phase
	usage    agent.Usage
	finished bool

	progressNext func() tea.Msg
	ticking      bool
	// lastAgent is when the last batch of the agent's events was shown,
	// lastText the last batch of only its text, lastSpin when the agent
	// pane's spinner last advanced.
	lastAgent, lastText, lastSpin time.Time
	// boxes are the panes as last drawn, chrome the title line and the
	// status bar (screen.go).
	boxes  []paneBox
	chrome struct {
		title, status string
		w             int
		ok            bool
	}

	status      string
	statusUntil time.Time
	// quitArmed: q was pressed while the agent works; q again quits. Any
	// other key, a resize or quitWindow disarms it (quitSeq tells the
	// disarming tick of this arming from an older one's).
	quitArmed bool
	quitSeq   int
	shownID   string // detail pane content (node id + tab) to avoid refetching
	fetcher   detailFetcher
}

// messages
type (
	// progressMsg is a loading step, or the bar line under the steps.
	progressMsg struct {
		text string
		bar  bool
	}
	loadedMsg struct {
		inv *investigation.Investigation
		err error
	}
	// reloadedMsg is a reload's result; updateMsg says new data arrived.
	reloadedMsg loadedMsg
	updateMsg   struct{}
	detailMsg   struct {
		seq     int // the request (detailFetcher)
		key     string
		id      string
		tab     DetailTab
		spans   *tracetree.SpanTree
		event   *wire.Event
		short   string
		profile *tracetree.ProfileTree
		compare *agent.Comparison
		err     error
	}
	// agentMsg is the investigation's next events, in order: one, or
	// the text that streamed during a frame (see listen).
	agentMsg struct {
		events []agent.Event
		ok     bool
		sub    *investigation.Subscription
	}
	tickMsg time.Time
)

// New returns the model; Run starts it.
func New(ctx context.Context, cfg Config) *Model {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "filter: op, name, service, short id…"
	st := NewStyles(true)
	m := &Model{cfg: cfg, ctx: ctx, st: st, loading: true, filter: ti}
	m.detail = NewDetail(st)
	m.chat = NewChat(st)
	m.registerPanes()
	if cfg.Pairing != nil {
		m.here = cfg.Pairing.Here
		who := m.who()
		m.chat.SetRole(who.CanApprove, who.CanMessage)
	}
	return m
}

// registerPanes lists the panes in focus order (1, 2, 3): the keys, the
// help screen, the borders and the mouse follow this list; layout places
// them.
func (m *Model) registerPanes() {
	m.panes = []Pane{
		paneTree:   tracePane{m},
		paneDetail: m.detail,
		paneChat:   agentPane{m},
	}
	m.keys = newAppKeys(len(m.panes))
}

// Run runs the UI until the user quits.
func Run(ctx context.Context, cfg Config, opts ...tea.ProgramOption) error {
	m := New(ctx, cfg)
	opts = append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	_, err := tea.NewProgram(m, opts...).Run()
	m.close()
	return m.exitErr(err)
}

// close ends the investigation (its run is cancelled, its transcript
// closed).
func (m *Model) close() {
	if m.inv != nil {
		m.inv.Close()
	}
}

// exitErr is what Run returns when the program ended with err: a failed
// load (its screen is gone: the caller prints the error and exits
// non-zero), else the program's error; quitting by a signal or by the
// context is no error.
func (m *Model) exitErr(err error) error {
	if m.loadErr != nil {
		return fmt.Errorf("could not load the incident: %w", m.loadErr)
	}
	if errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Init starts loading and asks the terminal for its background colour.
func (m *Model) Init() tea.Cmd {
	m.ticking = true
	return tea.Batch(m.load(), tick(), tea.RequestBackgroundColor, m.waitUpdate())
}

// tickEvery is how often the spinners advance.
const tickEvery = 120 * time.Millisecond

func tick() tea.Cmd {
	return tea.Tick(tickEvery, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// streaming reports whether the agent's text is streaming (a batch of
// it was shown within the last two ticks): its frames then advance the agent
// pane's spinner, so a tick does not draw the pane once more.
func (m *Model) streaming() bool {
	return !m.lastText.IsZero() && time.Since(m.lastText) < 2*tickEvery
}

// animating reports whether a spinner or a timed hint is on screen; the
// ticker stops otherwise, so an idle explorer uses no CPU.
func (m *Model) animating() bool {
	if m.loading || (m.status != "" && time.Now().Before(m.statusUntil.Add(time.Second))) {
		return true
	}
	for _, p := range m.panes {
		if a, ok := p.(paneAnimated); ok && a.Animating() {
			return true
		}
	}
	return false
}

// wake restarts the ticker after a message that may have started an
// animation.
func (m *Model) wake(cmd tea.Cmd) tea.Cmd {
	if m.ticking || !m.animating() {
		return cmd
	}
	m.ticking = true
	return tea.Batch(cmd, tick())
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.invalidate(msg)
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.disarmQuit()
		return m, nil
	case quitDisarmMsg:
		if msg.seq == m.quitSeq {
			m.disarmQuit()
		}
		return m, nil
	case tea.BackgroundColorMsg:
		m.setStyles(NewStyles(msg.IsDark()))
		return m, nil
	case tickMsg:
		m.spin++
		streaming := m.streaming()
		for i, p := range m.panes {
			if a, ok := p.(paneAnimated); ok && !(pane(i) == paneChat && streaming) {
				a.Tick()
				m.stale(pane(i))
			}
		}
		if !streaming {
			m.lastSpin = time.Now()
		}
		if !m.animating() {
			m.ticking = false
			return m, nil
		}
		return m, tick()
	case progressMsg:
		if msg.bar {
			m.bar = msg.text
		} else {
			m.progress = append(m.progress, msg.text)
		}
		return m, m.progressNext
	case loadedMsg:
		return m, m.wake(m.loaded(msg))
	case updateMsg:
		var cmd tea.Cmd
		if !m.started {
			cmd = m.reload()
		} else {
			m.setStatus("New data arrived (R reloads once the agent is done).")
		}
		return m, m.wake(tea.Batch(cmd, m.waitUpdate()))
	case reloadedMsg:
		return m, m.wake(m.reloaded(msg))
	case detailDueMsg:
		return m, m.detailDue(msg)
	case detailMsg:
		m.detailDone(msg)
		return m, nil
	case filterDoneMsg:
		if m.tree == nil {
			return m, nil
		}
		before := m.snapshot()
		m.tree.filterDone(msg)
		return m, m.followChanges(before)
	case statusMsg:
		m.setStatus(string(msg))
		return m, m.wake(nil)
	case openCausedErrorMsg:
		return m, m.wake(m.openCausedError(msg))
	case agentMsg:
		return m, m.wake(m.agentEvent(msg))
	case StatusMsg:
		m.setStatus(string(msg))
		return m, m.wake(nil)
	case PresenceMsg:
		m.presence(msg)
		return m, nil
	case FollowMsg:
		cmd := m.follow(msg)
		m.publishSelection()
		return m, m.wake(cmd)
	case tea.KeyPressMsg:
		cmd := m.key(msg)
		m.publishSelection()
		return m, m.wake(cmd)
	case tea.MouseMsg:
		return m, m.wake(m.mouse(msg))
	case tea.PasteMsg:
		if m.drill != nil || m.showHelp || m.loading || m.loadErr != nil {
			return m, nil
		}
		before := m.snapshot()
		cmd, _ := m.panes[m.focus].Update(msg)
		return m, m.wake(tea.Batch(cmd, m.followChanges(before)))
	}
	return m, nil
}

func (m *Model) setStyles(st *Styles) {
	m.st = st
	for _, p := range m.panes {
		if s, ok := p.(paneStyled); ok {
			s.SetStyles(st)
		}
	}
	if m.tree != nil {
		m.tree.st = st
	}
}

// setStatus shows a message on the status line for a while.
func (m *Model) setStatus(s string) {
	m.status, m.statusUntil = s, time.Now().Add(6*time.Second)
	m.chrome.ok = false
}

// key handles a key press: overlays first (help, drill-in), then the
// focused pane (all keys while it has a text input, else the keys it
// declares), then the keys that work everywhere.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := msg.String()
	if m.loadErr != nil || m.loading {
		if k == "q" || k == "ctrl+c" || k == "esc" {
			return tea.Quit
		}
		return nil
	}
	if !m.keys.Quit.matches(msg) {
		m.disarmQuit()
	}
	if m.showHelp {
		m.showHelp = m.helpView.key(msg)
		return nil
	}
	if m.drill != nil {
		if k == "q" || k == "esc" {
			m.drill = nil
			return nil
		}
		return m.drill.Update(msg)
	}
	before := m.snapshot()
	if cmd, handled := m.panes[m.focus].Update(msg); handled {
		return tea.Batch(cmd, m.followChanges(before))
	}
	cmd := m.globalKey(msg)
	return tea.Batch(cmd, m.followChanges(before))
}

// globalKey handles the keys that work in every pane.
func (m *Model) globalKey(msg tea.KeyPressMsg) tea.Cmd {
	ks := m.keys
	switch {
	case ks.Quit.matches(msg):
		return m.quit()
	case ks.Help.matches(msg):
		m.showHelp, m.helpView = true, helpView{}
	case ks.Follow.matches(msg) && m.cfg.Pairing != nil:
		return m.cycleFollow()
	case ks.Reload.matches(msg):
		if m.cfg.Pairing != nil {
			m.setStatus("Reloading is off while the investigation is shared.")
			return nil
		}
		if m.started {
			m.setStatus("The agent investigated this data; start tracehound again to look at newer data.")
			return nil
		}
		m.setStatus("Reloading…")
		return m.reload()
	case ks.NextPane.matches(msg):
		m.focus = pane((int(m.focus) + 1) % len(m.panes))
	case ks.PrevPane.matches(msg):
		m.focus = pane((int(m.focus) + len(m.panes) - 1) % len(m.panes))
	case ks.Panes.matches(msg):
		m.focus = pane(int(msg.String()[0] - '1'))
	case ks.Zoom.matches(msg):
		m.zoom = !m.zoom
	case ks.Agent.matches(msg) && m.focus != paneChat:
		m.focus = paneChat
		return m.startAgent("")
	case ks.Copy.matches(msg):
		return m.copySelected()
	case ks.Link.matches(msg):
		return m.copyLink()
	case ks.NextError.matches(msg) && m.tree != nil:
		m.tree.nextError(1)
		m.focus = paneTree
	case ks.PrevError.matches(msg) && m.tree != nil:
		m.tree.nextError(-1)
		m.focus = paneTree
	case ks.Tabs.matches(msg):
		cmd, _ := m.detail.Update(msg)
		return cmd
	case ks.Compare.matches(msg):
		return m.openCompare()
	}
	return nil
}

// openCompare shows the Compare tab of the selected node's transaction
// (followChanges fetches it), or says why there is none.
func (m *Model) openCompare() tea.Cmd {
	if m.tree == nil || m.tree.Selected() == nil {
		return nil
	}
	target, _ := detailTargets(m.tree.Selected())
	if target[TabCompare] == nil {
		m.setStatus("Nothing to compare: this node is not in a transaction; select a transaction (or an error in one).")
		return nil
	}
	m.detail.AddTab(TabCompare)
	m.detail.SetTab(TabCompare)
	return nil
}

// paneSnapshot is what the app follows across a key: the selected node
// (the detail pane shows it) and the detail tab (its content is fetched).
type paneSnapshot struct {
	node *tracetree.Node
	tab  DetailTab
}

func (m *Model) snapshot() paneSnapshot {
	s := paneSnapshot{tab: m.detail.Tab()}
	if m.tree != nil {
		s.node = m.tree.Selected()
	}
	return s
}

// followChanges updates the detail pane when a key moved the selection
// or switched the tab.
func (m *Model) followChanges(before paneSnapshot) tea.Cmd {
	after := m.snapshot()
	switch {
	case after.node != before.node:
		return m.selectionChanged()
	case after.tab != before.tab:
		return m.fetchSelected()
	}
	return nil
}

// quitDisarmMsg ends the quit confirmation armed as seq.
type quitDisarmMsg struct{ seq int }

// quitWindow is how long the quit confirmation waits for the second q.
const quitWindow = 3 * time.Second

// quit quits, or first asks when the agent is at work (its run would be
// cut short): the second q within quitWindow quits.
func (m *Model) quit() tea.Cmd {
	if m.cfg.Pairing != nil && !m.cfg.Pairing.Host {
		return tea.Quit // a guest leaving stops nothing
	}
	if m.quitArmed || !m.started || !m.chat.Running() {
		return tea.Quit
	}
	m.quitArmed = true
	m.quitSeq++
	m.status, m.statusUntil = m.quitQuestion(), time.Now().Add(quitWindow)
	seq := m.quitSeq
	return tea.Tick(quitWindow, func(time.Time) tea.Msg { return quitDisarmMsg{seq} })
}

// quitQuestion says what quitting now would do, as the agent pane shows
// the run (waiting for an approval, paused, investigating), short enough
// for 80 columns.
func (m *Model) quitQuestion() string {
	saved := "not saved"
	if m.inv != nil && m.inv.TranscriptID() != "" {
		saved = "saved: tracehound resume continues it"
	}
	state := "it stops the agent mid-step"
	switch {
	case m.chat.pendingItem() != nil:
		state = "the agent waits for your approval"
	case m.chat.paused != "":
		state = "the investigation is paused"
	}
	return "q again quits · " + state + " · " + saved
}

// disarmQuit forgets a first q.
func (m *Model) disarmQuit() {
	if m.quitArmed {
		m.quitArmed = false
		m.status, m.statusUntil = "", time.Time{}
	}
}

func (m *Model) fetchSelected() tea.Cmd {
	if m.tree == nil || m.tree.Selected() == nil {
		return nil
	}
	return m.fetchDetail(m.tree.Selected())
}

// mouse: the wheel scrolls the pane under the pointer; a click focuses a
// pane and selects a tree row.
func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	if m.loading || m.loadErr != nil || m.drill != nil || m.showHelp {
		return nil
	}
	mo := msg.Mouse()
	l := m.layout()
	p, y, ok := l.paneAt(mo.X, mo.Y)
	if !ok {
		return nil
	}
	before := m.snapshot()
	switch msg.(type) {
	case tea.MouseClickMsg:
		if m.filterOn && p != paneTree {
			m.filterOn = false // the click ends typing into the filter
			m.filter.Blur()
		}
		m.focus = p
		if p == paneTree && m.tree != nil {
			m.tree.clickRow(y)
		}
	case tea.MouseWheelMsg:
		cmd, _ := m.panes[p].Update(msg)
		return tea.Batch(cmd, m.followChanges(before))
	}
	return m.followChanges(before)
}

func (m *Model) copySelected() tea.Cmd {
	if m.tree == nil || m.tree.Selected() == nil {
		return nil
	}
	id := m.tree.Selected().ID
	return copyText(id, id)
}

func (m *Model) copyLink() tea.Cmd {
	if m.tree == nil || m.tree.Selected() == nil || m.cfg.Link == nil {
		return nil
	}
	link := m.cfg.Link(m.in, m.tree.Selected())
	if link == "" {
		m.setStatus("no Sentry link for this node")
		return nil
	}
	m.setStatus(link + " (copied)")
	return tea.SetClipboard(link)
}

// streamFrame is how often the agent's streamed text is shown at most:
// the deltas that arrive within a frame are shown together, so the
// screen is drawn at most ten times a second however fast the model
// streams (drawing the screen costs ~2-3 ms of CPU, mostly Bubble Tea
// diffing the whole frame; see BENCHMARKS.md, "Streaming").
const streamFrame = 100 * time.Millisecond
