// The exception chain and threads, their frames, and which frames are kept or trimmed.

package tracetree

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// ---- exceptions and frames --------------------------------------------------

func evException(v *wire.ExceptionValue) evStack {
	st := evStack{}
	typ := strings.TrimSpace(v.Type)
	val := strings.TrimSpace(v.Value)
	switch {
	case typ != "" && val != "":
		st.head = evLine(typ, 120) + ": " + evLine(val, 400)
	case typ != "":
		st.head = evLine(typ, 120)
	case val != "":
		st.head = evLine(val, 400)
	default:
		st.head = "(exception without type or value)"
	}
	if m := v.Mechanism; m != nil {
		var parts []string
		t := evLine(m.Type, 60)
		if src := evRawString(m.Extra["source"]); src != "" && t != "" {
			t += " (" + evLine(src, 40) + ")"
		}
		if t != "" {
			parts = append(parts, t)
		}
		if m.Handled != nil {
			if *m.Handled {
				parts = append(parts, "handled")
			} else {
				parts = append(parts, "unhandled")
			}
		}
		if m.Synthetic {
			parts = append(parts, "synthetic")
		}
		if len(parts) > 0 {
			st.mech = "mechanism " + strings.Join(parts, ", ")
		}
	}
	if v.Stacktrace != nil {
		st.frames = evFrames(v.Stacktrace)
	}
	if len(st.frames) == 0 {
		st.note = "no stack trace"
	}
	return st
}

func evRawString(r wire.Raw) string {
	v := evParse(r)
	if v == nil || v.kind != '"' {
		return ""
	}
	return v.s
}

// evFrames converts a stack trace to display order (crash site first).
func evFrames(st *wire.Stacktrace) []evFrame {
	out := make([]evFrame, 0, len(st.Frames))
	for i := len(st.Frames) - 1; i >= 0; i-- {
		out = append(out, evMakeFrame(&st.Frames[i]))
	}
	return out
}

func evMakeFrame(f *wire.Frame) evFrame {
	fr := evFrame{inApp: f.IsInApp(), suspect: -1}
	fn := f.FunctionName()
	where := f.File()
	loc := ""
	switch {
	case where != "":
		loc = evLine(where, 120)
		if f.LineNo > 0 {
			loc += ":" + strconv.FormatInt(int64(f.LineNo), 10)
		}
	case f.Module != "":
		loc = evLine(f.Module, 120)
	case f.Package != "":
		loc = evLine(f.Package, 120)
	case f.InstructionAddr != "":
		loc = evLine(f.InstructionAddr, 40)
	}
	fr.label = evLine(fn, 120)
	fr.key = fr.label + "@" + where
	if loc != "" {
		fr.label += " in " + loc
	}
	if fr.inApp {
		fr.label += " (in app)"
	}
	fr.module = f.Module
	if fr.module == "" {
		fr.module = f.Package
	}
	if fr.module == "" {
		fr.module = where
	}
	fr.module = evLine(fr.module, 60)

	// Source context: tabs expanded, common indentation removed.
	lines := make([]string, len(f.Context))
	for i, c := range f.Context {
		lines[i] = strings.ReplaceAll(c.Text, "\t", "    ")
	}
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i, c := range f.Context {
		l := lines[i]
		if indent > 0 && len(l) >= indent {
			l = l[indent:]
		}
		l = strings.TrimRight(l, " \r\n")
		fr.ctx = append(fr.ctx, evCtx{no: int64(c.Line), text: Truncate(redact.Line(l), 240)})
		if f.LineNo != 0 && c.Line == f.LineNo {
			fr.suspect = i
		}
	}

	// Variables named in the context.
	if len(f.Vars) > 0 {
		v := evParse(f.Vars)
		if v != nil && v.kind == '{' {
			src := make([]string, len(f.Context))
			for i, c := range f.Context {
				src[i] = c.Text
			}
			code := strings.Join(src, "\n")
			for i, name := range v.keys {
				if !NamedIn(name, code) {
					continue
				}
				val := v.vals[i]
				if redact.IsSensitiveVar(name) && !evObjectRepr(val) {
					fr.hidden = append(fr.hidden, evLine(name, 60))
					continue
				}
				if val.filtered() {
					fr.hidden = append(fr.hidden, evLine(name, 60))
					continue
				}
				s := val.compact(name, &fr.hidden, 200)
				fr.vars = append(fr.vars, evLine(name, 60)+" = "+s)
			}
		}
	}
	return fr
}

