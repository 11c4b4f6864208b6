package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/investigation"
)

// IntentKind is what the user asked the chat pane for; the app carries
// it out (on the agent.Run, or by opening a view).
type IntentKind int

const (
	// IntentNone: nothing for the app to do.
	IntentNone IntentKind = iota
	// IntentStart starts the investigation, or runs again after it ended;
	// Text, when set, is a message from the user to send with it.
	IntentStart
	// IntentDecide answers the approval request of CallID with Decision.
	IntentDecide
	// IntentSend queues Text for the agent's next step (Run.Send(text, false)).
	IntentSend
	// IntentInterrupt sends Text now, cutting the current model step short
	// (Run.Send(text, true)).
	IntentInterrupt
	// IntentCancel stops the run (esc pressed twice).
	IntentCancel
	// IntentContinue resumes a run paused between phases (Run.Continue).
	IntentContinue
	// IntentDrill opens CallID's full result (see Chat.DrillFor); Node is
	// set when the tool was about a trace node.
	IntentDrill
	// IntentHandled: the pane used the key itself (scrolling, selecting a
	// card, the first esc); the app should not act on it too.
	IntentHandled
)

var intentNames = [...]string{"none", "start", "decide", "send", "interrupt", "cancel", "continue", "drill", "handled"}

func (k IntentKind) String() string {
	if int(k) < len(intentNames) {
		return intentNames[k]
	}
	return "intent(" + strconv.Itoa(int(k)) + ")"
}

// Intent is the chat pane's answer to a key: what the app should do.
type Intent struct {
	Kind     IntentKind
	CallID   string
	Decision agent.Decision
	Text     string
	Node     string
}

// stopWindow is how soon a second x must follow the first to stop the
// run.
const stopWindow = 2 * time.Second

type inputMode int

const (
	modeNav    inputMode = iota // keys are commands
	modeTyping                  // keys go to the message input
	modeReason                  // keys go to the reason of a denial
	modeEdit                    // keys go to the arguments editor
)

// What an error means for the run, which says what the user can do.
const (
	errRunning = iota // the run goes on
	errEnded          // the run ended after it
	errNoStart        // the run could not start
	errIdle           // no run (a note from the app)
	errPast           // the run went on after it, and has ended since
)

type itemKind int

const (
	itemText itemKind = iota
	itemReasoning
	itemUser
	itemCard
	itemRule
	itemError
	itemReport
	itemNote
)

// chatItem is one entry of the transcript: a display item of the
// investigation's reducer (src), drawn, or a note of the pane's own (a
// message queued for the agent, a notice of the app's).
type chatItem struct {
	kind itemKind
	src  *investigation.Item // nil for the pane's own items
	fed  int                 // bytes of src.Text given to md or rs

	md     *mdStream   // text, report
	rs     *wrapStream // reasoning
	card   *toolCard
	text   string // user message, rule, error, note
	sub    string // details under a rule, what to do under an error
	author string // who sent a user message ("" or "you": the local user)

	queued    bool // a user message not delivered yet
	interrupt bool // … sent as an interruption
	errState  int  // an error: errRunning, errEnded, errNoStart, errIdle

	ver   int // bumped on every change
	key   itemKey
	lines []string
}

type itemKey struct {
	width, ver, gen, frame int
	now                    time.Time
	selected, pending      bool
	focused, expanded      bool
	valid                  bool
}

