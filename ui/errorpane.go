package ui

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/charmbracelet/x/ansi"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/tracetree"
)

// This file is the Error tab: one error event as the on-call engineer
// reads it. The exception chain outermost first, frames crash site first
// with in-app frames prominent and runs of system frames collapsed, the
// source context highlighted with chroma and the suspect line marked, the
// local variables the context names (secrets left out), then breadcrumbs,
// the request and the tags. All event text is scrubbed of secrets
// (redact.Secrets, redact.URL, redact.IsSensitiveKey) and sanitised before
// it is styled.

type detailError struct {
	ev      *wire.Event
	shortID string
	sysOpen bool // runs of system frames expanded
	folds   bool // the event has runs of system frames to fold
	ver     int

	hl map[epHLKey][][]epTok // highlighted context per frame and theme

	st       *Styles
	w        int
	layVer   int
	laidOut  bool
	lines    []string
	maxWidth int
}

// epHLKey identifies a frame's highlighted context.
type epHLKey struct {
	stack, frame int
	dark         bool
}

// epTok is one highlighted piece of a source line.
type epTok struct {
	text  string
	style lipgloss.Style
}

func newDetailError(ev *wire.Event, shortID string) *detailError {
	return &detailError{ev: ev, shortID: shortID, hl: map[epHLKey][][]epTok{}}
}

func (p *detailError) version() int { return p.ver }
func (p *detailError) count() int   { return len(p.lines) }
func (p *detailError) line(i int) string {
	return p.lines[i]
}
func (p *detailError) wide() int { return p.maxWidth }

func (p *detailError) hint() string {
	if !p.folds {
		return ""
	}
	if p.sysOpen {
		return "fold system frames"
	}
	return "system frames"
}

func (p *detailError) enter(int) {
	p.sysOpen = !p.sysOpen
	p.ver++
}

func (p *detailError) layout(st *Styles, w int) {
	if p.laidOut && st == p.st && w == p.w && p.layVer == p.ver {
		return
	}
	p.st, p.w, p.layVer, p.laidOut = st, w, p.ver, true
	r := &epRender{p: p, st: st, w: w}
	p.folds = false
	r.render()
	p.lines = r.out
	p.maxWidth = w
	for _, l := range p.lines {
		p.maxWidth = max(p.maxWidth, lipgloss.Width(l))
	}
}

// epRender renders the event into lines for one width and theme.
type epRender struct {
	p   *detailError
	st  *Styles
	w   int
	out []string
}

func (r *epRender) add(lines ...string) { r.out = append(r.out, lines...) }

// wrap adds a styled line wrapped to the width, continuation lines
// indented by indent spaces.
func (r *epRender) wrap(s string, indent int) {
	if lipgloss.Width(s) <= r.w || r.w <= indent+10 {
		r.add(s)
		return
	}
	first := true
	for _, l := range wrapLines(s, r.w-indent, " ") {
		if first {
			r.add(l)
			first = false
			continue
		}
		r.add(strings.Repeat(" ", indent) + l)
	}
}

// epText scrubs secrets from event text and makes it one safe line.
func epText(s string) string {
	s, _ = redact.Secrets(strings.TrimSpace(s))
	return clean(s)
}

func (r *epRender) render() {
	ev, st := r.p.ev, r.st
	r.header()
	if ev.Type == "transaction" {
		r.add("", st.Subtle.Render("This is a transaction event: its spans are in the Spans tab."))
	}
	if msg := r.message(); msg != "" {
		r.add("", dtSection(st, "Message", r.w))
		for _, l := range strings.Split(msg, "\n") {
			r.wrap("  "+l, 2)
		}
	}
	r.stacks()
	r.breadcrumbs()
	r.request()
	r.tags()
}

