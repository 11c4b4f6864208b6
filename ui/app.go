package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/tracetree"
)

// Config is what the command gives the UI: how to load the incident, how
// to make the agent's model, how to save the investigation.
type Config struct {
	// Source says where the data comes from ("demo data", "sentry.io org
	// acme"); Demo marks the embedded demo (labelled on screen).
	Source string
	Demo   bool
	// Load fetches the incident and its repositories, reporting what it is
	// fetching through progress.
	Load func(ctx context.Context, progress func(string)) (*agent.Incident, *agent.Repos, error)
	// Provider makes the agent's model (or the offline analyzer) and says
	// which ("llm" or "heuristic").
	Provider func(in *agent.Incident, repos *agent.Repos) (agent.Provider, string, error)
	// Transcript starts saving an investigation (nil: not saved).
	Transcript func(h agent.TranscriptHeader) (*agent.Transcript, error)
	// Header describes the investigation for its transcript.
	Header agent.TranscriptHeader
	// Resume continues a saved investigation.
	Resume *agent.TranscriptData
	// ResumeTranscript appends to the resumed transcript.
	ResumeTranscript *agent.Transcript
	// AskReadOnly asks before read-only tools too.
	AskReadOnly bool
	// Link returns the Sentry web link of a node ("" when none).
	Link func(in *agent.Incident, n *tracetree.Node) string
	// Updates, when set, says new data arrived (live mode, `serve --tui`):
	// the explorer loads again (Load may resolve a newer issue) unless the
	// agent has started, and R reloads by hand.
	Updates <-chan struct{}
}

type pane int

const (
	paneTree pane = iota
	paneDetail
	paneChat
)

// Model is the top-level Bubble Tea model: it owns the state; the panes
// are plain components that render into the rectangles it gives them.
type Model struct {
	cfg  Config
	ctx  context.Context
	st   *Styles
	keys keyMap
	help help.Model

	w, h int

	// Loading.
	loading bool
	// reloading: a reload is under way; reloadAgain: more data came meanwhile.
	reloading, reloadAgain bool
	progress               []string
	loadErr                error
	spin                   int

	in     *agent.Incident
	repos  *agent.Repos
	tree   *treePane
	detail *Detail
	chat   *Chat
	drill  *Drill

	focus    pane
	zoom     bool
	showHelp bool
	filter   textinput.Model
	filterOn bool

	// The agent.
	run       *agent.Run
	runEvents <-chan agent.Event
	tr        *agent.Transcript
	provider  string
	analyzer  string
	phase     agent.Phase
	usage     agent.Usage
	finished  bool

	progressNext func() tea.Msg
	ticking      bool

	status      string
	statusUntil time.Time
	quitAsk     time.Time
	shownID     string // detail pane content (node id + tab) to avoid refetching
}

// messages
type (
	progressMsg struct {
		text string
		ch   <-chan string
	}
	loadedMsg struct {
		in    *agent.Incident
		repos *agent.Repos
		err   error
	}
	// reloadedMsg is a reload's result; updateMsg says new data arrived.
	reloadedMsg loadedMsg
	updateMsg   struct{}
	detailMsg   struct {
		key     string
		id      string
		tab     DetailTab
		spans   *tracetree.SpanTree
		event   *wire.Event
		short   string
		profile *tracetree.ProfileTree
		err     error
	}
	agentMsg struct {
		e  agent.Event
		ok bool
	}
	tickMsg time.Time
)

// New returns the model; Run starts it.
func New(ctx context.Context, cfg Config) *Model {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "filter: op, name, service, short id…"
	st := NewStyles(true)
	m := &Model{cfg: cfg, ctx: ctx, st: st, keys: newKeyMap(), help: help.New(), loading: true, filter: ti}
	m.detail = NewDetail(st)
	m.chat = NewChat(st)
	return m
}

