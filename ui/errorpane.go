package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"
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

	hl map[epHLKey][][]epTok // highlighted context per frame and theme

	laidLines
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
	if !p.stale(st, w) {
		return
	}
	r := &epRender{p: p, st: st, w: w}
	p.folds = false
	r.render()
	p.setLines(r.out, w)
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