// header is the title, then what, where and when, then the ids.
func (r *epRender) header() {
	ev, st := r.p.ev, r.st
	if x := ev.Exception(); x != nil && len(x.Values) > 0 {
		v := &x.Values[len(x.Values)-1]
		r.wrap(r.excHead(v, false), 2)
	} else {
		title := ev.Title
		if title == "" {
			title = ev.Message
		}
		if title == "" {
			title = "(untitled event)"
		}
		r.wrap(st.Title.Render(epText(title)), 2)
	}

	var meta []string
	level := ev.Tag("level")
	if level == "" && ev.Type != "transaction" {
		level = "error"
	}
	if ev.Type == "transaction" {
		level = "transaction"
	}
	if level != "" {
		meta = append(meta, epLevelStyle(st, level).Render(epText(level)))
	}
	if h := r.handled(); h != "" {
		meta = append(meta, h)
	}
	project := ev.ProjectSlug
	if project != "" {
		meta = append(meta, st.Service(project).Render(epText(project)))
	}
	if ev.Platform != "" {
		meta = append(meta, st.Subtle.Render(epText(ev.Platform)))
	}
	if t, ok := tracetree.EventTime(ev); ok {
		meta = append(meta, st.Subtle.Render(t.Time().Format("2006-01-02 15:04:05.000")+" UTC"))
	}
	r.wrap(strings.Join(meta, st.Faint.Render(" · ")), 0)

	var ids []string
	id := ev.EventID
	if id == "" {
		id = ev.ID
	}
	if id != "" {
		ids = append(ids, st.Subtle.Render("event ")+epText(tracetree.ShortID(id)))
	}
	switch {
	case r.p.shortID != "":
		ids = append(ids, st.Subtle.Render("issue ")+st.Accent.Render(epText(r.p.shortID)))
	case ev.GroupID != "":
		ids = append(ids, st.Subtle.Render("issue ")+epText(string(ev.GroupID)))
	}
	if rel := ev.Tag("release"); rel != "" {
		ids = append(ids, st.Subtle.Render("release ")+epText(rel))
	}
	if env := ev.Tag("environment"); env != "" {
		ids = append(ids, st.Subtle.Render("env ")+epText(env))
	}
	if len(ids) > 0 {
		r.wrap(strings.Join(ids, st.Faint.Render(" · ")), 0)
	}

	var where []string
	if txn := ev.Tag("transaction"); txn != "" && ev.Type != "transaction" {
		where = append(where, st.Subtle.Render("transaction ")+epText(txn))
	}
	if tc := ev.Contexts.Trace; tc != nil {
		if tc.TraceID != "" {
			where = append(where, st.Subtle.Render("trace ")+epText(tc.TraceID))
		}
		if tc.SpanID != "" {
			s := st.Subtle.Render("span ") + epText(tc.SpanID)
			var d []string
			for _, x := range []string{tc.Op, tc.Status} {
				if x != "" {
					d = append(d, epText(x))
				}
			}
			if len(d) > 0 {
				s += st.Subtle.Render(" (" + strings.Join(d, ", ") + ")")
			}
			where = append(where, s)
		}
	}
	if len(where) > 0 {
		r.wrap(strings.Join(where, st.Faint.Render(" · ")), 0)
	}
}

// handled is "handled" or "unhandled" with the mechanism, styled.
func (r *epRender) handled() string {
	ev, st := r.p.ev, r.st
	var h *bool
	mech := ""
	if x := ev.Exception(); x != nil && len(x.Values) > 0 {
		if m := x.Values[len(x.Values)-1].Mechanism; m != nil {
			h, mech = m.Handled, m.Type
		}
	}
	if h == nil {
		switch ev.Tag("handled") {
		case "yes":
			b := true
			h = &b
		case "no":
			b := false
			h = &b
		}
		if mech == "" {
			mech = ev.Tag("mechanism")
		}
	}
	if h == nil {
		return ""
	}
	s := st.OK.Render("handled")
	if !*h {
		s = st.Error.Render("unhandled")
	}
	if mech != "" {
		s += st.Subtle.Render(" (" + epText(mech) + ")")
	}
	return s
}

// excHead is "Type: value" with the type in the error style.
func (r *epRender) excHead(v *wire.ExceptionValue, cause bool) string {
	st := r.st
	var b strings.Builder
	if cause {
		b.WriteString(st.Subtle.Render("caused by "))
	}
	typ, val := epText(v.Type), epText(v.Value)
	switch {
	case typ != "" && val != "":
		b.WriteString(st.Error.Render(typ) + st.Error.Render(":") + " " + st.Title.Render(val))
	case typ != "":
		b.WriteString(st.Error.Render(typ))
	case val != "":
		b.WriteString(st.Title.Render(val))
	default:
		b.WriteString(st.Error.Render("(exception without type or value)"))
	}
	return b.String()
}

// message is the event's message when it says more than the title.
func (r *epRender) message() string {
	ev := r.p.ev
	m := ""
	if en := ev.Entry(wire.EntryMessage); en != nil && en.Message != nil {
		m = en.Message.Formatted
	} else if ev.Exception() == nil {
		m = ev.Message
	}
	m = strings.TrimSpace(m)
	if m == "" || m == strings.TrimSpace(ev.Title) {
		return ""
	}
	m, _ = redact.Secrets(m)
	var out []string
	for i, l := range strings.Split(m, "\n") {
		if i == 40 {
			out = append(out, "…")
			break
		}
		out = append(out, clean(strings.ReplaceAll(strings.TrimRight(l, " \r"), "\t", "    ")))
	}
	return strings.Join(out, "\n")
}

// epStack is one stack to show: an exception of the chain, or a thread.
type epStack struct {
	head  string
	mech  string
	st    *wire.Stacktrace
	note  string
	index int // position for the highlight cache
}