// Run runs the UI until the user quits.
func Run(ctx context.Context, cfg Config, opts ...tea.ProgramOption) error {
	m := New(ctx, cfg)
	opts = append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	_, err := tea.NewProgram(m, opts...).Run()
	if m.run != nil {
		m.run.Cancel()
		m.run.Wait()
	}
	if m.tr != nil {
		m.tr.Close()
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
	ctx, load := m.ctx, m.cfg.Load
	return func() tea.Msg {
		in, repos, err := load(ctx, func(string) {})
		return reloadedMsg{in, repos, err}
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
	if m.run != nil {
		m.setStatus("New data arrived; the agent's investigation goes on over what it started with.")
		return next
	}
	var prev string
	if m.tree != nil && m.tree.Selected() != nil {
		prev = m.tree.Selected().ID
	}
	m.loadErr = nil
	m.in, m.repos = msg.in, msg.repos
	if m.in.Tree == nil {
		return next
	}
	m.tree = newTreePane(m.st, m.in.Tree)
	if prev != "" {
		if n, err := m.in.Tree.Resolve(prev); err == nil && n != nil {
			m.tree.selectNode(n)
		}
	}
	go m.in.Prefetch(m.ctx)
	t := m.in.Tree
	what := "this trace"
	if m.in.Issue != nil {
		what = m.in.Issue.ShortID + "'s trace"
	}
	m.setStatus(fmt.Sprintf("Live: new data — %s has %s and %s.", what, plural(t.Transactions, "transaction"), plural(t.Errors, "error")))
	return tea.Batch(next, m.selectionChanged())
}

func tick() tea.Cmd {
	return tea.Tick(120*time.Millisecond, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// animating reports whether a spinner or a timed hint is on screen; the
// ticker stops otherwise, so an idle explorer uses no CPU.
func (m *Model) animating() bool {
	return m.loading || m.detail.Busy() || m.chat.Animating() ||
		(m.status != "" && time.Now().Before(m.statusUntil.Add(time.Second)))
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

// load runs the loader in the background, streaming its progress.
func (m *Model) load() tea.Cmd {
	ch := make(chan string, 16)
	done := make(chan loadedMsg, 1)
	go func() {
		in, repos, err := m.cfg.Load(m.ctx, func(s string) {
			select {
			case ch <- s:
			default:
			}
		})
		done <- loadedMsg{in, repos, err}
		close(ch)
	}()
	var next func() tea.Msg
	next = func() tea.Msg {
		s, ok := <-ch
		if !ok {
			return <-done
		}
		return progressMsg{text: s, ch: ch}
	}
	m.progressNext = next
	return next
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		return m, nil
	case tea.BackgroundColorMsg:
		m.setStyles(NewStyles(msg.IsDark()))
		return m, nil
	case tickMsg:
		m.spin++
		m.detail.Tick()
		m.chat.Tick()
		if !m.animating() {
			m.ticking = false
			return m, nil
		}
		return m, tick()
	case progressMsg:
		m.progress = append(m.progress, msg.text)
		return m, m.progressNext
	case loadedMsg:
		return m, m.wake(m.loaded(msg))
	case updateMsg:
		var cmd tea.Cmd
		if m.run == nil {
			cmd = m.reload()
		} else {
			m.setStatus("New data arrived (R reloads once the agent is done).")
		}
		return m, m.wake(tea.Batch(cmd, m.waitUpdate()))
	case reloadedMsg:
		return m, m.wake(m.reloaded(msg))
	case detailMsg:
		m.showDetail(msg)
		return m, nil
	case agentMsg:
		return m, m.wake(m.agentEvent(msg))
	case tea.KeyPressMsg:
		return m, m.wake(m.key(msg))
	case tea.MouseMsg:
		return m, m.wake(m.mouse(msg))
	case tea.PasteMsg:
		if m.focus == paneChat && m.drill == nil && !m.showHelp && !m.loading {
			intent, cmd := m.chat.Update(msg)
			return m, m.wake(tea.Batch(cmd, m.intent(intent)))
		}
		if m.filterOn {
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.tree.setFilter(m.filter.Value())
			return m, tea.Batch(cmd, m.selectionChanged())
		}
		return m, nil
	}
	return m, nil
}

func (m *Model) setStyles(st *Styles) {
	m.st = st
	m.detail.SetStyles(st)
	m.chat.SetStyles(st)
	if m.tree != nil {
		m.tree.st = st
	}
}

func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		return nil
	}
	m.in, m.repos = msg.in, msg.repos
	if m.in.Tree != nil {
		m.tree = newTreePane(m.st, m.in.Tree)
	}
	var cmds []tea.Cmd
	cmds = append(cmds, m.selectionChanged())
	// Fetch every event of the trace in the background, so panes open fast.
	in := m.in
	go in.Prefetch(m.ctx)
	if m.cfg.Resume != nil {
		m.replay(m.cfg.Resume)
	}
	return tea.Batch(cmds...)
}

// replay shows a saved investigation in the chat before it continues.
func (m *Model) replay(d *agent.TranscriptData) {
	for _, msg := range d.Messages {
		if msg.Role == "assistant" && msg.Content != "" {
			m.chat.Apply(agent.Event{Kind: agent.EventTextDelta, Text: msg.Content})
			m.chat.Apply(agent.Event{Kind: agent.EventStepDone})
		}
		if msg.Role == "user" && msg.FromUser {
			m.chat.Apply(agent.Event{Kind: agent.EventUserMessage, Text: msg.Content})
		}
	}
	for _, e := range d.Events {
		switch e.Kind {
		case agent.EventToolDone, agent.EventToolFailed, agent.EventToolDenied, agent.EventPhase, agent.EventError:
			m.chat.Apply(e)
		}
	}
	m.chat.Apply(agent.Event{Kind: agent.EventError, Err: "resumed: press a to continue the investigation"})
}

// selectionChanged updates the detail pane for the selected node.
func (m *Model) selectionChanged() tea.Cmd {
	if m.tree == nil {
		return nil
	}
	n := m.tree.Selected()
	if n == nil {
		return nil
	}
	switch n.Kind {
	case tracetree.KindTransaction:
		if n.HasProfile() {
			m.detail.SetTabs(TabSpans, TabProfile)
		} else {
			m.detail.SetTabs(TabSpans)
		}
		if m.detail.Tab() != TabProfile || !n.HasProfile() {
			m.detail.SetTab(TabSpans)
		}
	case tracetree.KindError:
		m.detail.SetTabs(TabError)
		m.detail.SetTab(TabError)
	case tracetree.KindOccurrence:
		// A performance issue: its transaction's spans show the offenders.
		m.detail.SetTabs(TabSpans)
		m.detail.SetTab(TabSpans)
	}
	return m.fetchDetail(n)
}

// fetchDetail loads what the detail pane shows for a node, in the
// background (the Incident caches, so revisiting is instant).
func (m *Model) fetchDetail(n *tracetree.Node) tea.Cmd {
	tab := m.detail.Tab()
	target := n
	if n.Kind == tracetree.KindOccurrence && n.Parent != nil {
		target = n.Parent
	}
	k := target.ID + fmt.Sprint(tab)
	if k == m.shownID {
		return nil
	}
	m.shownID = k
	short := tracetree.ShortID(target.ID)
	in, ctx := m.in, m.ctx
	switch tab {
	case TabError:
		m.detail.Loading("fetching the error " + short + "…")
		issue := n.IssueShortID
		repos, project := m.repos, target.Project
		return func() tea.Msg {
			ev, err := in.EventFor(ctx, target)
			return detailMsg{key: k, id: target.ID, tab: tab, event: withLocalSource(ev, repos, project), short: issue, err: err}
		}
	case TabProfile:
		m.detail.Loading("fetching the profile of " + short + "…")
		return func() tea.Msg {
			p, err := in.ProfileTree(ctx, target.ID)
			return detailMsg{key: k, id: target.ID, tab: tab, profile: p, err: err}
		}
	default:
		m.detail.Loading("fetching the spans of " + short + "…")
		return func() tea.Msg {
			st, err := in.SpanTree(ctx, target.ID)
			return detailMsg{key: k, id: target.ID, tab: TabSpans, spans: st, err: err}
		}
	}
}

func (m *Model) showDetail(msg detailMsg) {
	if msg.key != m.shownID {
		return // the user moved on
	}
	switch {
	case msg.err != nil:
		m.shownID = "" // selecting the node again retries
		what := map[DetailTab]string{TabSpans: "the spans", TabError: "the error", TabProfile: "the profile"}[msg.tab]
		m.detail.Failed(what+" of "+tracetree.ShortID(msg.id), msg.err)
	case msg.spans != nil:
		m.detail.ShowSpans(msg.id, msg.spans)
	case msg.event != nil:
		m.detail.ShowEvent(msg.id, msg.event, msg.short)
	case msg.profile != nil:
		m.detail.ShowProfile(msg.id, msg.profile)
	}
}

// setStatus shows a message on the status line for a while.
func (m *Model) setStatus(s string) {
	m.status, m.statusUntil = s, time.Now().Add(6*time.Second)
}

// key handles a key press: overlays first (help, drill-in, filter), then
// global keys, then the focused pane.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := msg.String()
	if m.loadErr != nil || m.loading {
		if k == "q" || k == "ctrl+c" || k == "esc" {
			return tea.Quit
		}
		return nil
	}
	if m.showHelp {
		if k == "?" || k == "esc" || k == "q" {
			m.showHelp = false
		}
		return nil
	}
	if m.drill != nil {
		if k == "q" || k == "esc" {
			m.drill = nil
			return nil
		}
		return m.drill.Update(msg)
	}
	if m.filterOn {
		switch k {
		case "esc":
			m.filterOn = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.tree.setFilter("")
			return m.selectionChanged()
		case "enter":
			m.filterOn = false
			m.filter.Blur()
			return m.selectionChanged()
		}
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		m.tree.setFilter(m.filter.Value())
		return tea.Batch(cmd, m.selectionChanged())
	}
	// The chat's input and approval keys take precedence when it has focus.
	if m.focus == paneChat {
		if intent, cmd := m.chat.Update(msg); intent.Kind != IntentNone || m.chat.Typing() {
			return tea.Batch(cmd, m.intent(intent))
		} else if cmd != nil {
			return cmd
		}
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		if m.run != nil && m.chat.Running() && time.Since(m.quitAsk) > 3*time.Second {
			m.quitAsk = time.Now()
			m.setStatus("The agent is running: press q again to stop it and quit.")
			return nil
		}
		return tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, m.keys.Reload):
		if m.run != nil {
			m.setStatus("The agent investigated this data; start tracehound again to look at newer data.")
			return nil
		}
		m.setStatus("Reloading…")
		return m.reload()
	case key.Matches(msg, m.keys.NextPane):
		m.focus = (m.focus + 1) % 3
		return nil
	case key.Matches(msg, m.keys.PrevPane):
		m.focus = (m.focus + 2) % 3
		return nil
	case key.Matches(msg, m.keys.Pane1):
		m.focus = paneTree
		return nil
	case key.Matches(msg, m.keys.Pane2):
		m.focus = paneDetail
		return nil
	case key.Matches(msg, m.keys.Pane3):
		m.focus = paneChat
		return nil
	case key.Matches(msg, m.keys.Zoom):
		m.zoom = !m.zoom
		return nil
	case key.Matches(msg, m.keys.Agent) && m.focus != paneChat:
		m.focus = paneChat
		return m.startAgent("")
	case key.Matches(msg, m.keys.Copy):
		return m.copySelected()
	case key.Matches(msg, m.keys.Link):
		return m.copyLink()
	case key.Matches(msg, m.keys.NextError) && m.tree != nil:
		m.tree.nextError(1)
		m.focus = paneTree
		return m.selectionChanged()
	case key.Matches(msg, m.keys.PrevError) && m.tree != nil:
		m.tree.nextError(-1)
		m.focus = paneTree
		return m.selectionChanged()
	case key.Matches(msg, m.keys.Tabs):
		cmd := m.detail.Update(msg)
		return tea.Batch(cmd, m.fetchSelected())
	}
	switch m.focus {
	case paneTree:
		return m.treeKey(msg)
	case paneDetail:
		return m.detail.Update(msg)
	}
	return nil
}

