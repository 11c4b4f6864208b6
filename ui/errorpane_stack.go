package ui

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/charmbracelet/x/ansi"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree"
)

// The Error tab's stack traces: the exception chain's or the crashed
// thread's frames, crash site first, in-app frames with their source
// context (highlighted by chroma, the suspect line marked) and the local
// variables it names; runs of system frames collapsed.

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
	fn := epText(f.FunctionName())
	where := f.File()
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