func (r *epRender) stacks() {
	ev, st := r.p.ev, r.st
	var stacks []epStack
	title := "Exception"
	if x := ev.Exception(); x != nil && len(x.Values) > 0 {
		if n := len(x.Values); n > 1 {
			title = fmt.Sprintf("Exception chain (outermost first, %d)", n)
		}
		for i := len(x.Values) - 1; i >= 0; i-- {
			v := &x.Values[i]
			s := epStack{head: r.excHead(v, i < len(x.Values)-1), st: v.Stacktrace, index: i}
			if m := v.Mechanism; m != nil {
				var parts []string
				if m.Type != "" {
					parts = append(parts, st.Subtle.Render("mechanism "+epText(m.Type)))
				}
				if m.Handled != nil {
					if *m.Handled {
						parts = append(parts, st.OK.Render("handled"))
					} else {
						parts = append(parts, st.Error.Render("unhandled"))
					}
				}
				if m.Synthetic {
					parts = append(parts, st.Subtle.Render("synthetic"))
				}
				s.mech = strings.Join(parts, st.Faint.Render(" · "))
			}
			if v.Stacktrace == nil || len(v.Stacktrace.Frames) == 0 {
				s.note = "no stack trace"
			}
			stacks = append(stacks, s)
		}
	}
	hasFrames := false
	for _, s := range stacks {
		hasFrames = hasFrames || (s.st != nil && len(s.st.Frames) > 0)
	}
	if !hasFrames {
		if th := epThread(ev); th != nil {
			name := epText(th.Name)
			if th.ID != "" {
				name = strings.TrimSpace(name + " #" + epText(string(th.ID)))
			}
			s := epStack{head: st.Title.Render("thread " + name), st: th.Stacktrace, index: 1000}
			if th.Crashed {
				s.head += st.Error.Render(" (crashed)")
			}
			if len(stacks) > 0 {
				s.note = "the exception has no stack trace; this is the crashed thread"
			} else {
				title = "Thread"
			}
			stacks = append(stacks, s)
		} else if en := ev.Entry(wire.EntryStacktrace); en != nil && en.Stacktrace != nil && len(en.Stacktrace.Frames) > 0 {
			stacks = append(stacks, epStack{st: en.Stacktrace, index: 2000})
			if title == "Exception" && ev.Exception() == nil {
				title = "Stack trace"
			}
		}
	}
	if len(stacks) == 0 {
		return
	}
	r.add("", dtSection(st, title, r.w))
	for i, s := range stacks {
		if i > 0 {
			r.add("")
		}
		if s.head != "" && (i > 0 || len(stacks) > 1 || s.index >= 1000) {
			r.wrap(s.head, 2)
		}
		if s.mech != "" {
			r.add("  " + s.mech)
		}
		if s.note != "" {
			r.add("  " + st.Faint.Render("("+s.note+")"))
		}
		if s.st != nil {
			r.frames(s, i == 0)
		}
	}
}

// epThread is the crashed (or current, or first) thread with frames.
func epThread(ev *wire.Event) *wire.Thread {
	en := ev.Entry(wire.EntryThreads)
	if en == nil || en.Threads == nil {
		return nil
	}
	ths := en.Threads.Values
	for _, want := range []func(*wire.Thread) bool{
		func(t *wire.Thread) bool { return t.Crashed },
		func(t *wire.Thread) bool { return t.Current },
		func(*wire.Thread) bool { return true },
	} {
		for i := range ths {
			if ths[i].Stacktrace != nil && len(ths[i].Stacktrace.Frames) > 0 && want(&ths[i]) {
				return &ths[i]
			}
		}
	}
	return nil
}

// frames renders a stack crash site first: in-app frames with their
// context and variables, system frames faint, runs of them collapsed.
func (r *epRender) frames(s epStack, outermost bool) {
	st := r.st
	fs := s.st.Frames
	n := len(fs)
	// Display order: crash site (the last frame) first.
	at := func(j int) *wire.Frame { return &fs[n-1-j] }
	anyApp := false
	for j := range n {
		anyApp = anyApp || at(j).IsInApp()
	}
	for j := 0; j < n; {
		f := at(j)
		if j > 0 && !f.IsInApp() && anyApp {
			k := j
			for k < n && !at(k).IsInApp() {
				k++
			}
			if k-j >= 2 {
				r.p.folds = true
			}
			if k-j >= 2 && !r.p.sysOpen {
				r.add("  " + st.Faint.Render("… "+epOmitted(fs, n, j, k)+" (enter shows them)"))
				j = k
				continue
			}
		}
		r.frame(s, n-1-j, j == 0, outermost && j == 0)
		j++
	}
}