func (m *Model) fetchSelected() tea.Cmd {
	if m.tree == nil || m.tree.Selected() == nil {
		return nil
	}
	return m.fetchDetail(m.tree.Selected())
}

func (m *Model) treeKey(msg tea.KeyPressMsg) tea.Cmd {
	t := m.tree
	if t == nil {
		return nil
	}
	before := t.Selected()
	switch {
	case key.Matches(msg, m.keys.Up):
		t.move(-1)
	case key.Matches(msg, m.keys.Down):
		t.move(1)
	case key.Matches(msg, m.keys.Top):
		t.toTop()
	case key.Matches(msg, m.keys.Bottom):
		t.toBottom()
	case key.Matches(msg, m.keys.PageUp):
		t.move(-max(1, t.height-1))
	case key.Matches(msg, m.keys.PageDown):
		t.move(max(1, t.height-1))
	case key.Matches(msg, m.keys.Collapse):
		t.collapse()
	case key.Matches(msg, m.keys.Expand):
		t.expand()
	case key.Matches(msg, m.keys.Enter):
		m.focus = paneDetail
	case key.Matches(msg, m.keys.Filter):
		m.filterOn = true
		m.filter.SetValue(t.filter)
		return m.filter.Focus()
	case key.Matches(msg, m.keys.NextMatch):
		t.selectMatch(t.match + 1)
	case key.Matches(msg, m.keys.PrevMatch):
		t.selectMatch(t.match - 1)
	case msg.String() == "esc" && t.filter != "":
		t.setFilter("")
		m.filter.SetValue("")
	}
	if t.Selected() != before {
		return m.selectionChanged()
	}
	return nil
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
	switch msg.(type) {
	case tea.MouseClickMsg:
		m.focus = p
		if p == paneTree && m.tree != nil && m.tree.clickRow(y) {
			return m.selectionChanged()
		}
	case tea.MouseWheelMsg:
		down := mo.Button == tea.MouseWheelDown
		switch p {
		case paneTree:
			if m.tree != nil {
				if down {
					m.tree.move(3)
				} else {
					m.tree.move(-3)
				}
				return m.selectionChanged()
			}
		case paneDetail:
			return m.detail.Update(msg)
		case paneChat:
			_, cmd := m.chat.Update(msg)
			return cmd
		}
	}
	return nil
}

