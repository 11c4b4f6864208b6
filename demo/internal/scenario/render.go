package scenario

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/genkit"
)

func (r *renderer) rawSpan(s *Span) wire.Span {
	return wire.Span{
		SpanID: s.ID, ParentSpanID: s.Parent, TraceID: r.in.traceID, Op: s.Op, Description: s.Desc, Status: s.Status,
		StartTimestamp: ts(s.Start), Timestamp: ts(s.End), ExclusiveTime: wire.FlexFloat(s.exclusiveMS()),
		SameProcessAsParent: ptr(true), Origin: s.Origin, Data: toExtra(s.Data), Hash: r.in.hexID(16, "hash", s.Op, s.Desc),
	}
}

func byStart(a, b *Span) int { return cmp.Compare(a.Start, b.Start) }

// txnEvent renders a transaction as /projects/{org}/{project}/events/{id}/.
func (r *renderer) txnEvent(t *Txn) *wire.Event {
	s := t.Service
	spans := slices.Clone(t.spans)
	slices.SortStableFunc(spans, byStart)
	rawSpans := make([]wire.Span, 0, len(spans))
	for _, sp := range spans {
		rawSpans = append(rawSpans, r.rawSpan(sp))
	}
	ev := &wire.Event{
		ID: t.EventID, EventID: t.EventID, ProjectID: wire.FlexString(fmt.Sprint(s.id)), ProjectSlug: s.Slug,
		Type: "transaction", Title: t.Name, Culprit: t.Name, Location: t.Name, Platform: eventPlatform(s),
		DateCreated: iso(t.Root.End), DateReceived: iso(t.Root.End + MS(388.4)),
		Entries:        []wire.Entry{{Type: wire.EntrySpans, Spans: rawSpans}},
		SDK:            sdk(s),
		Release:        r.releaseObj(s),
		Metadata:       wire.IssueMetadata{Title: t.Name, Extra: toExtra(map[string]any{"location": t.Name})},
		StartTimestamp: ts(t.Root.Start), EndTimestamp: ts(t.Root.End),
		User: t.User,
	}
	if t.Request != nil {
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntryRequest, Request: t.Request})
	}
	if len(t.Breadcrumbs) > 0 {
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntryBreadcrumbs, Breadcrumbs: &wire.BreadcrumbsData{Values: t.Breadcrumbs}})
	}
	trace := &wire.TraceContext{
		TraceID: r.in.traceID, SpanID: t.Root.ID, ParentSpanID: t.Root.Parent, Op: t.Root.Op, Status: t.Root.Status,
		ExclusiveTime: wire.FlexFloat(t.Root.exclusiveMS()), Data: toExtra(t.Root.Data), Type: "trace",
		Extra: toExtra(map[string]any{"origin": t.Root.Origin, "client_sample_rate": 1.0, "sampled": true, "hash": r.in.hexID(16, "hash", t.Root.Op, t.Name)}),
	}
	ev.Contexts = wire.Contexts{Trace: trace, Extra: toExtra(runtimeContexts(s))}
	if t.Profile != nil {
		ev.Contexts.Profile = &wire.ProfileContext{ProfileID: t.ProfileID, Type: "profile"}
	}
	more := platformTags(s)
	if s.Server != "" {
		more = append(more, [2]string{"server_name", s.Server})
	}
	if code, ok := t.Root.Data["http.response.status_code"]; ok {
		more = append(more, [2]string{"http.status_code", fmt.Sprint(code)})
	}
	if s.Platform == Browser {
		more = append(more, [2]string{"url", t.Request.URL})
	}
	ev.Tags = tags(s, t.Name, "info", more...)
	if t.Measurements != nil {
		ev.Measurements = raw(t.Measurements)
	}
	ex := commonEventExtra(2400 + 310*len(rawSpans))
	ex["groupID"] = nil
	delete(ex, "fingerprints")
	delete(ex, "groupingConfig")
	if p := t.perf; p != nil {
		ev.GroupID = wire.FlexString(fmt.Sprint(p.Issue.id))
		ev.Occurrence = raw(r.occurrence(p))
		delete(ex, "groupID")
	}
	ev.Extra = toExtra(ex)
	return ev
}