// epOmitted describes the system frames at display positions [j, k).
func epOmitted(fs []wire.Frame, n, j, k int) string {
	var mods []string
	for x := j; x < k; x++ {
		f := &fs[n-1-x]
		m := f.Module
		if m == "" {
			m = f.Package
		}
		if m == "" {
			m = path.Dir(f.Filename)
		}
		switch {
		case strings.Contains(m, "/"): // net/http, github.com/lib/pq
			parts := strings.Split(strings.Trim(m, "/"), "/")
			keep := 2
			if strings.Contains(parts[0], ".") {
				keep = 3
			}
			m = strings.Join(parts[:min(keep, len(parts))], "/")
		case strings.ContainsAny(m, ".:"): // flask.app
			m = m[:strings.IndexAny(m, ".:")]
		}
		m = epText(m)
		if m != "" && m != "." && !slices.Contains(mods, m) {
			mods = append(mods, m)
		}
	}
	s := wfPlural(k-j, "system frame")
	if len(mods) > 3 {
		mods = append(mods[:3], "…")
	}
	if len(mods) > 0 {
		s += " (" + strings.Join(mods, ", ") + ")"
	}
	return s
}

// frame renders frame fi of stack s: its label, and for in-app frames and
// the crash site its source context and variables.
func (r *epRender) frame(s epStack, fi int, site, crash bool) {
	st := r.st
	f := &s.st.Frames[fi]
	fn := f.Function
	for _, alt := range []string{f.RawFunction, f.Symbol} {
		if fn == "" {
			fn = alt
		}
	}
	if fn == "" {
		fn = "<anonymous>"
	}
	fn = epText(fn)
	where := f.Filename
	if where == "" {
		where = f.AbsPath
	}
	loc := ""
	switch {
	case where != "":
		loc = epText(where)
		if f.LineNo > 0 {
			loc += ":" + strconv.FormatInt(int64(f.LineNo), 10)
		}
	case f.Module != "":
		loc = epText(f.Module)
	case f.Package != "":
		loc = epText(f.Package)
	case f.InstructionAddr != "":
		loc = epText(f.InstructionAddr)
	}
	// Shorten the path when the line would not fit.
	if avail := r.w - 2 - ansi.StringWidth(fn) - 4; loc != "" && ansi.StringWidth(loc) > avail {
		loc = epShortPath(loc, max(avail, 16))
	}
	app := f.IsInApp()
	var mark, label string
	switch {
	case crash:
		mark = st.Error.Render("✗ ")
	case app:
		mark = st.Info.Render("› ")
	default:
		mark = "  "
	}
	if app || crash {
		label = st.Bold.Render(fn)
		if loc != "" {
			label += st.Subtle.Render(" in " + loc)
		}
		if !app {
			label += st.Faint.Render(" (system)")
		}
	} else {
		l := fn
		if loc != "" {
			l += " in " + loc
		}
		label = st.Faint.Render(l)
	}
	r.add(mark + label)
	if !app && !site {
		return
	}
	r.context(s, fi)
	if app || crash {
		r.vars(f)
	}
}

// epShortPath drops leading directories of a path until it fits in n
// cells: "…/internal/httpapi/middleware.go:21".
func epShortPath(loc string, n int) string {
	parts := strings.Split(loc, "/")
	for i := 1; i < len(parts); i++ {
		s := "…/" + strings.Join(parts[i:], "/")
		if ansi.StringWidth(s) <= n || i == len(parts)-1 {
			return s
		}
	}
	return loc
}

// context renders a frame's source lines, highlighted, with line numbers
// and the suspect line marked.
func (r *epRender) context(s epStack, fi int) {
	st := r.st
	f := &s.st.Frames[fi]
	if len(f.Context) == 0 {
		return
	}
	code := epCode(f.Context)
	lo, hi := 0, len(code)
	suspect := -1
	for i, c := range f.Context {
		if f.LineNo != 0 && c.Line == f.LineNo {
			suspect = i
		}
	}
	for lo < hi && lo != suspect && strings.TrimSpace(code[lo]) == "" {
		lo++
	}
	for hi > lo && hi-1 != suspect && strings.TrimSpace(code[hi-1]) == "" {
		hi--
	}
	if hi <= lo {
		return
	}
	if where := localSourceOf(f); where != "" {
		r.add("    " + st.Faint.Render("source from your checkout ("+epText(where)+"); it may differ from what ran"))
	}
	key := epHLKey{s.index, fi, st.Dark}
	toks, ok := r.p.hl[key]
	if !ok {
		toks = epHighlight(code, f.Filename, f.AbsPath, r.p.ev.Platform, st.Dark)
		r.p.hl[key] = toks
	}
	nw := 0
	for _, c := range f.Context[lo:hi] {
		nw = max(nw, len(strconv.FormatInt(int64(c.Line), 10)))
	}
	suspectBg := st.CodeSuspect.GetBackground()
	for i := lo; i < hi; i++ {
		no := fmt.Sprintf("%*d", nw, int64(f.Context[i].Line))
		if i != suspect {
			line := "    " + st.LineNo.Render(no) + st.Faint.Render(" │ ")
			if toks != nil {
				for _, t := range toks[i] {
					line += t.style.Render(t.text)
				}
			} else {
				line += st.Code.Render(code[i])
			}
			r.add(line)
			continue
		}
		bold := func(s lipgloss.Style) lipgloss.Style { return dtBg(s, suspectBg).Bold(true) }
		line := st.Error.Render("  → ") + bold(st.LineNo).Render(no) + bold(st.Faint).Render(" │ ")
		if toks != nil {
			for _, t := range toks[i] {
				line += bold(t.style).Render(t.text)
			}
		} else {
			line += bold(st.Code).Render(code[i])
		}
		r.add(dtPad(line, max(r.w, lipgloss.Width(line)), suspectBg))
	}
}