// NamedIn reports whether name occurs in code as a whole identifier.
func NamedIn(name, code string) bool {
	if name == "" {
		return false
	}
	for i := 0; ; {
		j := strings.Index(code[i:], name)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !evIdentByte(code[j-1])
		end := j + len(name)
		after := end >= len(code) || !evIdentByte(code[end])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func evIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// evSelectFrames decides which frames of one stack to show: the crash site
// always; in-app frames up to the budget (both ends of them when there are
// more); system frames at the boundaries of kept in-app frames; other
// system frames nearest the crash site with what budget is left.
func evSelectFrames(frames []evFrame, budget, sysMode int) []bool {
	n := len(frames)
	keep := make([]bool, n)
	if n == 0 {
		return keep
	}
	if budget < 1 {
		budget = 1
	}
	keep[0] = true
	if sysMode == 0 && n <= budget {
		for i := range keep {
			keep[i] = true
		}
		return keep
	}
	var app []int
	for i := 1; i < n; i++ {
		if frames[i].inApp {
			app = append(app, i)
		}
	}
	used := 1
	room := max(budget-used, 0)
	if len(app) <= room {
		for _, i := range app {
			keep[i] = true
		}
		used += len(app)
	} else if room > 0 {
		head := (room + 1) / 2
		tail := room - head
		for _, i := range app[:head] {
			keep[i] = true
		}
		for _, i := range app[len(app)-tail:] {
			keep[i] = true
		}
		used += room
	}
	if sysMode == 2 {
		return keep
	}
	// System frames at the boundary of kept in-app frames (and of the crash
	// site): what the app called into, and what called the app.
	// Callees (i-1 in display order) come before callers (i+1).
	var boundary []int
	for _, d := range []int{-1, 1} {
		for i := 0; i < n; i++ {
			if !keep[i] || (!frames[i].inApp && i != 0) {
				continue
			}
			if j := i + d; j >= 0 && j < n && !keep[j] && !frames[j].inApp && !slices.Contains(boundary, j) {
				boundary = append(boundary, j)
			}
		}
	}
	sysRoom := max(budget-used, 2)
	if sysMode == 1 {
		sysRoom = min(sysRoom, 2)
	}
	for _, j := range boundary {
		if sysRoom == 0 {
			break
		}
		keep[j] = true
		sysRoom--
		used++
	}
	if sysMode == 0 {
		for i := 1; i < n && used < budget; i++ {
			if !keep[i] && !frames[i].inApp {
				keep[i] = true
				used++
			}
		}
	}
	return keep
}

// evOmitted summarises a run of omitted frames.
func evOmitted(run []evFrame) string {
	app, sys := 0, 0
	var mods []string
	for _, f := range run {
		if f.inApp {
			app++
			continue
		}
		sys++
		m := f.module
		if i := strings.IndexAny(m, "./:"); i > 0 && !strings.HasPrefix(m, "node:") {
			m = m[:i]
		}
		if m != "" && !slices.Contains(mods, m) {
			mods = append(mods, m)
		}
	}
	var parts []string
	if app > 0 {
		parts = append(parts, plural(app, "in-app frame"))
	}
	if sys > 0 {
		parts = append(parts, plural(sys, "system frame"))
	}
	s := "… " + strings.Join(parts, " and ") + " omitted"
	if len(mods) > 0 {
		if len(mods) > 3 {
			mods = append(mods[:3], "…")
		}
		s += " (" + strings.Join(mods, ", ") + ")"
	}
	return s
}

// ---- threads -----------------------------------------------------------------------

func evThreads(ev *wire.Event) (*evStack, []string) {
	en := ev.Entry(wire.EntryThreads)
	if en == nil || en.Threads == nil {
		return nil, nil
	}
	ths := en.Threads.Values
	pick := -1
	for _, want := range []func(*wire.Thread) bool{
		func(t *wire.Thread) bool { return t.Crashed },
		func(t *wire.Thread) bool { return t.Current },
		func(*wire.Thread) bool { return true },
	} {
		for i := range ths {
			if ths[i].Stacktrace != nil && len(ths[i].Stacktrace.Frames) > 0 && want(&ths[i]) {
				pick = i
				break
			}
		}
		if pick >= 0 {
			break
		}
	}
	if pick < 0 {
		return nil, nil
	}
	t := &ths[pick]
	st := &evStack{frames: evFrames(t.Stacktrace)}
	var flags []string
	if t.Crashed {
		flags = append(flags, "crashed")
	}
	if t.Current {
		flags = append(flags, "current")
	}
	if t.State != "" {
		flags = append(flags, evLine(t.State, 30))
	}
	st.head = "thread " + evThreadName(t)
	if len(flags) > 0 {
		st.head += " (" + strings.Join(flags, ", ") + ")"
	}
	var rest []string
	var others []string
	for i := range ths {
		if i == pick {
			continue
		}
		n := 0
		if ths[i].Stacktrace != nil {
			n = len(ths[i].Stacktrace.Frames)
		}
		others = append(others, fmt.Sprintf("%s (%s)", evThreadName(&ths[i]), plural(n, "frame")))
	}
	if len(others) > 0 {
		if len(others) > 8 {
			others = append(others[:8], fmt.Sprintf("… %d more", len(others)-8))
		}
		rest = append(rest, "other threads: "+strings.Join(others, ", "))
	}
	return st, rest
}

func evThreadName(t *wire.Thread) string {
	switch {
	case t.Name != "" && t.ID != "":
		return evLine(t.Name, 60) + " #" + evLine(string(t.ID), 30)
	case t.Name != "":
		return evLine(t.Name, 60)
	case t.ID != "":
		return "#" + evLine(string(t.ID), 30)
	}
	return "(unnamed)"
}