// Chat is the chat pane: the transcript of an investigation (the
// agent's text and reasoning, tool cards, phases, errors, the report),
// the approval choices, and the input to tell the agent something.
//
// Keys (when the pane is focused):
//
//	a           approve the pending call once (start the investigation when idle)
//	s           approve the pending call's tool for the session
//	S           approve the pending read-only call and every read-only tool
//	            for the session
//	d           deny the pending call: type a reason, enter sends, esc goes back
//	e           edit the pending call's JSON arguments: ctrl+s sends, esc goes back
//	c           continue a run paused between phases
//	i (or /)    type a message: enter queues it for the next step, alt+enter
//	            (ctrl+enter, ctrl+j) interrupts the stream with it, esc leaves the input
//	enter       open the selected card (or the pending one); start when idle
//	tab/S-tab   select the next / previous tool card (around: the pane keeps
//	            the focus)
//	j/k ↑/↓     scroll; pgup/pgdown, ctrl+u/ctrl+d, g/G (home/end)
//	r           expand or collapse the reasoning
//	x x         stop the run (the first x says so; the second within 2s stops it)
//	esc         clear the card selection; with none, the key is the app's (it
//	            leaves the pane)
//
// Approval keys act only while the input is not focused, so a message
// being typed can never approve or deny a call; pasting focuses the input.
type Chat struct {
	// observer: this screen may not answer approvals (a guest of a
	// shared investigation); talk: its messages go to the others' chat,
	// not to the agent (a guest who does not drive).
	observer, talk bool

	st  *Styles
	gen int // styles generation (invalidates rendered items)
	md  mdRenderer
	now func() time.Time

	items []*chatItem
	cards map[string]*chatItem
	// red folds the run's events into display items; shown maps each to
	// its drawn entry.
	red   investigation.Reducer
	shown map[*investigation.Item]*chatItem

	starting, running, finished, cancelling bool
	finishReason                            string
	paused                                  agent.Phase // the phase the run paused before
	waiting                                 string      // "waiting for the model… 15 s" until its first token
	followUps                               bool        // a finished run takes follow-up messages
	usage                                   agent.Usage
	hasUsage                                bool

	// View state.
	offset   int
	follow   bool
	selected string    // call id of the selected card
	reveal   *chatItem // an item to bring into view at the next View
	expanded bool      // reasoning blocks
	frame    int
	stopAt   time.Time

	mode    inputMode
	input   textinput.Model
	reason  textinput.Model
	edit    textarea.Model
	editErr string
	target  string // the call a reason or an edit is for

	// Layout of the last View, for scrolling and card navigation.
	vh, total int
	spans     []itemSpan
}

type itemSpan struct {
	it     *chatItem
	top, n int
	gap    bool // a blank line before it
}

// NewChat returns an empty chat pane.
func NewChat(st *Styles) *Chat {
	c := &Chat{cards: map[string]*chatItem{}, shown: map[*investigation.Item]*chatItem{}, follow: true, now: time.Now}
	c.input = textinput.New()
	c.input.Prompt = "› "
	c.reason = textinput.New()
	c.reason.Prompt = "reason › "
	c.reason.Placeholder = "why not? (optional: the agent reads it and goes on)"
	c.edit = textarea.New()
	c.edit.ShowLineNumbers = false
	c.edit.Prompt = "┃ "
	c.edit.CharLimit = 0
	c.SetStyles(st)
	return c
}

// SetStyles switches the styles (a dark/light change re-renders the
// markdown).
func (c *Chat) SetStyles(st *Styles) {
	c.st = st
	c.gen++
	ts := textinput.DefaultStyles(st.Dark)
	ts.Cursor.Blink = false
	ts.Focused.Placeholder, ts.Blurred.Placeholder = st.Faint, st.Faint
	ts.Focused.Prompt, ts.Blurred.Prompt = st.Accent, st.Subtle
	c.input.SetStyles(ts)
	rs := ts
	rs.Focused.Prompt = st.Warn
	c.reason.SetStyles(rs)
	as := textarea.DefaultStyles(st.Dark)
	as.Cursor.Blink = false
	c.edit.SetStyles(as)
}

// Running reports whether a run is under way: from IntentStart (or the
// first event only a live run sends) until EventFinished, or an
// EventError before the run could start.
func (c *Chat) Running() bool { return c.running || c.starting }

// Started tells the pane that the app started a run (without an
// IntentStart, e.g. from another pane); Apply(EventStepDone with Text
// "started") does the same.
func (c *Chat) Started() {
	c.running, c.finished, c.cancelling = true, false, false
	c.follow = true
}

// SetFollowUps says whether a finished run can take a follow-up message
// (a model can; the offline analyzer cannot).
func (c *Chat) SetFollowUps(ok bool) { c.followUps = ok }

// steerable reports whether the running agent reads the user's messages:
// a model does; the offline analyzer follows a fixed plan, so the pane
// offers no redirect it would ignore.
func (c *Chat) steerable() bool { return c.followUps }

// offlineNoMessages is what i says to the offline analyzer.
const offlineNoMessages = "The offline analyzer follows a fixed plan and cannot take messages; run with --model (or TRACEHOUND_MODEL) to steer an investigation."

// Typing reports whether keys go to a text input of the pane (a
// message, a reason, an edit): the app should then pass every key to
// Update, including the ones it binds globally (q, tab, digits).
func (c *Chat) Typing() bool { return c.mode != modeNav }

