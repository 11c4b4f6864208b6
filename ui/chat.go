package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

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

// SetRole says what this screen's participant may do in a shared
// investigation: answer approvals, and steer the agent (else messages go
// to the others' chat).
func (c *Chat) SetRole(canApprove, canSteer bool) {
	c.observer, c.talk = !canApprove, !canSteer
}
