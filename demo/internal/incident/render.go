package incident

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/genkit"
)

func toExtra(m map[string]any) wire.Extra {
	if len(m) == 0 {
		return nil
	}
	e := wire.Extra{}
	for k, v := range m {
		e[k] = raw(v)
	}
	return e
}

func (st *story) releaseObj(p *project) wire.Raw {
	return raw(map[string]any{
		"version": p.release, "shortVersion": p.release, "versionInfo": map[string]any{
			"package": p.slug, "version": map[string]any{"raw": strings.TrimPrefix(p.release, p.slug+"@")}, "description": strings.TrimPrefix(p.release, p.slug+"@"), "buildHash": nil,
		},
		"ref": nil, "url": nil, "dateReleased": nil, "dateCreated": releaseDate(p), "data": map[string]any{},
		"newGroups": 0, "owner": nil, "commitCount": 0, "lastCommit": nil, "deployCount": 1, "lastDeploy": map[string]any{
			"id": hexID(8, "deploy", p.slug), "environment": "production", "dateStarted": nil, "dateFinished": releaseDate(p), "name": nil, "url": nil,
		},
		"authors": []any{}, "projects": []any{map[string]any{"name": p.name, "slug": p.slug}}, "firstEvent": releaseDate(p), "lastEvent": nil, "currentProjectMeta": map[string]any{},
		"userAgent": nil,
	})
}

// releaseDates are when each service's current release was deployed.
var releaseDates = map[string]string{
	"storefront":   "2026-11-17T10:04:12.339104Z",
	"api-gateway":  "2026-11-12T15:31:47.020551Z",
	"payments":     "2026-11-05T09:12:03.771262Z",
	"auth-service": "2026-11-19T22:36:40.118735Z",
	"inventory":    "2026-10-28T13:40:55.507880Z",
}

// releaseDate is when p's release was deployed.
func releaseDate(p *project) string {
	if p.release == previousAuthRelease {
		return previousAuthReleaseDate
	}
	return releaseDates[p.slug]
}

func eventPlatform(p *project) string {
	if p.platform == "javascript-react" {
		return "javascript"
	}
	return p.platform
}

func commonEventExtra(size int) map[string]any {
	return map[string]any{
		"size": size, "dist": nil, "context": map[string]any{}, "packages": map[string]any{}, "errors": []any{},
		"_meta": map[string]any{}, "nextEventID": nil, "previousEventID": nil, "userReport": nil, "sdkUpdates": []any{},
		"crashFile": nil, "resolvedWith": []any{}, "fingerprints": []string{"{{ default }}"},
		"groupingConfig": map[string]any{"id": "newstyle:2023-01-11", "enhancements": "KLUv_SAYwQAAkwKRs25ld3N0eWxlOjIwMjMtMDEtMTGQ"},
	}
}

func (st *story) tags(p *project, transaction, level string, more ...[2]string) []wire.Tag {
	tags := [][2]string{{"environment", "production"}, {"level", level}, {"release", p.release}, {"transaction", transaction}}
	tags = append(tags, more...)
	slices.SortStableFunc(tags, func(a, b [2]string) int { return cmp.Compare(a[0], b[0]) })
	out := make([]wire.Tag, len(tags))
	for i, t := range tags {
		out[i] = wire.Tag{Key: t[0], Value: wire.FlexString(t[1])}
	}
	return out
}

func runtimeContexts(p *project) map[string]any {
	switch p.platform {
	case "node":
		return map[string]any{
			"runtime": map[string]any{"name": "node", "version": "v22.17.0", "type": "runtime"},
			"os":      map[string]any{"name": "linux", "version": "6.1.0-27-cloud-amd64", "type": "os"},
		}
	case "python":
		return map[string]any{
			"runtime": map[string]any{"name": "CPython", "version": "3.12.7", "build": "3.12.7 (main, Oct 19 2024, 04:06:44) [GCC 12.2.0]", "type": "runtime"},
			"os":      map[string]any{"name": "Linux", "type": "os"},
		}
	case "go":
		return map[string]any{
			"runtime": map[string]any{"name": "go", "version": "go1.26.4", "type": "runtime"},
			"os":      map[string]any{"name": "linux", "type": "os"},
		}
	default:
		return map[string]any{
			"browser": map[string]any{"name": "Chrome", "version": "131.0.0", "type": "browser"},
			"os":      map[string]any{"name": "macOS", "version": "10.15.7", "type": "os"},
		}
	}
}