// epCode prepares context lines for display: tabs expanded, the common
// indentation removed, secrets scrubbed, sanitised.
func epCode(ctx []wire.ContextLine) []string {
	lines := make([]string, len(ctx))
	indent := -1
	for i, c := range ctx {
		lines[i] = strings.TrimRight(strings.ReplaceAll(c.Text, "\t", "    "), " \r\n")
		if strings.TrimSpace(lines[i]) == "" {
			continue
		}
		if n := len(lines[i]) - len(strings.TrimLeft(lines[i], " ")); indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		if indent > 0 && len(l) >= indent {
			l = l[indent:]
		}
		l, _ = redact.Secrets(l)
		lines[i] = tracetree.Truncate(clean(l), 300)
	}
	return lines
}

// epLexers caches the lexer found for a file extension or platform.
var epLexers sync.Map // string → chroma.Lexer (nil: none)

func epLexer(filename, abs, platform string) chroma.Lexer {
	for _, name := range []string{filename, abs} {
		if name == "" {
			continue
		}
		base := path.Base(strings.ReplaceAll(name, "\\", "/"))
		key := "file:" + path.Ext(base)
		if path.Ext(base) == "" {
			key = "file:" + base
		}
		if l, ok := epLexers.Load(key); ok {
			if l != nil {
				return l.(chroma.Lexer)
			}
			continue
		}
		l := lexers.Match(base)
		if l != nil {
			l = chroma.Coalesce(l)
			epLexers.Store(key, l)
			return l
		}
		epLexers.Store(key, nil)
	}
	p := strings.ToLower(platform)
	switch p {
	case "node", "javascript":
		p = "javascript"
	case "cocoa", "objc":
		p = "objective-c"
	case "csharp":
		p = "c#"
	case "native":
		p = "c"
	}
	if p == "" || p == "other" {
		return nil
	}
	key := "platform:" + p
	if l, ok := epLexers.Load(key); ok {
		if l == nil {
			return nil
		}
		return l.(chroma.Lexer)
	}
	l := lexers.Get(p)
	if l != nil && l.Config() != nil && l.Config().Name != "plaintext" {
		l = chroma.Coalesce(l)
		epLexers.Store(key, l)
		return l
	}
	epLexers.Store(key, nil)
	return nil
}

// epHighlight highlights code (one safe line per element) with chroma's
// github-dark or github style; nil when no lexer fits or chroma fails,
// and the caller shows plain text. Token texts come from the sanitised
// lines, so they carry no control characters; only colours, bold and
// italic are taken from the style (no backgrounds).
func epHighlight(code []string, filename, abs, platform string, dark bool) (out [][]epTok) {
	lexer := epLexer(filename, abs, platform)
	if lexer == nil {
		return nil
	}
	name := "github"
	if dark {
		name = "github-dark"
	}
	style := styles.Get(name)
	defer func() {
		if recover() != nil { // chroma iterators may panic
			out = nil
		}
	}()
	it, err := lexer.Tokenise(nil, strings.Join(code, "\n"))
	if err != nil {
		return nil
	}
	cache := map[chroma.TokenType]lipgloss.Style{}
	styleOf := func(t chroma.TokenType) lipgloss.Style {
		if s, ok := cache[t]; ok {
			return s
		}
		e := style.Get(t)
		s := lipgloss.NewStyle()
		if e.Colour.IsSet() {
			s = s.Foreground(lipgloss.Color(e.Colour.String()))
		}
		if e.Bold == chroma.Yes {
			s = s.Bold(true)
		}
		if e.Italic == chroma.Yes {
			s = s.Italic(true)
		}
		cache[t] = s
		return s
	}
	out = make([][]epTok, 1, len(code))
	for tok := it(); tok != chroma.EOF; tok = it() {
		parts := strings.Split(tok.Value, "\n")
		for i, part := range parts {
			if i > 0 {
				out = append(out, nil)
			}
			if part != "" {
				out[len(out)-1] = append(out[len(out)-1], epTok{part, styleOf(tok.Type)})
			}
		}
	}
	// The lexer may add a final newline; it must not change the text.
	for len(out) > len(code) && len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	if len(out) != len(code) {
		return nil
	}
	for i := range code {
		var b strings.Builder
		for _, t := range out[i] {
			b.WriteString(t.text)
		}
		if b.String() != code[i] {
			return nil
		}
	}
	return out
}

