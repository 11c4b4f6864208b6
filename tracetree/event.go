package tracetree

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/go-json-experiment/json/jsontext"
)

// EventOptions tune the error event view.
//
// The zero value shows no local variables (IncludeVars is false) and uses
// the default frame and breadcrumb limits; DefaultEventOptions returns the
// recommended settings with variables on.
type EventOptions struct {
	// MaxFrames is the frame budget per exception, spent on in-app frames
	// first (0: 20). When a stack is longer, both ends of the in-app frames
	// are kept, with a few system frames at their boundaries, and the
	// omitted runs are counted.
	MaxFrames int
	// MaxBreadcrumbs is how many of the last breadcrumbs to show (0: 10;
	// negative: none).
	MaxBreadcrumbs int
	// Budget is the most model tokens the view may take (0: no limit). The
	// view sheds, in this order, source context, system frames,
	// breadcrumbs, variables, in-app frames and the request/tag blocks; the
	// first exception line and the crash-site frame are always kept.
	Budget int
	// IncludeVars shows the local variables whose names appear in a frame's
	// source context.
	IncludeVars bool
	// IssueShortID is shown next to the issue id when the caller knows it
	// (events carry only the numeric group id).
	IssueShortID string
}

// DefaultEventOptions returns the recommended options: 20 frames, 10
// breadcrumbs, variables on, no token budget.
func DefaultEventOptions() EventOptions {
	return EventOptions{MaxFrames: 20, MaxBreadcrumbs: 10, IncludeVars: true}
}

func (o EventOptions) maxFrames() int {
	if o.MaxFrames <= 0 {
		return 20
	}
	return o.MaxFrames
}

func (o EventOptions) maxCrumbs() int {
	switch {
	case o.MaxBreadcrumbs < 0:
		return 0
	case o.MaxBreadcrumbs == 0:
		return 10
	}
	return o.MaxBreadcrumbs
}

// ErrorView renders one event as text for an on-call engineer and a model:
//
//	ServiceAuthError: auth-service rejected service token: 401 signature_mismatch
//	error · unhandled (flask) · payments · python · 2026-11-20 03:12:24.446 UTC
//	event 0bae0003 (0bae00036f60844109f6674d1cae98b9) · issue PAYMENTS-7Q (6102934375)
//	…
//	Exception (outermost first, 2 in the chain)
//	ServiceAuthError: auth-service rejected service token: 401 signature_mismatch
//	  mechanism flask, unhandled
//	  introspect in payments/auth_client.py:67 (in app)
//	       66 |     except requests.HTTPError as exc:
//	     → 67 |         raise ServiceAuthError(
//	      vars: resp = <Response [401]>
//
// Error events show the exception chain (outermost first, then "caused by"
// the earlier ones), frames crash site first with source context, the
// suspect line marked and only the variables named in that context; then
// the last breadcrumbs (time relative to the error), the request (an
// allow-list of headers, secrets scrubbed) and the tags that matter (no
// user PII). Events without an exception show the crashed thread or the
// message; transactions get a short summary. All event text is sanitised.
// A nil event gives a one-line note.
func ErrorView(ev *wire.Event, opts EventOptions) string {
	if ev == nil {
		return "(no event)\n"
	}
	p := evPrepare(ev, opts)
	levels := evLevels(opts)
	if opts.Budget <= 0 {
		return p.render(levels[0])
	}
	for _, lv := range levels {
		if s := p.render(lv); CountTokens(s) <= opts.Budget {
			return s
		}
	}
	return p.renderMinimal(opts.Budget)
}

// RelevantFunctions returns the in-app function names of an event's
// exception frames (crash site first, outermost exception first), read from
// the API's inApp, or from the crashed thread when there is no exception
// stack. It returns nil when there are none.
func RelevantFunctions(ev *wire.Event) []string {
	if ev == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(st *wire.Stacktrace) {
		if st == nil {
			return
		}
		for i := len(st.Frames) - 1; i >= 0; i-- {
			f := &st.Frames[i]
			if !f.IsInApp() {
				continue
			}
			fn := strings.TrimSpace(f.Function)
			if fn == "" || seen[fn] {
				continue
			}
			seen[fn] = true
			out = append(out, fn)
		}
	}
	if x := ev.Exception(); x != nil {
		for i := len(x.Values) - 1; i >= 0; i-- {
			add(x.Values[i].Stacktrace)
		}
	}
	if len(out) == 0 {
		if en := ev.Entry(wire.EntryThreads); en != nil && en.Threads != nil {
			for i := range en.Threads.Values {
				if t := &en.Threads.Values[i]; t.Crashed || t.Current {
					add(t.Stacktrace)
				}
			}
		}
		if en := ev.Entry(wire.EntryStacktrace); en != nil {
			add(en.Stacktrace)
		}
	}
	return out
}

// evLevel is one step of detail; ErrorView tries them in order until the
// text fits the budget.
type evLevel struct {
	ctx       int // source lines each side of the suspect line; -1 all, -2 none (crash site keeps its suspect line)
	sys       int // system frames: 0 as the frame budget allows, 1 boundary only, 2 none but the crash site
	frames    int // frame budget per exception
	crumbs    int
	vars      int // 2 all frames, 1 crash site only, 0 none
	causes    bool
	extras    bool // tags, contexts, request
	maxCtxLen int
}