func (st *story) rawSpan(s *span) wire.Span {
	sp := wire.Span{
		SpanID: s.id, ParentSpanID: s.parent, TraceID: st.traceID, Op: s.op, Description: s.desc, Status: s.status,
		StartTimestamp: ts(s.start), Timestamp: ts(s.end), ExclusiveTime: wire.FlexFloat(s.exclusiveMS()),
		SameProcessAsParent: ptr(true), Origin: s.origin, Data: toExtra(s.data), Hash: hexID(16, "hash", s.op, s.desc),
	}
	if s.origin == "" {
		sp.Origin = "manual"
	}
	if len(s.tags) > 0 {
		m := map[string]any{}
		for k, v := range s.tags {
			m[k] = v
		}
		sp.Tags = toExtra(m)
	}
	return sp
}

// txnEvent renders a transaction as /projects/{org}/{project}/events/{id}/.
func (st *story) txnEvent(t *txn) *wire.Event {
	p := t.proj
	spans := slices.Clone(t.spans)
	slices.SortStableFunc(spans, func(a, b *span) int { return cmp.Compare(a.start, b.start) })
	rawSpans := make([]wire.Span, 0, len(spans))
	for _, s := range spans {
		rawSpans = append(rawSpans, st.rawSpan(s))
	}
	ev := &wire.Event{
		ID: t.eventID, EventID: t.eventID, ProjectID: wire.FlexString(fmt.Sprint(p.id)), ProjectSlug: p.slug,
		Type: "transaction", Title: t.name, Message: "", Culprit: t.name, Location: t.name, Platform: eventPlatform(p),
		DateCreated: iso(t.root.end), DateReceived: iso(t.root.end + ms(412.6)),
		Entries:        []wire.Entry{{Type: wire.EntrySpans, Spans: rawSpans}},
		SDK:            &wire.SDK{Name: p.sdkName, Version: p.sdkVersion},
		Release:        st.releaseObj(p),
		Metadata:       wire.IssueMetadata{Title: t.name, Extra: extra("location", t.name)},
		StartTimestamp: ts(t.root.start), EndTimestamp: ts(t.root.end),
	}
	if t.request != nil {
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntryRequest, Request: t.request})
	}
	if len(t.breadcrumbs) > 0 {
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntryBreadcrumbs, Breadcrumbs: &wire.BreadcrumbsData{Values: t.breadcrumbs}})
	}
	data := map[string]any{}
	for k, v := range t.root.data {
		data[k] = v
	}
	if t.threadID != "" {
		data["thread.id"] = t.threadID
		data["thread.name"] = t.threadName
	}
	trace := &wire.TraceContext{
		TraceID: st.traceID, SpanID: t.root.id, ParentSpanID: t.root.parent, Op: t.root.op, Status: t.root.status,
		ExclusiveTime: wire.FlexFloat(t.root.exclusiveMS()), Data: toExtra(data), Type: "trace",
		Extra: extra("origin", t.root.origin, "client_sample_rate", 1.0, "sampled", true, "hash", hexID(16, "hash", t.root.op, t.name)),
	}
	ev.Contexts = wire.Contexts{Trace: trace, Extra: toExtra(runtimeContexts(p))}
	if t.profileID != "" {
		ev.Contexts.Profile = &wire.ProfileContext{ProfileID: t.profileID, Type: "profile"}
	}
	if t.profilerID != "" {
		ev.Contexts.Profile = &wire.ProfileContext{ProfilerID: t.profilerID, Type: "profile"}
	}
	more := [][2]string{}
	if t.serverName != "" {
		more = append(more, [2]string{"server_name", t.serverName})
	}
	if code, ok := t.root.data["http.response.status_code"]; ok {
		more = append(more, [2]string{"http.status_code", fmt.Sprint(code)})
	}
	switch p.platform {
	case "javascript-react":
		more = append(more, [2]string{"browser", "Chrome 131.0.0"}, [2]string{"browser.name", "Chrome"}, [2]string{"os.name", "macOS"}, [2]string{"url", shopURL + "/checkout"})
		ev.User = &wire.User{ID: userID, IPAddress: "203.0.113.57"}
	case "node":
		more = append(more, [2]string{"runtime.name", "node"})
	case "python":
		more = append(more, [2]string{"runtime.name", "CPython"})
	case "go":
		more = append(more, [2]string{"runtime.name", "go"})
	}
	ev.Tags = st.tags(p, t.name, "info", more...)
	if t.measurements != nil {
		ev.Measurements = raw(t.measurements)
	}
	ex := commonEventExtra(2400 + 310*len(rawSpans))
	ex["groupID"] = nil
	delete(ex, "fingerprints")
	delete(ex, "groupingConfig")
	if t.perfIssue != nil {
		ev.GroupID = wire.FlexString(fmt.Sprint(t.perfIssue.id))
		ev.Occurrence = raw(t.occurrence)
		delete(ex, "groupID")
	}
	ev.Extra = toExtra(ex)
	return ev
}