func (m *Model) copySelected() tea.Cmd {
	if m.tree == nil || m.tree.Selected() == nil {
		return nil
	}
	id := m.tree.Selected().ID
	m.setStatus("copied " + id + " to the clipboard (OSC 52)")
	return tea.SetClipboard(id)
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

// startAgent starts the investigation (or continues a paused one); after
// a finished run, a message from the user starts a follow-up run over the
// same conversation.
func (m *Model) startAgent(text string) tea.Cmd {
	if m.in == nil {
		return nil
	}
	var prior []agent.Message
	var priorReport *agent.Report
	if m.run != nil {
		if !m.finished {
			if text != "" {
				m.run.Send(text, false)
			} else {
				m.run.Continue()
			}
			return nil
		}
		if text == "" {
			m.setStatus("the investigation is finished: its report is in the chat; press i there to ask a follow-up")
			return nil
		}
		if m.analyzer != "llm" {
			m.chat.Apply(agent.Event{Kind: agent.EventError, Err: "the offline analyzer cannot answer follow-up questions: it is heuristics, not an LLM; run with --model (or TRACEHOUND_MODEL) to ask one"})
			return nil
		}
		prior = m.run.Messages()
		priorReport, _ = m.run.Wait()
	}
	prov, analyzer, err := m.cfg.Provider(m.in, m.repos)
	if err != nil {
		m.chat.Apply(agent.Event{Kind: agent.EventError, Err: err.Error()})
		return nil
	}
	m.provider, m.analyzer = prov.Name(), analyzer
	m.chat.SetFollowUps(analyzer == "llm")
	h := m.cfg.Header
	if m.in.Issue != nil {
		h.Issue, h.Title = m.in.Issue.ShortID, m.in.Issue.Title
	}
	h.Model, h.Analyzer = prov.Name(), analyzer
	var sink func(agent.Event, *agent.Message)
	switch {
	case m.cfg.ResumeTranscript != nil:
		m.tr = m.cfg.ResumeTranscript
	case m.cfg.Transcript != nil:
		if tr, err := m.cfg.Transcript(h); err == nil {
			m.tr = tr
		} else {
			m.setStatus("the investigation will not be saved: " + err.Error())
		}
	}
	if m.tr != nil {
		sink = m.tr.Sink
	}
	opts := agent.Options{
		Provider: prov, Incident: m.in, Analyzer: analyzer, PauseBetweenPhases: true, Sink: sink,
		Tools:  append(m.in.Tools(), m.repos.Tools(agent.CodeToolOptions{IssueShortID: h.Issue})...),
		Policy: agent.Policy{AskReadOnly: m.cfg.AskReadOnly},
	}
	switch {
	case prior != nil:
		opts.Messages, opts.Report = prior, priorReport
	case m.cfg.Resume != nil:
		opts.Messages, opts.Report = m.cfg.Resume.ResumableMessages(), m.cfg.Resume.Report
	}
	m.run = agent.Start(m.ctx, opts)
	m.runEvents = m.run.Events()
	m.finished = false
	m.chat.Apply(agent.Event{Kind: agent.EventStepDone, Text: "started"})
	if text != "" {
		m.run.Send(text, false)
	}
	return m.listen()
}

// listen waits for the next agent event.
func (m *Model) listen() tea.Cmd {
	ch := m.runEvents
	return func() tea.Msg {
		e, ok := <-ch
		return agentMsg{e, ok}
	}
}

func (m *Model) agentEvent(msg agentMsg) tea.Cmd {
	if !msg.ok {
		m.finished = true
		return nil
	}
	e := msg.e
	if e.Kind == agent.EventUsage && m.analyzer != "llm" {
		// The offline analyzer sends nothing to a model: no token count.
		return m.listen()
	}
	cmds := []tea.Cmd{m.chat.Apply(e)} // rings the bell when a call awaits approval
	switch e.Kind {
	case agent.EventPhase:
		m.phase = e.Phase
	case agent.EventUsage:
		if e.Usage != nil {
			m.usage.PromptTokens += e.Usage.PromptTokens
			m.usage.CompletionTokens += e.Usage.CompletionTokens
			m.usage.ContextTokens, m.usage.ContextWindow = e.Usage.ContextTokens, e.Usage.ContextWindow
		}
	case agent.EventToolAwaiting:
		m.focus = paneChat
	case agent.EventToolDone:
		// Follow the agent through the trace: the node it looked at.
		if e.Call != nil && e.Call.Node != "" && m.tree != nil && m.focus != paneTree {
			if n := m.in.Tree.Get(e.Call.Node); n != nil && m.tree.selectNode(n) {
				cmds = append(cmds, m.selectionChanged())
			}
		}
	case agent.EventFinished:
		m.finished = true
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
		if m.run != nil {
			m.run.Continue()
		}
	case IntentDecide:
		if m.run != nil {
			if err := m.run.Decide(it.CallID, it.Decision); err != nil {
				m.setStatus(err.Error())
			}
		}
	case IntentSend, IntentInterrupt:
		if m.run == nil || m.finished {
			// A first message starts the run, then steers it.
			return m.startAgent(it.Text)
		}
		m.run.Send(it.Text, it.Kind == IntentInterrupt)
	case IntentCancel:
		if m.run != nil {
			m.run.Cancel()
			m.setStatus("cancelling the investigation…")
		}
	case IntentDrill:
		m.drill = m.chat.DrillFor(it.CallID)
		if it.Node != "" && m.tree != nil {
			if n := m.in.Tree.Get(it.Node); n != nil && m.tree.selectNode(n) {
				return m.selectionChanged()
			}
		}
	}
	return nil
}

// layout computes the panes' rectangles.
type rect struct{ x, y, w, h int }

type layoutInfo struct {
	title, status   rect
	tree, det, chat rect
	cols            int
}

func (l layoutInfo) paneAt(x, y int) (pane, int, bool) {
	for _, c := range []struct {
		p pane
		r rect
	}{{paneTree, l.tree}, {paneDetail, l.det}, {paneChat, l.chat}} {
		r := c.r
		if r.w > 0 && x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h {
			return c.p, y - r.y - 1, true // minus the border line
		}
	}
	return 0, 0, false
}

// Minimum size for a useful screen.
const minW, minH = 80, 20

func (m *Model) layout() layoutInfo {
	l := layoutInfo{title: rect{0, 0, m.w, 1}, status: rect{0, m.h - 1, m.w, 1}}
	top, bodyH := 1, m.h-2
	if m.zoom {
		r := rect{0, top, m.w, bodyH}
		switch m.focus {
		case paneTree:
			l.tree = r
		case paneDetail:
			l.det = r
		default:
			l.chat = r
		}
		return l
	}
	if m.w >= 180 {
		l.cols = 3
		tw := m.w * 30 / 100
		dw := (m.w - tw) * 55 / 100
		l.tree = rect{0, top, tw, bodyH}
		l.det = rect{tw, top, dw, bodyH}
		l.chat = rect{tw + dw, top, m.w - tw - dw, bodyH}
		return l
	}
	l.cols = 2
	tw := m.w * 40 / 100
	rw := m.w - tw
	dh := bodyH * 55 / 100
	if m.run == nil && m.cfg.Resume == nil {
		// The agent has not started: the detail pane gets the room.
		dh = max(dh, bodyH-6)
	}
	l.tree = rect{0, top, tw, bodyH}
	l.det = rect{tw, top, rw, dh}
	l.chat = rect{tw, top + dh, rw, bodyH - dh}
	return l
}

// View draws the screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "tracehound"
	return v
}