func evLevels(opts EventOptions) []evLevel {
	vars := 0
	if opts.IncludeVars {
		vars = 2
	}
	base := evLevel{ctx: -1, frames: opts.maxFrames(), crumbs: opts.maxCrumbs(), vars: vars, causes: true, extras: true, maxCtxLen: 160}
	var out []evLevel
	add := func(f func(*evLevel)) {
		f(&base)
		out = append(out, base)
	}
	add(func(*evLevel) {})
	// 1. source context
	add(func(l *evLevel) { l.ctx = 2 })
	add(func(l *evLevel) { l.ctx = 0; l.maxCtxLen = 120 })
	add(func(l *evLevel) { l.ctx = -2 })
	// 2. system frames
	add(func(l *evLevel) { l.sys = 1 })
	add(func(l *evLevel) { l.sys = 2 })
	// 3. breadcrumbs
	for _, n := range []int{5, 2, 0} {
		add(func(l *evLevel) { l.crumbs = min(l.crumbs, n) })
	}
	// 4. variables
	add(func(l *evLevel) { l.vars = min(l.vars, 1) })
	add(func(l *evLevel) { l.vars = 0 })
	// 5. in-app frames, causes, the rest
	for _, n := range []int{10, 6, 3} {
		add(func(l *evLevel) { l.frames = min(l.frames, n) })
	}
	add(func(l *evLevel) { l.causes = false })
	add(func(l *evLevel) { l.extras = false })
	add(func(l *evLevel) { l.frames = 1 })
	return out
}

// ---- the prepared event ----------------------------------------------------

type evPrepared struct {
	header   []string
	tags     string
	contexts []string
	summary  []string // transactions
	message  string
	stacks   []evStack // exception chain (outermost first), or one thread / stack trace
	stackTtl string    // section title
	stackEnd []string  // lines after the stacks (other threads)
	crumbs   []string  // formatted, oldest → newest
	crumbAll int
	request  []string
}

type evStack struct {
	head   string // "Type: value"; "" for threads and plain stack traces
	mech   string
	frames []evFrame // crash site first
	note   string
}

type evFrame struct {
	label   string
	key     string // function and file, to spot the same frame in a cause
	module  string // for omitted-run summaries
	inApp   bool
	ctx     []evCtx
	suspect int // index into ctx, or -1
	vars    []string
	hidden  []string
}

type evCtx struct {
	no   int64
	text string
}

func evPrepare(ev *wire.Event, opts EventOptions) *evPrepared {
	p := &evPrepared{}
	evTime, hasTime := EventTime(ev)
	p.header = evHeader(ev, opts, evTime, hasTime)
	p.tags = evTags(ev)
	p.contexts = evContexts(ev)

	if ev.Type == "transaction" {
		p.summary = evTxnSummary(ev)
	}
	if en := ev.Entry(wire.EntryMessage); en != nil && en.Message != nil {
		if m := strings.TrimSpace(en.Message.Formatted); m != "" && m != ev.Title {
			p.message = m
		}
	} else if m := strings.TrimSpace(ev.Message); m != "" && m != ev.Title && ev.Exception() == nil {
		p.message = m
	}

	if x := ev.Exception(); x != nil && len(x.Values) > 0 {
		p.stackTtl = "Exception"
		if n := len(x.Values); n > 1 {
			p.stackTtl = fmt.Sprintf("Exception (outermost first, %d in the chain)", n)
		}
		for i := len(x.Values) - 1; i >= 0; i-- {
			p.stacks = append(p.stacks, evException(&x.Values[i]))
		}
	}
	if !evHasFrames(p.stacks) {
		if th, rest := evThreads(ev); th != nil {
			p.stacks = append(p.stacks, *th)
			if p.stackTtl == "" {
				p.stackTtl = "Thread"
			} else {
				p.stacks[len(p.stacks)-1].note = "the exception has no stack trace; this is the crashed thread"
			}
			p.stackEnd = rest
		} else if en := ev.Entry(wire.EntryStacktrace); en != nil && en.Stacktrace != nil && len(en.Stacktrace.Frames) > 0 {
			p.stacks = append(p.stacks, evStack{frames: evFrames(en.Stacktrace)})
			if p.stackTtl == "" {
				p.stackTtl = "Stack trace"
			}
		}
	}

	if bc := ev.Breadcrumbs(); bc != nil {
		p.crumbAll = len(bc.Values)
		for i := range bc.Values {
			p.crumbs = append(p.crumbs, evCrumb(&bc.Values[i], evTime, hasTime))
		}
	}
	p.request = evRequest(ev)
	return p
}

func evHasFrames(st []evStack) bool {
	for _, s := range st {
		if len(s.frames) > 0 {
			return true
		}
	}
	return false
}