// frames renders an exception's frames, finding in-app lines in the source.
func (r *renderer) frames(s *Service, fs []Frame) []wire.Frame {
	var out []wire.Frame
	for _, f := range fs {
		fr := wire.Frame{Function: f.Function, Module: f.Module}
		if f.At != "" {
			line := r.src.Find(s.Repo(), f.Path, f.At)
			fr.LineNo = wire.FlexInt(line)
			fr.Context = r.src.Context(s.Repo(), f.Path, line)
			fr.InApp = ptr(true)
			if f.Col != "" {
				fr.ColNo = wire.FlexInt(r.src.Col(s.Repo(), f.Path, line, f.Col))
			}
			dir, file := pathSplit(f.Path)
			switch s.Platform {
			case Browser:
				fr.AbsPath = "app:///" + f.Path
				fr.Filename = fr.AbsPath
				fr.Module = trimExt(f.Path)
			case Node:
				fr.AbsPath = "/app/" + f.Path
				fr.Filename = fr.AbsPath
				fr.Module = strings.ReplaceAll(dir, "/", ".") + ":" + trimExt(file)
			case Python:
				fr.AbsPath = "/app/" + f.Path
				fr.Filename = f.Path
				fr.Module = strings.ReplaceAll(trimExt(f.Path), "/", ".")
			case Ruby:
				fr.AbsPath = "/app/" + f.Path
				fr.Filename = f.Path
			case Java:
				// Sentry's Java SDK sends the class as the module and the
				// file's base name.
				fr.Filename, fr.AbsPath = file, file
				fr.Module = strings.ReplaceAll(trimExt(strings.TrimPrefix(f.Path, "src/main/java/")), "/", ".")
			case Go:
				fr.Filename = stackRoot(s) + f.Path
				fr.AbsPath = "/src/" + s.Slug + "/" + f.Path
				fr.Module = strings.TrimSuffix(stackRoot(s)+dir, "/")
			}
			if f.Module != "" {
				fr.Module = f.Module
			}
		} else {
			fr.Filename, fr.AbsPath = f.File, f.Abs
			fr.LineNo = wire.FlexInt(f.Line)
			fr.ColNo = wire.FlexInt(f.ColNo)
			fr.InApp = ptr(false)
			if f.Text != "" {
				fr.Context = []wire.ContextLine{{Line: wire.FlexInt(f.Line), Text: f.Text}}
			}
		}
		if f.Vars != nil {
			fr.Vars = raw(f.Vars)
		}
		out = append(out, fr)
	}
	return out
}