func (m *Model) render() string {
	if m.w == 0 || m.h == 0 {
		return ""
	}
	if m.w < minW || m.h < minH {
		msg := fmt.Sprintf("The terminal is %d×%d; tracehound needs at least %d×%d.\nEnlarge the window, or press q to quit.", m.w, m.h, minW, minH)
		return place(m.w, m.h, msg)
	}
	if m.loading || m.loadErr != nil {
		return m.renderLoading()
	}
	if m.showHelp {
		return m.renderHelp()
	}
	l := m.layout()
	body := m.renderBody(l)
	if m.drill != nil {
		body = m.drill.View(m.w, m.h-2)
	}
	return lipgloss.JoinVertical(lipgloss.Left, m.renderTitle(), body, m.renderStatus())
}

func (m *Model) renderBody(l layoutInfo) string {
	boxed := func(title string, p pane, r rect, content func(w, h int) string) string {
		if r.w <= 0 {
			return ""
		}
		st := m.st.Border
		focused := m.focus == p
		if focused {
			st = m.st.BorderFocused
		}
		inner := content(r.w-2, r.h-2)
		boxStyle := st.Width(r.w).Height(r.h)
		out := boxStyle.Render(inner)
		// The title on the top border.
		t := " " + title + " "
		if focused {
			t = m.st.StatusOn.Render(t)
		} else {
			t = m.st.Subtle.Render(t)
		}
		lines := strings.SplitN(out, "\n", 2)
		if len(lines) == 2 && r.w > lipgloss.Width(t)+4 {
			top := ansiCut(lines[0], 2) + t
			top += ansiTail(lines[0], 2+lipgloss.Width(t))
			out = top + "\n" + lines[1]
		}
		return out
	}
	tree := boxed("1 Trace", paneTree, l.tree, func(w, h int) string {
		if m.tree == nil {
			return block([]string{m.st.Subtle.Render("No trace: the event carries no trace id.")}, w, h)
		}
		if m.filterOn || m.tree.filter != "" {
			m.filter.SetWidth(w - 4)
			line := m.filter.View()
			if !m.filterOn {
				line = m.st.Subtle.Render(fmt.Sprintf("/ %s  (%d matches, n/N, esc clears)", m.tree.filter, len(m.tree.matches)))
			}
			return block([]string{line}, w, 1) + "\n" + m.tree.View(w, h-1, m.focus == paneTree)
		}
		return m.tree.View(w, h, m.focus == paneTree)
	})
	det := boxed("2 Detail", paneDetail, l.det, func(w, h int) string { return m.detail.View(w, h, m.focus == paneDetail) })
	chatTitle := "3 Agent"
	if m.provider != "" {
		chatTitle += " · " + m.provider
	}
	chat := boxed(chatTitle, paneChat, l.chat, func(w, h int) string { return m.chat.View(w, h, m.focus == paneChat) })
	switch {
	case m.zoom:
		return tree + det + chat
	case l.cols == 3:
		return lipgloss.JoinHorizontal(lipgloss.Top, tree, det, chat)
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, tree, lipgloss.JoinVertical(lipgloss.Left, det, chat))
}