// vars renders the local variables a frame's context names; secret-named
// and filtered ones are listed by name only.
func (r *epRender) vars(f *wire.Frame) {
	st := r.st
	if len(f.Vars) == 0 {
		return
	}
	var src []string
	for _, c := range f.Context {
		src = append(src, c.Text)
	}
	code := strings.Join(src, "\n")
	var shown []string
	var hidden []string
	epMembers(f.Vars, func(name string, val jsontext.Value) {
		if !tracetree.NamedIn(name, code) {
			return
		}
		if redact.IsSensitiveVar(name) || epFiltered(val) {
			hidden = append(hidden, epText(name))
			return
		}
		v := epJSON(val, name, &hidden, 200)
		shown = append(shown, st.Info.Render(epText(name))+st.Faint.Render(" = ")+v)
	})
	if len(shown)+len(hidden) == 0 {
		return
	}
	lead := "    " + st.Subtle.Render("vars") + " "
	pad := strings.Repeat(" ", 9)
	for i, s := range shown {
		if i == 0 {
			r.wrap(lead+s, 9)
		} else {
			r.wrap(pad+s, 9)
		}
	}
	if len(hidden) > 0 {
		l := st.Faint.Render("[filtered: " + strings.Join(hidden, ", ") + "]")
		if len(shown) == 0 {
			r.wrap(lead+l, 9)
		} else {
			r.wrap(pad+l, 9)
		}
	}
}

// ---- breadcrumbs, request, tags --------------------------------------------

const epMaxCrumbs = 30

func (r *epRender) breadcrumbs() {
	ev, st := r.p.ev, r.st
	bc := ev.Breadcrumbs()
	if bc == nil || len(bc.Values) == 0 {
		return
	}
	all := bc.Values
	shown := all
	if len(shown) > epMaxCrumbs {
		shown = shown[len(shown)-epMaxCrumbs:]
	}
	title := fmt.Sprintf("Breadcrumbs (%d, time relative to the error)", len(all))
	if len(shown) < len(all) {
		title = fmt.Sprintf("Breadcrumbs (last %d of %d, time relative to the error)", len(shown), len(all))
	}
	r.add("", dtSection(st, title, r.w))
	t0, hasT0 := tracetree.EventTime(ev)
	rels := make([]string, len(shown))
	rw := 0
	for i := range shown {
		rels[i] = epRel(&shown[i], t0, hasT0)
		rw = max(rw, len([]rune(rels[i])))
	}
	for i := range shown {
		b := &shown[i]
		var line strings.Builder
		line.WriteString("  " + st.Faint.Render(fmt.Sprintf("%*s", rw, rels[i])) + "  ")
		if b.Level != "" && b.Level != "info" {
			line.WriteString(epLevelStyle(st, b.Level).Render(epText(b.Level)) + " ")
		}
		cat := b.Category
		if cat == "" {
			cat = b.Type
		}
		if cat == "" {
			cat = "default"
		}
		line.WriteString(st.Accent.Render(epText(cat)) + "  ")
		line.WriteString(r.crumbText(b))
		r.wrap(line.String(), rw+4)
	}
}

// epRel is a breadcrumb's time relative to the event.
func epRel(b *wire.Breadcrumb, t0 wire.Timestamp, hasT0 bool) string {
	if !hasT0 || b.Timestamp == 0 {
		return "?"
	}
	d := (float64(b.Timestamp) - float64(t0)) * 1000
	switch {
	case d < -0.0005:
		return "-" + tracetree.FormatDuration(-d)
	case d > 0.0005:
		return "+" + tracetree.FormatDuration(d)
	}
	return "0ms"
}