// EventTime is when the event happened: its dateCreated, else
// dateReceived, else its end timestamp.
func EventTime(ev *wire.Event) (wire.Timestamp, bool) {
	for _, s := range []string{ev.DateCreated, ev.DateReceived} {
		if s == "" {
			continue
		}
		if t, err := wire.ParseTimestamp(s); err == nil && t != 0 {
			return t, true
		}
	}
	if ev.EndTimestamp != 0 {
		return ev.EndTimestamp, true
	}
	return 0, false
}

func evFormatTime(t wire.Timestamp) string {
	return t.Time().Format("2006-01-02 15:04:05.000") + " UTC"
}

// evLine sanitises and scrubs event text for one line.
func evLine(s string, n int) string {
	return Truncate(redact.Line(strings.TrimSpace(s)), n)
}

func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func evHeader(ev *wire.Event, opts EventOptions, t wire.Timestamp, hasTime bool) []string {
	title := ev.Title
	if title == "" {
		title = ev.Message
	}
	if title == "" {
		title = "(untitled event)"
	}
	var h []string
	h = append(h, evLine(title, 300))

	kind := ev.Type
	if ev.Type != "transaction" {
		if lv := ev.Tag("level"); lv != "" {
			kind = lv
		} else if kind == "" {
			kind = "error"
		}
	}
	handled := ""
	if x := ev.Exception(); x != nil && len(x.Values) > 0 {
		if m := x.Values[len(x.Values)-1].Mechanism; m != nil && m.Handled != nil {
			handled = "handled"
			if !*m.Handled {
				handled = "unhandled"
			}
			if m.Type != "" {
				handled += " (" + evLine(m.Type, 60) + ")"
			}
		}
	}
	if handled == "" {
		switch ev.Tag("handled") {
		case "yes":
			handled = "handled"
		case "no":
			handled = "unhandled"
		}
		if handled != "" && ev.Tag("mechanism") != "" {
			handled += " (" + evLine(ev.Tag("mechanism"), 60) + ")"
		}
	}
	project := evLine(ev.ProjectSlug, 80)
	if project == "" && ev.ProjectID != "" {
		project = "project " + evLine(string(ev.ProjectID), 40)
	}
	when := ""
	if hasTime {
		when = evFormatTime(t)
	}
	h = append(h, joinNonEmpty(" · ", evLine(kind, 30), handled, project, evLine(ev.Platform, 30), when))

	id := ev.EventID
	if id == "" {
		id = ev.ID
	}
	idPart := ""
	if id != "" {
		id = evLine(id, 64)
		idPart = "event " + ShortID(id)
		if len(id) > ShortIDLen {
			idPart += " (" + id + ")"
		}
	}
	issue := ""
	switch {
	case opts.IssueShortID != "" && ev.GroupID != "":
		issue = "issue " + evLine(opts.IssueShortID, 40) + " (" + evLine(string(ev.GroupID), 40) + ")"
	case opts.IssueShortID != "":
		issue = "issue " + evLine(opts.IssueShortID, 40)
	case ev.GroupID != "":
		issue = "issue " + evLine(string(ev.GroupID), 40)
	}
	h = append(h, joinNonEmpty(" · ", idPart, issue))

	release := ev.Tag("release")
	if release == "" {
		release = evRawField(ev.Release, "version")
	}
	var rel []string
	if release != "" {
		rel = append(rel, "release "+evLine(release, 80))
	}
	if env := ev.Tag("environment"); env != "" {
		rel = append(rel, "environment "+evLine(env, 40))
	}
	if txn := ev.Tag("transaction"); txn != "" && ev.Type != "transaction" {
		rel = append(rel, "transaction "+evLine(txn, 120))
	}
	if srv := ev.Tag("server_name"); srv != "" {
		rel = append(rel, "server "+evLine(srv, 80))
	}
	if len(rel) > 0 {
		h = append(h, strings.Join(rel, " · "))
	}

	if tc := ev.Contexts.Trace; tc != nil && (tc.TraceID != "" || tc.SpanID != "") {
		line := ""
		if tc.TraceID != "" {
			line = "trace " + evLine(tc.TraceID, 64)
		}
		if tc.SpanID != "" {
			span := "span " + evLine(tc.SpanID, 40)
			if d := joinNonEmpty(", ", evLine(tc.Op, 60), evLine(tc.Status, 40)); d != "" {
				span += " (" + d + ")"
			}
			line = joinNonEmpty(" · ", line, span)
		}
		h = append(h, line)
	}
	if pc := ev.Contexts.Profile; pc != nil {
		switch {
		case pc.ProfileID != "":
			h = append(h, "profile "+evLine(pc.ProfileID, 64)+" (transaction profile)")
		case pc.ProfilerID != "":
			h = append(h, "profiler "+evLine(pc.ProfilerID, 64)+" (continuous profile)")
		}
	}
	return slices.DeleteFunc(h, func(s string) bool { return s == "" })
}

// evRawField reads a string member of a raw JSON object (e.g. release.version).
func evRawField(raw wire.Raw, key string) string {
	v := evParse(raw)
	if v == nil || v.kind != '{' {
		return ""
	}
	for i, k := range v.keys {
		if k == key && v.vals[i].kind == '"' {
			return v.vals[i].s
		}
	}
	return ""
}