func (m *Model) renderTitle() string {
	var parts []string
	parts = append(parts, m.st.Accent.Render("tracehound"))
	if m.in != nil && m.in.Issue != nil {
		parts = append(parts, m.st.Bold.Render(clean(m.in.Issue.ShortID))+" "+m.st.Error.Render(clean(m.in.Issue.Title)))
	} else if m.in != nil {
		parts = append(parts, "trace "+m.in.TraceID())
	}
	line := strings.Join(parts, "  ")
	if m.cfg.Demo {
		tag := m.st.Demo.Render("DEMO DATA")
		return fit(fit(line, m.w-lipgloss.Width(tag)-1)+" "+tag, m.w)
	}
	return fit(line, m.w)
}

func (m *Model) renderStatus() string {
	var parts []string
	src := m.cfg.Source
	if m.cfg.Demo {
		src = "demo data"
	}
	parts = append(parts, m.st.Subtle.Render(src))
	model := "offline analyzer"
	if m.provider != "" && m.analyzer == "llm" {
		model = m.provider
	}
	if m.provider == "" {
		model = "agent idle"
	}
	parts = append(parts, model)
	if m.phase != "" {
		parts = append(parts, "phase "+strings.ReplaceAll(string(m.phase), "_", " "))
	}
	if m.usage.ContextWindow > 0 && m.analyzer == "llm" {
		parts = append(parts, fmt.Sprintf("%s / %s tokens", formatTokens(m.usage.ContextTokens), formatTokens(m.usage.ContextWindow)))
	}
	if m.status != "" && time.Now().Before(m.statusUntil) {
		return fit(m.st.StatusOn.Render(clean(m.status)), m.w)
	}
	left := strings.Join(parts, m.st.Faint.Render(" │ "))
	m.help.SetWidth(max(10, m.w-lipgloss.Width(left)-3))
	hints := m.help.ShortHelpView(m.keys.ShortHelp())
	return fit(left+m.st.Faint.Render(" │ ")+hints, m.w)
}