// crumbText is a breadcrumb's message and data: an HTTP call as method,
// URL (credentials filtered) and status, other data as key=value.
func (r *epRender) crumbText(b *wire.Breadcrumb) string {
	st := r.st
	var parts []string
	msg := strings.TrimSpace(b.Message)
	if msg == redact.FilteredMarker {
		msg = ""
	}
	used := map[string]bool{}
	var httpLine string
	var fields map[string]string
	if len(b.Data) > 0 {
		fields = map[string]string{}
		epMembers(b.Data, func(k string, v jsontext.Value) {
			if v.Kind() == '"' || v.Kind() == '0' {
				fields[k] = epScalar(v)
			}
		})
		method, url := fields["method"], fields["url"]
		if url != "" && (method != "" || b.Type == "http") {
			for _, k := range []string{"method", "url", "status_code", "reason", "http.query", "http.fragment"} {
				used[k] = true
			}
			if q := fields["http.query"]; q != "" && !strings.Contains(url, "?") {
				url += "?" + q
			}
			httpLine = strings.TrimSpace(epText(method) + " " + clean(redact.URL(strings.TrimSpace(url))))
			if sc := fields["status_code"]; sc != "" {
				style := st.OK
				if n, err := strconv.Atoi(sc); err == nil && n >= 500 {
					style = st.Error
				} else if err == nil && n >= 400 {
					style = st.Warn
				}
				httpLine += st.Faint.Render(" → ") + style.Render(strings.TrimSpace(epText(sc)+" "+epText(fields["reason"])))
			}
			// The message often repeats the URL.
			if p := tracetree.URLPath(url); msg != "" && p != "" && strings.Contains(msg, p) {
				msg = ""
			}
		}
	}
	if msg != "" {
		parts = append(parts, epText(msg))
	}
	if httpLine != "" {
		parts = append(parts, httpLine)
	}
	if len(b.Data) > 0 {
		var hidden []string
		rest := epObjectMembers(b.Data, used, &hidden, 300)
		if rest != "" {
			parts = append(parts, st.Subtle.Render(rest))
		}
		if len(hidden) > 0 {
			parts = append(parts, st.Faint.Render("[filtered: "+strings.Join(hidden, ", ")+"]"))
		}
	}
	if len(parts) == 0 {
		return st.Faint.Render("(no message)")
	}
	return strings.Join(parts, st.Faint.Render(" · "))
}

func (r *epRender) request() {
	ev, st := r.p.ev, r.st
	req := ev.Request()
	if req == nil {
		return
	}
	r.add("", dtSection(st, "Request", r.w))
	url := tracetree.RequestURL(req)
	first := st.Bold.Render(epText(req.Method))
	if url != "" {
		first += " " + clean(redact.URL(url))
	}
	r.wrap("  "+strings.TrimSpace(first), 4)
	hidden := 0
	for _, kv := range req.Headers {
		v, ok := tracetree.ShownHeader(kv[0], kv[1])
		if !ok {
			hidden++
			continue
		}
		r.wrap("  "+st.Subtle.Render(epText(kv[0])+":")+" "+tracetree.Truncate(epText(v), 200), 4)
	}
	if hidden > 0 {
		r.add("  " + st.Faint.Render(wfPlural(hidden, "other header")+" not shown (credentials and personal data stay hidden)"))
	}
	if len(req.Data) > 0 {
		switch {
		case epFiltered(req.Data):
			r.add("  " + st.Subtle.Render("body") + " " + st.Faint.Render("(filtered)"))
		case req.Data.Kind() == 'n':
		default:
			var hid []string
			body := epJSON(req.Data, "body", &hid, 400)
			if body != "" {
				l := "  " + st.Subtle.Render("body") + " " + body
				if len(hid) > 0 {
					l += " " + st.Faint.Render("[filtered: "+strings.Join(hid, ", ")+"]")
				}
				r.wrap(l, 4)
			}
		}
	}
}

// epShownTags are tags already in the header.
var epShownTags = map[string]bool{
	"release": true, "environment": true, "transaction": true, "level": true, "handled": true,
	"mechanism": true, "server_name": true, "url": true,
}

func (r *epRender) tags() {
	ev, st := r.p.ev, r.st
	var pairs []string
	for _, t := range ev.Tags {
		k, v := t.Key, string(t.Value)
		if v == "" || epShownTags[k] || redact.IsPIITag(k) || redact.IsSensitiveKey(k) || redact.IsSecretValue(v) {
			continue
		}
		pairs = append(pairs, st.Subtle.Render(epText(k)+"=")+tracetree.Truncate(epText(v), 120))
	}
	if srv := ev.Tag("server_name"); srv != "" {
		pairs = append(pairs, st.Subtle.Render("server_name=")+epText(srv))
	}
	if len(pairs) == 0 {
		return
	}
	r.add("", dtSection(st, "Tags", r.w))
	line := " "
	for _, p := range pairs {
		if lipgloss.Width(line)+2+lipgloss.Width(p) > r.w && line != " " {
			r.add(line)
			line = " "
		}
		line += " " + p + " "
	}
	if line != " " {
		r.add(line)
	}
}

