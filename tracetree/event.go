package tracetree

import (
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
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