func (m *Model) renderLoading() string {
	var lines []string
	spin := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}[m.spin%10]
	lines = append(lines, m.st.Accent.Render("tracehound"), "")
	if m.cfg.Demo {
		lines = append(lines, m.st.Demo.Render("DEMO DATA")+" "+m.st.Subtle.Render("an embedded sample incident, not from a real Sentry"), "")
	}
	for i, p := range m.progress {
		mark := m.st.OK.Render("✓ ")
		if i == len(m.progress)-1 && m.loadErr == nil {
			mark = m.st.Info.Render(spin + " ")
		}
		lines = append(lines, mark+clean(p))
	}
	if len(m.progress) == 0 && m.loadErr == nil {
		lines = append(lines, m.st.Info.Render(spin+" ")+"starting…")
	}
	if m.loadErr != nil {
		lines = append(lines, "", m.st.Error.Render("Could not load the incident:"))
		for _, l := range strings.Split(m.loadErr.Error(), "\n") {
			lines = append(lines, "  "+clean(l))
		}
		lines = append(lines, "", m.st.Subtle.Render("Press q to quit. `tracehound config` shows the Sentry settings; --demo works without an account."))
	}
	return place(m.w, m.h, strings.Join(lines, "\n"))
}

func (m *Model) renderHelp() string {
	w := min(m.w-4, 110)
	// The key groups as columns, as many side by side as fit, in rows.
	var cols []string
	for _, group := range m.keys.FullHelp() {
		kw := 0
		for _, b := range group {
			kw = max(kw, lipgloss.Width(b.Help().Key))
		}
		var lines []string
		for _, b := range group {
			h := b.Help()
			lines = append(lines, m.st.Accent.Render(fmt.Sprintf("%-*s", kw, h.Key))+"  "+h.Desc)
		}
		cols = append(cols, strings.Join(lines, "\n"))
	}
	var rows []string
	for len(cols) > 0 {
		row, used := []string{}, 0
		for len(cols) > 0 {
			cw := lipgloss.Width(cols[0]) + 4
			if len(row) > 0 && used+cw > w {
				break
			}
			row = append(row, lipgloss.NewStyle().PaddingRight(4).Render(cols[0]))
			used += cw
			cols = cols[1:]
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	wrap := lipgloss.NewStyle().Width(w)
	var b strings.Builder
	b.WriteString(m.st.Accent.Render("tracehound — keys") + m.st.Subtle.Render("   ? or esc closes this help") + "\n\n")
	b.WriteString(strings.Join(rows, "\n\n") + "\n\n")
	b.WriteString(m.st.Bold.Render("Agent pane (3)") + "\n")
	b.WriteString(wrap.Render(chatHelp) + "\n\n")
	// Non-breaking spaces keep each mark with its meaning when the line wraps.
	marks := []string{"▶ path to the issue's event", "◀ this issue", "✗ error", "⚠ performance issue", "◔ profile", "N× repeated siblings (→ expands)"}
	for i, mk := range marks {
		marks[i] = strings.ReplaceAll(mk, " ", "\u00a0")
	}
	b.WriteString(wrap.Render(m.st.Bold.Render("Tree marks") + "  " + strings.Join(marks, " · ")))
	out := lipgloss.NewStyle().Width(w).Render(b.String())
	if lipgloss.Height(out) > m.h {
		out = strings.Join(strings.Split(out, "\n")[:m.h], "\n")
	}
	return place(m.w, m.h, out)
}

// place centres a text on a w×h screen, wrapping lines wider than it and
// cutting what does not fit: the result is exactly w×h.
func place(w, h int, text string) string {
	if lipgloss.Width(text) > w {
		text = lipgloss.NewStyle().Width(w).Render(text)
	}
	out := lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, text)
	return block(strings.Split(out, "\n"), w, h)
}

// ansiCut keeps the first n cells of a styled line; ansiTail drops them.
func ansiCut(s string, n int) string  { return ansi.Truncate(s, n, "") }
func ansiTail(s string, n int) string { return ansi.TruncateLeft(s, n, "") }

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