// DrillFor returns the drill-in view of a call's full result, nil when
// the call is unknown.
func (c *Chat) DrillFor(id string) *Drill {
	call, ok := c.Call(id)
	if !ok {
		return nil
	}
	return NewDrill(c.st, call)
}

// Animating reports whether Tick changes what the pane shows (a spinner,
// the esc hint): the app can stop its ticker otherwise.
func (c *Chat) Animating() bool {
	if !c.stopAt.IsZero() {
		return true
	}
	for _, it := range c.cards {
		if it.card.status == cardRunning {
			return true
		}
	}
	return c.Running() && c.paused == "" && c.Pending() == nil
}

// Tick advances the spinners and expires the esc hint.
func (c *Chat) Tick() {
	c.frame++
	if !c.stopAt.IsZero() && c.now().Sub(c.stopAt) > stopWindow {
		c.stopAt = time.Time{}
	}
}

// Pending returns the call awaiting the user's approval, if any.
func (c *Chat) Pending() *agent.Call {
	if it := c.pendingItem(); it != nil {
		call := it.card.call
		return &call
	}
	return nil
}

func (c *Chat) pendingItem() *chatItem {
	for _, it := range c.items {
		if it.kind == itemCard && it.card.status == cardAwaiting && it.card.decided == "" {
			return it
		}
	}
	return nil
}

// Call returns a copy of a tool call of the transcript (for the drill-in
// view).
func (c *Chat) Call(id string) (agent.Call, bool) {
	if it, ok := c.cards[id]; ok {
		return it.card.call, true
	}
	return agent.Call{}, false
}

// Apply folds one event of the run into the transcript (through the
// investigation's reducer: deltas append to the current text or reasoning
// block, tool events create or update the card of their call, phases,
// errors, the report and the end are lines or blocks) and updates the
// pane's state. It returns a command ringing the terminal bell when a
// call starts awaiting approval (nil otherwise).
func (c *Chat) Apply(e agent.Event) tea.Cmd {
	changed := c.red.Apply(e)
	if c.red.Running {
		c.running, c.starting, c.finished = true, false, false
	}
	c.usage, c.hasUsage = c.red.Usage, c.red.HasUsage
	switch e.Kind {
	case agent.EventPhase:
		c.paused = c.red.Paused
	case agent.EventUsage:
	default:
		c.paused = ""
	}
	if e.Kind != agent.EventUsage {
		c.waiting = ""
	}
	if e.Kind == agent.EventWaiting {
		c.waiting = e.Text
	}
	var bell tea.Cmd
	for _, it := range changed {
		if c.show(it) {
			bell = tea.Raw("\a")
		}
	}
	if e.Kind == agent.EventFinished {
		c.finish(e.Text)
	}
	return bell
}

// show draws a display item the reducer added or changed; it reports
// whether a call started awaiting approval.
func (c *Chat) show(src *investigation.Item) (awaiting bool) {
	it := c.shown[src]
	if it == nil {
		it = c.entryFor(src)
		c.shown[src] = it
	}
	it.ver++
	switch src.Kind {
	case investigation.ItemText:
		it.md.append(src.Text[it.fed:])
		it.fed = len(src.Text)
	case investigation.ItemReasoning:
		it.rs.append(src.Text[it.fed:])
		it.fed = len(src.Text)
	case investigation.ItemTool:
		return c.showCard(it, src)
	case investigation.ItemError:
		it.errState = errStates[src.ErrState]
	}
	return false
}

// errStates are the reducer's error states as the pane draws them.
var errStates = [...]int{investigation.ErrDuring: errRunning, investigation.ErrEnded: errEnded,
	investigation.ErrPast: errPast, investigation.ErrNoStart: errNoStart}

// entryFor makes and places the drawn entry of a new display item. A
// user message the pane queued becomes the delivered message.
func (c *Chat) entryFor(src *investigation.Item) *chatItem {
	it := &chatItem{src: src, text: src.Text}
	switch src.Kind {
	case investigation.ItemUser:
		author := src.Author
		if src.ChatOnly {
			author += " (to the others; not sent to the agent)"
		}
		if q := c.queuedMessage(src.Text); q != nil {
			q.src, q.queued, q.author = src, false, author
			return q
		}
		it.kind, it.author = itemUser, author
	case investigation.ItemText:
		it.kind, it.md, it.text = itemText, &mdStream{}, ""
	case investigation.ItemReasoning:
		it.kind, it.rs, it.text = itemReasoning, &wrapStream{}, ""
	case investigation.ItemTool:
		it.kind, it.card, it.text = itemCard, &toolCard{}, ""
	case investigation.ItemPhase:
		it.kind, it.sub = itemRule, src.Detail
	case investigation.ItemReport:
		it.kind, it.md, it.text = itemReport, &mdStream{}, ""
		it.md.set(src.Report.Markdown())
		c.reveal = it // read from its top
	case investigation.ItemError:
		it.kind = itemError
	default:
		it.kind = itemNote
	}
	c.add(it)
	return it
}