// errorEvent renders an error as /projects/{org}/{project}/events/{id}/.
func (st *story) errorEvent(e *errEvent) *wire.Event {
	p := e.proj
	t := e.span.txn
	entries := []wire.Entry{{Type: wire.EntryException, Exception: e.exception}}
	if len(e.breadcrumbs) > 0 {
		entries = append(entries, wire.Entry{Type: wire.EntryBreadcrumbs, Breadcrumbs: &wire.BreadcrumbsData{Values: e.breadcrumbs}})
	}
	if e.request != nil {
		entries = append(entries, wire.Entry{Type: wire.EntryRequest, Request: e.request})
	}
	ev := &wire.Event{
		ID: e.eventID, EventID: e.eventID, GroupID: wire.FlexString(fmt.Sprint(e.issue.id)),
		ProjectID: wire.FlexString(fmt.Sprint(p.id)), ProjectSlug: p.slug, Type: "error",
		Title: e.title, Message: "", Culprit: e.culprit, Location: e.location, Platform: e.platform,
		DateCreated: iso(e.at), DateReceived: iso(e.at + ms(388.2)), Entries: entries,
		SDK: &wire.SDK{Name: p.sdkName, Version: p.sdkVersion}, Release: st.releaseObj(p), User: e.user,
	}
	if e.location == "" {
		ev.Extra = wire.Extra{"location": raw(nil)}
	}
	ctx := runtimeContexts(p)
	for k, v := range e.contexts {
		ctx[k] = v
	}
	trace := &wire.TraceContext{TraceID: st.traceID, SpanID: e.span.id, ParentSpanID: e.span.parent, Op: e.span.op, Status: e.span.status, Type: "trace",
		Extra: extra("client_sample_rate", 1.0, "sampled", true)}
	if e.span.op == "function" {
		trace.Description = e.span.desc
	}
	ev.Contexts = wire.Contexts{Trace: trace, Extra: toExtra(ctx)}
	handled := "no"
	if e.exception.Values[len(e.exception.Values)-1].Mechanism.Handled != nil && *e.exception.Values[len(e.exception.Values)-1].Mechanism.Handled {
		handled = "yes"
	}
	more := append([][2]string{{"handled", handled}, {"mechanism", e.mechanism}}, e.tags...)
	if e.serverName != "" {
		more = append(more, [2]string{"server_name", e.serverName})
	}
	switch p.platform {
	case "node":
		more = append(more, [2]string{"runtime.name", "node"})
	case "python":
		more = append(more, [2]string{"runtime.name", "CPython"})
	case "go":
		more = append(more, [2]string{"runtime.name", "go"})
	}
	if e.user != nil && e.user.ID != "" {
		more = append(more, [2]string{"user", "id:" + string(e.user.ID)})
	}
	ev.Tags = st.tags(p, t.name, e.level, more...)
	md := e.metadata
	md.Extra = extra("in_app_frame_mix", e.issue.metadata["in_app_frame_mix"])
	if e.metadata.Filename == "" {
		md.Extra = nil
	}
	ev.Metadata = md
	ex := commonEventExtra(3100 + 900*len(e.breadcrumbs))
	for k, v := range ev.Extra {
		ex[k] = v
	}
	ev.Extra = toExtra(ex)
	return ev
}

// hourly spreads an issue's events over the 24 hours before its last event.
func hourly(is *issue) [][2]int64 {
	n := is.count
	if is.count > 500 {
		n = is.count / 40 // long-running noise: the last day is a small share
	}
	return genkit.Hourly(is.firstSeen, is.lastSeen, n)
}

