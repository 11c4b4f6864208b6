// The event header: time, level and title lines, tags, contexts and the transaction summary.

package tracetree

import (
	"slices"
	"sort"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

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