// evHeaderTags are tags already shown in the header or request.
var evHeaderTags = map[string]bool{
	"release": true, "environment": true, "transaction": true, "level": true, "handled": true,
	"mechanism": true, "server_name": true, "browser.name": true, "os.name": true, "runtime.name": true,
	"os": true, "runtime": true, "device": true, "url": true,
}

func evTags(ev *wire.Event) string {
	var parts []string
	hasRequest := ev.Request() != nil
	for _, t := range ev.Tags {
		k := t.Key
		if redact.IsPIITag(k) || redact.IsSensitiveKey(k) {
			continue
		}
		if evHeaderTags[k] && !(k == "url" && !hasRequest) {
			continue
		}
		if _, dup := ev.Contexts.Extra[k]; dup && (k == "browser" || k == "os" || k == "device") {
			continue
		}
		v := string(t.Value)
		if v == "" {
			continue
		}
		parts = append(parts, evLine(k, 60)+"="+evLine(v, 120))
	}
	if len(parts) == 0 {
		return ""
	}
	return "tags: " + strings.Join(parts, ", ")
}

// evSkipContexts are contexts shown elsewhere or of little use here.
var evSkipContexts = map[string]bool{
	"trace": true, "profile": true, "replay": true, "culture": true, "cloud_resource": true,
	"gpu": true, "otel": true, "state": true, "runtime": true, "os": true, "browser": true,
	"device": true, "app": true, "client_os": true, "user": true, "geo": true,
}

func evContexts(ev *wire.Event) []string {
	ex := ev.Contexts.Extra
	var env []string
	for _, name := range []string{"runtime", "os", "browser", "device"} {
		v := evParse(ex[name])
		if v == nil || v.kind != '{' {
			continue
		}
		desc := ""
		if name == "device" {
			desc = joinNonEmpty(" ", v.str("model"), v.str("arch"), v.str("architecture"))
		} else {
			desc = joinNonEmpty(" ", v.str("name"), v.str("version"))
		}
		if desc != "" {
			env = append(env, name+" "+evLine(desc, 60))
		}
	}
	var out []string
	if len(env) > 0 {
		out = append(out, "context: "+strings.Join(env, " · "))
	}
	names := make([]string, 0, len(ex))
	for k := range ex {
		if !evSkipContexts[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		v := evParse(ex[k])
		if v == nil || v.kind != '{' || len(v.keys) == 0 {
			continue
		}
		var hidden []string
		body := v.compactMembers(k, map[string]bool{"type": true}, &hidden, 240)
		if body == "" {
			continue
		}
		out = append(out, "context "+evLine(k, 40)+": "+body)
	}
	return out
}

func evTxnSummary(ev *wire.Event) []string {
	var parts []string
	if tc := ev.Contexts.Trace; tc != nil && tc.Op != "" {
		parts = append(parts, "op "+evLine(tc.Op, 60))
	}
	if ev.StartTimestamp != 0 && ev.EndTimestamp >= ev.StartTimestamp {
		parts = append(parts, "duration "+FormatDuration(float64(ev.EndTimestamp-ev.StartTimestamp)*1000))
	}
	if tc := ev.Contexts.Trace; tc != nil && tc.Status != "" {
		parts = append(parts, "status "+evLine(tc.Status, 40))
	}
	n := len(ev.Spans())
	parts = append(parts, plural(n, "span"))
	out := []string{"transaction: " + strings.Join(parts, " · ")}
	if n > 0 {
		out = append(out, "(the span tree is in the spans view)")
	}
	return out
}

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
	fn := f.Function
	if fn == "" {
		fn = f.RawFunction
	}
	if fn == "" {
		fn = f.Symbol
	}
	if fn == "" {
		fn = "<anonymous>"
	}
	where := f.Filename
	if where == "" {
		where = f.AbsPath
	}
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

// ---- breadcrumbs ---------------------------------------------------------------

func evCrumb(b *wire.Breadcrumb, t0 wire.Timestamp, hasT0 bool) string {
	rel := "?"
	if hasT0 && b.Timestamp != 0 {
		d := (float64(b.Timestamp) - float64(t0)) * 1000
		switch {
		case d < -0.0005:
			rel = "-" + FormatDuration(-d)
		case d > 0.0005:
			rel = "+" + FormatDuration(d)
		default:
			rel = "0ms"
		}
	}
	cat := b.Category
	if cat == "" {
		cat = b.Type
	}
	if cat == "" {
		cat = "default"
	}
	level := ""
	if b.Level != "" && b.Level != "info" {
		level = evLine(b.Level, 20) + " "
	}

	msg := strings.TrimSpace(b.Message)
	if msg == "[Filtered]" {
		msg = ""
	}
	data := evParse(b.Data)
	var text string
	used := map[string]bool{}
	if data != nil && data.kind == '{' {
		method, url := data.str("method"), data.str("url")
		switch {
		case url != "" && (method != "" || b.Type == "http"):
			used["method"], used["url"], used["status_code"], used["reason"], used["http.query"], used["http.fragment"] = true, true, true, true, true, true
			if q := data.str("http.query"); q != "" && !strings.Contains(url, "?") {
				url += "?" + q
			}
			text = joinNonEmpty(" ", method, redact.URL(url))
			if sc := data.str("status_code"); sc != "" {
				text += " → " + joinNonEmpty(" ", sc, data.str("reason"))
			}
			if path := URLPath(data.str("url")); msg != "" && path != "" && strings.Contains(msg, path) {
				msg = ""
			}
		case data.has("from") || data.has("to"):
			used["from"], used["to"] = true, true
			text = data.str("from") + " → " + data.str("to")
		}
	}
	var hidden []string
	rest := ""
	if data != nil && data.kind == '{' {
		for k := range data.keys {
			if strings.HasPrefix(data.keys[k], "__") {
				used[data.keys[k]] = true
			}
		}
		rest = data.compactMembers("", used, &hidden, 300)
	} else if data != nil && data.kind != 'n' && !data.filtered() {
		rest = data.compact("", &hidden, 300)
	}
	line := joinNonEmpty(" · ", evLine(msg, 300), redact.Line(text), rest)
	if line == "" {
		line = "(no message)"
	}
	return fmt.Sprintf("%s\t%s%s  %s", rel, level, evLine(cat, 40), line)
}

// URLPath is the path of a URL or path, without query and fragment.
func URLPath(u string) string {
	u, _, _ = strings.Cut(u, "?")
	u, _, _ = strings.Cut(u, "#")
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
		return ""
	}
	return u
}