func epLevelStyle(st *Styles, level string) lipgloss.Style {
	switch strings.ToLower(level) {
	case "fatal", "error", "critical":
		return st.Error
	case "warning", "warn":
		return st.Warn
	case "debug":
		return st.Faint
	case "transaction":
		return st.Info
	}
	return st.Subtle
}

// ---- JSON values -------------------------------------------------------------

func epDecoder(raw []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
}

// epMembers calls fn for each member of a raw JSON object, in order.
func epMembers(raw []byte, fn func(name string, val jsontext.Value)) {
	dec := epDecoder(raw)
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return
	}
	for dec.PeekKind() != '}' {
		kt, err := dec.ReadToken()
		if err != nil {
			return
		}
		name := kt.String() // before the next read voids the token
		v, err := dec.ReadValue()
		if err != nil {
			return
		}
		fn(name, v)
	}
}

// epFiltered reports a value Sentry filtered ("[Filtered]").
func epFiltered(v []byte) bool {
	return strings.TrimSpace(string(v)) == `"`+redact.FilteredMarker+`"`
}

// epScalar is a string's text or a number's literal.
func epScalar(v jsontext.Value) string {
	tok, err := epDecoder(v).ReadToken()
	if err != nil {
		return ""
	}
	return tok.String()
}

// epJSON renders a JSON value on one line for display: members whose
// names hold credentials and values Sentry filtered are left out (their
// paths go to hidden), strings that look like credentials become
// [Filtered], and the text is scrubbed and sanitised; at most n runes.
func epJSON(raw []byte, path string, hidden *[]string, n int) string {
	var b strings.Builder
	if err := epWriteJSON(epDecoder(raw), &b, path, hidden, 0); err != nil && b.Len() == 0 {
		return ""
	}
	s, _ := redact.Secrets(b.String())
	return tracetree.Truncate(clean(s), n)
}

// epObjectMembers renders an object's members as "k=v, k=v", skipping
// the names in skip and "__"-prefixed ones, with epJSON's filtering.
func epObjectMembers(raw []byte, skip map[string]bool, hidden *[]string, n int) string {
	var parts []string
	epMembers(raw, func(k string, v jsontext.Value) {
		if skip[k] || strings.HasPrefix(k, "__") {
			return
		}
		if redact.IsSensitiveKey(k) || redact.IsPIITag(k) || epFiltered(v) {
			*hidden = append(*hidden, epText(k))
			return
		}
		s := epJSON(v, k, hidden, 160)
		if s != "" {
			parts = append(parts, epText(k)+"="+s)
		}
	})
	return tracetree.Truncate(strings.Join(parts, ", "), n)
}

func epWriteJSON(dec *jsontext.Decoder, b *strings.Builder, path string, hidden *[]string, depth int) error {
	if b.Len() > 2000 {
		return dec.SkipValue()
	}
	switch dec.PeekKind() {
	case '{':
		if depth > 5 {
			b.WriteString("{…}")
			return dec.SkipValue()
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		b.WriteByte('{')
		first := true
		for dec.PeekKind() != '}' {
			kt, err := dec.ReadToken()
			if err != nil {
				return err
			}
			k := kt.String()
			p := epJoinPath(path, k)
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			if redact.IsSensitiveKey(k) || epFiltered(v) {
				*hidden = append(*hidden, p)
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(k + ": ")
			if err := epWriteJSON(epDecoder(v), b, p, hidden, depth+1); err != nil {
				return err
			}
		}
		_, err := dec.ReadToken()
		b.WriteByte('}')
		return err
	case '[':
		if depth > 5 {
			b.WriteString("[…]")
			return dec.SkipValue()
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		b.WriteByte('[')
		for i := 0; dec.PeekKind() != ']'; i++ {
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			p := fmt.Sprintf("%s[%d]", path, i)
			if epFiltered(v) {
				*hidden = append(*hidden, p)
				continue
			}
			if i > 0 {
				b.WriteString(", ")
			}
			if err := epWriteJSON(epDecoder(v), b, p, hidden, depth+1); err != nil {
				return err
			}
		}
		_, err := dec.ReadToken()
		b.WriteByte(']')
		return err
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() == '"' {
		s := tok.String()
		if redact.IsSecretValue(s) {
			*hidden = append(*hidden, path)
			b.WriteString(redact.FilteredMarker)
			return nil
		}
		b.WriteString(s)
		return nil
	}
	b.WriteString(tok.String())
	return nil
}

func epJoinPath(path, k string) string {
	k = tracetree.Truncate(clean(k), 60)
	if path == "" {
		return k
	}
	return tracetree.Truncate(path+"."+k, 120)
}