func (st *story) issueJSON(is *issue) *wire.Issue {
	p := is.proj
	out := &wire.Issue{
		ID: wire.FlexString(fmt.Sprint(is.id)), ShortID: is.shortID, Title: is.title, Culprit: is.culprit,
		Permalink: fmt.Sprintf("https://%s.sentry.io/issues/%d/", OrgSlug, is.id), Level: is.level, Status: is.status,
		Substatus: is.substatus, Priority: is.priority, Platform: eventPlatform(p), Type: is.typ, IssueType: is.issueType,
		IssueCategory: is.issueCategory, Count: wire.FlexString(fmt.Sprint(is.count)), UserCount: wire.FlexInt(is.userCount),
		FirstSeen: iso(is.firstSeen), LastSeen: iso(is.lastSeen), IsUnhandled: is.unhandled,
		Project: wire.IssueProject{ID: wire.FlexString(fmt.Sprint(p.id)), Name: p.name, Slug: p.slug, Platform: p.platform},
	}
	md := map[string]any{}
	for k, v := range is.metadata {
		md[k] = v
	}
	out.Metadata = wire.IssueMetadata{Extra: toExtra(md)}
	for _, k := range []string{"type", "value", "filename", "function", "title"} {
		delete(out.Metadata.Extra, k)
	}
	out.Metadata.Type, _ = is.metadata["type"].(string)
	out.Metadata.Value, _ = is.metadata["value"].(string)
	out.Metadata.Filename, _ = is.metadata["filename"].(string)
	out.Metadata.Function, _ = is.metadata["function"].(string)
	out.Metadata.Title, _ = is.metadata["title"].(string)
	out.Extra = toExtra(map[string]any{
		"shareId": nil, "logger": nil, "statusDetails": map[string]any{}, "isPublic": false, "numComments": 0,
		"assignedTo": nil, "isBookmarked": false, "isSubscribed": false, "subscriptionDetails": nil, "hasSeen": false,
		"annotations": []any{}, "priorityLockedAt": nil, "userReportCount": 0, "seenBy": []any{}, "participants": []any{},
		"pluginActions": []any{}, "pluginIssues": []any{}, "pluginContexts": []any{}, "openPeriods": []any{},
		"firstRelease": map[string]any{"version": is.firstRelease, "shortVersion": is.firstRelease},
		"lastRelease":  map[string]any{"version": p.release, "shortVersion": p.release},
		"stats":        map[string]any{"24h": hourly(is)},
		"activity": []any{map[string]any{
			"id": "0", "user": nil, "type": "first_seen", "data": map[string]any{"priority": is.priority}, "dateCreated": iso(is.firstSeen),
		}},
	})
	return out
}

// traceItems renders the /trace/ array: every span, linked by parent span.
func (st *story) traceItems() wire.Trace {
	var roots []*span
	for _, t := range st.txns {
		if t.root.parent == "" {
			roots = append(roots, t.root)
		}
	}
	slices.SortStableFunc(roots, func(a, b *span) int { return cmp.Compare(a.start, b.start) })
	out := wire.Trace{}
	for _, r := range roots {
		out = append(out, st.spanItem(r))
	}
	return out
}

func (st *story) spanItem(s *span) wire.TraceItem {
	t := s.txn
	p := t.proj
	it := wire.TraceItem{
		EventID: s.id, EventType: wire.TraceItemSpan, TransactionID: t.eventID, ParentSpanID: s.parent,
		IsTransaction: s == t.root, ProjectID: wire.FlexInt(p.id), ProjectSlug: p.slug, Op: s.op, Name: s.op,
		Description: s.desc, Transaction: t.name, SDKName: p.sdkName, StartTimestamp: ts(s.start), EndTimestamp: ts(s.end),
		Duration: wire.FlexFloat(s.durMS()), ProfileID: t.profileID, ProfilerID: t.profilerID, Status: s.status,
	}
	ex := map[string]any{"additional_attributes": map[string]any{}}
	if s.parent == "" {
		ex["parent_span_id"] = nil
	}
	if t.profileID == "" {
		ex["profile_id"] = ""
	}
	if t.profilerID == "" {
		ex["profiler_id"] = ""
	}
	if s == t.root && t.measurements != nil {
		m := map[string]any{}
		for k, v := range t.measurements {
			m["measurements."+k] = v.(map[string]any)["value"]
		}
		it.Measurements = toExtra(m)
	}
	var kids []*span
	kids = append(kids, s.children...)
	for _, d := range s.downstream {
		kids = append(kids, d.root)
	}
	slices.SortStableFunc(kids, func(a, b *span) int { return cmp.Compare(a.start, b.start) })
	for _, k := range kids {
		it.Children = append(it.Children, st.spanItem(k))
	}
	for _, e := range s.errors {
		it.Errors = append(it.Errors, wire.TraceItem{
			EventID: e.eventID, EventType: wire.TraceItemError, IssueID: wire.FlexInt(e.issue.id), ShortID: e.issue.shortID,
			ProjectID: wire.FlexInt(p.id), ProjectSlug: p.slug, Description: e.title, Level: e.level, Culprit: e.culprit,
			Transaction: t.name, StartTimestamp: ts(e.at), IssueType: 1,
		})
	}
	if s.offender && t.perfIssue != nil {
		is := t.perfIssue
		first, last := s.start, s.end
		for _, o := range t.spans {
			if o.offender {
				first, last = min(first, o.start), max(last, o.end)
			}
		}
		it.Occurrences = append(it.Occurrences, wire.TraceItem{
			EventID: t.eventID, EventType: wire.TraceItemOccurrence, IssueID: wire.FlexInt(is.id), ShortID: is.shortID,
			ProjectID: wire.FlexInt(p.id), ProjectSlug: p.slug, Description: is.title, Level: is.level, Culprit: is.culprit,
			Transaction: t.name, StartTimestamp: ts(first), EndTimestamp: ts(last), IssueType: wire.FlexInt(is.groupType),
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