// ---- request -----------------------------------------------------------------------

// shownHeaders are the request headers worth showing; everything else
// (cookies, authorization, API keys, forwarding chains) is only counted.
var shownHeaders = []string{
	"content-type", "content-length", "content-encoding", "accept", "user-agent", "referer", "origin",
	"host", "x-forwarded-proto", "x-request-id", "x-correlation-id", "sentry-trace", "traceparent",
}

// ShownHeader returns the value of a request header the views may show
// (an allowed name, nothing sensitive or filtered; a referer or origin URL
// scrubbed), or false.
func ShownHeader(name, value string) (string, bool) {
	k := strings.ToLower(strings.TrimSpace(name))
	if !slices.Contains(shownHeaders, k) || redact.IsSensitiveKey(k) || value == redact.FilteredMarker || redact.IsSecretValue(value) {
		return "", false
	}
	if k == "referer" || k == "origin" {
		value = redact.URL(value)
	}
	return value, true
}

// RequestURL is the request's URL with the query string that some SDKs
// send apart put back (not scrubbed).
func RequestURL(r *wire.RequestData) string {
	url := strings.TrimSpace(r.URL)
	if len(r.Query) > 0 && !strings.Contains(url, "?") {
		var q []string
		for _, kv := range r.Query {
			if kv[0] == "" {
				q = append(q, kv[1])
			} else {
				q = append(q, kv[0]+"="+kv[1])
			}
		}
		url += "?" + strings.Join(q, "&")
	}
	return url
}

func evRequest(ev *wire.Event) []string {
	r := ev.Request()
	if r == nil {
		return nil
	}
	first := joinNonEmpty(" ", evLine(r.Method, 16), redact.Line(Truncate(redact.URL(RequestURL(r)), 300)))
	if st := evStatus(ev); st != "" {
		first = joinNonEmpty(" ", first, "→ "+st)
	}
	if first == "" {
		first = "(no method or URL)"
	}
	out := []string{first}
	var hs []string
	others := 0
	for _, kv := range r.Headers {
		v, ok := ShownHeader(kv[0], kv[1])
		if !ok {
			others++
			continue
		}
		hs = append(hs, evLine(kv[0], 40)+": "+evLine(v, 100))
	}
	if len(hs) > 0 || others > 0 {
		line := "headers: " + strings.Join(hs, ", ")
		if others > 0 {
			if len(hs) == 0 {
				line = "headers: " + plural(others, "header") + " not shown"
			} else {
				line += fmt.Sprintf(" (+%d not shown)", others)
			}
		}
		out = append(out, line)
	}
	if len(r.Data) > 0 {
		d := evParse(r.Data)
		switch {
		case d == nil || d.kind == 'n':
		case d.filtered():
			out = append(out, "body: (filtered)")
		default:
			var hidden []string
			body := d.compact("", &hidden, 300)
			if body != "" {
				line := "body: " + body
				if len(hidden) > 0 {
					line += "  [filtered: " + evList(hidden, 8) + "]"
				}
				out = append(out, line)
			}
		}
	}
	return out
}

// evStatus finds the HTTP response status in tags or contexts.
func evStatus(ev *wire.Event) string {
	for _, k := range []string{"http.status_code", "status_code", "http.response.status_code"} {
		if v := ev.Tag(k); v != "" {
			return evLine(v, 10)
		}
	}
	if v := evParse(ev.Contexts.Extra["response"]); v != nil && v.kind == '{' {
		if s := v.str("status_code"); s != "" {
			return evLine(s, 10)
		}
	}
	if tc := ev.Contexts.Trace; tc != nil && tc.Data != nil {
		if s := evRawScalar(tc.Data["http.response.status_code"]); s != "" {
			return evLine(s, 10)
		}
	}
	return ""
}