func pathSplit(p string) (dir, file string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

func trimExt(p string) string {
	for _, ext := range []string{".tsx", ".ts", ".jsx", ".js", ".py", ".go", ".java", ".rb"} {
		if s, ok := strings.CutSuffix(p, ext); ok {
			return s
		}
	}
	return p
}

// culprit returns Sentry's culprit and location for the crash frame.
func culprit(s *Service, f *wire.Frame) (culprit, location string) {
	switch s.Platform {
	case Browser:
		return fmt.Sprintf("%s(%s)", f.Function, f.Module), f.AbsPath
	case Node:
		return fmt.Sprintf("%s(%s)", f.Function, f.Module), f.AbsPath
	default:
		return f.Module + " in " + f.Function, f.Filename
	}
}

// errorEvent renders an error as /projects/{org}/{project}/events/{id}/ and
// fills in its issue.
func (r *renderer) errorEvent(e *Error) *wire.Event {
	s := e.Span.txn.Service
	t := e.Span.txn
	var values []wire.ExceptionValue
	var crash *wire.Frame
	allInApp, system := true, false
	for i, x := range e.Chain {
		v := wire.ExceptionValue{Type: x.Type, Value: x.Value, Module: x.Module}
		last := i == len(e.Chain)-1
		if last {
			v.Mechanism = &wire.Mechanism{Type: e.Mechanism, Handled: ptr(e.Handled)}
			if len(e.Chain) > 1 {
				v.Mechanism.Extra = toExtra(map[string]any{"exception_id": 0})
			}
		} else {
			v.Mechanism = &wire.Mechanism{Type: "chained", Handled: ptr(true),
				Extra: toExtra(map[string]any{"source": "__cause__", "exception_id": len(e.Chain) - 1 - i, "parent_id": len(e.Chain) - 2 - i})}
		}
		if len(x.Frames) > 0 {
			fr := r.frames(s, x.Frames)
			sys := false
			for j := range fr {
				if fr[j].IsInApp() {
					if last {
						crash = &fr[j]
					}
				} else {
					allInApp, sys = false, true
				}
			}
			system = system || sys
			v.Stacktrace = &wire.Stacktrace{Frames: fr, HasSystemFrames: sys}
		}
		values = append(values, v)
	}
	last := e.Chain[len(e.Chain)-1]
	title := last.Type + ": " + last.Value
	cul, loc := t.Name, ""
	if crash != nil {
		cul, loc = culprit(s, crash)
	}
	entries := []wire.Entry{{Type: wire.EntryException, Exception: &wire.ExceptionData{Values: values, HasSystemFrames: system}}}
	if e.Threads {
		// A logged error: the message, and the current thread's stack.
		title = last.Value
		var st *wire.Stacktrace
		if v := values[len(values)-1]; v.Stacktrace != nil {
			st = v.Stacktrace
		}
		entries = []wire.Entry{
			{Type: wire.EntryMessage, Message: &wire.MessageData{Formatted: last.Value}},
			{Type: wire.EntryThreads, Threads: &wire.ThreadsData{Values: []wire.Thread{{ID: "1", Name: "main", Current: true, Stacktrace: st}}}},
		}
	}
	if len(e.Crumbs) > 0 {
		entries = append(entries, wire.Entry{Type: wire.EntryBreadcrumbs, Breadcrumbs: &wire.BreadcrumbsData{Values: e.Crumbs}})
	}
	req := e.Request
	if req == nil {
		req = t.Request
	}
	if req != nil {
		entries = append(entries, wire.Entry{Type: wire.EntryRequest, Request: req})
	}
	is := e.Issue
	if is.id == 0 {
		is.id = r.in.issueNumber(is.ShortID)
		is.svc = s
		is.title, is.culprit, is.level = title, cul, e.Level
		is.metadata = wire.IssueMetadata{Type: last.Type, Value: last.Value, Title: title}
		if e.Threads {
			is.metadata = wire.IssueMetadata{Title: title}
		}
		if crash != nil {
			is.metadata.Filename, is.metadata.Function = loc, crash.Function
			is.mix = "mixed"
			if allInApp {
				is.mix = "in-app-only"
			}
		}
		is.sdk = sdk(s).Name
		is.unhandl = !e.Handled
	} else if is.svc != s {
		panic(fmt.Errorf("error %s: issue %s belongs to %s", e.Key, is.ShortID, is.svc.Slug))
	}
	is.lastSeen = max(is.lastSeen, e.At)
	ev := &wire.Event{
		ID: e.eventID, EventID: e.eventID, GroupID: wire.FlexString(fmt.Sprint(is.id)),
		ProjectID: wire.FlexString(fmt.Sprint(s.id)), ProjectSlug: s.Slug, Type: "error",
		Title: title, Culprit: cul, Location: loc, Platform: eventPlatform(s),
		DateCreated: iso(e.At), DateReceived: iso(e.At + MS(351.7)), Entries: entries,
		SDK: sdk(s), Release: r.releaseObj(s), User: e.User,
	}
	if e.Threads {
		ev.Message = title
	}
	ctx := runtimeContexts(s)
	for k, v := range e.Contexts {
		ctx[k] = v
	}
	trace := &wire.TraceContext{TraceID: r.in.traceID, SpanID: e.Span.ID, ParentSpanID: e.Span.Parent, Op: e.Span.Op, Status: e.Span.Status, Type: "trace",
		Extra: toExtra(map[string]any{"client_sample_rate": 1.0, "sampled": true})}
	if e.Span.Op == "function" {
		trace.Description = e.Span.Desc
	}
	ev.Contexts = wire.Contexts{Trace: trace, Extra: toExtra(ctx)}
	handled := "no"
	if e.Handled {
		handled = "yes"
	}
	more := append([][2]string{{"handled", handled}, {"mechanism", e.Mechanism}}, platformTags(s)...)
	more = append(more, e.Tags...)
	if s.Server != "" {
		more = append(more, [2]string{"server_name", s.Server})
	}
	if s.Platform == Browser && req != nil {
		more = append(more, [2]string{"url", req.URL})
	}
	if e.User != nil && e.User.ID != "" {
		more = append(more, [2]string{"user", "id:" + string(e.User.ID)})
	}
	ev.Tags = tags(s, t.Name, e.Level, more...)
	md := is.metadata
	md.Title = ""
	if is.mix != "" {
		md.Extra = toExtra(map[string]any{"in_app_frame_mix": is.mix})
	}
	ev.Metadata = md
	ex := commonEventExtra(3100 + 900*len(e.Crumbs))
	if loc == "" {
		ex["location"] = nil
	}
	ev.Extra = toExtra(ex)
	return ev
}

// perfIssue fills in an N+1 issue.
func (r *renderer) perfIssue(p *PerfIssue) {
	is := p.Issue
	is.id = r.in.issueNumber(is.ShortID)
	is.svc = p.Txn.Service
	is.title, is.culprit, is.level = "N+1 Query", p.Txn.Name, "info"
	is.lastSeen = p.Txn.Root.End
	is.metadata = wire.IssueMetadata{Title: "N+1 Query", Value: p.Query, Extra: toExtra(map[string]any{"location": p.Txn.Name})}
	is.sdk = sdk(is.svc).Name
}

func (r *renderer) occurrence(p *PerfIssue) map[string]any {
	t := p.Txn
	var offenders []string
	for _, s := range p.Offenders {
		offenders = append(offenders, s.ID)
	}
	parent := p.Offenders[0].Parent
	return map[string]any{
		"id": r.in.hexID(32, "occurrence", t.Key), "projectId": t.Service.id, "eventId": t.EventID,
		"fingerprint":   []string{"1-1006-" + r.in.hexID(40, "n+1 fingerprint", t.Key)},
		"issueTitle":    "N+1 Query",
		"subtitle":      p.Query,
		"resourceId":    nil,
		"type":          1006,
		"detectionTime": float64(t.Root.End+MS(2100)) / 1e6,
		"level":         "info",
		"culprit":       t.Name,
		"priority":      25,
		"assignee":      nil,
		"evidenceData": map[string]any{
			"transactionName":       t.Name,
			"op":                    "db",
			"parentSpanIds":         []string{parent},
			"parentSpan":            t.Root.Op + " - " + t.Name,
			"causeSpanIds":          []string{},
			"offenderSpanIds":       offenders,
			"numberRepeatingSpans":  fmt.Sprint(len(offenders)),
			"numPatternRepetitions": len(offenders),
			"repeatingSpansCompact": []string{p.Query},
			"repeatingSpans":        []string{"db - " + p.Query},
		},
		"evidenceDisplay": []map[string]any{
			{"name": "Offending Spans", "value": "db - " + p.Query, "important": true},
			{"name": "Repeated", "value": fmt.Sprintf("%d times", len(offenders)), "important": true},
		},
	}
}

// hourly spreads an issue's events over the 24 hours before its last event,
// starting at its first.
func hourly(count int, firstSeen, lastSeen µs) [][2]int64 {
	n := count
	if days := int((lastSeen - firstSeen) / (86400 * 1e6)); days > 1 {
		n = max(1, count/days) // an older issue: the last day is its daily share
	}
	return genkit.Hourly(firstSeen, lastSeen, n)
}

func (r *renderer) issue(is *Issue) *wire.Issue {
	s := is.svc
	substatus, priority := cmpOr(is.Substatus, "new"), cmpOr(is.Priority, "high")
	typ, category := "error", "error"
	if is.perf != nil {
		typ, category = "performance_n_plus_one_db_queries", "performance"
		substatus, priority = cmpOr(is.Substatus, "ongoing"), cmpOr(is.Priority, "low")
	}
	first := parseISO(is.FirstSeen)
	out := &wire.Issue{
		ID: wire.FlexString(fmt.Sprint(is.id)), ShortID: is.ShortID, Title: is.title, Culprit: is.culprit,
		Permalink: fmt.Sprintf("https://%s.sentry.io/issues/%d/", OrgSlug, is.id), Level: is.level, Status: "unresolved",
		Substatus: substatus, Priority: priority, Platform: eventPlatform(s), Type: typ, IssueType: typ,
		IssueCategory: category, Count: wire.FlexString(fmt.Sprint(is.Count)), UserCount: wire.FlexInt(is.Users),
		FirstSeen: iso(first), LastSeen: iso(is.lastSeen), IsUnhandled: is.unhandl,
		Project: wire.IssueProject{ID: wire.FlexString(fmt.Sprint(s.id)), Name: s.Slug, Slug: s.Slug, Platform: s.Platform},
	}
	if first > is.lastSeen {
		panic(fmt.Errorf("issue %s: first seen after its last event", is.ShortID))
	}
	md := map[string]any{"sdk": map[string]any{"name": is.sdk, "name_normalized": is.sdk}, "initial_priority": map[string]int{"high": 75, "medium": 50, "low": 25}[priority]}
	if is.mix != "" {
		md["in_app_frame_mix"] = is.mix
	}
	for k, v := range is.metadata.Extra {
		md[k] = v
	}
	out.Metadata = is.metadata
	out.Metadata.Extra = toExtra(md)
	firstRelease := cmpOr(is.FirstRelease, s.Release())
	out.Extra = toExtra(map[string]any{
		"shareId": nil, "logger": nil, "statusDetails": map[string]any{}, "isPublic": false, "numComments": 0,
		"assignedTo": nil, "isBookmarked": false, "isSubscribed": false, "subscriptionDetails": nil, "hasSeen": false,
		"annotations": []any{}, "priorityLockedAt": nil, "userReportCount": 0, "seenBy": []any{}, "participants": []any{},
		"pluginActions": []any{}, "pluginIssues": []any{}, "pluginContexts": []any{}, "openPeriods": []any{},
		"firstRelease": map[string]any{"version": firstRelease, "shortVersion": firstRelease},
		"lastRelease":  map[string]any{"version": s.Release(), "shortVersion": s.Release()},
		"stats":        map[string]any{"24h": hourly(is.Count, first, is.lastSeen)},
		"activity": []any{map[string]any{
			"id": "0", "user": nil, "type": "first_seen", "data": map[string]any{"priority": priority}, "dateCreated": iso(first),
		}},
	})
	return out
}

// trace renders the /trace/ array: every span, linked by parent span.
func (r *renderer) trace() wire.Trace {
	var roots []*Span
	for _, t := range r.in.Txns {
		if t.Root.Parent == "" {
			roots = append(roots, t.Root)
		}
	}
	slices.SortStableFunc(roots, byStart)
	out := wire.Trace{}
	for _, s := range roots {
		out = append(out, r.spanItem(s))
	}
	return out
}

func (r *renderer) spanItem(s *Span) wire.TraceItem {
	t := s.txn
	p := t.Service
	it := wire.TraceItem{
		EventID: s.ID, EventType: wire.TraceItemSpan, TransactionID: t.EventID, ParentSpanID: s.Parent,
		IsTransaction: s == t.Root, ProjectID: wire.FlexInt(p.id), ProjectSlug: p.Slug, Op: s.Op, Name: s.Op,
		Description: s.Desc, Transaction: t.Name, SDKName: sdk(p).Name, StartTimestamp: ts(s.Start), EndTimestamp: ts(s.End),
		Duration: wire.FlexFloat(s.DurMS()), ProfileID: t.ProfileID, Status: s.Status,
	}
	ex := map[string]any{"additional_attributes": map[string]any{}, "profiler_id": ""}
	if s.Parent == "" {
		ex["parent_span_id"] = nil
	}
	if t.ProfileID == "" {
		ex["profile_id"] = ""
	}
	if s == t.Root && t.Measurements != nil {
		m := map[string]any{}
		for k, v := range t.Measurements {
			m["measurements."+k] = v.(map[string]any)["value"]
		}
		it.Measurements = toExtra(m)
	}
	kids := slices.Clone(s.children)
	for _, d := range s.downstream {
		kids = append(kids, d.Root)
	}
	slices.SortStableFunc(kids, byStart)
	for _, k := range kids {
		it.Children = append(it.Children, r.spanItem(k))
	}
	for _, e := range s.errors {
		it.Errors = append(it.Errors, wire.TraceItem{
			EventID: e.eventID, EventType: wire.TraceItemError, IssueID: wire.FlexInt(e.Issue.id), ShortID: e.Issue.ShortID,
			ProjectID: wire.FlexInt(p.id), ProjectSlug: p.Slug, Description: e.Issue.title, Level: e.Level, Culprit: e.Issue.culprit,
			Transaction: t.Name, StartTimestamp: ts(e.At), IssueType: 1,
		})
	}
	if pi := s.offender; pi != nil {
		first, last := s.Start, s.End
		for _, o := range pi.Offenders {
			first, last = min(first, o.Start), max(last, o.End)
		}
		it.Occurrences = append(it.Occurrences, wire.TraceItem{
			EventID: t.EventID, EventType: wire.TraceItemOccurrence, IssueID: wire.FlexInt(pi.Issue.id), ShortID: pi.Issue.ShortID,
			ProjectID: wire.FlexInt(p.id), ProjectSlug: p.Slug, Description: "N+1 Query", Level: "info", Culprit: t.Name,
			Transaction: t.Name, StartTimestamp: ts(first), EndTimestamp: ts(last), IssueType: 1006,
		})
	}
	for _, k := range []string{"children", "errors", "occurrences"} {
		ex[k] = []any{}
	}
	if len(it.Children) > 0 {
		delete(ex, "children")
	}
	if len(it.Errors) > 0 {
		delete(ex, "errors")
	}
	if len(it.Occurrences) > 0 {
		delete(ex, "occurrences")
	}
	it.Extra = toExtra(ex)
	return it
}