// showCard updates a tool card from its display item.
func (c *Chat) showCard(it *chatItem, src *investigation.Item) (awaiting bool) {
	if src.Call == nil {
		return false
	}
	card := it.card
	call := *src.Call
	if call.ID != "" {
		c.cards[call.ID] = it
	}
	was := card.status
	card.call = call
	card.status = cardStatus(src.State)
	switch {
	case card.status == cardAwaiting && was != cardAwaiting:
		card.decided = ""
		c.reveal = it
		awaiting = true
	case card.status == cardRunning && was != cardRunning:
		card.decided = ""
		card.started = src.Started
		if card.started.IsZero() {
			card.started = c.now()
		}
	}
	if card.status != cardAwaiting && c.target == call.ID && (c.mode == modeReason || c.mode == modeEdit) {
		c.closeInput()
	}
	return awaiting
}

// queuedMessage is the first message the pane queued with this text.
func (c *Chat) queuedMessage(text string) *chatItem {
	for _, it := range c.items {
		if it.kind == itemUser && it.queued && strings.TrimSpace(it.text) == strings.TrimSpace(text) {
			return it
		}
	}
	return nil
}

// Notice shows a note of the app's (not a run's) as an error line: a run
// that could not start, a follow-up the analyzer cannot take.
func (c *Chat) Notice(msg string) {
	state := errRunning
	switch {
	case c.starting && !c.running:
		c.starting, state = false, errNoStart // the run could not start
	case !c.running:
		state = errIdle
	}
	c.add(&chatItem{kind: itemError, text: msg, errState: state})
}

// add appends an item. The user's queued messages stay at the bottom
// until the agent takes them: what the agent streams meanwhile goes
// above them, so a message typed mid-stream does not split the text.
func (c *Chat) add(it *chatItem) {
	it.ver = 1
	i := len(c.items)
	if !(it.kind == itemUser && it.queued) {
		i = c.queuedFrom()
	}
	c.items = slices.Insert(c.items, i, it)
}

// queuedFrom is the index of the first of the trailing queued user
// messages (len(items) when there are none).
func (c *Chat) queuedFrom() int {
	i := len(c.items)
	for i > 0 && c.items[i-1].kind == itemUser && c.items[i-1].queued {
		i--
	}
	return i
}

func (c *Chat) finish(reason string) {
	c.running, c.starting, c.cancelling, c.finished = false, false, false, true
	c.finishReason = reason
	c.paused = ""
	c.stopAt = time.Time{}
	for _, it := range c.items {
		// The pane's own notices during the run are past now (the
		// reducer settles the run's errors and cards).
		if it.src == nil && it.kind == itemError && it.errState == errRunning {
			it.errState = errPast
			it.ver++
		}
	}
	if c.mode == modeReason || c.mode == modeEdit {
		c.closeInput()
	}
}

// Update handles keys, the mouse wheel and pastes when the pane is
// focused, and returns what the app should do.
func (c *Chat) Update(msg tea.Msg) (Intent, tea.Cmd) {
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		return c.key(m)
	case tea.MouseWheelMsg:
		switch m.Button {
		case tea.MouseWheelUp:
			c.scroll(-3)
		case tea.MouseWheelDown:
			c.scroll(3)
		}
		return Intent{Kind: IntentHandled}, nil
	case tea.PasteMsg:
		if c.mode == modeNav {
			c.mode = modeTyping
			c.input.Focus()
		}
	}
	var cmd tea.Cmd
	switch c.mode {
	case modeTyping:
		c.input, cmd = c.input.Update(msg)
	case modeReason:
		c.reason, cmd = c.reason.Update(msg)
	case modeEdit:
		c.edit, cmd = c.edit.Update(msg)
	}
	return Intent{}, cmd
}

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

// SetRole says what this screen's participant may do in a shared
// investigation: answer approvals, and steer the agent (else messages go
// to the others' chat).
func (c *Chat) SetRole(canApprove, canSteer bool) {
	c.observer, c.talk = !canApprove, !canSteer
}