func evRawScalar(r wire.Raw) string {
	v := evParse(r)
	if v == nil || (v.kind != '"' && v.kind != '0') {
		return ""
	}
	return v.s
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

// ---- rendering -----------------------------------------------------------------------

func (p *evPrepared) render(lv evLevel) string {
	var b strings.Builder
	for _, h := range p.header {
		b.WriteString(h)
		b.WriteByte('\n')
	}
	if lv.extras {
		if p.tags != "" {
			b.WriteString(p.tags + "\n")
		}
		for _, c := range p.contexts {
			b.WriteString(c + "\n")
		}
	}
	seen := map[string]string{}
	for _, s := range p.summary {
		b.WriteString(s + "\n")
	}
	if p.message != "" {
		b.WriteString("\nMessage\n")
		for _, l := range strings.Split(redact.Text(p.message), "\n") {
			b.WriteString("  " + Truncate(strings.TrimRight(l, " \t\r"), 300) + "\n")
		}
	}
	if len(p.stacks) > 0 {
		b.WriteString("\n" + p.stackTtl + "\n")
		for i := range p.stacks {
			if i > 0 && !lv.causes {
				b.WriteString(fmt.Sprintf("… %s omitted\n", plural(len(p.stacks)-1, "earlier exception")))
				break
			}
			p.renderStack(&b, i, lv, seen)
		}
		for _, l := range p.stackEnd {
			b.WriteString(l + "\n")
		}
	}
	if n := min(lv.crumbs, len(p.crumbs)); n > 0 {
		title := fmt.Sprintf("Breadcrumbs (last %d of %d, time relative to the error)", n, p.crumbAll)
		if n == p.crumbAll {
			title = fmt.Sprintf("Breadcrumbs (%d, time relative to the error)", n)
		}
		b.WriteString("\n" + title + "\n")
		shown := p.crumbs[len(p.crumbs)-n:]
		w := 0
		for _, c := range shown {
			rel, _, _ := strings.Cut(c, "\t")
			w = max(w, len([]rune(rel)))
		}
		for _, c := range shown {
			rel, rest, _ := strings.Cut(c, "\t")
			b.WriteString("  " + strings.Repeat(" ", w-len([]rune(rel))) + rel + "  " + rest + "\n")
		}
	} else if p.crumbAll > 0 {
		b.WriteString("\n" + plural(p.crumbAll, "breadcrumb") + " not shown\n")
	}
	if lv.extras && len(p.request) > 0 {
		b.WriteString("\nRequest\n")
		for _, l := range p.request {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

func (p *evPrepared) renderStack(b *strings.Builder, i int, lv evLevel, seen map[string]string) {
	st := &p.stacks[i]
	if st.head != "" {
		if i > 0 && p.stackTtl != "Thread" && !strings.HasPrefix(st.head, "thread ") {
			b.WriteString("caused by ")
		}
		b.WriteString(st.head + "\n")
	}
	if st.mech != "" {
		b.WriteString("  " + st.mech + "\n")
	}
	if st.note != "" {
		b.WriteString("  (" + st.note + ")\n")
	}
	frames := st.frames
	if i > 0 && !lv.causes {
		frames = nil
	}
	keep := evSelectFrames(frames, lv.frames, lv.sys)
	for j := 0; j < len(frames); {
		if !keep[j] {
			k := j
			for k < len(frames) && !keep[k] {
				k++
			}
			b.WriteString("  " + evOmitted(frames[j:k]) + "\n")
			j = k
			continue
		}
		crash := i == 0 && j == 0
		p.renderFrame(b, &frames[j], j == 0, crash, lv, seen)
		j++
	}
}

func (p *evPrepared) renderFrame(b *strings.Builder, f *evFrame, site, crash bool, lv evLevel, seen map[string]string) {
	b.WriteString("  " + f.label + "\n")
	if !f.inApp && !site {
		return
	}
	// Context window.
	lo, hi := 0, len(f.ctx)
	switch {
	case lv.ctx == -1:
	case lv.ctx == -2 && !crash:
		lo, hi = 0, 0
	case f.suspect < 0:
		if lv.ctx <= 0 {
			lo, hi = 0, 0
		} else {
			lo, hi = 0, min(len(f.ctx), 2*lv.ctx+1)
		}
	default:
		r := max(lv.ctx, 0)
		lo, hi = max(0, f.suspect-r), min(len(f.ctx), f.suspect+r+1)
	}
	// Trim blank lines at the window's edges.
	for lo < hi && lo != f.suspect && strings.TrimSpace(f.ctx[lo].text) == "" {
		lo++
	}
	for hi > lo && hi-1 != f.suspect && strings.TrimSpace(f.ctx[hi-1].text) == "" {
		hi--
	}
	if hi > lo {
		w := 0
		for _, c := range f.ctx[lo:hi] {
			w = max(w, len(strconv.FormatInt(c.no, 10)))
		}
		for k := lo; k < hi; k++ {
			c := f.ctx[k]
			mark := "   "
			if k == f.suspect {
				mark = " → "
			}
			text := Truncate(c.text, lv.maxCtxLen)
			line := fmt.Sprintf("   %s%*d | %s", mark, w, c.no, text)
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
	}
	if lv.vars == 2 || (lv.vars == 1 && crash) {
		all := strings.Join(f.vars, "\n") + "\n" + strings.Join(f.hidden, ",")
		if len(f.vars)+len(f.hidden) > 0 && seen[f.key] == all {
			b.WriteString("    vars: as above\n")
			return
		}
		seen[f.key] = all
		for k, v := range f.vars {
			prefix := "      "
			if k == 0 {
				prefix = "    vars: "
			} else {
				prefix = "          "
			}
			b.WriteString(prefix + v + "\n")
		}
		if len(f.hidden) > 0 {
			prefix := "          "
			if len(f.vars) == 0 {
				prefix = "    vars: "
			}
			b.WriteString(prefix + "[filtered: " + evList(f.hidden, 8) + "]\n")
		}
	}
}

// renderMinimal is the last resort under a tight budget: lines are taken
// by priority (the title, the first exception line, the crash-site frame
// and its suspect line first; then ids, the other in-app frames and the
// causes) while they fit, and printed in their usual order.
func (p *evPrepared) renderMinimal(budget int) string {
	type item struct {
		line string
		prio int
	}
	var items []item
	title := ""
	for i, h := range p.header {
		prio := 6
		switch i {
		case 0:
			prio, title = 0, h
		case 1:
			prio = 4
		case 2:
			prio = 3
		}
		items = append(items, item{h, prio})
	}
	for i, st := range p.stacks {
		if st.head != "" && !(i == 0 && st.head == title) {
			head := st.head
			prio := 1
			if i > 0 {
				head, prio = "caused by "+head, 5
			}
			items = append(items, item{head, prio})
		}
		if i == 0 && st.mech != "" {
			items = append(items, item{"  " + st.mech, 7})
		}
		for j, f := range st.frames {
			switch {
			case i == 0 && j == 0:
				items = append(items, item{"  " + f.label, 1})
				if f.suspect >= 0 {
					c := f.ctx[f.suspect]
					items = append(items, item{fmt.Sprintf("    → %d | %s", c.no, Truncate(c.text, 120)), 2})
				}
			case i == 0 && f.inApp:
				items = append(items, item{"  " + f.label, 5})
			}
		}
	}
	lines := make([]string, len(items))
	prio := make([]int, len(items))
	for i, it := range items {
		lines[i], prio[i] = it.line, it.prio
	}
	return packLines(lines, prio, 1, budget)
}

// packLines fits prioritised lines into budget tokens: lines are taken in
// priority order (0 first) while they fit and printed in their original
// order. A line of priority <= must that does not fit is cut to fit
// instead, and nothing after it is taken.
func packLines(lines []string, prio []int, must, budget int) string {
	order := make([]int, len(lines))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return prio[order[a]] < prio[order[b]] })
	chosen := make([]bool, len(lines))
	join := func() []string {
		var out []string
		for i, l := range lines {
			if chosen[i] {
				out = append(out, l)
			}
		}
		return out
	}
	for _, i := range order {
		chosen[i] = true
		if CountTokens(strings.Join(join(), "\n")+"\n") <= budget {
			continue
		}
		if prio[i] <= must {
			// A required line does not fit whole: keep what came before
			// whole and cut the text after it.
			return fitLines(join(), budget)
		}
		chosen[i] = false
	}
	out := join()
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// fitLines joins lines, dropping lines from the end and then shortening
// the last one until the text takes at most budget tokens.
func fitLines(lines []string, budget int) string {
	for len(lines) > 0 {
		s := strings.Join(lines, "\n") + "\n"
		if CountTokens(s) <= budget {
			return s
		}
		last := lines[len(lines)-1]
		r := []rune(last)
		if len(lines) > 1 && CountTokens(strings.Join(lines[:len(lines)-1], "\n")+"\n") > budget {
			lines = lines[:len(lines)-1]
			continue
		}
		if len(r) <= 2 {
			lines = lines[:len(lines)-1]
			continue
		}
		lines[len(lines)-1] = Truncate(last, len(r)*3/4)
	}
	return ""
}

// ---- secrets --------------------------------------------------------------------------
//
// Secret and PII detection is shared with every view and the agent: see
// IsSensitiveKey, IsSecretValue, URL and Secrets in package redact.

// evList joins at most n names, counting the rest.
func evList(xs []string, n int) string {
	if len(xs) > n {
		return strings.Join(xs[:n], ", ") + fmt.Sprintf(", … %d more", len(xs)-n)
	}
	return strings.Join(xs, ", ")
}

// evObjectRepr reports values that are object descriptions rather than
// data ("<AuthClient object at 0x…>"), safe whatever the variable's name.
func evObjectRepr(v *evValue) bool {
	return v.kind == '"' && strings.HasPrefix(v.s, "<") && strings.HasSuffix(v.s, ">") && !strings.ContainsAny(v.s, "\n")
}

// ---- compact JSON values ----------------------------------------------------------------

// evValue is a parsed JSON value that keeps member order and number text.
type evValue struct {
	kind byte // '{', '[', '"', '0', 't', 'f', 'n'
	s    string
	keys []string
	vals []*evValue
}

func evParse(raw wire.Raw) *evValue {
	if len(raw) == 0 {
		return nil
	}
	v, err := evDecodeValue(raw)
	if err != nil {
		return nil
	}
	return v
}

func (v *evValue) filtered() bool { return v != nil && v.kind == '"' && v.s == "[Filtered]" }

func (v *evValue) has(key string) bool {
	return v != nil && v.kind == '{' && slices.Contains(v.keys, key)
}

// str returns a scalar member as text ("" when absent or not scalar).
func (v *evValue) str(key string) string {
	if v == nil || v.kind != '{' {
		return ""
	}
	for i, k := range v.keys {
		if k == key {
			switch x := v.vals[i]; x.kind {
			case '"', '0':
				if x.filtered() {
					return ""
				}
				return x.s
			case 't':
				return "true"
			case 'f':
				return "false"
			}
		}
	}
	return ""
}

// compact renders the value on one line, dropping "[Filtered]" values and
// secret-named members (their paths go to hidden), at most n runes.
func (v *evValue) compact(path string, hidden *[]string, n int) string {
	var b strings.Builder
	v.write(&b, path, hidden, 0)
	return Truncate(redact.Line(b.String()), n)
}

// compactMembers renders an object's members as "k=v, k=v" skipping the
// keys in skip.
func (v *evValue) compactMembers(path string, skip map[string]bool, hidden *[]string, n int) string {
	var parts []string
	for i, k := range v.keys {
		if skip[k] {
			continue
		}
		p := evJoinPath(path, k)
		if redact.IsSensitiveKey(k) || redact.IsPIITag(k) || v.vals[i].filtered() {
			*hidden = append(*hidden, p)
			continue
		}
		var b strings.Builder
		v.vals[i].write(&b, p, hidden, 1)
		s := b.String()
		if s == "" {
			continue
		}
		parts = append(parts, k+"="+Truncate(s, 160))
	}
	return Truncate(redact.Line(strings.Join(parts, ", ")), n)
}

func evJoinPath(path, k string) string {
	k = Truncate(redact.Line(k), 60)
	if path == "" {
		return k
	}
	return Truncate(path+"."+k, 120)
}

func (v *evValue) write(b *strings.Builder, path string, hidden *[]string, depth int) {
	if b.Len() > 2000 {
		return
	}
	switch v.kind {
	case '{':
		if depth > 6 {
			b.WriteString("{…}")
			return
		}
		b.WriteByte('{')
		first := true
		for i, k := range v.keys {
			p := evJoinPath(path, k)
			if v.vals[i].filtered() || redact.IsSensitiveKey(k) {
				*hidden = append(*hidden, p)
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(k)
			b.WriteString(": ")
			v.vals[i].write(b, p, hidden, depth+1)
		}
		b.WriteByte('}')
	case '[':
		if depth > 6 {
			b.WriteString("[…]")
			return
		}
		b.WriteByte('[')
		first := true
		for i, x := range v.vals {
			if x.filtered() {
				*hidden = append(*hidden, fmt.Sprintf("%s[%d]", path, i))
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			x.write(b, fmt.Sprintf("%s[%d]", path, i), hidden, depth+1)
		}
		b.WriteByte(']')
	case '"':
		if redact.IsSecretValue(v.s) {
			*hidden = append(*hidden, path)
			b.WriteString("[hidden]")
			return
		}
		b.WriteString(v.s)
	case '0':
		b.WriteString(v.s)
	case 't':
		b.WriteString("true")
	case 'f':
		b.WriteString("false")
	case 'n':
		b.WriteString("null")
	}
}

// evDecodeValue parses raw JSON tolerantly (invalid UTF-8 replaced,
// duplicate names kept), keeping member order and number literals.
func evDecodeValue(raw []byte) (*evValue, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	return evReadValue(dec, 0)
}

func evReadValue(dec *jsontext.Decoder, depth int) (*evValue, error) {
	if depth > 64 {
		return nil, fmt.Errorf("JSON nested too deeply")
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch k := tok.Kind(); k {
	case '{':
		v := &evValue{kind: '{'}
		for dec.PeekKind() != '}' {
			kt, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			key := kt.String()
			x, err := evReadValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			v.keys = append(v.keys, key)
			v.vals = append(v.vals, x)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		return v, nil
	case '[':
		v := &evValue{kind: '['}
		for dec.PeekKind() != ']' {
			x, err := evReadValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			v.vals = append(v.vals, x)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		return v, nil
	case '"':
		return &evValue{kind: '"', s: tok.String()}, nil
	case '0':
		return &evValue{kind: '0', s: tok.String()}, nil
	case 't', 'f', 'n':
		return &evValue{kind: byte(k)}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok.Kind())
}
